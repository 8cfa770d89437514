from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from medkosh.errors import InputError, IntegrityError, NotFoundError
from medkosh.store.objects import ObjectStore


def test_put_and_get_bytes_are_content_addressed(tmp_path: Path) -> None:
    store = ObjectStore(str(tmp_path / "objs"))
    sha = store.put_bytes(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert store.get_bytes(sha) == b"hello"
    assert store.put_bytes(b"hello") == sha  # idempotent
    assert list(store.iter_ids()) == [sha]


def test_put_file_streams(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    store = ObjectStore(str(tmp_path / "objs"))
    sha = store.put_file(src)
    assert store.local_path(sha).read_bytes() == src.read_bytes()
    assert store.size(sha) == 3 << 20


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = ObjectStore(str(tmp_path / "objs"))
    sha = store.put_bytes(b"payload")
    store.local_path(sha).write_bytes(b"tampered")
    with pytest.raises(IntegrityError):
        store.get_bytes(sha)


def test_bad_and_missing_ids(tmp_path: Path) -> None:
    store = ObjectStore(str(tmp_path / "objs"))
    with pytest.raises(InputError):
        store.exists("../../etc/passwd")
    with pytest.raises(NotFoundError):
        store.open("0" * 64)


def test_fsspec_url_works(tmp_path: Path) -> None:
    store = ObjectStore(f"file://{tmp_path / 'objs'}")
    sha = store.put_bytes(b"x")
    assert store.exists(sha)


def test_writer_killed_midway_leaves_no_visible_object(tmp_path: Path) -> None:
    """A writer SIGKILLed in the middle of a large write leaves nothing visible; the temp is swept."""
    root = tmp_path / "objs"
    script = textwrap.dedent(f"""
        import sys, time
        from medkosh.store.objects import ObjectStore
        store = ObjectStore({str(root)!r})
        def chunks():
            for i in range(10_000):
                if i == 5:
                    print("writing", flush=True)
                yield b"x" * 65536
                time.sleep(0.01)
        store.put_stream(chunks())
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"writing"
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = ObjectStore(str(root))
    assert list(store.iter_ids()) == []
    assert store.sweep_temp() == 1

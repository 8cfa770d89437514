"""Property-based fuzzing of the whole HTTP API against its own OpenAPI spec (schemathesis, in process).

Every operation of /openapi.json gets schema-conforming and schema-violating requests, sent anonymously,
with a researcher's API token and with an administrator's token. Half of the cases have their path
parameters replaced by ids that exist (datasets, versions, requests, users, institutions), so the
handlers behind the not-found checks are reached too. Each answer must be below 500, and no body may
carry a traceback, an exception class name or a path of the source tree.

Examples per operation and caller: MEDKOSH_FUZZ_EXAMPLES (default 4; the figures in
docs/reliability.md §4 give larger runs).
"""

from __future__ import annotations

import builtins
import importlib.util
import io
import os
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

import medkosh
from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).parents[1] / "access" / "world.py")
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)

EXAMPLES = int(os.environ.get("MEDKOSH_FUZZ_EXAMPLES", "4"))
SRC = str(Path(medkosh.__file__).resolve().parent)
_EXC_NAMES = sorted(n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                    and issubclass(getattr(builtins, n), BaseException) and n.endswith(("Error", "Exception")))
LEAKS = re.compile("|".join([r"Traceback \(most recent call last\)", r'File "[^"]+", line \d+', re.escape(SRC),
                             r"site-packages", r"/work/", r"\b(?:sqlalchemy|psycopg|pydantic_core|orjson|starlette)\.\w",
                             r"\b(?:" + "|".join(_EXC_NAMES) + r")\b"]))
# The spec itself and the docs page describe schemas (e.g. "HTTPValidationError"); they are not fuzzed.
SKIP_LEAK_CHECK = {"/openapi.json", "/docs"}


@pytest.fixture(scope="module")
def world_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    from medkosh.access import downloads, requests
    from medkosh.config import reset_settings
    from medkosh.identity.types import Principal
    from medkosh.store.db import dispose_engines
    from medkosh.store.migrate import upgrade

    home = tmp_path_factory.mktemp("fuzz-world") / "home"
    url = f"sqlite:///{home / 'medkosh.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKOSH_HOME", str(home))
        mp.setenv("MEDKOSH_DATABASE_URL", url)
        reset_settings()
        upgrade(url)
        with session_scope() as s:
            w = world.build_world(s)
            # The access world's files are placeholders; the fuzzed ids point at versions with real Parquet.
            table = io.BytesIO()
            pq.write_table(pa.table({"age_band": ["30-39", "40-49"], "sex": ["F", "M"]}), table)
            w.fuzz_versions = [world.publish_version(s, f"fuzz-{tier}", tier, {
                "tables/patient.parquet": table.getvalue(), "README.md": b"readme"}) for tier in ("open", "registered")]
            researcher = Principal(w.users["researcher"], "session")
            w.request_id = requests.create(s, researcher, title="R", lay_summary="S", purpose="DSRCH",
                                           versions=["test-registered@1"], duration_days=30, ethics_committee="IEC",
                                           ethics_approval_number="1")
            w.download_token = downloads.issue_url(s, None, "test-open@1", "README.md").rsplit("/", 1)[1]
        dispose_engines()
    reset_settings()
    return home, w


@pytest.fixture
def w(world_home: tuple[Path, Any], medkosh_home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from medkosh.config import reset_settings

    shutil.copytree(world_home[0], medkosh_home, dirs_exist_ok=True)
    monkeypatch.setenv("MEDKOSH_DATABASE_URL", f"sqlite:///{medkosh_home / 'medkosh.db'}")
    reset_settings()
    return world_home[1]


def _known_ids(w: Any, token_id: str) -> dict[str, list[str]]:
    return {"dataset_id": ["fuzz-open", "fuzz-registered"], "version": ["1", "latest"],
            "version_id": [v.id for v in w.fuzz_versions] + ["fuzz-open@1"],
            "request_id": [w.request_id], "user_id": [w.users["researcher"].id, w.users["outsider"].id],
            "institution_id": [w.inst, w.other_inst], "token_id": [token_id], "token": [w.download_token]}


def _check(op: str, path: str, status: int, body: str) -> str | None:
    if status >= 500:
        return f"{op}: HTTP {status}: {body[:200]}"
    if path not in SKIP_LEAK_CHECK:
        m = LEAKS.search(body)
        if m:
            return f"{op}: HTTP {status} leaks {m.group(0)!r}: {body[max(0, m.start() - 80):m.end() + 80]}"
    return None


@pytest.mark.parametrize("caller", ["anon", "researcher", "admin"])
def test_api_fuzz_no_server_errors_no_leaks(w: Any, caller: str, capsys: pytest.CaptureFixture[str]) -> None:
    from medkosh.api.app import create_app
    from medkosh.identity import service

    headers: dict[str, str] = {}
    token_id = "tok_none"
    if caller != "anon":
        with session_scope() as s:
            _, token = service.issue_token(s, w.users[caller].id, f"fuzz-{caller}", days=1)
            # a second token of the caller's, for DELETE /api/tokens/{token_id} to find (not the one in use)
            token_id, _ = service.issue_token(s, w.users[caller].id, f"fuzz-{caller}-spare", days=1)
        headers = {"Authorization": f"Bearer {token}"}
    app = create_app()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 70, f"only {len(ops)} operations in the spec"
    known = _known_ids(w, token_id)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    calls = 0
    in_call = [0.0]
    started = time.perf_counter()

    for op in ops:
        label = f"{op.method.upper()} {op.path}"
        strategies = [op.as_strategy(GenerationMode.POSITIVE)]
        if op.path_parameters or op.query or op.body:
            strategies.append(op.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies), use_known=st.booleans(), pick=st.integers(0, 10))
        def fuzz(case: Any, use_known: bool, pick: int) -> None:
            nonlocal calls
            if use_known and case.path_parameters:
                for name in list(case.path_parameters):
                    if name in known:
                        case.path_parameters[name] = known[name][pick % len(known[name])]
            try:
                t0 = time.perf_counter()
                response = case.call(headers=headers)
                in_call[0] += time.perf_counter() - t0
            except Exception as exc:  # an exception that escaped the app is a server error
                failures.append(f"{label}: raised {type(exc).__name__}")
                return
            calls += 1
            statuses[response.status_code] += 1
            problem = _check(label, op.path, response.status_code, response.text)
            if problem:
                failures.append(problem + f"\n  reproduce: {case.as_curl_command(headers=headers)}")

        fuzz()

    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nAPI fuzz as {caller}: {len(ops)} operations, {calls} requests, {seconds:.1f} s ({in_call[0]:.1f} s in the app), "
              f"statuses {dict(sorted(statuses.items()))}, failures {len(failures)}")
    assert calls >= len(ops)
    assert not failures, "\n".join(failures[:10])


def test_leak_check_flags_tracebacks_exception_names_and_source_paths() -> None:
    assert _check("GET /x", "/x", 200, '{"status": "ok"}') is None
    assert _check("GET /x", "/x", 404, '{"error": "no such dataset: x1; check the id"}') is None
    assert _check("GET /x", "/x", 500, '{"error": "internal error"}') is not None
    assert _check("GET /x", "/x", 400, "Traceback (most recent call last):\n  ...") is not None
    assert _check("GET /x", "/x", 422, '{"error": "KeyError: \'id\'"}') is not None
    assert _check("GET /x", "/x", 400, f'{{"error": "bad file {SRC}/ingest/fhir.py"}}') is not None
    assert _check("GET /x", "/x", 400, '  File "/srv/app.py", line 12, in handler') is not None

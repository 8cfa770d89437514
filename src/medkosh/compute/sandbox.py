"""Run a job's command in a bubblewrap sandbox: no network, read-only inputs at /data, a private
writable /out, the code read-only at /code, CPU/memory/time limits, nothing else of the host.

Only the Python installation and its site-packages are visible (read-only), never the platform's
source, database, object store, keys or other jobs' folders. When bubblewrap is missing, a job may
run unsandboxed only if its data is not controlled-tier, and the job record and its log say so.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medkosh.compute.types import Resources

BWRAP = "bwrap"
_SYSTEM_RO = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc/alternatives", "/etc/ld.so.cache",
              "/etc/ssl/certs", "/etc/localtime")
POLL_SECONDS = 0.05
SANDBOX_TMP = "/tmp"  # noqa: S108 - a private tmpfs inside the sandbox, not the host's /tmp


@dataclass(frozen=True)
class Mounts:
    code: Path      # read-only at /code
    data: Path      # read-only at /data
    out: Path       # read-write at /out


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None
    seconds: float
    timed_out: bool
    cancelled: bool
    sandboxed: bool


def bwrap_path() -> str | None:
    return shutil.which(BWRAP)


def sandbox_available() -> bool:
    """True when bubblewrap exists and can actually create the namespaces here."""
    path = bwrap_path()
    if not path:
        return False
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                           capture_output=True, timeout=20)
    return probe.returncode == 0


def python_roots() -> list[str]:
    """The interpreter's installation and the environment's site-packages (both read-only)."""
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(r + os.sep) for r in roots):
        roots.add(os.path.dirname(exe))
    return sorted(roots)


def job_env(resources: Resources) -> dict[str, str]:
    threads = str(max(1, int(resources.cpus)))
    return {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
        "HOME": SANDBOX_TMP, "TMPDIR": SANDBOX_TMP, "MPLCONFIGDIR": SANDBOX_TMP, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads, "MEDKOSH_DATA": "/data", "MEDKOSH_OUT": "/out", "LANG": "C.UTF-8",
        "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", "") if resources.gpus else "",
    }


def bwrap_command(argv: list[str], mounts: Mounts, resources: Resources) -> list[str]:
    path = bwrap_path()
    if path is None:
        raise RuntimeError("bubblewrap is not installed")
    cmd = [path, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", SANDBOX_TMP, "--tmpfs", "/run"]
    for p in _SYSTEM_RO:
        if os.path.exists(p):
            cmd += ["--ro-bind", p, p]
    for root in python_roots():
        cmd += ["--ro-bind", root, root]
    cmd += ["--ro-bind", str(mounts.code), "/code", "--ro-bind", str(mounts.data), "/data",
            "--bind", str(mounts.out), "/out", "--remount-ro", "/", "--chdir", "/code"]
    for key, value in job_env(resources).items():
        cmd += ["--setenv", key, value]
    return [*cmd, *argv]


def _limits(resources: Resources) -> Callable[[], None]:
    mem = max(256, resources.memory_mb) * 1024 * 1024
    cpu_seconds = int(max(1.0, resources.cpus) * resources.wall_seconds) + 5

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 30, 8 << 30))

    return apply


def run(argv: list[str], mounts: Mounts, resources: Resources, log_path: Path, *, sandboxed: bool,
        cancelled: Callable[[], bool] | None = None, on_start: Callable[[], None] | None = None) -> RunResult:
    """Run argv (paths as seen inside the sandbox: /code, /data, /out) and wait for it.

    Unsandboxed (no bubblewrap), the host paths are substituted for /code, /data and /out and the log
    says UNSANDBOXED; the service allows that only for data that is not controlled-tier.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if sandboxed:
        cmd = bwrap_command(argv, mounts, resources)
        env = None
        cwd = None
    else:
        mapping = {"/code": str(mounts.code), "/data": str(mounts.data), "/out": str(mounts.out)}
        cmd = [mapping.get(a, a) for a in argv]
        env = job_env(resources) | {"MEDKOSH_DATA": str(mounts.data), "MEDKOSH_OUT": str(mounts.out),
                                    "HOME": str(mounts.out.parent / "home"), "TMPDIR": str(mounts.out.parent / "tmp"),
                                    "MPLCONFIGDIR": str(mounts.out.parent / "tmp")}
        for key in ("HOME", "TMPDIR"):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
        cwd = str(mounts.code)
    started = time.monotonic()
    with log_path.open("ab") as log:
        if not sandboxed:
            log.write(b"[medkosh] WARNING: bubblewrap unavailable; running UNSANDBOXED (non-controlled data only)\n")
            log.flush()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=cwd, start_new_session=True, preexec_fn=_limits(resources))
        if on_start:
            on_start()
        timed_out = was_cancelled = False
        while True:
            code = proc.poll()
            if code is not None:
                break
            elapsed = time.monotonic() - started
            if elapsed > resources.wall_seconds:
                timed_out = True
            elif cancelled is not None and cancelled():
                was_cancelled = True
            if timed_out or was_cancelled:
                _kill_group(proc)
                code = proc.wait()
                break
            time.sleep(POLL_SECONDS if elapsed < 2 else POLL_SECONDS * 10)
        seconds = time.monotonic() - started
        note = "timed out" if timed_out else "cancelled" if was_cancelled else f"exit code {code}"
        log.write(f"[medkosh] job process ended: {note} after {seconds:.1f} s\n".encode())
    return RunResult(None if (timed_out or was_cancelled) else code, seconds, timed_out, was_cancelled, sandboxed)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

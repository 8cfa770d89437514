"""Load test: the real server on PostgreSQL, N concurrent clients over loopback for T seconds.

What it does, in order (every step is real: no mocks):

1. creates a fresh PostgreSQL database on the server named by --pg-url (it is dropped at the end;
   `--pg-url sqlite` uses the default SQLite database instead, for comparison);
2. populates it with `medkosh demo --patients P --no-serve` (synthetic hospitals, consent, catalog, a
   researcher with an approved request + signed DUA + grant on the registered-tier dataset, and a
   deployed model in supervised mode);
3. starts `medkosh serve --workers W` on 127.0.0.1 with the per-token and per-IP rate limits switched
   off explicitly (MEDKOSH_RATE_LIMIT_TOKEN_PER_MINUTE=0, MEDKOSH_RATE_LIMIT_IP_PER_MINUTE=0: every
   client comes from 127.0.0.1, so the per-IP bucket would otherwise throttle the whole test);
4. exchanges the researcher's password for a few API tokens and discovers the granted dataset version,
   its files and the deployed model over the API;
5. runs N asyncio clients (aiohttp, one keep-alive connection each) for T seconds; each client repeatedly picks one action (weights in
   ACTIONS), does it, then waits a random think time:
   - API catalog search        GET  /api/datasets/search?q=…
   - portal catalog search     GET  /datasets?q=…
   - portal dataset page       GET  /datasets/{id}
   - API dataset record        GET  /api/datasets/{id}
   - download (signed-URL flow, bearer token): POST /api/access/versions/{ref}/download-url, then
     GET /api/access/download/{token}; the body's SHA-256 must equal the manifest's
   - prediction                POST /api/models/{version}/predict (bearer token)
6. writes a JSON report: per route count, errors, p50/p95/p99 latency (ms) and requests per second,
   plus error samples, the machine load and the server log's traceback count.

An error is any exception (timeout, refused or reset connection), any status outside 2xx/3xx, or a
response whose body is wrong (download hash mismatch, prediction without an id). None are intended.

Reproduce (from the repository root; about 2.5 minutes):

    .venv/bin/python benchmarks/load/run_load.py --clients 200 --seconds 60 --out /tmp/medkosh-load.json

The reliability test (tests/reliability/test_load.py) calls run() with the same defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RESEARCHER = "researcher@medkosh.example"
# The demo's model step needs per-hospital diabetes cohorts that survive k-anonymity: 200 patients is too
# few (the step stops with an explanation); 800 deploys the model with seed 7.
DEFAULT_PATIENTS = 800
SEARCH_TERMS = ["diabetes", "notes", "imaging", "chest", "benchmark", "hba1c", "west bengal", "cohort",
                "discharge", "", "tuberculosis", "radiograph"]
SEARCH_FACETS = [[], [], ["tier=registered"], ["modality=notes"], ["tier=controlled"]]
# Plausible values for the demo model's inputs; a feature not listed here gets the schema's impute value.
FEATURE_RANGES = {"female": (0, 1, True), "age": (30, 85, True), "hypertension": (0, 1, True),
                  "hba1c": (5.5, 12.5, False), "fasting_glucose": (90, 320, False),
                  "systolic_bp": (100, 185, False), "creatinine": (0.5, 2.4, False),
                  "haemoglobin": (8.5, 15.5, False)}


# ---- results ------------------------------------------------------------------------------------

_SECRETS = re.compile(r"(/api/access/download/|mk_tok_|Bearer )[^\s'\"]+")


def redact(text: str) -> str:
    """Error samples go into a report file: no signed link and no API token in it."""
    return _SECRETS.sub(lambda m: m.group(1) + "…", text)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed alike
    errors: int = 0

    def add(self, seconds: float, ok: bool) -> None:
        self.latencies.append(seconds)
        if not ok:
            self.errors += 1


@dataclass
class Recorder:
    stats: dict[str, Stats] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    recording: bool = True

    def add(self, route: str, seconds: float, ok: bool, what: str = "") -> None:
        if not self.recording:
            return
        self.stats.setdefault(route, Stats()).add(seconds, ok)
        if not ok and len(self.samples) < 20:
            self.samples.append({"route": route, "what": redact(what)[:300]})


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def summarise(recorder: Recorder, seconds: float) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    all_lat: list[float] = []
    for route in sorted(recorder.stats):
        st = recorder.stats[route]
        lat = sorted(st.latencies)
        all_lat.extend(lat)
        routes[route] = {"count": len(lat), "errors": st.errors,
                         "p50_ms": round(percentile(lat, 50) * 1000, 1),
                         "p95_ms": round(percentile(lat, 95) * 1000, 1),
                         "p99_ms": round(percentile(lat, 99) * 1000, 1),
                         "rps": round(len(lat) / seconds, 2)}
    all_lat.sort()
    total = {"count": len(all_lat), "errors": sum(s.errors for s in recorder.stats.values()),
             "p50_ms": round(percentile(all_lat, 50) * 1000, 1), "p95_ms": round(percentile(all_lat, 95) * 1000, 1),
             "p99_ms": round(percentile(all_lat, 99) * 1000, 1), "rps": round(len(all_lat) / seconds, 2)}
    return {"routes": routes, "total": total, "error_samples": recorder.samples}


# ---- the world: a fresh database, the demo, the server --------------------------------------------

def _libpq(url: str) -> str:
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


def create_database(pg_url: str, home: Path) -> str:
    """A new, empty database: on the PostgreSQL server beside the one pg_url names, or (pg_url
    "sqlite") the default SQLite file in home. Returns its SQLAlchemy URL."""
    if pg_url == "sqlite":
        return f"sqlite:///{home / 'medkosh.db'}"
    import psycopg

    name = f"medkosh_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(pg_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(pg_url: str, db_url: str) -> None:
    if pg_url == "sqlite":
        return  # the file goes with its temporary folder
    import psycopg

    with psycopg.connect(_libpq(pg_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[-1]}" WITH (FORCE)')


def server_env(home: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDKOSH_")}
    env.update(MEDKOSH_HOME=str(home), MEDKOSH_DATABASE_URL=db_url,
               # Explicitly off for this run (0 switches a limit off; see medkosh.api.limits): all clients
               # share 127.0.0.1 and a handful of tokens, so the limits would turn the test into a 429 test.
               MEDKOSH_RATE_LIMIT_TOKEN_PER_MINUTE="0", MEDKOSH_RATE_LIMIT_IP_PER_MINUTE="0",
               PYTHONUNBUFFERED="1")
    return env


def medkosh_cmd() -> list[str]:
    return [sys.executable, "-m", "medkosh.cli.main"]


def populate(env: dict[str, str], patients: int, log: Callable[[str], None]) -> str:
    """Run the demo (no server) into the new database; returns the researcher's password."""
    started = time.perf_counter()
    proc = subprocess.run([*medkosh_cmd(), "demo", "--patients", str(patients), "--no-serve", "--json"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"medkosh demo failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    summary = json.loads(proc.stdout)
    lines = [line for step in summary["steps"] for line in step["lines"]]
    password = next((m.group(1) for line in lines
                     if (m := re.search(re.escape(RESEARCHER) + r"\s+(\S+)", line))), None)
    if password is None:
        raise RuntimeError("the demo printed no researcher credentials (did the access step run?)")
    if not any("deployed: supervised" in line for line in lines):
        models = next((s["lines"] for s in summary["steps"] if s["title"] == "AI models"), [])
        raise RuntimeError(f"the demo deployed no model with {patients} patients: {' | '.join(models)[-600:]}")
    log(f"demo with {patients} patients in {time.perf_counter() - started:.1f} s")
    return password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(env: dict[str, str], workers: int, log_path: Path) -> Iterator[tuple[str, int]]:
    """`medkosh serve` on 127.0.0.1 in a subprocess; yields (base URL, pid) once /healthz answers."""
    port = free_port()
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([*medkosh_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)], env=env, cwd=ROOT, stdout=log_file,
                                stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"medkosh serve exited with {proc.returncode}: "
                                       f"{log_path.read_text(errors='replace')[-2000:]}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("medkosh serve did not answer /healthz within 60 s")
                time.sleep(0.3)
            # every worker imports the app lazily: warm each one up a little before measuring
            for _ in range(4 * workers):
                httpx.get(f"{base}/datasets", timeout=30)
            yield base, proc.pid
        finally:
            proc.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # the server runs in its own session: kill its whole process group (supervisor + workers)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@dataclass
class Targets:
    tokens: list[str]
    dataset_ids: list[str]
    download_ref: str
    files: list[dict[str, Any]]
    model_version: str
    features: list[dict[str, Any]]


def discover(base: str, password: str, n_tokens: int) -> Targets:
    """Over the API, as the researcher: tokens, the granted version and its files, the deployed model."""
    with httpx.Client(base_url=base, timeout=30) as c:
        tokens = []
        for i in range(n_tokens):
            r = c.post("/api/auth/token", json={"email": RESEARCHER, "password": password, "name": f"load-{i}",
                                                "days": 1})
            r.raise_for_status()
            tokens.append(r.json()["token"])
        auth = {"Authorization": f"Bearer {tokens[0]}"}
        grants = [g for g in c.get("/api/access/grants", headers=auth).raise_for_status().json()
                  if g["status"] == "active" and g["tier"] == "registered"]
        if not grants:
            raise RuntimeError("the researcher has no active registered-tier grant")
        grant = grants[0]
        ds = c.get(f"/api/datasets/{grant['dataset_id']}").raise_for_status().json()
        number = next(v["number"] for v in ds["versions"] if v["id"] == grant["dataset_version_id"])
        version = c.get(f"/api/datasets/{grant['dataset_id']}/versions/{number}").raise_for_status().json()
        datasets = [d["id"] for d in c.get("/api/datasets").raise_for_status().json()["datasets"]]
        models = [m for m in c.get("/api/models", headers=auth).raise_for_status().json() if m["state"] == "deployed"]
        if not models:
            raise RuntimeError("no deployed model version")
        return Targets(tokens=tokens, dataset_ids=datasets, download_ref=f"{grant['dataset_id']}@{number}",
                       files=version["files"], model_version=models[0]["id"],
                       features=models[0]["schema"]["features"])


# ---- the clients ----------------------------------------------------------------------------------

Action = Callable[["aiohttp.ClientSession", Targets, Recorder, random.Random], Awaitable[None]]
Check = Callable[[bytes], "str | None"]


async def _timed(rec: Recorder, route: str, c: aiohttp.ClientSession, method: str, url: str,
                 check: Check | None = None, **kwargs: Any) -> bytes | None:
    """One request, timed until its whole body has arrived; returns the body when it passed."""
    started = time.perf_counter()
    try:
        async with c.request(method, url, allow_redirects=False, **kwargs) as resp:
            body = await resp.read()
            status = resp.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        rec.add(route, time.perf_counter() - started, False, f"{type(exc).__name__}: {exc}")
        return None
    elapsed = time.perf_counter() - started
    problem = None if 200 <= status < 400 else f"HTTP {status}: {body[:200].decode(errors='replace')}"
    if problem is None and check is not None:
        try:
            problem = check(body)
        except ValueError as exc:  # not JSON
            problem = f"unreadable body: {exc}"
    rec.add(route, elapsed, problem is None, problem or "")
    return body if problem is None else None


def _search_params(rnd: random.Random) -> list[tuple[str, str]]:
    params = [("q", rnd.choice(SEARCH_TERMS))]
    params += [("facet", f) for f in rnd.choice(SEARCH_FACETS)]
    return params


async def api_search(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    await _timed(rec, "GET /api/datasets/search", c, "GET", "/api/datasets/search", params=_search_params(rnd),
                 check=lambda b: None if "hits" in json.loads(b) else "no hits field")


async def portal_search(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    await _timed(rec, "GET /datasets (portal search)", c, "GET", "/datasets", params=_search_params(rnd))


async def portal_dataset(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    await _timed(rec, "GET /datasets/{id} (portal page)", c, "GET", f"/datasets/{rnd.choice(t.dataset_ids)}")


async def api_dataset(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    await _timed(rec, "GET /api/datasets/{id}", c, "GET", f"/api/datasets/{rnd.choice(t.dataset_ids)}")


async def download(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    entry = rnd.choice(t.files)
    headers = {"Authorization": f"Bearer {rnd.choice(t.tokens)}"}
    issued = await _timed(rec, "POST /api/access/versions/{ref}/download-url", c, "POST",
                          f"/api/access/versions/{t.download_ref}/download-url", json={"path": entry["path"]},
                          headers=headers,
                          check=lambda b: None if str(json.loads(b).get("url", "")).startswith("/api/access/download/")
                          else "no download url")
    if issued is None:
        return
    await _timed(rec, "GET /api/access/download/{token}", c, "GET", json.loads(issued)["url"],
                 check=lambda b: None if hashlib.sha256(b).hexdigest() == entry["sha256"]
                 else f"downloaded {len(b)} bytes whose SHA-256 differs from the manifest")


async def predict(c: aiohttp.ClientSession, t: Targets, rec: Recorder, rnd: random.Random) -> None:
    features: dict[str, float] = {}
    for f in t.features:
        lo, hi, integer = FEATURE_RANGES.get(f["name"], (None, None, False))
        if lo is None:
            features[f["name"]] = float(f.get("impute") or 0.0)
        else:
            features[f["name"]] = float(rnd.randint(int(lo), int(hi))) if integer else round(rnd.uniform(lo, hi), 2)
    await _timed(rec, "POST /api/models/{version}/predict", c, "POST", f"/api/models/{t.model_version}/predict",
                 json={"features": features}, headers={"Authorization": f"Bearer {rnd.choice(t.tokens)}"},
                 check=lambda b: None if json.loads(b).get("prediction_id") else "no prediction id")


# (action, weight): browsing dominates, as on a catalog; downloads and predictions are the heavy writes.
ACTIONS: list[tuple[Action, int]] = [(api_search, 4), (portal_search, 2), (portal_dataset, 2), (api_dataset, 2),
                                     (download, 2), (predict, 2)]


async def _client(i: int, base: str, t: Targets, rec: Recorder, stop_at: float, wait: tuple[float, float],
                  timeout: float, seed: int) -> None:
    rnd = random.Random(seed * 1000 + i)
    actions = [a for a, _ in ACTIONS]
    weights = [w for _, w in ACTIONS]
    # one keep-alive connection per client, as a browser tab or a script would hold
    connector = aiohttp.TCPConnector(limit=1, force_close=False)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as c:
        await asyncio.sleep(rnd.uniform(0, wait[1]))  # spread the start
        while time.monotonic() < stop_at:
            await rnd.choices(actions, weights)[0](c, t, rec, rnd)
            await asyncio.sleep(rnd.uniform(*wait))


async def drive(base: str, t: Targets, clients: int, seconds: float, wait: tuple[float, float],
                timeout: float = 30.0, seed: int = 11) -> tuple[Recorder, float]:
    """`clients` concurrent clients, each with its own connection, for `seconds`; returns what was seen."""
    rec = Recorder()
    started = time.monotonic()
    await asyncio.gather(*(_client(i, base, t, rec, started + seconds, wait, timeout, seed) for i in range(clients)))
    rec.recording = False
    return rec, time.monotonic() - started


# ---- the whole run --------------------------------------------------------------------------------

def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return total
    return total + sum(tree_cpu_seconds(int(c)) for c in children)


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


@contextlib.contextmanager
def world(pg_url: str, patients: int, log: Callable[[str], None],
          keep: Path | None = None) -> Iterator[tuple[dict[str, str], str, Path]]:
    """A populated world: (server environment, researcher password, scratch folder).

    Normally a fresh database and MEDKOSH_HOME, removed afterwards. With `keep`, a world already kept
    there (world.json) is reused, or a new one is made and kept (database not dropped): for repeated
    load runs without re-running the demo. Drop it with `DROP DATABASE` and `rm -r` when done."""
    if keep is not None:
        meta = keep / "world.json"
        if meta.exists():
            kept = json.loads(meta.read_text())
            log(f"reusing the world kept in {keep} (database {kept['db_url'].rsplit('/', 1)[-1]})")
            yield server_env(keep / "home", kept["db_url"]), kept["password"], keep
            return
        keep.mkdir(parents=True, exist_ok=True)
        db_url = create_database(pg_url, keep / "home")
        env = server_env(keep / "home", db_url)
        password = populate(env, patients, log)
        meta.write_text(json.dumps({"db_url": db_url, "password": password, "patients": patients}))
        yield env, password, keep
        return
    with tempfile.TemporaryDirectory(prefix="medkosh-load-") as tmp:
        db_url = create_database(pg_url, Path(tmp) / "home")
        try:
            env = server_env(Path(tmp) / "home", db_url)
            yield env, populate(env, patients, log), Path(tmp)
        finally:
            drop_database(pg_url, db_url)


def run(*, pg_url: str = DEFAULT_PG_URL, clients: int = 200, seconds: float = 60.0, workers: int = 2,
        patients: int = DEFAULT_PATIENTS, wait: tuple[float, float] = (0.5, 1.5), tokens: int = 4,
        out: Path | None = None, keep: Path | None = None,
        log: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> dict[str, Any]:
    """Fresh database → demo → server → load; returns (and writes to `out`) the JSON report."""
    run_started = time.perf_counter()
    with world(pg_url, patients, log, keep) as (env, password, scratch):
        server_log = scratch / "serve.log"
        with server(env, workers, server_log) as (base, pid):
            targets = discover(base, password, tokens)
            log(f"server {base} ({workers} workers); {clients} clients for {seconds:.0f} s; load {load_average()}")
            load_before = load_average()
            server_cpu, client_cpu = tree_cpu_seconds(pid), time.process_time()
            rec, elapsed = asyncio.run(drive(base, targets, clients, seconds, wait))
            server_cpu, client_cpu = tree_cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
            load_after = load_average()
        log_text = server_log.read_text(errors="replace")
    report = summarise(rec, elapsed)
    report["server_tracebacks"] = log_text.count("Traceback (most recent call last)")
    report["server_log_tail"] = log_text[-3000:] if report["server_tracebacks"] else ""
    report["meta"] = {
        "clients": clients, "seconds": round(elapsed, 1), "workers": workers, "patients": patients,
        "think_time_s": list(wait), "tokens": tokens,
        "database": ("sqlite" if pg_url == "sqlite" else "postgresql") + (" (kept world)" if keep else " (fresh)"),
        "rate_limits": "off (MEDKOSH_RATE_LIMIT_TOKEN_PER_MINUTE=0, MEDKOSH_RATE_LIMIT_IP_PER_MINUTE=0)",
        "cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
        # CPU used while the clients ran: a figure that depends far less on the other load than latency
        "server_cpu_s": round(server_cpu, 1), "client_cpu_s": round(client_cpu, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, report["total"]["count"]), 1),
        "whole_run_s": round(time.perf_counter() - run_started, 1),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def table(report: dict[str, Any]) -> str:
    """The per-route table as Markdown (what docs/reliability.md records)."""
    rows = ["| route | requests | errors | p50 ms | p95 ms | p99 ms | req/s |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for route, r in [*report["routes"].items(), ("all routes", report["total"])]:
        rows.append(f"| {route} | {r['count']:,} | {r['errors']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                    f"{r['p99_ms']:.0f} | {r['rps']:.1f} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("MEDKOSH_TEST_POSTGRES_URL", DEFAULT_PG_URL),
                        help="an existing database on the server; a fresh one is created beside it and dropped "
                             "('sqlite': the default SQLite database in a temporary MEDKOSH_HOME instead)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS)
    parser.add_argument("--wait", default="0.5-1.5", help="think time between a client's actions, MIN-MAX seconds")
    parser.add_argument("--tokens", type=int, default=4, help="API tokens the clients share")
    parser.add_argument("--out", type=Path, default=Path("medkosh-load.json"))
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the populated world in this folder (database not dropped) and reuse it on the "
                             "next run with the same --keep: repeated load runs without re-running the demo")
    args = parser.parse_args()
    lo, _, hi = args.wait.partition("-")
    try:
        wait = (float(lo), float(hi or lo))
    except ValueError:
        parser.error(f"--wait {args.wait!r}: write MIN-MAX seconds, e.g. 0.5-1.5")
    report = run(pg_url=args.pg_url, clients=args.clients, seconds=args.seconds, workers=args.workers,
                 patients=args.patients, wait=wait, tokens=args.tokens, out=args.out, keep=args.keep)
    print(table(report))
    print(f"\nerrors {report['total']['errors']}, server tracebacks {report['server_tracebacks']}; "
          f"load average {report['meta']['loadavg_before']} → {report['meta']['loadavg_after']}; "
          f"CPU seconds: server {report['meta']['server_cpu_s']}, client {report['meta']['client_cpu_s']}; "
          f"report {args.out}")
    return 0 if report["total"]["errors"] == 0 and report["server_tracebacks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Isolation between institutions: users of institution A never read or change institution B's requests,
jobs, job outputs (before and after release), grants, DUA signatures, API tokens, people, predictions,
or datasets beyond what each tier allows — by B's real ids or by guessed ones.

The test enumerates the app's routes: every route with a path parameter is called by A's researcher,
steward, committee member and clinician with B's ids and with guesses (id+1, id-1, a random id of the
right shape, a random UUID, a valid id of another type). A route whose parameter the test does not know
fails it, so a new route cannot be missed. Answers must be 403 or 404 and, for a hidden object, the same
as for an id that does not exist (no existence leak); public catalog routes may answer, but never with
B's private content. Every GET route without parameters (the lists and portal pages) is called as each
of A's users and must not contain any of B's private ids or content.

Writes that wrongly succeed are undone by restoring a snapshot of the SQLite database.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medkosh.identity.types import Principal
from medkosh.store.db import session_scope


def _load(name: str, path: Path) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TESTS = Path(__file__).resolve().parents[1]
world = _load("access_world", TESTS / "access" / "world.py")
model_helpers = _load("models_conftest_helpers", TESTS / "models" / "conftest.py")

B_NAME = "Bharat Research Institute"
A_CALLERS = {"researcher": "researcher", "steward": "steward", "committee": "committee1", "clinician": "clinician"}
# B's private content: none of it may appear in any answer to A.
MARKERS = ["Bharat sepsis cohort study", "BHARAT-LAY-SUMMARY-7731", "bharat-secret-job", "zqxoutputmarkerzqx",
           "zqxpendingmarkerzqx", "bhavna@bharat.in", "Bhavna Bharat", "Baldev Bharat", "bharat-api-token",
           "BHARAT-IEC-0042"]
SCRIPT = """
with open("/out/summary.txt", "w") as fh:
    fh.write("the marker is zqxoutputmarkerzqx; mean hba1c 7.9\\n")
with open("/out/pending.txt", "w") as fh:
    fh.write("zqxpendingmarkerzqx: mean hba1c 8.1\\n")
"""
CONTROLLED_FILES = {"tables/patient.parquet": b"BHARAT-CONTROLLED-ROWS", "README.md": b"readme"}


def P(user: Any) -> Principal:
    return Principal(user=user, via="session")


def _b_dataset(s: Any, ds: str, tier: str, committee: list[str]) -> Any:
    from medkosh.access import service

    files = CONTROLLED_FILES if tier == "controlled" else {"tables/patient.parquet": f"{tier} rows".encode(),
                                                          "README.md": b"readme"}
    v = world.publish_version(s, ds, tier, files, institution=B_NAME)
    service.set_dataset_policy(s, ds, actor="system", quorum=2, committee=committee,
                               required_trainings=["research-ethics"])
    service.publish_dua(s, ds, f"{ds} DUA", world.DUA_TEXT, actor="system")
    return v


def build(tmp_path: Path) -> Any:
    """World A (tests/access/world.py) plus institution B with its own people and everything they own."""
    from medkosh.access import downloads, requests, service
    from medkosh.compute import credits, outputs
    from medkosh.compute import service as jobs
    from medkosh.compute.spec import load_spec
    from medkosh.deployment import inference, lifecycle
    from medkosh.identity import service as ids
    from medkosh.identity.types import Role
    from medkosh.models.service import register

    with session_scope() as s:
        w = world.build_world(s)
        inst_b = ids.create_institution(s, B_NAME, "research", actor="system")
        w.inst_b = inst_b.id
        people = {"researcher": ("bhavna@bharat.in", "Bhavna Bharat", [Role.RESEARCHER]),
                  "steward": ("steward@bharat.in", "Baldev Bharat", [Role.STEWARD]),
                  "committee1": ("c1@bharat.in", "Chaya Bharat", [Role.COMMITTEE]),
                  "committee2": ("c2@bharat.in", "Charu Bharat", [Role.COMMITTEE]),
                  "clinician": ("doc@bharat.in", "Dhruv Bharat", [Role.CLINICIAN])}
        w.b = {k: ids.create_user(s, e, n, inst_b.id, r, password=world.PASSWORD, actor="system", verified=True)
               for k, (e, n, r) in people.items()}
        today = dt.date.today()
        ids.record_training(s, w.b["researcher"].id, "research-ethics", completed_on=today - dt.timedelta(days=3),
                            expires_on=today + dt.timedelta(days=300), actor="system")
        committee = [w.b["committee1"].id, w.b["committee2"].id]
        w.b_versions = {t: _b_dataset(s, f"bharat-{t}", t, committee) for t in ("open", "registered", "controlled")}
        credits.set_allocation(s, inst_b.id, cpu_hours=50.0, gpu_hours=0.0, actor="system")
        rb = P(w.b["researcher"])
        req = dict(title="Bharat sepsis cohort study", lay_summary="BHARAT-LAY-SUMMARY-7731", purpose="DSRCH",
                   versions=["bharat-controlled@1"], duration_days=90, ethics_committee="Bharat IEC",
                   ethics_approval_number="BHARAT-IEC-0042")
        w.b_draft = requests.create(s, rb, **req)
        w.b_request = requests.create(s, rb, **req)
        requests.attach_document(s, rb, w.b_request, "approval.pdf", b"%PDF-1.4 bharat")
        requests.submit(s, rb, w.b_request)
        requests.review(s, P(w.b["committee1"]), w.b_request, "approve")
        requests.review(s, P(w.b["committee2"]), w.b_request, "approve")
        for ds in ("bharat-controlled", "bharat-registered"):
            dua = service.current_dua(s, ds)
            service.sign_dua(s, rb, ds, typed_name="Bhavna Bharat", dua_sha256=dua["sha256"])
        w.b_token_id, w.b_token = ids.issue_token(s, w.b["researcher"].id, "bharat-api-token", days=5)
        w.b_download = downloads.issue_url(s, rb, "bharat-registered@1", "README.md").rsplit("/", 1)[1]
        # A's own request, so that A's lists are not trivially empty
        w.a_request = requests.create(s, P(w.users["researcher"]), title="A's own study", lay_summary="S",
                                      purpose="DSRCH", versions=["test-registered@1"], duration_days=30,
                                      ethics_committee="IEC", ethics_approval_number="1")
        w.a_tokens = {c: ids.issue_token(s, w.users[u].id, f"iso-{c}", days=5)[1] for c, u in A_CALLERS.items()}
    with session_scope() as s:
        w.b_grants = [g.id for g in service.grants_of(s, w.b["researcher"].id)]
        w.b_signatures = [x["id"] for x in service.signatures_of(s, w.b["researcher"].id)]
    assert w.b_grants and len(w.b_signatures) == 2

    # B's job in the TRE, one output released through the airlock and one still waiting
    project = tmp_path / "bharat-project"
    project.mkdir()
    (project / "main.py").write_text(textwrap.dedent(SCRIPT))
    (project / "job.yaml").write_text("name: bharat-secret-job\nentry: main.py\ndatasets: [bharat-controlled@1]\n"
                                      "resources: {cpus: 1, memory_mb: 1024, wall_time: 60s}\n")
    spec, proj = load_spec(project / "job.yaml")
    with session_scope() as s:
        w.b_job = jobs.submit(s, P(w.b["researcher"]), spec, proj).id
    assert jobs.claim_next("isolation") == w.b_job
    done = jobs.run_job(w.b_job, worker="isolation")
    assert done.state == "succeeded", done.error
    with session_scope() as s:
        outs = {o.path: o.id for o in outputs.outputs_of(s, w.b_job)}
        w.b_output_pending, w.b_output_released = outs["pending.txt"], outs["summary.txt"]
        for c in ("committee1", "committee2"):
            outputs.decide(s, P(w.b[c]), w.b_output_released, "approve")
        outputs.release(s, P(w.b["researcher"]), w.b_output_released)

    # B's model: registered, validated, approved by B's clinician, deployed supervised, one pending prediction
    with session_scope() as s:
        out = register(s, P(w.b["researcher"]), model_id="bharat-risk", artefact=model_helpers.onnx_model(),
                       artefact_name="bharat.onnx", schema=model_helpers.SCHEMA, trained_on=["bharat-controlled@1"],
                       job_id=w.b_job, card={"intended_use": "triage"})
        w.b_model = str(out["id"])
        w.b_validation = model_helpers.passing_validation(s, P(w.b["steward"]), w.b_model)["validation_id"]
        lifecycle.approve(s, P(w.b["clinician"]), w.b_model, registration_number="MCI-BH-1",
                          statement="I reviewed the validation report for this version.",
                          viewed_validation=w.b_validation)
        lifecycle.deploy(s, P(w.b["steward"]), w.b_model, "supervised")
        w.b_prediction = inference.predict(s, P(w.b["clinician"]), w.b_model,
                                           {"female": 1, "age": 61.25, "hba1c": 8.75})["prediction_id"]
    return w


@pytest.fixture
def w(sqlite_url: str, tmp_path: Path) -> Any:
    import shutil

    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap not installed (make test installs it via scripts/system-deps.sh)")
    built = build(tmp_path)
    world.snapshot(built, Path(sqlite_url.split("///", 1)[1]), "isolation-snapshot.db")
    return built


# ---- ids: B's real ones and guesses -------------------------------------------------------------

def _shift(value: str, step: int) -> str:
    """id+1 / id-1: the last hex digit moved by one (ids are '<prefix>_<hex>')."""
    digits = "0123456789abcdef"
    last = value[-1]
    if last in digits:
        return value[:-1] + digits[(digits.index(last) + step) % 16]
    return value[:-1] + chr(ord(last) + step)


def _forge(token: str) -> str:
    """A download token with one character of its signature changed (not the last one: base64's final
    character carries padding bits, so changing it may decode to the same signature)."""
    i = len(token) - 6
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def _random_like(value: str) -> str:
    prefix = value.split("_", 1)[0] if "_" in value else "x"
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def kind_of(path: str, param: str) -> str:
    """What a path parameter names; an unknown parameter fails the test (add it here, with B's ids)."""
    if param == "version_id":
        return "model_version" if path.startswith(("/api/models", "/models")) else "dataset_version"
    kinds = {"request_id": "request", "job_id": "job", "output_id": "output", "prediction_id": "prediction",
             "user_id": "user", "token_id": "token", "institution_id": "institution", "dataset_id": "dataset",
             "version": "version_number", "validation_id": "validation", "token": "download"}
    assert param in kinds, f"{path}: path parameter {{{param}}} is unknown to the isolation test; add it"
    return kinds[param]


def b_ids(w: Any) -> dict[str, list[str]]:
    """B's real ids of each kind (private or public, as the route's policy decides)."""
    return {
        "request": [w.b_draft, w.b_request], "job": [w.b_job], "output": [w.b_output_pending, w.b_output_released],
        "prediction": [w.b_prediction], "user": [w.b["researcher"].id, w.b["steward"].id],
        "token": [w.b_token_id], "institution": [w.inst_b], "validation": [w.b_validation],
        "dataset": ["bharat-open", "bharat-registered", "bharat-controlled"], "version_number": ["1"],
        "dataset_version": [v.id for v in w.b_versions.values()], "model_version": [w.b_model],
        "download": [_forge(w.b_download)],  # the real link is a bearer capability; a forged one is not
    }


def guesses(w: Any, kind: str) -> list[str]:
    real = b_ids(w)[kind][0]
    other = {"request": w.b_job, "job": w.b_request, "output": w.b_job, "prediction": w.b_output_pending,
             "user": w.b_request, "token": w.b["researcher"].id, "institution": w.b["researcher"].id,
             "validation": w.b_job, "dataset": w.b_request, "version_number": "2",
             "dataset_version": w.b_model, "model_version": w.b_versions["controlled"].id,
             "download": w.b_token_id}[kind]
    return [_shift(real, 1), _shift(real, -1), _random_like(real), str(uuid.uuid4()), other]


# ---- what each route may answer -----------------------------------------------------------------

# The catalog is public (metadata of every tier; files by tier rules), as are DUA texts and access
# policies, the model registry (signed in) and the OIDC start page. They may answer A, without B's
# private content.
PUBLIC_PREFIXES = ("/api/datasets/{dataset_id}", "/datasets/{dataset_id}", "/api/access/datasets/{dataset_id}/dua",
                   "/api/access/datasets/{dataset_id}/policy", "/access/datasets/{dataset_id}",
                   "/login/oidc/{institution_id}", "/api/surveillance/datasets/{dataset_id}/settings")
REGISTRY = ("/api/models/{version_id}", "/models/{version_id}")
# A model's lifecycle is platform-wide by design: a researcher's model (one institution) is validated and
# deployed by a hospital's steward and approved by its clinician (another); the role gates and the
# validation/approval gates decide, not the institution. Predictions are the institution's (below).
MODEL_LIFECYCLE = ("/api/models/{version_id}/",)
# Anyone may sign a dataset's DUA (the registered tier is for every verified researcher), and ask for a
# download link (the tier rules then decide: open yes, registered after a DUA, controlled never).
OPEN_TO_ALL = {("POST", "/api/access/datasets/{dataset_id}/dua/sign"), ("POST", "/access/datasets/{dataset_id}/dua")}
TIERED = {("POST", "/api/access/versions/{version_id}/download-url"), ("GET", "/access/versions/{version_id}/download")}


# Kinds whose existence is public (the catalog, the model registry, the institution directory): a
# refusal may say 403 where a missing one says 404.
PUBLIC_KINDS = {"dataset", "dataset_version", "version_number", "institution", "model_version", "validation"}


def may_answer(method: str, path: str, kind: str, value: str, w: Any) -> bool:
    """Whether A may get a 2xx/3xx for B's object here (everything else must be 403 or 404)."""
    if (method, path) in OPEN_TO_ALL or (method == "POST" and path.startswith(MODEL_LIFECYCLE)):
        return True
    if (method, path) in TIERED:
        return value in (w.b_versions["open"].id, w.b_versions["registered"].id)
    if method == "GET" and (path.startswith(PUBLIC_PREFIXES) or path in REGISTRY
                            or path.startswith(tuple(p + "/" for p in REGISTRY))):
        return path != "/api/datasets/{dataset_id}/versions/{version}/scan"
    return False


def body_for(method: str, path: str, w: Any, caller: str) -> dict[str, Any]:
    """Valid input, so that a refusal comes from the policy and not from validation."""
    today = dt.date.today()
    name = w.users[A_CALLERS[caller]].name
    bodies: dict[str, dict[str, Any]] = {
        "/document": {"files": {"document": ("a.pdf", b"%PDF-1.4 a", "application/pdf")}},
        "/revoke": {"json": {"reason": "misuse"}}, "/comments": {"json": {"body": "a question"}},
        "/reviews": {"json": {"decision": "approve"}},
        "/dua": {"json": {"title": "DUA 2", "text": world.DUA_TEXT + " v2"}},
        "/dua/sign": {"json": {"typed_name": name, "dua_sha256": "0" * 64}},
        "/policy": {"json": {"quorum": 1}}, "/download-url": {"json": {"path": "README.md"}},
        "/roles": {"json": {"roles": ["researcher"]}}, "/status": {"json": {"status": "suspended"}},
        "/verification": {"json": {"status": "pending"}},
        "/trainings": {"json": {"code": "human-subjects", "completed_on": str(today),
                                "expires_on": str(today + dt.timedelta(days=9))}},
        "/decision": {"json": {"decision": "approve"}},
        "/review": {"json": {"accept": True}}, "/outcome": {"json": {"outcome": 1}},
        "/approve": {"json": {"registration_number": "MCI-1", "statement": "I reviewed the report carefully."}},
        "/deploy": {"json": {"mode": "supervised"}}, "/suspend": {"json": {"reason": "stop it now"}},
        "/retire": {"json": {"reason": "stop it now"}},
        "/predict": {"json": {"features": {"female": 0, "age": 50, "hba1c": 7.0}}},
        "/settings": {"json": {"mode": "disclosure", "threshold": 5}},
    }
    if path.startswith("/api/credits/"):
        return {"json": {"cpu_hours": 1.0, "gpu_hours": 0.0}}
    if path == "/access/versions/{version_id}/download":
        return {"params": {"path": "README.md"}}
    if not path.startswith("/api/"):  # portal forms
        form = {"/comments": {"body": "a question"}, "/dua": {"typed_name": name, "dua_sha256": "0" * 64,
                                                              "agree": "yes"},
                "/trainings": {"code": "human-subjects", "completed_on": str(today),
                               "expires_on": str(today + dt.timedelta(days=9))},
                "/verification": {"status": "pending"}, "/access": {"quorum": "1"},
                "/decision": {"decision": "approve"}, "/review": {"action": "accept"}}
        for suffix, data in form.items():
            if path.endswith(suffix):
                return {"data": data}
        if path.startswith("/review/"):
            return {"data": {"decision": "approve"}}
        return {}
    for suffix, kwargs in sorted(bodies.items(), key=lambda kv: -len(kv[0])):
        if path.endswith(suffix):
            return kwargs
    return {}


def _routes(app: Any) -> list[tuple[str, str, Any]]:
    import fastapi.routing
    from fastapi.routing import APIRoute

    out = []
    for ctx in fastapi.routing.iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute):
            out += [(m, ctx.path, ctx.original_route) for m in sorted(ctx.methods or ()) if m != "HEAD"]
    assert len(out) > 80, f"only {len(out)} routes found; route enumeration is broken"
    return out


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


class Caller:
    def __init__(self, w: Any) -> None:
        from medkosh.api.app import create_app

        self.w = w
        self.client = TestClient(create_app(), raise_server_exceptions=False)

    def __call__(self, caller: str, method: str, url: str, **kwargs: Any) -> Any:
        self.client.cookies.clear()
        headers = {"Authorization": f"Bearer {self.w.a_tokens[caller]}"}
        response = self.client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
        if method != "GET" and response.status_code < 400:
            world.restore(self.w)
        return response


def _leaks(text: str, w: Any, private_ids: bool = True) -> list[str]:
    found = [m for m in MARKERS if m.lower() in text.lower()]
    if private_ids:
        ids = [w.b_draft, w.b_request, w.b_job, w.b_output_pending, w.b_output_released, w.b_prediction,
               w.b_token_id, *w.b_grants, *w.b_signatures,
               # committee membership is published with each dataset's access policy; the others are private
               *(w.b[k].id for k in ("researcher", "steward", "clinician"))]
        found += [i for i in ids if i in text]
    return found


def test_every_route_with_an_id_refuses_b_ids_and_guesses(w: Any) -> None:
    call = Caller(w)
    routes = [(m, p, r) for m, p, r in _routes(call.client.app) if "{" in p]
    assert len(routes) > 50, len(routes)
    real = b_ids(w)
    wrong: list[str] = []
    checked = 0
    for method, path, route in routes:
        params = [p.name for p in route.dependant.path_params]
        kinds = {p: kind_of(path, p) for p in params}
        base = {p: real[k][0] for p, k in kinds.items()}
        if "version" in base and "dataset_id" in base:
            base["dataset_id"] = "bharat-controlled"
        for caller in A_CALLERS:
            kwargs = body_for(method, path, w, caller)
            for param, kind in kinds.items():
                # the id nobody has: what a hidden object must look like
                missing = call(caller, method, _fill(path, base | {param: _random_like(real[kind][0])}), **kwargs)
                for value in real[kind] + guesses(w, kind):
                    url = _fill(path, base | {param: value})
                    r = call(caller, method, url, **kwargs)
                    checked += 1
                    text = r.text
                    leaked = _leaks(text, w, private_ids=False)
                    if leaked:
                        wrong.append(f"{method} {url} as A's {caller}: {r.status_code} shows B's {leaked}")
                        continue
                    is_real = value in real[kind]
                    if (method, path) in TIERED and value == w.b_versions["registered"].id:
                        # registered tier: open to every verified researcher after the DUA (422 until then)
                        if r.status_code != 422:
                            wrong.append(f"{method} {url} as A's {caller}: {r.status_code}, want 422 (sign the "
                                         "DUA first)")
                        continue
                    if is_real and may_answer(method, path, kind, value, w):
                        continue
                    if r.status_code >= 500:
                        wrong.append(f"{method} {url} as A's {caller}: {r.status_code}")
                    elif is_real and r.status_code not in (403, 404) and not (kind == "download"
                                                                             and r.status_code == 401):
                        # (a forged download link is a bad credential: 401)
                        wrong.append(f"{method} {url} as A's {caller}: {r.status_code}, want 403 or 404 "
                                     f"({text[:160]!r})")
                    elif is_real and r.status_code == 404 and missing.status_code == 403:
                        pass  # the role gate refuses before any lookup; 404 for B's id leaks nothing
                    elif is_real and r.status_code == 403 and missing.status_code == 404 and kind not in PUBLIC_KINDS:
                        wrong.append(f"{method} {url} as A's {caller}: 403 for B's {kind} but 404 for a missing "
                                     "one: existence leaks")
                    elif not is_real and r.status_code < 400 and not may_answer(method, path, kind, real[kind][0], w):
                        wrong.append(f"{method} {url} as A's {caller}: guessed id answered {r.status_code}")
    assert checked > 1000, checked
    assert not wrong, f"{len(wrong)} isolation failures:\n" + "\n".join(wrong[:400])


def test_lists_and_pages_never_show_b(w: Any) -> None:
    call = Caller(w)
    wrong: list[str] = []
    seen_own_request = False
    queries = {"/api/credits/usage": [{"by": "institution"}, {"by": "user"}, {"by": "project"}],
               "/api/models/worklist": [{}, {"version": w.b_model}]}
    for method, path, _ in _routes(call.client.app):
        if method != "GET" or "{" in path or path in ("/openapi.json", "/docs", "/docs/oauth2-redirect"):
            continue
        for caller in A_CALLERS:
            for params in queries.get(path, [{}]):
                r = call(caller, method, path, params=params)
                if r.status_code >= 500:
                    wrong.append(f"GET {path} {params} as A's {caller}: {r.status_code}")
                # the model registry shows every version's lineage (the job and the user who registered it)
                leaked = _leaks(r.text, w, private_ids=path not in ("/api/models", "/models"))
                if leaked:
                    wrong.append(f"GET {path} {params} as A's {caller}: {r.status_code} shows B's {leaked}")
                if path == "/api/access/requests" and caller == "researcher":
                    seen_own_request = w.a_request in r.text
    assert seen_own_request, "A's researcher does not see their own request: the list check proves nothing"
    assert not wrong, f"{len(wrong)} list leaks:\n" + "\n".join(wrong)


def test_b_still_sees_its_own_things(w: Any) -> None:
    """The positive control: the same calls as B's own users succeed, so the refusals above are isolation."""
    from medkosh.identity import service as ids

    with session_scope() as s:
        tokens = {k: ids.issue_token(s, w.b[k].id, f"own-{k}", days=1)[1] for k in ("researcher", "clinician")}
    client = TestClient(__import__("medkosh.api.app", fromlist=["create_app"]).create_app())
    rb = {"Authorization": f"Bearer {tokens['researcher']}"}
    assert client.get(f"/api/access/requests/{w.b_request}", headers=rb).status_code == 200
    assert client.get(f"/api/jobs/{w.b_job}", headers=rb).status_code == 200
    got = client.get(f"/api/outputs/{w.b_output_released}/download", headers=rb)
    assert got.status_code == 200 and b"zqxoutputmarkerzqx" in got.content
    assert w.b_request in client.get("/api/access/requests", headers=rb).text
    worklist = client.get("/api/models/worklist", headers={"Authorization": f"Bearer {tokens['clinician']}"})
    assert w.b_prediction in worklist.text
    assert json.loads(client.get("/api/jobs", headers=rb).text)[0]["id"] == w.b_job


def test_output_checkers_are_the_jobs_institution_or_its_datasets_committee() -> None:
    """The demo's shape: a research institute's job on a hospital's dataset is checked by the hospital's
    committee (the dataset's); a committee member of a third institution neither sees nor checks it."""
    from medkosh.compute import policies
    from medkosh.errors import NotFoundError, PermissionDenied
    from medkosh.identity.types import Role, User

    def person(uid: str, inst: str, role: Role) -> Principal:
        return Principal(User(id=uid, email=f"{uid}@x.in", name=uid, institution_id=inst, roles=frozenset({role})),
                         via="session")

    job = policies.JobFacts(owner_id="r1", institution_id="research", team=frozenset(), checkers=frozenset({"h1"}))
    hospital_checker = person("h1", "hospital", Role.COMMITTEE)
    research_checker = person("c2", "research", Role.COMMITTEE)
    stranger = person("x1", "elsewhere", Role.COMMITTEE)
    for ok in (hospital_checker, research_checker):
        assert policies.can_see_job(ok, job)
        policies.check_can_review_output(ok, job)
    assert not policies.can_see_job(stranger, job)
    with pytest.raises(NotFoundError):
        policies.check_can_review_output(stranger, job)
    with pytest.raises(NotFoundError):
        policies.check_can_download_output(stranger, job)
    with pytest.raises(PermissionDenied):
        policies.check_can_review_output(person("r1", "research", Role.COMMITTEE), job)  # own job

"""Registry and lifecycle gates: pickle refusal, each forbidden transition refused, the full happy path,
supervised predictions with an override, and drift-triggered automatic suspension."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from medkosh.errors import ConflictError, InputError, PermissionDenied, PolicyViolation


def _register(session: Any, h: Any, who: Any) -> str:
    from medkosh.models.service import register

    out = register(session, who, model_id="toy-risk", artefact=h.onnx_model(), artefact_name="toy.onnx",
                   schema=h.SCHEMA, trained_on=["dsv-train"], job_id="job_1", card={"intended_use": "triage"})
    return str(out["id"])


def test_pickle_and_joblib_uploads_are_refused_with_the_reason(session: Any, h: Any) -> None:
    from medkosh.models.service import register

    p = h.people(session)["researcher"]
    blob = pickle.dumps({"a": 1})
    for name in ("model.pkl", "model.joblib", "model.onnx"):  # a pickle renamed .onnx is refused by its bytes
        with pytest.raises(InputError) as exc:
            register(session, p, model_id="bad", artefact=blob, artefact_name=name, schema=h.SCHEMA)
        assert "arbitrary code" in str(exc.value) and "ONNX" in str(exc.value)
    with pytest.raises(InputError, match="not a loadable ONNX"):
        register(session, p, model_id="bad", artefact=b"not a model", artefact_name="m.onnx", schema=h.SCHEMA)


def test_registered_version_has_lineage_schema_and_is_numbered(session: Any, h: Any) -> None:
    from medkosh.models.service import list_versions, show

    who = h.people(session)
    vid = _register(session, h, who["researcher"])
    vid2 = _register(session, h, who["researcher"])
    assert (vid, vid2) == ("toy-risk@1", "toy-risk@2")
    s = show(session, vid)
    assert s["state"] == "registered" and s["mode"] is None
    assert s["lineage"]["trained_on"] == ["dsv-train"] and s["lineage"]["job_id"] == "job_1"
    assert [f["name"] for f in s["schema"]["features"]] == h.FEATURES
    assert len(list_versions(session)) == 2
    with pytest.raises(PermissionDenied):  # someone else's model id
        from medkosh.models.service import register
        register(session, who["steward"], model_id="toy-risk", artefact=h.onnx_model(), artefact_name="t.onnx",
                 schema=h.SCHEMA)


def test_every_forbidden_transition_is_refused(session: Any, h: Any) -> None:
    from medkosh.deployment import lifecycle as lc

    who = h.people(session)
    vid = _register(session, h, who["researcher"])
    approve = {"registration_number": "MCI-12345", "statement": "Reviewed the validation report for triage."}
    # registered: no approval, no deployment, no suspension
    with pytest.raises(ConflictError):
        lc.approve(session, who["clinician"], vid, **approve)
    with pytest.raises(PolicyViolation):
        lc.deploy(session, who["steward"], vid, "supervised")
    with pytest.raises(ConflictError):
        lc.suspend(session, who["steward"], vid, "why not")
    h.passing_validation(session, who["steward"], vid)
    # validated: only a clinician approves; still no deployment
    with pytest.raises(PermissionDenied):
        lc.approve(session, who["steward"], vid, **approve)
    with pytest.raises(PolicyViolation):
        lc.deploy(session, who["admin"], vid, "active")
    with pytest.raises(InputError):
        lc.approve(session, who["clinician"], vid, registration_number=" ", statement=approve["statement"])
    lc.approve(session, who["clinician"], vid, **approve)
    # approved: the clinician cannot deploy; a steward can
    with pytest.raises(PermissionDenied):
        lc.deploy(session, who["clinician"], vid, "supervised")
    with pytest.raises(InputError):
        lc.deploy(session, who["steward"], vid, "yolo")
    assert lc.deploy(session, who["steward"], vid, "supervised")["state"] == "deployed"
    with pytest.raises(ConflictError):  # no second approval of a deployed version
        lc.approve(session, who["clinician"], vid, **approve)
    with pytest.raises(PermissionDenied):  # researchers cannot suspend
        lc.suspend(session, who["researcher"], vid, "I disagree")
    lc.suspend(session, who["clinician"], vid, "unexpected outputs on the ward")
    lc.retire(session, who["researcher"], vid, "superseded")  # the owner may retire
    for action in (lambda: lc.deploy(session, who["steward"], vid, "active"),
                   lambda: lc.suspend(session, who["steward"], vid, "x"),
                   lambda: lc.retire(session, who["steward"], vid, "again")):
        with pytest.raises(ConflictError):
            action()
    from medkosh.store.tables.audit import AuditEventRow

    events = [e.event_type for e in session.scalars(select(AuditEventRow).where(AuditEventRow.subject_id == vid))]
    for ev in ("models.version.register", "models.validation.run", "models.version.validate",
               "models.version.approve", "models.version.deploy", "models.version.suspend", "models.version.retire"):
        assert ev in events


def _deployed(session: Any, h: Any, mode: str) -> tuple[dict[str, Any], str]:
    from medkosh.deployment import lifecycle as lc

    who = h.people(session)
    vid = _register(session, h, who["researcher"])
    h.passing_validation(session, who["steward"], vid)
    lc.approve(session, who["clinician"], vid, registration_number="MCI-1", statement="Reviewed report; approve.")
    lc.deploy(session, who["steward"], vid, mode)
    return who, vid


def test_supervised_predictions_wait_for_a_clinician_and_overrides_count(session: Any, h: Any) -> None:
    from medkosh.deployment.inference import counts, predict, review, worklist

    who, vid = _deployed(session, h, "supervised")
    out = predict(session, who["researcher"], vid, {"female": 1, "age": 61, "hba1c": 9.1})
    assert out["status"] == "pending" and "score" not in out
    with pytest.raises(InputError, match="unknown feature"):
        predict(session, who["researcher"], vid, {"name": "Asha", "age": 40})
    with pytest.raises(InputError, match="finite number"):
        predict(session, who["researcher"], vid, {"age": "old"})
    out2 = predict(session, who["researcher"], vid, {"age": 40})
    items = worklist(session, vid)
    assert [i["id"] for i in items] == [out["prediction_id"], out2["prediction_id"]]
    assert items[0]["explanation"][0]["feature"] in h.FEATURES and 0 <= items[0]["score"] <= 1
    with pytest.raises(PermissionDenied):
        review(session, who["steward"], out["prediction_id"], accept=True)
    review(session, who["clinician"], out["prediction_id"], accept=True)
    with pytest.raises(InputError):
        review(session, who["clinician"], out2["prediction_id"], accept=False, decision=1)
    review(session, who["clinician"], out2["prediction_id"], accept=False, decision=1, note="HbA1c trend")
    with pytest.raises(ConflictError):
        review(session, who["clinician"], out2["prediction_id"], accept=True)
    assert counts(session, vid) == {"accepted": 1, "overridden": 1}


def test_shadow_mode_returns_nothing_and_active_returns_the_score(session: Any, h: Any) -> None:
    from medkosh.deployment import lifecycle as lc
    from medkosh.deployment.inference import predict

    who, vid = _deployed(session, h, "shadow")
    out = predict(session, who["researcher"], vid, {"age": 70, "hba1c": 10})
    assert out["status"] == "shadow" and "score" not in out
    lc.deploy(session, who["steward"], vid, "active")
    out = predict(session, who["researcher"], vid, {"age": 70, "hba1c": 10})
    assert out["status"] == "returned" and 0 < out["score"] < 1 and out["explanation"]


def test_drift_suspends_the_deployment_and_notifies(session: Any, h: Any) -> None:
    from medkosh.deployment.inference import predict
    from medkosh.deployment.monitoring import check
    from medkosh.models.service import show
    from medkosh.store.tables.audit import AuditEventRow

    who, vid = _deployed(session, h, "active")
    rng = np.random.default_rng(3)
    for _ in range(150):  # same distribution as validation: no alarm
        predict(session, who["researcher"], vid, {"female": int(rng.integers(0, 2)), "age": float(rng.normal(55, 12)),
                                                  "hba1c": float(rng.normal(7.5, 1.5))})
    quiet = check(session, vid)
    assert not quiet["suspended"], quiet["alarms"]
    for _ in range(150):  # HbA1c shifted by +4 points (a unit change upstream, say)
        predict(session, who["researcher"], vid, {"female": 1, "age": float(rng.normal(55, 12)),
                                                  "hba1c": float(rng.normal(11.5, 1.5))})
    res = check(session, vid)
    assert res["suspended"] and any(a["feature"] == "hba1c" for a in res["alarms"] if "feature" in a)
    assert show(session, vid)["state"] == "suspended"
    with pytest.raises(ConflictError):
        predict(session, who["researcher"], vid, {"age": 50})
    notes = list(session.scalars(select(AuditEventRow).where(AuditEventRow.event_type == "models.alert.notify")))
    assert len(notes) == 2  # the deploying steward and the approving clinician


def test_override_rate_and_performance_alarms_suspend(session: Any, h: Any) -> None:
    from medkosh.deployment import lifecycle as lc
    from medkosh.deployment.inference import predict, record_outcome, review
    from medkosh.deployment.monitoring import check
    from medkosh.models.service import register

    who = h.people(session)
    vid = register(session, who["researcher"], model_id="toy-risk", artefact=h.onnx_model(), artefact_name="t.onnx",
                   schema=h.SCHEMA)["id"]
    # KS/PSI out of the way (huge limits): this test is about overrides and outcomes.
    h.passing_validation(session, who["steward"], vid, monitoring={"min_predictions": 10, "psi_max": 100,
                                                                    "ks_p_min": 0.0, "override_rate_max": 0.3})
    lc.approve(session, who["clinician"], vid, registration_number="MCI-2", statement="Reviewed; supervised use.")
    lc.deploy(session, who["steward"], vid, "supervised")
    x, _ = h.synthetic(12, seed=5)
    ids = [predict(session, who["researcher"], vid, dict(zip(h.FEATURES, map(float, row), strict=True)))["prediction_id"]
           for row in x]
    for i, pid in enumerate(ids):  # 5 of 12 overridden: 42% > 30%
        review(session, who["clinician"], pid, accept=i >= 5, decision=1 if i < 5 else None,
               note="disagree" if i < 5 else None)
    res = check(session, vid)
    assert res["suspended"] and [a["alarm"] for a in res["alarms"]] == ["override rate"]
    assert res["figures"]["override_rate"] == pytest.approx(5 / 12)
    # Re-deploy, then outcomes arrive that the model ranks backwards: the performance alarm trips.
    lc.deploy(session, who["steward"], vid, "active")
    from medkosh.store.tables.models import ModelPredictionRow

    fresh = [predict(session, who["researcher"], vid, dict(zip(h.FEATURES, map(float, row), strict=True)))
             for row in h.synthetic(20, seed=6)[0]]
    rows = [session.get(ModelPredictionRow, f["prediction_id"]) for f in fresh]
    median = float(np.median([r.score for r in rows]))
    for r in rows:
        record_outcome(session, who["clinician"], r.id, int(r.score < median))  # inverse of the model
    res = check(session, vid)
    assert res["suspended"] and any(a["alarm"] == "performance (AUROC)" for a in res["alarms"])

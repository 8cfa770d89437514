"""The access flow through the services: file → submit → quorum review → grants → DUA → download/TRE."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from medkosh.access import downloads, policies, requests, service
from medkosh.access.types import GrantStatus, RequestState
from medkosh.errors import ConflictError, NotFoundError, PermissionDenied, PolicyViolation
from medkosh.identity.types import Principal
from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).with_name("world.py"))
assert _spec and _spec.loader
world = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("access_world", world)
_spec.loader.exec_module(world)


def P(user: Any) -> Principal:
    return Principal(user=user, via="session")


@pytest.fixture
def w(db_url: str) -> Any:
    with session_scope() as s:
        return world.build_world(s)


def _file(w: Any, tier: str, s: Any) -> str:
    v = w.versions[tier]
    rid = requests.create(s, P(w.users["researcher"]), title="Diabetes outcomes in Maharashtra",
                          lay_summary="We study how diabetes care affects outcomes.", purpose="DSRCH",
                          versions=[f"{v.dataset_id}@{v.number}"], duration_days=180,
                          ethics_committee="AIIMS IEC", ethics_approval_number="IEC-2026-17")
    requests.attach_document(s, P(w.users["researcher"]), rid, "approval.pdf", b"%PDF-1.4 approval")
    return rid


def test_full_path_quorum_dua_download(w: Any) -> None:
    u = w.users
    with session_scope() as s:
        rid = _file(w, "registered", s)
        requests.submit(s, P(u["researcher"]), rid)
    with session_scope() as s:
        assert requests.review(s, P(u["committee1"]), rid, "approve", "fine", ["cite the dataset"]) == "in_review"
        with pytest.raises(ConflictError):
            requests.review(s, P(u["committee1"]), rid, "approve")
    with session_scope() as s:
        assert requests.review(s, P(u["committee2"]), rid, "approve") == "approved"
        grants = service.grants_for_version(s, w.versions["registered"].id)
        assert [g.status for g in grants] == [GrantStatus.PENDING_DUA]
        assert service.active_grant(s, u["researcher"].id, w.versions["registered"].id) is None
        desc = requests.describe(s, rid)
        assert desc["conditions"] == ["cite the dataset"] and len(desc["reviews"]) == 2
    with session_scope() as s:
        # no download before the DUA is signed
        with pytest.raises(PolicyViolation, match="data use agreement"):
            downloads.issue_url(s, P(u["researcher"]), "test-registered@1", "tables/patient.parquet")
    with session_scope() as s:
        dua = service.current_dua(s, "test-registered")
        with pytest.raises(Exception, match="full name"):
            service.sign_dua(s, P(u["researcher"]), "test-registered", typed_name="Someone Else", dua_sha256=dua["sha256"])
    with session_scope() as s:
        sig = service.sign_dua(s, P(u["researcher"]), "test-registered", typed_name="ravi researcher",
                               dua_sha256=dua["sha256"])
        assert sig["dua_sha256"] == dua["sha256"]
        assert service.active_grant(s, u["researcher"].id, w.versions["registered"].id) is not None
        url = downloads.issue_url(s, P(u["researcher"]), "test-registered@1", "tables/patient.parquet")
    with session_scope() as s:
        served = downloads.serve(s, url.rsplit("/", 1)[1])
        assert served.stream.read() == b"registered data"
    with session_scope() as s:
        from medkosh.store.tables.audit import AuditEventRow

        types = list(s.execute(select(AuditEventRow.event_type).order_by(AuditEventRow.seq)).scalars())
        for expected in ("access.request.created", "access.review.recorded", "access.grant.created",
                         "access.dua.signed", "access.grant.activated", "access.download.served"):
            assert expected in types
        from medkosh.audit.verify import verify_database

        assert verify_database(s).ok


def test_reviewer_on_the_team_cannot_review_and_outsider_cannot_see(w: Any) -> None:
    u = w.users
    with session_scope() as s:
        rid = _file(w, "controlled", s)
        view = requests.view(s, rid)
        # drafts are invisible to the committee and to other institutions
        assert not policies.can(P(u["committee1"]), "access.request.read", view)
        with pytest.raises(NotFoundError):
            requests.load_for(s, P(u["outsider"]), rid, "access.request.read")
        requests.submit(s, P(u["researcher"]), rid)
    with session_scope() as s:
        with pytest.raises(NotFoundError):  # a researcher cannot touch someone else's request
            requests.withdraw(s, P(u["outsider"]), rid)
        with pytest.raises(PermissionDenied):
            requests.review(s, P(u["researcher"]), rid, "approve")
        queue = requests.review_queue(s, P(u["committee3"]))
        assert [r["id"] for r in queue] == [rid]


def test_rejections_that_make_quorum_impossible_reject(w: Any) -> None:
    u = w.users
    with session_scope() as s:
        rid = _file(w, "controlled", s)
        requests.submit(s, P(u["researcher"]), rid)
        assert requests.review(s, P(u["committee1"]), rid, "reject", "no data minimisation") == "in_review"
        assert requests.review(s, P(u["committee2"]), rid, "reject", "agree") == "rejected"
        with pytest.raises(PermissionDenied):
            requests.review(s, P(u["committee3"]), rid, "approve")


def test_controlled_data_never_downloads_but_tre_use_follows_the_grant_and_trainings(w: Any) -> None:
    u = w.users
    with session_scope() as s:
        rid = _file(w, "controlled", s)
        requests.submit(s, P(u["researcher"]), rid)
        requests.review(s, P(u["committee1"]), rid, "approve")
        requests.review(s, P(u["committee3"]), rid, "approve")
        dua = service.current_dua(s, "test-controlled")
        service.sign_dua(s, P(u["researcher"]), "test-controlled", typed_name="Ravi Researcher",
                         dua_sha256=dua["sha256"])
    with session_scope() as s:
        with pytest.raises(PermissionDenied, match="trusted research environment"):
            downloads.issue_url(s, P(u["researcher"]), "test-controlled@1", "tables/patient.parquet")
        assert service.check_data_use(s, P(u["researcher"]), "test-controlled@1", in_tre=True).tier == "controlled"
        with pytest.raises(PermissionDenied, match="no active grant"):
            service.check_data_use(s, P(u["outsider"]), "test-controlled@1", in_tre=True)
    # access lapses by itself when a required training expires
    with session_scope() as s:
        from medkosh.store.tables.identity import TrainingRow

        for t in s.execute(select(TrainingRow).where(TrainingRow.user_id == u["researcher"].id,
                                                     TrainingRow.code == "data-protection")).scalars():
            t.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with session_scope() as s:
        assert service.active_grant(s, u["researcher"].id, w.versions["controlled"].id) is None
        with pytest.raises(PolicyViolation, match="data-protection"):
            service.check_data_use(s, P(u["researcher"]), "test-controlled@1", in_tre=True)


def test_open_tier_downloads_anonymously_and_bad_links_are_refused(w: Any) -> None:
    from medkosh.errors import AuthenticationError

    with session_scope() as s:
        url = downloads.issue_url(s, None, "test-open@1", "README.md")
        with pytest.raises(AuthenticationError):
            downloads.issue_url(s, None, "test-registered@1", "README.md")
    with session_scope() as s:
        assert downloads.serve(s, url.rsplit("/", 1)[1]).stream.read() == b"readme"
        with pytest.raises(AuthenticationError, match="not valid"):
            downloads.serve(s, url.rsplit("/", 1)[1] + "x")


def test_withdrawn_versions_accept_no_requests_or_grants(w: Any) -> None:
    from medkosh.catalog.publish import supersede
    from medkosh.catalog.types import VersionStatus

    with session_scope() as s:
        supersede(s, w.versions["registered"].id, VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN, reason="consent withdrawn",
                  superseded_by=None, actor="system")
    with session_scope() as s:
        with pytest.raises(PolicyViolation, match="no new access"):
            _file(w, "registered", s)
        with pytest.raises(PolicyViolation, match="withdrew consent"):
            downloads.issue_url(s, None, "test-registered@1", "README.md")


def test_withdraw_and_revoke_follow_the_transition_table(w: Any) -> None:
    u = w.users
    with session_scope() as s:
        rid = _file(w, "registered", s)
        requests.withdraw(s, P(u["researcher"]), rid)
        assert requests.view(s, rid).state == RequestState.WITHDRAWN
        with pytest.raises(ConflictError):
            requests.submit(s, P(u["researcher"]), rid)
    with session_scope() as s:
        rid = _file(w, "registered", s)
        requests.submit(s, P(u["researcher"]), rid)
        requests.review(s, P(u["committee1"]), rid, "approve")
        requests.review(s, P(u["committee2"]), rid, "approve")
        assert requests.revoke(s, P(u["steward"]), rid, "misuse reported") == 1
        assert service.grants_for_version(s, w.versions["registered"].id) == []


def test_grant_expiry_stops_tre_use_at_once_and_the_sweep_records_it(w: Any) -> None:
    from medkosh.access import sweeper
    from medkosh.store.tables.access import GrantRow
    from medkosh.store.tables.audit import AuditEventRow

    u = w.users
    with session_scope() as s:
        rid = _file(w, "controlled", s)
        requests.submit(s, P(u["researcher"]), rid)
    for reviewer in ("committee1", "committee3"):
        with session_scope() as s:
            requests.review(s, P(u[reviewer]), rid, "approve")
    with session_scope() as s:
        dua = service.current_dua(s, "test-controlled")
        service.sign_dua(s, P(u["researcher"]), "test-controlled", typed_name="Ravi Researcher", dua_sha256=dua["sha256"])
        service.check_data_use(s, P(u["researcher"]), "test-controlled@1", in_tre=True)
        row = s.execute(select(GrantRow).where(GrantRow.request_id == rid)).scalar_one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with session_scope() as s:
        # in force at once, before any sweep: no more use in the TRE, and the grant reads as expired
        with pytest.raises(PermissionDenied, match="no active grant"):
            service.check_data_use(s, P(u["researcher"]), "test-controlled@1", in_tre=True)
        assert [g.status for g in service.grants_of(s, u["researcher"].id)] == [GrantStatus.EXPIRED]
        stored = s.execute(select(GrantRow.status).where(GrantRow.request_id == rid)).scalar_one()
        assert stored == GrantStatus.ACTIVE.value
    # the server's sweeper thread (started by `medkosh serve`) records it without anyone running a command
    import time

    stop = sweeper.start(3600)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with session_scope() as s:
                if s.execute(select(GrantRow.status).where(GrantRow.request_id == rid)).scalar_one() == "expired":
                    break
            time.sleep(0.2)
    finally:
        stop.set()
    assert sweeper.sweep_once()["grants_expired"] == 0
    with session_scope() as s:
        assert s.execute(select(GrantRow.status).where(GrantRow.request_id == rid)).scalar_one() == "expired"
        ended = s.execute(select(AuditEventRow).where(AuditEventRow.event_type.like("access.grant.%"),
                                                      AuditEventRow.details.like("%grant period ended%"))).scalars().all()
        assert len(ended) == 1

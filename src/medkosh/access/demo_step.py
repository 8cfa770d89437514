"""Demo step: the people and the controlled-access path on the datasets the catalog step built.

Creates two institutions and the demo people (admin, data steward, researcher, three committee members,
clinician, auditor; credentials printed), seats every dataset's committee (quorum 2 of 3, two required
trainings, a DUA), then the researcher files a request for the registered-tier dataset with an ethics
document, two committee members approve, the researcher signs the DUA and a download link is issued.
The portal shows all of it (sign in as any of them)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from medkosh.identity.types import Role

HOME_INSTITUTION = "medkosh demo hospitals network"  # the institution the example datasets name
RESEARCH_INSTITUTION = "Indian Institute of Public Health, demo"
PEOPLE = [  # key, email, name, roles, institution
    ("admin", "admin@medkosh.example", "Aarti Admin", [Role.ADMIN], HOME_INSTITUTION),
    ("steward", "steward@medkosh.example", "Sanjay Steward", [Role.STEWARD], HOME_INSTITUTION),
    ("researcher", "researcher@medkosh.example", "Priya Researcher", [Role.RESEARCHER], RESEARCH_INSTITUTION),
    ("committee1", "dac1@medkosh.example", "Dr Kavita Rao", [Role.COMMITTEE], HOME_INSTITUTION),
    ("committee2", "dac2@medkosh.example", "Dr Imran Sheikh", [Role.COMMITTEE], HOME_INSTITUTION),
    ("committee3", "dac3@medkosh.example", "Dr Lakshmi Iyer", [Role.COMMITTEE], HOME_INSTITUTION),
    ("clinician", "clinician@medkosh.example", "Dr Arjun Mehta", [Role.CLINICIAN], HOME_INSTITUTION),
    ("auditor", "auditor@medkosh.example", "Neha Auditor", [Role.AUDITOR], HOME_INSTITUTION),
]
TRAININGS = ("research-ethics", "data-protection")
DUA_TEXT = """medkosh data use agreement (registered and controlled tiers)

1. Use the data only for the approved project and the purpose stated in the access request.
2. Do not attempt to identify, contact or link any person in the data, and do not link it with other data
   that could identify anyone.
3. Keep the data on systems approved by your institution; never share it, or copies, with anyone outside the
   approved team. Controlled-tier data never leaves the trusted research environment.
4. Publish only aggregate results; report cells under 10 as "<10". Acknowledge the data source.
5. Report any suspected breach to the data steward within 24 hours.
6. Delete local copies when the grant ends. Access may be revoked for any breach of these terms."""
# A minimal, valid one-page PDF standing in for the ethics committee's approval letter.
APPROVAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _institution(s: Any, name: str, kind: str) -> str:
    from medkosh.errors import NotFoundError
    from medkosh.identity import service

    try:
        return service.find_institution(s, name).id
    except NotFoundError:
        return service.create_institution(s, name, kind, actor="demo").id


def _person(s: Any, email: str, name: str, roles: list[Role], institution_id: str, password: str) -> Any:
    from medkosh.errors import NotFoundError
    from medkosh.identity import service

    try:
        user = service.find_user(s, email)
    except NotFoundError:
        return service.create_user(s, email, name, institution_id, roles, password=password, actor="demo", verified=True)
    service.set_password(s, user.id, password, actor="demo")  # a rerun prints fresh credentials
    return user


def run(ctx: Any) -> list[str]:
    from medkosh.access import downloads, requests, service
    from medkosh.catalog.service import get_version
    from medkosh.identity import service as ids
    from medkosh.identity.types import Principal
    from medkosh.store.db import session_scope

    datasets: dict[str, str] = dict(ctx.state.get("catalog", {}).get("datasets", {}))
    lines: list[str] = []
    users: dict[str, Any] = {}
    passwords: dict[str, str] = {}
    with session_scope() as s:
        insts = {HOME_INSTITUTION: _institution(s, HOME_INSTITUTION, "hospital"),
                 RESEARCH_INSTITUTION: _institution(s, RESEARCH_INSTITUTION, "research")}
        for key, email, name, roles, inst in PEOPLE:
            passwords[key] = f"demo-{secrets.token_urlsafe(9)}"
            users[key] = _person(s, email, name, roles, insts[inst], passwords[key])
        today = dt.date.today()
        have = ids.valid_training_codes(s, users["researcher"].id)
        for code in TRAININGS:
            if code not in have:
                ids.record_training(s, users["researcher"].id, code, completed_on=today - dt.timedelta(days=40),
                                    expires_on=today + dt.timedelta(days=325), provider="demo training provider",
                                    actor=users["steward"].id)
        committee = [users[k].id for k in ("committee1", "committee2", "committee3")]
        for dataset_id in datasets:
            service.set_dataset_policy(s, dataset_id, actor=users["steward"].id, quorum=2, committee=committee,
                                       required_trainings=list(TRAININGS))
            current = service.current_dua(s, dataset_id)
            if current is None or current["text"] != DUA_TEXT:
                service.publish_dua(s, dataset_id, "medkosh data use agreement", DUA_TEXT, actor=users["steward"].id)
    lines.append("people (sign in at /login; passwords are new on every demo run):")
    for key, email, _name, roles, inst in PEOPLE:
        lines.append(f"  {', '.join(r.value for r in roles):<17} {email:<30} {passwords[key]}  ({inst})")
    registered = None
    with session_scope() as s:
        for dataset_id in sorted(datasets):
            version = get_version(s, dataset_id)
            if str(version.tier) == "registered":
                registered = version
                break
    if registered is None:
        lines.append("no registered-tier dataset was built, so no access request was filed")
        return lines
    researcher = Principal(users["researcher"], via="cli")
    with session_scope() as s:
        rid = requests.create(s, researcher, title="Follow-up gaps in type 2 diabetes care across three states",
                              lay_summary="How long do people with type 2 diabetes wait between visits, and does it "
                                          "differ by state, age or sex? The answer helps plan follow-up clinics.",
                              purpose="DSRCH", versions=[registered.ref], duration_days=365,
                              ethics_committee="IIPH Institutional Ethics Committee",
                              ethics_approval_number=f"IIPH-IEC-{today.year}-042")
        requests.attach_document(s, researcher, rid, "iec-approval.pdf", APPROVAL_PDF)
        requests.submit(s, researcher, rid)
    for key, note in (("committee1", "Clear aims; minimal data."), ("committee2", "Approve with the standard conditions.")):
        with session_scope() as s:
            state = requests.review(s, Principal(users[key], via="cli"), rid, "approve", note,
                                    ["Acknowledge medkosh and the contributing hospitals in publications",
                                     "Suppress cells under 10 in any output"])
    with session_scope() as s:
        dua = service.current_dua(s, registered.dataset_id)
        assert dua is not None
        sig = service.sign_dua(s, researcher, registered.dataset_id, typed_name=users["researcher"].name,
                               dua_sha256=dua["sha256"])
        grant = service.active_grant(s, users["researcher"].id, registered.id)
        first_file = registered.files[0].path if registered.files else None
        url = downloads.issue_url(s, researcher, registered.ref, first_file) if first_file else None
    ctx.state["access"] = {"request_id": rid, "grant_id": grant.id if grant else None,
                           "users": {k: u.id for k, u in users.items()}}
    lines.append(f"request {rid} for {registered.ref} [registered]: submitted with ethics approval; "
                 f"2 of 3 committee members approved → {state}")
    lines.append(f"researcher signed DUA v{dua['version']} (sha256 {dua['sha256'][:12]}…) at {sig['signed_at'][:19]}Z; "
                 f"grant {grant.id if grant else '—'} active until {grant.expires_at.date() if grant else '—'}")
    if url:
        lines.append(f"download link for {first_file} issued (5 minutes, logged when served); "
                     f"see /access/requests/{rid} and /access/datasets/{registered.dataset_id}")
    lines.append("controlled-tier datasets (notes, imaging) are never downloadable; they are used in the TRE after approval")
    return lines

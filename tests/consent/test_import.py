"""Importing artefacts: signatures (EdDSA and RS256), idempotence, immutability, history."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from medkosh.consent import service
from medkosh.consent.signatures import SignatureError, add_trusted_key, remove_trusted_key
from medkosh.consent.types import ChangeSource, ConsentStatus
from medkosh.errors import ConflictError, InputError
from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditEventRow


def _import(doc, where="a.json"):
    with session_scope() as s:
        return service.import_artefact(s, orjson.dumps(doc), where=where, actor="test")


def test_ed25519_artefact_is_stored_verbatim_and_indexed(db_url, cm) -> None:
    cm.trust()
    doc = cm.artefact(consent_id="c-1")
    raw = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    with session_scope() as s:
        assert service.import_artefact(s, raw, where="c-1.json", actor="test").action == "imported"
    with session_scope() as s:
        row = service.get_row(s, "c-1")
        assert row.document == raw.decode() and row.status == "GRANTED" and row.purpose == "DSRCH"
        shown = service.show(s, "c-1")
        assert shown["history"][0]["to"] == "GRANTED" and shown["care_contexts"] == 1
        # The ABHA address is in the verbatim document only: not in show output, not in the audit log.
        assert "asha.devi" not in orjson.dumps(shown).decode()
        details = " ".join(e.details for e in s.execute(select(AuditEventRow)).scalars())
        assert "asha.devi" not in details and "c-1" in " ".join(
            e.subject_id or "" for e in s.execute(select(AuditEventRow)).scalars())


def test_rs256_artefact_verifies(db_url, rsa_cm) -> None:
    rsa_cm.trust()
    assert _import(rsa_cm.artefact(consent_id="c-rsa")).action == "imported"


def test_tampered_artefact_is_rejected_and_named(db_url, cm) -> None:
    cm.trust()
    doc = cm.artefact(consent_id="c-bad")
    doc["consentDetail"]["purpose"]["code"] = "DSRCH" if doc["consentDetail"]["purpose"]["code"] != "DSRCH" else "PUBHLTH"
    with pytest.raises(SignatureError) as err:
        _import(doc, where="consents/c-bad.json")
    assert "c-bad" in str(err.value) and "consents/c-bad.json" in str(err.value)
    with session_scope() as s, pytest.raises(Exception, match="no consent artefact"):
        service.get_row(s, "c-bad")


def test_signature_by_an_untrusted_key_is_rejected(db_url, cm) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    cm.trust()
    with pytest.raises(SignatureError, match="does not verify"):
        _import(cm.artefact(sign_with=ed25519.Ed25519PrivateKey.generate()))


def test_unknown_consent_manager_and_removed_key(db_url, cm) -> None:
    with pytest.raises(SignatureError, match="no trusted key"):
        _import(cm.artefact())
    cm.trust()
    with session_scope() as s:
        from medkosh.consent.signatures import trusted_keys

        fp = trusted_keys(s, cm.id)[0].fingerprint
        remove_trusted_key(s, fp, actor="test")
    with pytest.raises(SignatureError, match="no trusted key"):
        _import(cm.artefact())


def test_wrong_alg_for_key_is_refused(db_url, cm) -> None:
    with session_scope() as s, pytest.raises(InputError, match="not RS256"):
        add_trusted_key(s, cm.id, cm.public_text, alg="RS256")


def test_reimport_is_idempotent_and_status_change_appends_history(db_url, cm) -> None:
    cm.trust()
    doc = cm.artefact(consent_id="c-2")
    assert _import(doc).action == "imported"
    assert _import(doc).action == "unchanged"
    revoked = dict(doc, status="REVOKED")
    assert _import(revoked).action == "status_changed"
    with session_scope() as s:
        hist = service.history(s, "c-2")
        assert [(h["from"], h["to"]) for h in hist] == [(None, "GRANTED"), ("GRANTED", "REVOKED")]
        assert {t["kind"] for t in service.tasks(s, "c-2")} == {"withdraw", "erase"}
    # The older GRANTED copy, imported again after the revocation, is recognised as stale.
    assert _import(doc).action == "stale"
    with session_scope() as s:
        assert service.get_row(s, "c-2").status == "REVOKED" and len(service.history(s, "c-2")) == 2
    # A signed artefact never changes: same id, different detail, is refused.
    other = cm.artefact(consent_id="c-2", purpose="PUBHLTH")
    with pytest.raises(ConflictError, match="different consentDetail"):
        _import(other)


def test_final_states_stay_final(db_url, cm) -> None:
    cm.trust()
    _import(cm.artefact(consent_id="c-3"))
    with session_scope() as s:
        assert service.change_status(s, "c-3", ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="t")
        assert not service.change_status(s, "c-3", ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="t")
    with session_scope() as s, pytest.raises(ConflictError, match="REVOKED is final"):
        service.change_status(s, "c-3", ConsentStatus.EXPIRED, source=ChangeSource.CLI, actor="t")


def test_byte_order_mark_is_accepted(db_url, cm) -> None:
    cm.trust()
    with session_scope() as s:
        data = b"\xef\xbb\xbf" + orjson.dumps(cm.artefact(consent_id="c-bom"))
        assert service.import_artefact(s, data, where="bom.json").action == "imported"


def test_malformed_json_is_one_line(db_url, cm) -> None:
    with session_scope() as s, pytest.raises(InputError) as err:
        service.import_artefact(s, b"{nope", where="broken.json")
    assert "broken.json" in str(err.value) and "\n" not in str(err.value)


def test_batch_import_keeps_the_good_and_audits_the_refused(db_url, cm) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from medkosh.audit.verify import verify_database

    cm.trust()
    good = [orjson.dumps(cm.artefact(consent_id=f"b-{i}", patient=f"batch{i}@abdm")) for i in range(3)]
    bad = orjson.dumps(cm.artefact(consent_id="b-bad", patient="secret.person@abdm",
                                   sign_with=ed25519.Ed25519PrivateKey.generate()))
    with session_scope() as s:
        done, refused = service.import_many(s, [(good[0], "g0"), (bad, "dir/bad.json"), (good[1], "g1"),
                                                (b"[]", "empty.json"), (good[2], "g2")], actor="test")
    assert [w for w, _ in done] == ["g0", "g1", "g2"]
    assert [(r.where, type(r.error).__name__) for r in refused] == [("dir/bad.json", "SignatureError"),
                                                                    ("empty.json", "InputError")]
    with session_scope() as s:
        assert service.counts_by_status(s) == {"GRANTED": 3}
        rejected = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "consent.artefact.rejected")
                             ).scalars().all()
        assert [e.subject_id for e in rejected] == ["bad.json", "empty.json"]
        assert all("secret.person" not in e.details for e in rejected)
        assert verify_database(s).ok

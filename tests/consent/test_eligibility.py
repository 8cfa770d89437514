"""Eligibility snapshots and the row filter: the cases the issue names, on real signed artefacts."""

from __future__ import annotations

import datetime as dt

import orjson
import polars as pl
import pytest

from medkosh.consent import service
from medkosh.consent.eligibility import eligibility
from medkosh.consent.subjects import subjects_frame
from medkosh.store.db import session_scope

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
WINDOW = (dt.date(2018, 1, 1), dt.date(2026, 12, 31))


def _store(*docs):
    with session_scope() as s:
        for doc in docs:
            service.import_artefact(s, orjson.dumps(doc), where="t", actor="test")


def _subjects(*triples):
    return subjects_frame(pl.DataFrame(triples, schema=["patient_key", "source_id", "abha_address"], orient="row"))


def _rows(*rows):
    return pl.DataFrame(rows, schema={"patient_key": pl.String, "hi_type": pl.String, "record_date": pl.Date,
                                      "value": pl.Int64}, orient="row").lazy()


@pytest.fixture
def world(db_url, cm):
    cm.trust()
    _store(
        cm.artefact(consent_id="c-ok", patient="ok@abdm"),
        cm.artefact(consent_id="c-care", patient="care@abdm", purpose="CAREMGT"),
        cm.artefact(consent_id="c-rx", patient="rx@abdm", hi_types=("Prescription",)),
        cm.artefact(consent_id="c-narrow", patient="narrow@abdm", date_from="2022-01-01T00:00:00Z",
                    date_to="2022-12-31T00:00:00Z"),
        cm.artefact(consent_id="c-old", patient="old@abdm", erase_at="2026-01-01T00:00:00Z"),
        cm.artefact(consent_id="c-gone", patient="gone@abdm", status="REVOKED"),
        cm.artefact(consent_id="c-other-hip", patient="elsewhere@abdm", hip="HOSP-B"),
    )
    return _subjects(("P-ok", "HOSP-A", "OK@abdm"), ("P-care", "HOSP-A", "care@abdm"),
                     ("P-rx", "HOSP-A", "rx@abdm"), ("P-narrow", "HOSP-A", "narrow@abdm"),
                     ("P-old", "HOSP-A", "old@abdm"), ("P-gone", "HOSP-A", "gone@abdm"),
                     ("P-elsewhere", "HOSP-A", "elsewhere@abdm"), ("P-none", "HOSP-A", "nobody@abdm"))


def test_snapshot_reasons_per_patient(world) -> None:
    with session_scope() as s:
        snap = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation"], window=WINDOW, as_of=NOW,
                           subjects=world)
    assert snap.eligible_keys() == {"P-ok", "P-narrow"}
    assert {k: r.value for k, r in snap.excluded().items()} == {
        "P-care": "purpose_mismatch", "P-rx": "hitype_mismatch", "P-old": "expired", "P-gone": "revoked",
        "P-elsewhere": "no_consent", "P-none": "no_consent"}
    narrow = snap.patients["P-narrow"].allowed[0]
    assert (narrow.start, narrow.end, narrow.consent_id) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31), "c-narrow")


def test_snapshot_id_is_a_hash_of_the_decisions(world) -> None:
    with session_scope() as s:
        a = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation"], window=WINDOW, as_of=NOW, subjects=world)
        b = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation"], window=WINDOW,
                        as_of=NOW + dt.timedelta(days=1), subjects=world)
        c = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation", "Prescription"], window=WINDOW, as_of=NOW,
                        subjects=world)
    assert a.snapshot_id == b.snapshot_id != c.snapshot_id
    assert c.patients["P-rx"].reason is None  # the Prescription consent now counts


def test_filter_clips_rows_to_the_consented_days(world) -> None:
    rows = _rows(("P-ok", "OPConsultation", dt.date(2021, 5, 1), 1),
                 ("P-ok", "DischargeSummary", dt.date(2021, 5, 1), 2),   # not in the dataset or consent
                 ("P-narrow", "OPConsultation", dt.date(2022, 6, 1), 3),
                 ("P-narrow", "OPConsultation", dt.date(2023, 6, 1), 4),  # consented patient, record outside range
                 ("P-narrow", "OPConsultation", None, 5),
                 ("P-care", "OPConsultation", dt.date(2021, 5, 1), 6),
                 ("P-old", "OPConsultation", dt.date(2021, 5, 1), 7),
                 ("P-ok", "OPConsultation", dt.date(2017, 5, 1), 8),     # outside the dataset window
                 ("P-stranger", "OPConsultation", dt.date(2021, 5, 1), 9))
    with session_scope() as s:
        snap = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation"], window=WINDOW, as_of=NOW, subjects=world)
    result = snap.filter(rows)
    kept = result.eligible.collect()
    assert kept["value"].to_list() == [1, 3]
    assert kept.columns == ["patient_key", "hi_type", "record_date", "value"]
    assert result.eligible_rows == 2
    assert result.excluded == {"expired": 1, "hitype_mismatch": 1, "no_consent": 1, "outside_date_range": 2,
                               "outside_window": 1, "purpose_mismatch": 1}


def test_public_health_dataset_needs_public_health_consent(world, cm) -> None:
    _store(cm.artefact(consent_id="c-ph", patient="ok@abdm", purpose="PUBHLTH"))
    with session_scope() as s:
        snap = eligibility(s, purpose="PUBHLTH", hi_types=["OPConsultation"], window=WINDOW, as_of=NOW,
                           subjects=world)
    assert snap.eligible_keys() == {"P-ok"}
    assert snap.patients["P-ok"].consent_ids == ("c-ok", "c-ph")
    assert {s.consent_id for s in snap.patients["P-ok"].allowed} == {"c-ph"}


def test_patient_without_abha_address_has_no_consent(world) -> None:
    subjects = pl.concat([world, _subjects(("P-noabha", "HOSP-A", None))])
    with session_scope() as s:
        snap = eligibility(s, purpose="DSRCH", hi_types=["OPConsultation"], window=WINDOW, as_of=NOW,
                           subjects=subjects)
    assert snap.excluded()["P-noabha"].value == "no_consent"


def test_single_span_view_never_over_includes(world, cm) -> None:
    """Two consents with a gap between them: `spans` gives the longest range, never the hull."""
    _store(cm.artefact(consent_id="c-early", patient="gap@abdm", date_from="2019-01-01T00:00:00Z",
                       date_to="2019-03-31T00:00:00Z"),
           cm.artefact(consent_id="c-late", patient="gap@abdm", date_from="2021-01-01T00:00:00Z",
                       date_to="2022-12-31T00:00:00Z"),
           cm.artefact(consent_id="c-adjacent", patient="gap@abdm", date_from="2023-01-01T00:00:00Z",
                       date_to="2023-06-30T00:00:00Z"))
    with session_scope() as s:
        snap = eligibility(s, "DSRCH", ["OPConsultation"], WINDOW, NOW, subjects=_subjects(("P-gap", "HOSP-A",
                                                                                             "gap@abdm")))
    decision = snap.patients["P-gap"]
    assert decision.eligible and len(decision.allowed) == 3
    span = decision.spans["OPConsultation"]  # 2021-01-01..2022-12-31 and 2023-01-01..2023-06-30 merge
    assert (span.start, span.end) == (dt.date(2021, 1, 1), dt.date(2023, 6, 30))
    rows = _rows(("P-gap", "OPConsultation", dt.date(2019, 2, 1), 1), ("P-gap", "OPConsultation",
                                                                         dt.date(2020, 6, 1), 2))
    assert snap.filter(rows).eligible.collect()["value"].to_list() == [1]  # the exact filter keeps 2019


def test_catalog_adapter_reads_the_snapshot(world) -> None:
    from medkosh.catalog.consent_filter import from_snapshot

    with session_scope() as s:
        snap = eligibility(s, "DSRCH", ["OPConsultation"], WINDOW, NOW, subjects=world)
    view = from_snapshot(snap)
    assert view.snapshot_id == snap.snapshot_id
    assert set(view.eligible) == {"P-ok", "P-narrow"}
    assert view.eligible["P-narrow"]["OPConsultation"] == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert view.excluded["P-care"] == "purpose_mismatch"

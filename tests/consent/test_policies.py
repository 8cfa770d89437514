"""The pure policy: purpose, accessMode, hiType, dateRange, expiry and status, one rule at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from medkosh.consent.artefact import parse_artefact
from medkosh.consent.policies import (
    check_can_use_record,
    check_dataset_purpose,
    closest_reason,
    consent_day,
    coverage,
    covers_record,
)
from medkosh.consent.transitions import can_change, check_can_change
from medkosh.consent.types import ChangeSource, ConsentStatus, DateRange, ExclusionReason, HiType, Purpose
from medkosh.errors import ConflictError, InputError, PolicyViolation

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
OP = HiType.OP_CONSULTATION


def terms(cm, **kw):
    return parse_artefact(cm.artefact(**kw)).terms


def test_covered_record_passes(cm) -> None:
    t = terms(cm)
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP,
                         day=dt.date(2023, 5, 1), as_of=NOW) is None


def test_caremgt_consent_never_covers_research(cm) -> None:
    t = terms(cm, purpose="CAREMGT")
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP,
                         day=dt.date(2023, 5, 1), as_of=NOW) is ExclusionReason.PURPOSE_MISMATCH
    with pytest.raises(PolicyViolation, match="purpose_mismatch"):
        check_can_use_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP,
                             day=dt.date(2023, 5, 1), as_of=NOW)


def test_purposes_do_not_nest(cm) -> None:
    t = terms(cm, purpose="DSRCH")
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.PUBHLTH, hi_type=OP,
                         day=dt.date(2023, 5, 1), as_of=NOW) is ExclusionReason.PURPOSE_MISMATCH


def test_hitype_not_listed_is_refused(cm) -> None:
    t = terms(cm, hi_types=("Prescription",))
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP,
                         day=dt.date(2023, 5, 1), as_of=NOW) is ExclusionReason.HITYPE_MISMATCH


def test_date_range_is_inclusive_whole_days(cm) -> None:
    # The days as written: an end of "…T23:59:59Z" must not spill into the next (Indian) day.
    t = terms(cm, date_from="2023-04-01T00:00:00Z", date_to="2023-04-30T23:59:59Z")
    status = ConsentStatus.GRANTED
    for d, ok in ((dt.date(2023, 3, 31), False), (dt.date(2023, 4, 1), True), (dt.date(2023, 4, 30), True),
                  (dt.date(2023, 5, 1), False)):
        result = covers_record(t, status, purpose=Purpose.DSRCH, hi_type=OP, day=d, as_of=NOW)
        assert (result is None) is ok, d
        if not ok:
            assert result is ExclusionReason.OUTSIDE_DATE_RANGE
    # An offset is honoured: 2023-04-01T02:00+05:30 is 31 March in UTC.
    assert consent_day(dt.datetime(2023, 4, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))) \
        == dt.date(2023, 3, 31)


def test_expiry_by_data_erase_at(cm) -> None:
    t = terms(cm, erase_at="2026-06-01T00:00:00Z")
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP, day=dt.date(2023, 5, 1),
                         as_of=NOW - dt.timedelta(seconds=1)) is None
    assert covers_record(t, ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP, day=dt.date(2023, 5, 1),
                         as_of=NOW) is ExclusionReason.EXPIRED


@pytest.mark.parametrize(("status", "reason"), [
    (ConsentStatus.REVOKED, ExclusionReason.REVOKED), (ConsentStatus.DENIED, ExclusionReason.DENIED),
    (ConsentStatus.EXPIRED, ExclusionReason.EXPIRED), (ConsentStatus.REQUESTED, ExclusionReason.NO_CONSENT)])
def test_only_granted_covers(cm, status, reason) -> None:
    assert covers_record(terms(cm), status, purpose=Purpose.DSRCH, hi_type=OP, day=dt.date(2023, 5, 1),
                         as_of=NOW) is reason


def test_view_only_consent_cannot_feed_a_stored_dataset(cm) -> None:
    assert covers_record(terms(cm, access_mode="VIEW"), ConsentStatus.GRANTED, purpose=Purpose.DSRCH, hi_type=OP,
                         day=dt.date(2023, 5, 1), as_of=NOW) is ExclusionReason.ACCESS_MODE_MISMATCH


def test_coverage_clips_to_the_dataset_window(cm) -> None:
    cov = coverage(terms(cm), ConsentStatus.GRANTED, purpose=Purpose.DSRCH,
                   hi_types=frozenset({OP, HiType.DISCHARGE_SUMMARY}),
                   window=DateRange(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), as_of=NOW)
    assert cov.reason is None
    assert cov.spans == {OP: DateRange(dt.date(2024, 1, 1), dt.date(2025, 12, 31))}


def test_closest_reason_prefers_the_nearest_miss() -> None:
    assert closest_reason([ExclusionReason.REVOKED, ExclusionReason.HITYPE_MISMATCH]) is ExclusionReason.HITYPE_MISMATCH
    assert closest_reason([]) is ExclusionReason.NO_CONSENT


def test_dataset_purpose_must_be_research_or_public_health() -> None:
    assert check_dataset_purpose("PUBHLTH") is Purpose.PUBHLTH
    with pytest.raises(PolicyViolation):
        check_dataset_purpose("CAREMGT")
    with pytest.raises(InputError):
        check_dataset_purpose("RESEARCH")


def test_transitions_table() -> None:
    assert can_change(ConsentStatus.GRANTED, ConsentStatus.REVOKED, ChangeSource.CLI)
    assert not can_change(ConsentStatus.REVOKED, ConsentStatus.GRANTED, ChangeSource.NOTIFICATION)
    assert not can_change(ConsentStatus.GRANTED, ConsentStatus.REVOKED, ChangeSource.ENFORCEMENT)
    with pytest.raises(ConflictError, match="final"):
        check_can_change("c1", ConsentStatus.EXPIRED, ConsentStatus.GRANTED, ChangeSource.NOTIFICATION)


def test_parse_errors_name_the_json_pointer(cm) -> None:
    doc = cm.artefact()
    doc["consentDetail"]["hiTypes"] = ["OPConsultation", "XRay"]
    with pytest.raises(InputError, match="/consentDetail/hiTypes/1"):
        parse_artefact(doc, where="x.json")
    doc = cm.artefact()
    del doc["consentDetail"]["permission"]["dataEraseAt"]
    with pytest.raises(InputError, match="permission/dataEraseAt"):
        parse_artefact(doc, where="x.json")

"""Timestamps of all formats to epoch seconds, UTC."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.ingest._timeparse import ClfParser, IsoParser, epoch_number

T0 = 1431857103.0  # 2015-05-17T10:05:03Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-05-17T10:05:03Z", T0),  # Z
        ("2015-05-17T10:05:03.250Z", T0 + 0.25),  # milliseconds
        ("2015-05-17T12:05:03+02:00", T0),  # offset with colon
        ("2015-05-17T03:05:03-0700", T0),  # offset without colon
        ("2015-05-17 10:05:03", T0),  # space, no offset: UTC
        ("2015-05-17T10:05:03.123456789Z", T0 + 0.123456),  # nanoseconds (Envoy, k8s) cut to micro
        ("17/May/2015", None),  # near-miss: CLF is not ISO
        ("", None),  # empty
        ("0001-01-01T00:00:00+01:00", -62135600400.0),  # before year 1 in UTC: still a number
    ],
)
def test_iso(text: str, expected: float | None) -> None:
    got = IsoParser()(text)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/May/2015:10:05:03 +0000", T0),  # nginx $time_local
        ("17/May/2015:12:05:03 +0200", T0),  # positive offset
        ("17/may/2015:05:05:03 -0500", T0),  # month case, negative offset
        ("17/Foo/2015:10:05:03 +0000", None),  # bad month
        ("17/May/2015:10:05:03", T0),  # no zone: read as UTC
        ("32/May/2015:10:05:03 +0000", None),  # day out of range
        ("17/May/2015:10:05:03 +00", None),  # zone too short
    ],
)
def test_clf(text: str, expected: float | None) -> None:
    got = ClfParser()(text)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_parsers_cache_last_value() -> None:
    parse = ClfParser()
    assert parse("17/May/2015:10:05:03 +0000") == parse("17/May/2015:10:05:03 +0000") == T0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1431857103.000", T0), ("nan", None), ("-5", None), ("abc", None), ("1e20", None)],
)
def test_epoch_number(text: str, expected: float | None) -> None:
    assert epoch_number(text) == expected


@given(st.text(max_size=60))
def test_parsers_never_raise(text: str) -> None:
    IsoParser()(text)
    ClfParser()(text)
    epoch_number(text)


@given(
    st.lists(
        st.tuples(st.integers(0, 59), st.integers(0, 60), st.sampled_from(["+0000", "-0130"])), max_size=30
    )
)
def test_clf_minute_cache_agrees_with_a_fresh_parse(times: list[tuple[int, int, str]]) -> None:
    cached = ClfParser()
    for minute, second, zone in times:
        text = f"17/May/2015:10:{minute:02d}:{second:02d} {zone}"
        assert cached(text) == ClfParser()(text)


@given(st.text(alphabet="0123456789+-. x", min_size=2, max_size=2))
def test_clf_odd_seconds_never_raise(secs: str) -> None:
    parse = ClfParser()
    parse("17/May/2015:10:05:03 +0000")
    parse(f"17/May/2015:10:05:{secs} +0000")

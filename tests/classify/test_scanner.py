"""The scanner reports ends only and confirms each candidate with a one-pattern database; it must
find exactly what one start-tracking scan of the full patterns (boundaries included) finds."""

from __future__ import annotations

from typing import Any

import hyperscan
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.classify.patterns import ALL_RECOGNIZERS
from phiwatch.classify.scanner import CompiledPatterns, _label_value, compiled

FRAGMENTS = [
    "536-22-4931",
    "NPI: 1234567893",
    "DEA # AP5836727",
    "1EG4TE5MK73",
    "1EG4-TE5-MK73",
    "4111 1111 1111 1111",
    "Card: 4111111111111111",
    "(617) 555-0142",
    "+1 617 555 0142",
    "Fax: 617-555-0199",
    "jane.doe@mail.example.net",
    "10.1.2.3",
    "1.3.6.1.4.1.343",
    "2001:db8::1",
    "DOB: 1951-07-13",
    "12 Main Street",
    "Patient: Jane Doe",
    "Mrs. Ann Lee",
    "MRN: A1234567",
    "Member ID: XKH123456789",
    "VIN: 1M8GDM9AXKP042788",
    "(01)00844588003288",
    "LOINC 8867-4",
    "SNOMED CT 44054006",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    '"system":"http://loinc.org"',
]
GLUE = [" ", "", ".", ", ", "-", "\n", "x", "7", ":", '"', "::"]


def reference(data: bytes) -> set[tuple[str, int, int]]:
    """(category, start, end) from one SOM_LEFTMOST scan of lead + expr + trail, as before."""
    exprs, routes = [], []
    for rec in ALL_RECOGNIZERS:
        for pat in rec.patterns:
            if pat.coding:  # SINGLEMATCH markers in the scan database: tested by body-format tests
                continue
            exprs.append((pat.lead + pat.expr + pat.trail).encode())
            routes.append((rec.category, pat))
    db = _reference_db(tuple(exprs))
    found: list[tuple[int, int, int]] = []

    def on_match(pid: int, start: int, end: int, _f: int, _c: Any) -> bool | None:
        found.append((pid, start, end))
        return None

    db.scan(b" " + data + b" ", match_event_handler=on_match)
    out = set()
    for pid, start, end in found:
        cat, pat = routes[pid]
        start += 1 if pat.lead else 0
        end -= 1 if pat.trail else 0
        out.add((cat, start - 1, end - 1))
    return out


_DBS: dict[tuple[bytes, ...], hyperscan.Database] = {}


def _reference_db(exprs: tuple[bytes, ...]) -> hyperscan.Database:
    if exprs not in _DBS:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        n = len(exprs)
        db.compile(
            expressions=list(exprs),
            ids=list(range(n)),
            elements=n,
            flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * n,
        )
        _DBS[exprs] = db
    return _DBS[exprs]


def ours(patterns: CompiledPatterns, data: bytes) -> set[tuple[str, int, int]]:
    return {(c.category, c.start, c.end) for c in patterns.scan(data) if not c.coding}


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_fragment_alone(fragment: str) -> None:
    data = fragment.encode()
    assert ours(compiled(), data) == reference(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(GLUE)), min_size=1, max_size=8))
def test_same_candidates_as_a_start_tracking_scan(parts: list[tuple[str, str]]) -> None:
    data = "".join(f + g for f, g in parts).encode()
    assert ours(compiled(), data) == reference(data)


def _label_value_by_hand(text: str, chars: str) -> str:
    """The value of a labelled match, found one character at a time from the end."""
    i = len(text)
    while i > 0 and text[i - 1] in chars:
        i -= 1
    return text[i:].strip(" -.")


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="aZ19 -.:#\t(", max_size=24),
    st.sampled_from(["0123456789-", "0123456789-.()+ ", "ABCabc '.-", ""]),
)
def test_label_value_is_the_longest_suffix_of_value_chars(text: str, chars: str) -> None:
    assert _label_value(text, chars, "mrn") == _label_value_by_hand(text, chars)

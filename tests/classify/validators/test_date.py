"""date validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("date")

ROWS = [
    ("1927-05-21", U, "ISO date"),
    ("05/21/1927", U, "US date"),
    ("19620910", U, "HL7 compact"),
    ("1927-13-21", X, "month 13"),
    ("1927", X, "year alone is allowed by Safe Harbor"),
    ("2024-02-30", X, "no 30 February"),
    ("1850-01-01", X, "before 1870"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

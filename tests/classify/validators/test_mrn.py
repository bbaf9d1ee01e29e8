"""mrn validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("mrn")

ROWS = [
    ("A123456", U, "alphanumeric id"),
    ("abc", X, "too short"),
    ("ABCDEFG", X, "no digit"),
    ("MRN 123", X, "space inside"),
    ("1111", X, "one repeated character"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

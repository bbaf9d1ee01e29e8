"""NPI: Luhn over 80840 + the number; first digit 1 or 2."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("npi")

ROWS = [
    ("1234567893", V, "CMS worked example"),
    ("1234567890", X, "bad check digit"),
    ("9999908392", U, "Synthea: Luhn ok, first digit 9"),
    ("123456789", X, "nine digits"),
    ("1245319599", V, "a real-format type-1 NPI"),
    ("2123456787", X, "type-2 prefix, bad check digit"),
    ("12345678931", X, "eleven digits"),
    ("12345678a3", X, "a letter inside"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

"""DEA registration number: registrant letter, surname initial or 9, weighted check digit."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("dea")

ROWS = [
    ("AP5836727", V, "valid check digit"),
    ("F91234563", V, "second letter 9"),
    ("AP5836728", X, "bad check digit"),
    ("ZP5836727", X, "unknown registrant type"),
    ("ap5836727", V, "lower case is normalised"),
    ("AP583672", X, "six digits"),
    ("A15836727", X, "second character a digit other than 9"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

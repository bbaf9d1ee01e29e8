"""account validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("account")

ROWS = [
    ("0105I30001", U, "HL7 account"),
    ("ACCT", X, "no digit"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

"""Medicare Beneficiary Identifier: position rules, excluded letters, card dashes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("mbi")

ROWS = [
    ("1EG4TE5MK73", V, "CMS example"),
    ("1EG4-TE5-MK73", V, "card formatting"),
    ("1SG4TE5MK73", X, "S is excluded"),
    ("0EG4TE5MK73", X, "first digit 0"),
    ("1EG4TE5MK7", X, "ten characters"),
    ("1EG4TE5MK7Z", X, "last must be a digit"),
    ("1EO4TE5MK73", X, "O is excluded (looks like 0)"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

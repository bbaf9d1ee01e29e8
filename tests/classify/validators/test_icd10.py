"""icd10 validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("icd10")

ROWS = [
    ("E11.9", U, "well-formed code"),
    ("U07.1", U, "COVID-19 special code"),
    ("U99.1", X, "reserved U range"),
    ("11.9", X, "no letter"),
    ("E119", U, "dot left out"),
    ("E11.", X, "dot without a tail"),
    ("E11.12345", X, "tail too long"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

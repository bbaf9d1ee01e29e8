"""LOINC: numeric body, dash, mod-10 check digit."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("loinc")

ROWS = [
    ("8867-4", V, "heart rate"),
    ("2339-0", V, "glucose"),
    ("11491-6", X, "deprecated code with a wrong check digit"),
    ("8867-5", X, "bad check digit"),
    ("2021-10", X, "a date fragment"),
    ("26464-8", V, "white blood cells"),
    ("8867", X, "no check digit"),
    ("88674", X, "no dash"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

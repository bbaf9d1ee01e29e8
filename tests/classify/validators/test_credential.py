"""credential validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("credential")

ROWS = [
    ("AKIAIOSFODNN7EXAMPLE", V, "AWS key id shape"),
    ("password", X, "the word itself"),
    ("hunter2hunter2", U, "a value under a password key"),
    ("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", V, "GitHub token"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", V, "JWT with an alg header"),
    ("eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.c2ln", U, "JWT-shaped, header without alg: a long value"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why

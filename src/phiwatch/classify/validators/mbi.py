"""Medicare Beneficiary Identifier: 11 characters C A AN N A AN N A A N N (C = 1-9, N = 0-9,
A = letters without S L O I B Z, AN = either). Random, no check digit; dashes are card
formatting only. The format is strict enough that a match is VALID."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_A = frozenset("ACDEFGHJKMNPQRTUVWXY")
_N = frozenset("0123456789")
_AN = _A | _N
_SHAPE = (frozenset("123456789"), _A, _AN, _N, _A, _AN, _N, _A, _A, _N, _N)


@VALIDATORS.register("mbi")
def validate(value: str) -> Verdict:
    v = value.strip().upper()
    if len(v) == 13 and v[4] == "-" and v[8] == "-":
        v = v[:4] + v[5:8] + v[9:]
    if len(v) != 11:
        return Verdict.INVALID
    ok = all(ch in allowed for ch, allowed in zip(v, _SHAPE, strict=True))
    return Verdict.VALID if ok else Verdict.INVALID

"""US phone (NANP): optional +1/1, then NXX-NXX-XXXX with N = 2-9. Formatted numbers
("(617) 555-0100", "617-555-0100", "+1 617 555 0100") are VALID; a bare run of 10 digits
is UNKNOWN (it could be an NPI, an order number, a timestamp)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_ALLOWED = frozenset("0123456789 -.()+")


def nanp(value: str) -> Verdict:
    v = value.strip()
    if not v or any(ch not in _ALLOWED for ch in v):
        return Verdict.INVALID
    d = "".join(ch for ch in v if ch.isdigit())
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    if len(d) != 10 or d[0] in "01" or d[3] in "01" or d[3:6] == "911" or len(set(d)) == 1:
        return Verdict.INVALID
    if v.count("(") != v.count(")"):
        return Verdict.INVALID
    formatted = any(ch in v for ch in " -.()")
    return Verdict.VALID if formatted else Verdict.UNKNOWN


@VALIDATORS.register("phone")
def validate(value: str) -> Verdict:
    return nanp(value)

"""DEA registration number: 2 letters + 7 digits. Letter 1 is the registrant type, letter 2 the
surname initial or 9; check digit = (d1+d3+d5 + 2*(d2+d4+d6)) mod 10."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_TYPES = frozenset("ABCDEFGHJKLMPRSTUX")


@VALIDATORS.register("dea")
def validate(value: str) -> Verdict:
    v = value.strip().upper()
    if len(v) != 9 or v[0] not in _TYPES or not (v[1].isalpha() or v[1] == "9"):
        return Verdict.INVALID
    if not v[2:].isascii() or not v[2:].isdigit():
        return Verdict.INVALID
    d = [int(c) for c in v[2:]]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return Verdict.VALID if check == d[6] else Verdict.INVALID

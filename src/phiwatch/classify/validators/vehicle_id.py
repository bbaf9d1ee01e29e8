"""Vehicle identifier: a 17-character VIN (no I, O, Q) with its position-9 check digit is VALID
(North-American VINs carry it; others may not, so a failed check is UNKNOWN); a licence plate
found by context must be 2-8 letters and digits."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_TRANSLIT = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_ok(vin: str) -> bool:
    total = sum(_TRANSLIT[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


@VALIDATORS.register("vehicle_id")
def validate(value: str) -> Verdict:
    v = value.strip().upper().replace(" ", "").replace("-", "")
    if len(v) == 17:
        if any(ch not in _TRANSLIT for ch in v) or not any(ch.isdigit() for ch in v):
            return Verdict.INVALID
        if not any(ch.isalpha() for ch in v):
            return Verdict.INVALID
        return Verdict.VALID if vin_check_ok(v) else Verdict.UNKNOWN
    if 2 <= len(v) <= 8 and v.isascii() and v.isalnum() and any(ch.isdigit() for ch in v):
        return Verdict.UNKNOWN
    return Verdict.INVALID

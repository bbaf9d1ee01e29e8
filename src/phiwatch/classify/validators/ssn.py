"""SSN: 9 digits AAA-GG-SSSS, no check digit. Never issued: area 000, 666, 900-999; group 00;
serial 0000. Well-known placeholders are rejected. Area 9xx (ITIN range, and every Synthea
SSN) is UNKNOWN: only a key name or a FHIR us-ssn identifier makes it an SSN."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict, digits_only

_PLACEHOLDERS = frozenset({"078051120", "123456789", "219099999", "457555462", "987654320"})


@VALIDATORS.register("ssn")
def validate(value: str) -> Verdict:
    seps = {ch for ch in value if not ch.isdigit()}
    if seps - {"-", " "} or len(seps) > 1:
        return Verdict.INVALID  # letters, or mixed delimiters ("123-45 6789")
    d = digits_only(value)
    if len(d) != 9 or len(set(d)) == 1:
        return Verdict.INVALID
    if seps and (value.count(next(iter(seps))) != 2 or value[3] not in "- " or value[6] not in "- "):
        return Verdict.INVALID
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or group == "00" or serial == "0000" or d in _PLACEHOLDERS:
        return Verdict.INVALID
    if area[0] == "9":
        return Verdict.UNKNOWN
    return Verdict.VALID

"""Person name: 1-5 words of letters (apostrophes, hyphens, periods allowed; Synthea appends
digits to names, so trailing digits are tolerated). No checksum exists: a plausible name is
UNKNOWN, and only structure (FHIR HumanName, HL7 PID-5, C-CDA <name>) or a key name keeps it."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_STOP = frozenset({"null", "none", "unknown", "n/a", "na", "true", "false", "test"})


@VALIDATORS.register("name")
def validate(value: str) -> Verdict:
    v = value.strip()
    words = v.replace(",", " ").split()
    if not 1 <= len(words) <= 5 or len(v) > 80 or v.lower() in _STOP:
        return Verdict.INVALID
    for w in words:
        core = w.rstrip("0123456789")
        if not core or not core[0].isalpha():
            return Verdict.INVALID
        if any(not (ch.isalpha() or ch in "'-.") for ch in core):
            return Verdict.INVALID
    return Verdict.UNKNOWN

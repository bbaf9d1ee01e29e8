"""Validators: one module per PHI category, each a pure function ``str -> Verdict``.

Matching (hyperscan patterns, key names, FHIR structure) finds candidates; a validator only
judges one candidate, Presidio-style, with three outcomes:

- ``VALID``: the value has the right shape and passes its checksum or issuance rules;
- ``INVALID``: it cannot be one (bad check digit, impossible area, wrong length);
- ``UNKNOWN``: the shape fits but nothing proves it (no check digit, synthetic ranges).

A bare pattern hit in free text is kept only when ``VALID``; a hit whose key name or
structure names the category is kept unless ``INVALID``.
"""

from __future__ import annotations

import enum
from typing import Protocol

from phiwatch.registry import Registry, import_all


class Verdict(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


class Validator(Protocol):
    def __call__(self, value: str) -> Verdict: ...


VALIDATORS: Registry[Validator] = Registry("validator")


def load_validators() -> Registry[Validator]:
    """Import every validator module once (adding a file is enough to register it)."""
    import phiwatch.classify.validators as pkg

    import_all(pkg)
    return VALIDATORS


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) over a digit string whose last digit is the check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if d < 0 or d > 9:
            return False
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)


def _verhoeff_p() -> tuple[tuple[int, ...], ...]:
    """The position permutations: row i applies the base permutation i times (written out by
    hand, one swapped pair in row 4 once failed a third of real SNOMED CT ids)."""
    rows = [tuple(range(10)), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)]
    while len(rows) < 8:
        rows.append(tuple(rows[-1][rows[1][j]] for j in range(10)))
    return tuple(rows)


_VERHOEFF_P = _verhoeff_p()


def verhoeff_ok(digits: str) -> bool:
    """Verhoeff check over a digit string whose last digit is the check digit."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if d < 0 or d > 9:
            return False
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][d]]
    return c == 0


__all__ = ["VALIDATORS", "Validator", "Verdict", "digits_only", "load_validators", "luhn_ok", "verhoeff_ok"]

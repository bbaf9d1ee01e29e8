"""Street address or ZIP code. A 5-digit or ZIP+4 code is UNKNOWN (needs context); a street line
with a house number, a name and a street suffix ("12 Main St", "260 Goodwin Crest Drive") is
VALID; text with no letters, or far too long, is INVALID."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

SUFFIXES = frozenset(
    [
        "st",
        "street",
        "ave",
        "avenue",
        "rd",
        "road",
        "dr",
        "drive",
        "ln",
        "lane",
        "blvd",
        "boulevard",
        "ct",
        "court",
        "way",
        "pl",
        "place",
        "sq",
        "square",
        "ter",
        "terrace",
        "pkwy",
        "parkway",
        "hwy",
        "highway",
        "cir",
        "circle",
        "trl",
        "trail",
        "crest",
        "row",
        "loop",
        "run",
        "pike",
        "path",
    ]
)


def is_zip(v: str) -> bool:
    return (len(v) == 5 and v.isdigit()) or (len(v) == 10 and v[5] == "-" and (v[:5] + v[6:]).isdigit())


def is_street(v: str) -> bool:
    words = v.replace(",", " ").replace(".", " ").split()
    if len(words) < 2 or not words[0][:1].isdigit():
        return False
    return any(w.lower() in SUFFIXES for w in words[1:]) or any(
        w.lower() in ("apt", "suite", "unit", "po") for w in words
    )


@VALIDATORS.register("address")
def validate(value: str) -> Verdict:
    v = value.strip()
    if not v or len(v) > 300:
        return Verdict.INVALID
    if is_zip(v):
        return Verdict.UNKNOWN
    if is_street(v):
        return Verdict.VALID
    if not any(ch.isalpha() for ch in v):
        return Verdict.INVALID
    return Verdict.UNKNOWN

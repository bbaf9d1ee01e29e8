"""E-mail address: one "@", a local part of 1-64 allowed characters, a dotted domain whose last
label is 2-24 letters. Reserved example domains stay VALID (test data is still PHI-shaped)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-")
_LABEL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@VALIDATORS.register("email")
def validate(value: str) -> Verdict:
    v = value.strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    local, at, domain = v.rpartition("@")
    if not at or not 1 <= len(local) <= 64 or not 3 <= len(domain) <= 253:
        return Verdict.INVALID
    if any(ch not in _LOCAL for ch in local) or local[0] == "." or local[-1] == "." or ".." in local:
        return Verdict.INVALID
    labels = domain.split(".")
    if len(labels) < 2 or any(not lb or lb[0] == "-" or lb[-1] == "-" for lb in labels):
        return Verdict.INVALID
    if any(ch not in _LABEL for lb in labels for ch in lb):
        return Verdict.INVALID
    tld = labels[-1]
    if not 2 <= len(tld) <= 24 or not tld.isalpha():
        return Verdict.INVALID
    return Verdict.VALID

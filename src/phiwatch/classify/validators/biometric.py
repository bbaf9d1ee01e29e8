"""Biometric identifier (fingerprint, voice print, retina/face template): found by structure or
key name only; any non-trivial value under such a key is UNKNOWN (kept by context)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict


@VALIDATORS.register("biometric")
def validate(value: str) -> Verdict:
    v = value.strip()
    return Verdict.UNKNOWN if len(v) >= 8 else Verdict.INVALID

"""Credential: a secret that grants access. Well-known shapes are VALID: a JWT (three base64url
parts, the first decoding to a JSON header), AWS access key ids (AKIA/ASIA + 16), GitHub tokens
(ghp_/gho_/ghs_/github_pat_), Stripe secret keys (sk_live_/rk_live_), Slack tokens (xox?-),
PEM private keys. A value under a password/secret/token key is UNKNOWN when long enough."""

from __future__ import annotations

import base64
import binascii

from phiwatch.classify.validators import VALIDATORS, Verdict

_PREFIXES = ("ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "sk_live_", "rk_live_", "xoxb-", "xoxp-", "xoxa-")
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _jwt(v: str) -> bool:
    parts = v.split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ") or len(parts[1]) < 4:
        return False
    if any(ch not in _B64URL for p in parts[:2] for ch in p):
        return False
    try:
        head = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
    except (binascii.Error, ValueError):
        return False
    return head.startswith(b"{") and b'"alg"' in head


@VALIDATORS.register("credential")
def validate(value: str) -> Verdict:
    v = value.strip()
    if v.lower().startswith("bearer "):
        v = v[7:].strip()
    if _jwt(v) or "PRIVATE KEY-----" in v:
        return Verdict.VALID
    if (v.startswith(("AKIA", "ASIA")) and len(v) == 20 and v.isalnum() and v.isupper()) or (
        v.startswith(_PREFIXES) and len(v) >= 20
    ):
        return Verdict.VALID
    if len(v) >= 8 and not any(ch.isspace() for ch in v) and v.lower() not in ("password", "changeme"):
        return Verdict.UNKNOWN
    return Verdict.INVALID

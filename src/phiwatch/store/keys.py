"""The installation key behind keyed fingerprints (identity.Fingerprinter, evidence hashes).

32 random bytes are created once per database and kept in its ``meta`` table, so the same
credential maps to the same fingerprint across runs. ``PHIWATCH_KEY`` (hex) overrides it,
for deployments that keep secrets outside the database or share one key between stores;
an overriding key is never written to the database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from phiwatch.errors import ConfigError

KEY_ENV = "PHIWATCH_KEY"
KEY_BYTES = 32
MIN_KEY_BYTES = 16  # what identity.Fingerprinter accepts


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_from_env(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The key from ``PHIWATCH_KEY``; None when unset or empty; ConfigError when malformed.

    The message never echoes the value: a half-pasted key is still a secret."""
    raw = (os.environ if environ is None else environ).get(KEY_ENV, "").strip()
    if not raw:
        return None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise ConfigError(f"{KEY_ENV} must be hex ({len(raw)} characters given)") from None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{KEY_ENV} must hold at least {MIN_KEY_BYTES} bytes, got {len(key)}")
    return key

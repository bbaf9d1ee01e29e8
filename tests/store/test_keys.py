"""The installation key and its PHIWATCH_KEY override (phiwatch.store.keys)."""

from __future__ import annotations

import pytest

from phiwatch.errors import ConfigError
from phiwatch.identity import Fingerprinter
from phiwatch.store.keys import KEY_BYTES, key_from_env, new_key


def test_new_keys_are_random_and_usable() -> None:
    a, b = new_key(), new_key()
    assert len(a) == KEY_BYTES and a != b
    Fingerprinter(a)  # accepted by the identity layer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),  # unset
        ("", None),  # set but empty, as `PHIWATCH_KEY= phiwatch ...` does
        ("00" * 32, bytes(32)),  # 32 bytes of hex
        ("AbCd" * 8, bytes.fromhex("abcd" * 8)),  # upper-case hex, 16 bytes: the minimum
        ("  " + "11" * 32 + "\n", bytes.fromhex("11" * 32)),  # whitespace from a file or shell
    ],
)
def test_key_from_env(value: str | None, expected: bytes | None) -> None:
    env = {} if value is None else {"PHIWATCH_KEY": value}
    assert key_from_env(env) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-hex-at-all-but-long-enough-xx", "must be hex"),  # a passphrase is not a key
        ("abc", "must be hex"),  # odd number of digits
        ("ab" * 15, "at least 16 bytes"),  # near miss: one byte short
    ],
)
def test_bad_env_key(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        key_from_env({"PHIWATCH_KEY": value})
    assert value not in str(err.value)  # a malformed key is still a secret


def test_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHIWATCH_KEY", "22" * 32)
    assert key_from_env() == bytes.fromhex("22" * 32)

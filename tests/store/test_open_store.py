"""Choosing a backend from a URL or path (phiwatch.store.open_store / sqlite_path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phiwatch.store
from phiwatch.errors import ConfigError
from phiwatch.store import open_store, sqlite_path


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("phiwatch.db", "phiwatch.db"),  # plain relative path
        ("/var/lib/phiwatch/phiwatch.db", "/var/lib/phiwatch/phiwatch.db"),  # plain absolute path
        (Path("data") / "p.db", str(Path("data") / "p.db")),  # a Path object
        ("  phiwatch.db\n", "phiwatch.db"),  # stray whitespace from an env var
        ("sqlite:///phiwatch.db", "phiwatch.db"),  # three slashes: relative (SQLAlchemy)
        ("sqlite:////var/lib/phiwatch.db", "/var/lib/phiwatch.db"),  # four slashes: absolute
        ("SQLite:///p.db", "p.db"),  # schemes are case-insensitive
        ("sqlite:///p.db?mode=ro", "p.db"),  # URL options are not part of the file name
        ("sqlite://", ":memory:"),  # SQLAlchemy's in-memory URL
        (":memory:", ":memory:"),
        ("C:\\phiwatch\\p.db", "C:\\phiwatch\\p.db"),  # a Windows drive is not a URL scheme
    ],
)
def test_sqlite_locations(location: str | Path, expected: str) -> None:
    assert sqlite_path(location) == expected


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("postgresql://phiwatch@db.internal/phiwatch", "not yet supported"),  # the later backend
        ("postgres://db.internal/phiwatch", "not yet supported"),  # its common alias
        ("postgresql+psycopg://db/phiwatch", "not yet supported"),  # SQLAlchemy driver form
        ("mysql://db/phiwatch", "unknown store URL scheme 'mysql'"),  # never planned
        ("sqlite://host/p.db", "bad SQLite URL"),  # near miss: two slashes then a host
        ("sqlite:///", "no file path"),
        ("", "empty store location"),
    ],
)
def test_bad_locations(location: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_store(location)


def test_sqlite_url_opens_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel.db") as store:
        store.save_state("x", b"1")
    with open_store(f"sqlite:///{tmp_path / 'rel.db'}") as store:  # absolute path: four slashes
        assert store.load_state("x") == b"1"
        assert store.location == str(tmp_path / "rel.db")


def test_public_api() -> None:
    assert sorted(phiwatch.store.__all__) == [
        "KEY_ENV",
        "SEVERITIES",
        "SourceRecord",
        "SqliteStore",
        "Store",
        "fingerprint_bytes",
        "fingerprint_file",
        "open_store",
        "sqlite_path",
    ]


@settings(max_examples=200, deadline=None)
@given(location=st.text(max_size=60) | st.from_regex(r"[a-zA-Z+]{0,12}://.{0,40}", fullmatch=True))
def test_any_location_is_a_path_or_a_config_error(location: str) -> None:
    try:
        path = sqlite_path(location)
    except ConfigError:
        return
    assert isinstance(path, str) and path  # never an empty file name

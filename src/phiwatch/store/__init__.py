"""Where phiwatch keeps what it learned: one ``Store`` interface, backends chosen by URL.

    open_store("phiwatch.db")                 SQLite file (created and migrated as needed)
    open_store("sqlite:///rel/phiwatch.db")   SQLite, SQLAlchemy-style URL: three slashes and a
    open_store("sqlite:////abs/phiwatch.db")  relative path, four slashes and an absolute one
    open_store(":memory:")                    throwaway SQLite database (no WAL), for tests
    open_store("postgresql://...")            ConfigError for now: the backend comes later

A store holds the installation key, the sources already analyzed (by content fingerprint,
so a file is never counted twice), opaque state blobs of components (inventory, learner),
the current endpoint inventory, one row per run, findings deduplicated by id, and alerts.
It stores only what it is given: callers hand it fingerprints, masks and templates, never
raw credentials or PHI. Errors are ``StoreError``; a bad URL is ``ConfigError``.

A run writes everything inside one ``with store.transaction():`` so that a crash leaves the
previous state whole; do the slow reading before it, since the block holds the write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from phiwatch.errors import ConfigError
from phiwatch.model import Alert, Endpoint, Finding
from phiwatch.store.fingerprint import fingerprint_bytes, fingerprint_file
from phiwatch.store.keys import KEY_ENV
from phiwatch.store.records import SEVERITIES, SourceRecord
from phiwatch.store.sqlite import SqliteStore


class Store(Protocol):
    """What every backend provides. Write methods are atomic on their own and join the
    enclosing ``transaction()`` when there is one; reads see committed data (and, inside a
    transaction, its own uncommitted writes)."""

    backend: str  # "sqlite", later "postgresql"
    location: str  # file path or URL without credentials, for messages

    @property
    def schema_version(self) -> int: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together, or none if the block raises. Nests."""
        ...

    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def get_or_create_key(self) -> bytes:
        """``PHIWATCH_KEY`` (hex) if set, else this store's 32-byte key, created on first use."""
        ...

    def source_seen(self, fingerprint: str) -> bool: ...
    def record_source(
        self,
        fingerprint: str,
        path: str,
        events: int,
        rejected: int,
        *,
        source_format: str = "",
        size: int | None = None,
        analyzed_at: float | None = None,
    ) -> bool:
        """Remember an analyzed source; False when the fingerprint was already recorded."""
        ...

    def load_sources(self) -> list[SourceRecord]: ...

    def load_state(self, name: str) -> bytes | None: ...
    def save_state(self, name: str, data: bytes) -> None: ...

    def save_endpoints(self, rows: Sequence[Endpoint]) -> None:
        """Replace the whole inventory snapshot."""
        ...

    def load_endpoints(self, *, status: str | None = None, host: str | None = None) -> list[Endpoint]: ...

    def record_run(
        self,
        summary: dict[str, object],
        *,
        started_at: float | None = None,
        finished_at: float | None = None,
        inputs: Sequence[str] = (),
    ) -> int: ...

    def last_run(self) -> dict[str, object] | None:
        """``{"id", "started_at", "finished_at", "inputs", "summary"}`` of the latest run."""
        ...

    def upsert_findings(self, findings: Sequence[Finding], *, seen_at: float | None = None) -> None: ...
    def load_findings(
        self, *, severity: str | None = None, check: str | None = None, endpoint_path: str | None = None
    ) -> list[Finding]: ...

    def add_alerts(self, alerts: Sequence[Alert]) -> None: ...
    def load_alerts(self, *, detector: str | None = None, severity: str | None = None) -> list[Alert]: ...


_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")


def sqlite_path(url_or_path: str | Path) -> str:
    """The SQLite file a URL or plain path names; ConfigError for other schemes."""
    if isinstance(url_or_path, Path):
        return str(url_or_path)
    text = url_or_path.strip()
    if not text:
        raise ConfigError("empty store location")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text  # a plain path (a Windows "C:\\..." has no "://")
    scheme = scheme.lower()
    if scheme in _POSTGRES_SCHEMES:
        raise ConfigError(f"store backend {scheme!r} is not yet supported (use a SQLite file path)")
    if scheme != "sqlite":
        raise ConfigError(f"unknown store URL scheme {scheme!r} (known: sqlite)")
    # sqlite:///rel.db -> "rel.db", sqlite:////abs.db -> "/abs.db", sqlite:// -> memory
    if not rest:
        return ":memory:"
    if not rest.startswith("/"):
        raise ConfigError(f"bad SQLite URL {text!r}: expected sqlite:///relative or sqlite:////absolute path")
    path = rest[1:].partition("?")[0]
    if not path:
        raise ConfigError(f"bad SQLite URL {text!r}: no file path")
    return path


def open_store(url_or_path: str | Path, *, create: bool = True, busy_timeout_s: float = 30.0) -> Store:
    """Open (creating and migrating when needed) the store at ``url_or_path``.

    ``create=False`` refuses a missing database (StoreError) instead of making an empty one,
    for read-only commands. StoreError when the file is not a phiwatch database or was
    written by a newer phiwatch."""
    return SqliteStore(sqlite_path(url_or_path), create=create, busy_timeout_s=busy_timeout_s)


__all__ = [
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

"""The SQLite backend: one file in WAL mode, one writer, readers never blocked.

Like Datasette, writes are serialized: a ``SqliteStore`` holds one connection, and every
write runs inside ``transaction()``, which starts with ``BEGIN IMMEDIATE`` so the write lock
is taken up front (a deferred transaction that upgrades from read to write can fail at once
with "database is locked" without waiting on ``busy_timeout``). Other processes keep reading
the last committed state while a write transaction is open (WAL), and a second writer waits
up to ``busy_timeout_s`` before StoreError. Nested ``transaction()`` blocks are savepoints.

``secure_delete`` is on: rows replaced by a new inventory snapshot are zeroed in the file,
not left in free pages. The connection belongs to the thread that opened the store.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import msgspec

from phiwatch.errors import StoreError
from phiwatch.model import Alert, Endpoint, EndpointKey, Finding
from phiwatch.store import sqlite_schema
from phiwatch.store.keys import key_from_env, new_key
from phiwatch.store.records import SEVERITIES, SourceRecord

MEMORY = ":memory:"

_endpoint = msgspec.msgpack.Decoder(Endpoint)
_finding = msgspec.msgpack.Decoder(Finding)
_alert = msgspec.msgpack.Decoder(Alert)
_summary = msgspec.json.Decoder(dict[str, object])
_inputs = msgspec.json.Decoder(list[str])
_encode = msgspec.msgpack.Encoder().encode
_json = msgspec.json.Encoder().encode

# Severity rank for ORDER BY; an unknown severity sorts last.
_SEVERITY_ORDER = (
    "CASE severity " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SEVERITIES)) + " ELSE 99 END"
)


def _key_columns(key: EndpointKey | None) -> tuple[str | None, str | None, str | None]:
    return (None, None, None) if key is None else (key.method, key.host, key.path)


class SqliteStore:
    """Store backed by one SQLite file (or ``:memory:`` for throwaway use, without WAL)."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, create: bool = True, busy_timeout_s: float = 30.0) -> None:
        self.location = str(path)
        self.busy_timeout_s = busy_timeout_s
        self._depth = 0  # transaction nesting: 0 none, 1 BEGIN, >1 savepoints
        self.journal_mode = ""  # "wal" once open ("memory" for :memory:)
        if not create and self.location != MEMORY and not Path(path).exists():
            raise StoreError(f"{self.location}: no such database")
        try:
            conn = sqlite3.connect(self.location, timeout=busy_timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.location}: cannot open: {exc}") from None
        self._conn: sqlite3.Connection | None = conn
        try:
            self._setup(conn, busy_timeout_s)
        except BaseException:
            conn.close()
            self._conn = None
            raise

    # -- opening and migrating -------------------------------------------------------------

    def _setup(self, conn: sqlite3.Connection, busy_timeout_s: float) -> None:
        with self._errors("open"):
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            version = self._read_version(conn)  # refuse foreign or newer files before touching them
            self._check_not_newer(version)
            self.journal_mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            conn.execute("PRAGMA synchronous = NORMAL")  # durable across app crashes in WAL mode
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
        if version < sqlite_schema.SCHEMA_VERSION:
            self._migrate()

    def _read_version(self, conn: sqlite3.Connection) -> int:
        """The schema version, 0 for an empty file; StoreError for a database not ours."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            ours = {t for t in tables if not t.startswith("sqlite_")}
            if ours:
                raise StoreError(
                    f"{self.location}: not a phiwatch database (tables: {', '.join(sorted(ours)[:5])})"
                )
            return 0
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            return int(row[0]) if row else 0
        except ValueError:
            raise StoreError(f"{self.location}: unreadable schema_version {row[0]!r}") from None

    def _check_not_newer(self, version: int) -> None:
        if version > sqlite_schema.SCHEMA_VERSION:
            raise StoreError(
                f"{self.location}: database schema version {version} is newer than this phiwatch "
                f"supports ({sqlite_schema.SCHEMA_VERSION}); upgrade phiwatch or use another database"
            )

    def _migrate(self) -> None:
        conn = self._connection()
        with self.transaction():
            # Read again under the write lock: another process may have migrated meanwhile.
            with self._errors("migrate"):
                current = self._read_version(conn)
            self._check_not_newer(current)
            steps = sqlite_schema.pending(current)
            if not steps:
                return
            for migration in steps:
                with self._errors(f"migrate to version {migration.version}"):
                    for statement in migration.statements:
                        conn.execute(statement)
            now = time.time()
            with self._errors("migrate"):
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(steps[-1].version),),
                )
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)", (repr(now),))

    @property
    def schema_version(self) -> int:
        with self._errors("read schema version"):
            return self._read_version(self._connection())

    # -- connection, errors, transactions --------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.location}: store is closed")
        return self._conn

    @contextmanager
    def _errors(self, op: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            hint = ""
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                hint = f" (another process held the write lock for over {self.busy_timeout_s:g} s)"
            raise StoreError(f"{self.location}: {op}: {exc}{hint}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (an exception rolls back).

        Nested blocks are savepoints: an exception caught inside the outer block undoes only
        the inner block's writes."""
        conn = self._connection()
        depth = self._depth
        savepoint = f"sp{depth}"
        with self._errors("begin"):
            conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth = depth + 1
        try:
            yield
        except BaseException:
            self._depth = depth
            if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O)
                with self._errors("rollback"):
                    if depth == 0:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute(f"ROLLBACK TO {savepoint}")
                        conn.execute(f"RELEASE {savepoint}")
            raise
        self._depth = depth
        try:
            with self._errors("commit"):
                conn.execute("COMMIT" if depth == 0 else f"RELEASE {savepoint}")
        except StoreError:
            if depth == 0 and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection (rolling back an open transaction); safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- meta ------------------------------------------------------------------------------

    def get_or_create_key(self) -> bytes:
        """The installation key: ``PHIWATCH_KEY`` (hex) when set, else 32 random bytes made
        once for this database and kept in ``meta``."""
        env = key_from_env()
        if env is not None:
            return env
        conn = self._connection()
        query = "SELECT value FROM meta WHERE key = 'installation_key'"
        with self._errors("read key"):
            row = conn.execute(query).fetchone()
        if row is None:
            with self.transaction(), self._errors("create key"):
                # OR IGNORE: another process may have created it since the read above.
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_key', ?)",
                    (new_key().hex(),),
                )
                row = conn.execute(query).fetchone()
        return bytes.fromhex(row[0])

    # -- sources ---------------------------------------------------------------------------

    def source_seen(self, fingerprint: str) -> bool:
        with self._errors("read sources"):
            row = (
                self._connection()
                .execute("SELECT 1 FROM sources WHERE fingerprint = ?", (fingerprint,))
                .fetchone()
            )
        return row is not None

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
        """Remember an analyzed source; False (and nothing changes) if it was already known."""
        when = time.time() if analyzed_at is None else analyzed_at
        with self.transaction(), self._errors("record source"):
            cur = self._connection().execute(
                "INSERT OR IGNORE INTO sources (fingerprint, path, format, size, events, rejected, "
                "analyzed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (fingerprint, path, source_format, size, events, rejected, when),
            )
            return cur.rowcount == 1

    def load_sources(self) -> list[SourceRecord]:
        with self._errors("read sources"):
            rows = self._connection().execute(
                "SELECT fingerprint, path, format, events, rejected, analyzed_at, size "
                "FROM sources ORDER BY analyzed_at, fingerprint"
            )
            return [SourceRecord(*row) for row in rows]

    # -- component state -------------------------------------------------------------------

    def load_state(self, name: str) -> bytes | None:
        with self._errors(f"read state {name!r}"):
            row = self._connection().execute("SELECT data FROM state WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    def save_state(self, name: str, data: bytes) -> None:
        with self.transaction(), self._errors(f"save state {name!r}"):
            self._connection().execute(
                "INSERT INTO state (name, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) "
                "DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (name, bytes(data), time.time()),
            )

    # -- endpoints -------------------------------------------------------------------------

    def save_endpoints(self, rows: Sequence[Endpoint]) -> None:
        """Replace the inventory snapshot with ``rows``; a duplicate key is a StoreError."""
        params = [
            (
                ep.method,
                ep.host,
                ep.path,
                ep.status,
                ep.reason,
                ep.requests,
                ep.clients,
                _json(sorted(ep.auth)).decode(),
                _json(sorted(ep.phi)).decode(),
                int(ep.phi_in_url),
                ep.spec,
                ep.first_seen,
                ep.last_seen,
                _encode(ep),
            )
            for ep in rows
        ]
        with self.transaction(), self._errors("save endpoints"):
            conn = self._connection()
            conn.execute("DELETE FROM endpoints")
            conn.executemany(
                "INSERT INTO endpoints (method, host, path, status, reason, requests, clients, auth, phi, "
                "phi_in_url, spec, first_seen, last_seen, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )

    def load_endpoints(self, *, status: str | None = None, host: str | None = None) -> list[Endpoint]:
        """The inventory snapshot, ordered by host, path, method; filters are exact matches
        (the host case-insensitively)."""
        # Hosts are stored lower-case (model.Request.host); a host typed in any case matches.
        where, args = _filters(status=status, host=None if host is None else host.lower())
        with self._errors("read endpoints"):
            rows = self._connection().execute(
                f"SELECT data FROM endpoints{where} ORDER BY host, path, method", args
            )
            return [_endpoint.decode(row[0]) for row in rows]

    # -- runs ------------------------------------------------------------------------------

    def record_run(
        self,
        summary: dict[str, object],
        *,
        started_at: float | None = None,
        finished_at: float | None = None,
        inputs: Sequence[str] = (),
    ) -> int:
        """Append one analyze run; returns its id (increasing, never reused)."""
        try:
            blob = _json(summary).decode()
        except (TypeError, msgspec.EncodeError) as exc:
            raise StoreError(f"{self.location}: run summary is not JSON-serializable: {exc}") from None
        finished = time.time() if finished_at is None else finished_at
        with self.transaction(), self._errors("record run"):
            cur = self._connection().execute(
                "INSERT INTO runs (started_at, finished_at, inputs, summary) VALUES (?, ?, ?, ?)",
                (started_at, finished, _json(list(inputs)).decode(), blob),
            )
            run_id = cur.lastrowid
        assert run_id is not None  # an INSERT into a rowid table always sets it
        return run_id

    def last_run(self) -> dict[str, object] | None:
        """``{id, started_at, finished_at, inputs, summary}`` of the latest run, or None."""
        with self._errors("read runs"):
            row = (
                self._connection()
                .execute("SELECT id, started_at, finished_at, inputs, summary FROM runs ORDER BY id DESC")
                .fetchone()
            )
        if row is None:
            return None
        return {
            "id": row[0],
            "started_at": row[1],
            "finished_at": row[2],
            "inputs": _inputs.decode(row[3]),
            "summary": _summary.decode(row[4]),
        }

    # -- findings --------------------------------------------------------------------------

    def upsert_findings(self, findings: Sequence[Finding], *, seen_at: float | None = None) -> None:
        """Insert new findings, update known ones (same ``id``): ``first_seen`` keeps the
        earliest time, ``last_seen`` the latest, everything else (evidence) the new value.
        A finding without times counts as seen at ``seen_at`` (default: now)."""
        now = time.time() if seen_at is None else seen_at
        params = []
        for f in findings:
            first = now if f.first_seen is None else f.first_seen
            last = max(first, now if f.last_seen is None else f.last_seen)
            blob = _encode(msgspec.structs.replace(f, first_seen=None, last_seen=None))
            params.append((f.id, f.check, f.severity, f.owasp, *_key_columns(f.endpoint), first, last, blob))
        with self.transaction(), self._errors("save findings"):
            self._connection().executemany(
                "INSERT INTO findings (id, check_name, severity, owasp, method, host, endpoint_path, "
                "first_seen, last_seen, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET check_name = excluded.check_name, "
                "severity = excluded.severity, owasp = excluded.owasp, method = excluded.method, "
                "host = excluded.host, endpoint_path = excluded.endpoint_path, "
                "first_seen = MIN(findings.first_seen, excluded.first_seen), "
                "last_seen = MAX(findings.last_seen, excluded.last_seen), data = excluded.data",
                params,
            )

    def load_findings(
        self, *, severity: str | None = None, check: str | None = None, endpoint_path: str | None = None
    ) -> list[Finding]:
        """Findings, most severe first, then by id; filters are exact matches."""
        where, args = _filters(severity=severity, check_name=check, endpoint_path=endpoint_path)
        with self._errors("read findings"):
            rows = self._connection().execute(
                f"SELECT data, first_seen, last_seen FROM findings{where} ORDER BY {_SEVERITY_ORDER}, id",
                args,
            )
            return [
                msgspec.structs.replace(_finding.decode(data), first_seen=first, last_seen=last)
                for data, first, last in rows
            ]

    # -- alerts ----------------------------------------------------------------------------

    def add_alerts(self, alerts: Sequence[Alert]) -> None:
        """Append alerts as given (detectors aggregate before they emit)."""
        params = [
            (
                a.detector,
                a.severity,
                a.actor,
                a.action,
                *_key_columns(a.endpoint),
                a.first_seen,
                a.last_seen,
                a.count,
                _encode(a),
            )
            for a in alerts
        ]
        with self.transaction(), self._errors("save alerts"):
            self._connection().executemany(
                "INSERT INTO alerts (detector, severity, actor, action, method, host, endpoint_path, "
                "first_seen, last_seen, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )

    def load_alerts(self, *, detector: str | None = None, severity: str | None = None) -> list[Alert]:
        """Alerts in the order they were first seen (then insertion order)."""
        where, args = _filters(detector=detector, severity=severity)
        with self._errors("read alerts"):
            rows = self._connection().execute(f"SELECT data FROM alerts{where} ORDER BY first_seen, id", args)
            return [_alert.decode(row[0]) for row in rows]


def _filters(**columns: str | None) -> tuple[str, tuple[str, ...]]:
    """``WHERE a = ? AND b = ?`` for the filters given. Column names come from code, never input."""
    used = {c: v for c, v in columns.items() if v is not None}
    if not used:
        return "", ()
    return " WHERE " + " AND ".join(f"{c} = ?" for c in used), tuple(used.values())


__all__ = ["MEMORY", "SqliteStore"]

"""The SQLite schema as an ordered list of migrations.

Each migration moves the database from ``version - 1`` to ``version``; all pending ones run
in one transaction, so a failed step leaves the database at its old version. A released
migration is never edited: change the schema by appending one. ``meta.schema_version``
records where a database stands (``PRAGMA user_version`` would do, but a row is what a
PostgreSQL backend can mirror).

Queryable columns hold what the CLI filters and sorts on; the whole record is kept beside
them as a msgpack blob (``data``), the one source of truth for a round trip, so adding a
field to a model Struct needs no migration.
"""

from __future__ import annotations

import msgspec


class Migration(msgspec.Struct, frozen=True):
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "meta, analyzed sources, component state, endpoint inventory, runs",
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """CREATE TABLE sources (
                fingerprint TEXT PRIMARY KEY,
                path TEXT NOT NULL,
                format TEXT NOT NULL DEFAULT '',
                size INTEGER,
                events INTEGER NOT NULL,
                rejected INTEGER NOT NULL,
                analyzed_at REAL NOT NULL
            )""",
            "CREATE TABLE state (name TEXT PRIMARY KEY, data BLOB NOT NULL, updated_at REAL NOT NULL)",
            """CREATE TABLE endpoints (
                method TEXT NOT NULL,
                host TEXT NOT NULL,
                path TEXT NOT NULL,
                status TEXT NOT NULL,
                requests INTEGER NOT NULL,
                first_seen REAL,
                last_seen REAL,
                data BLOB NOT NULL,
                PRIMARY KEY (method, host, path)
            )""",
            "CREATE INDEX endpoints_status ON endpoints (status)",
            """CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at REAL,
                finished_at REAL NOT NULL,
                inputs TEXT NOT NULL DEFAULT '[]',
                summary TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "findings deduplicated by id, alerts; endpoint detail columns",
        (
            """CREATE TABLE findings (
                id TEXT PRIMARY KEY,
                check_name TEXT NOT NULL,
                severity TEXT NOT NULL,
                owasp TEXT NOT NULL,
                method TEXT,
                host TEXT,
                endpoint_path TEXT,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                data BLOB NOT NULL
            )""",
            "CREATE INDEX findings_check ON findings (check_name)",
            "CREATE INDEX findings_endpoint ON findings (endpoint_path)",
            """CREATE TABLE alerts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                detector TEXT NOT NULL,
                severity TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                method TEXT,
                host TEXT,
                endpoint_path TEXT,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                count INTEGER NOT NULL,
                data BLOB NOT NULL
            )""",
            "CREATE INDEX alerts_detector ON alerts (detector)",
            # Columns for filters the CLI grows into; JSON text so SQLite's json_each can query them.
            "ALTER TABLE endpoints ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE endpoints ADD COLUMN clients INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE endpoints ADD COLUMN auth TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE endpoints ADD COLUMN phi TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE endpoints ADD COLUMN phi_in_url INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE endpoints ADD COLUMN spec TEXT",
            "CREATE INDEX endpoints_host ON endpoints (host)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def pending(current: int) -> tuple[Migration, ...]:
    """Migrations still to apply to a database at ``current`` (0: an empty database)."""
    return tuple(m for m in MIGRATIONS if m.version > current)

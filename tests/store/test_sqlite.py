"""What is particular to the SQLite backend: the file, WAL, migrations, processes, bytes on disk."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import jwt
import msgspec
import pytest

from phiwatch.errors import StoreError
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.model import Alert, Endpoint, EndpointKey
from phiwatch.store import open_store, sqlite_schema
from phiwatch.store.sqlite import SqliteStore
from tests.factories import tevent

T0 = 1_767_225_600.0
EP = Endpoint(method="GET", host="fhir.example.org", path="/Patient/{id}", status="shadow", requests=3)


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _files_bytes(db: Path) -> bytes:
    """The database and any -wal/-shm/-journal beside it, as one byte string."""
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, timeout=120
    )


def test_new_database_is_created_current_and_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "phiwatch.db"
    with open_store(db) as store:
        assert isinstance(store, SqliteStore) and store.journal_mode == "wal"
    conn = _raw(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert int(meta["schema_version"]) == sqlite_schema.SCHEMA_VERSION
    assert float(meta["created_at"]) > T0
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "sources", "state", "endpoints", "runs", "findings", "alerts"} <= tables
    conn.close()


def test_connection_settings(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "p.db", busy_timeout_s=7.5)
    conn = store._connection()
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 7500
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()


def test_migrations_are_numbered_in_order() -> None:
    versions = [m.version for m in sqlite_schema.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert sqlite_schema.pending(0) == sqlite_schema.MIGRATIONS
    assert sqlite_schema.pending(sqlite_schema.SCHEMA_VERSION) == ()


# Version 1 as released, written out by hand: if someone edits migration 1 instead of adding
# a new one, databases made by the old code no longer match and this test says so.
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (fingerprint TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL DEFAULT '',
    size INTEGER, events INTEGER NOT NULL, rejected INTEGER NOT NULL, analyzed_at REAL NOT NULL);
CREATE TABLE state (name TEXT PRIMARY KEY, data BLOB NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE endpoints (method TEXT NOT NULL, host TEXT NOT NULL, path TEXT NOT NULL, status TEXT NOT NULL,
    requests INTEGER NOT NULL, first_seen REAL, last_seen REAL, data BLOB NOT NULL,
    PRIMARY KEY (method, host, path));
CREATE INDEX endpoints_status ON endpoints (status);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at REAL, finished_at REAL NOT NULL,
    inputs TEXT NOT NULL DEFAULT '[]', summary TEXT NOT NULL);
"""


def _v1_database(db: Path) -> None:
    conn = _raw(db)
    conn.executescript(V1_SCHEMA)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", "1"), ("created_at", str(T0)), ("installation_key", "ab" * 32)],
    )
    conn.execute(
        "INSERT INTO endpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (EP.method, EP.host, EP.path, EP.status, EP.requests, None, None, msgspec.msgpack.encode(EP)),
    )
    conn.execute("INSERT INTO state VALUES ('inventory', ?, ?)", (b"\x93inv", T0))
    conn.execute("INSERT INTO sources VALUES ('blake2b:9:aa', 'old.har', 'har', 9, 4, 1, ?)", (T0,))
    conn.execute(
        "INSERT INTO runs (finished_at, inputs, summary) VALUES (?, '[\"old.har\"]', '{\"events\":4}')", (T0,)
    )
    conn.close()


def test_opening_a_v1_database_migrates_it_and_keeps_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _v1_database(db)
    with open_store(db) as store:
        assert store.schema_version == sqlite_schema.SCHEMA_VERSION
        assert store.load_endpoints() == [EP]
        assert store.load_endpoints(host="fhir.example.org", status="shadow") == [EP]
        assert store.load_state("inventory") == b"\x93inv"
        assert store.source_seen("blake2b:9:aa")
        # The key survives, so fingerprints stay stable across the upgrade.
        assert store.get_or_create_key() == bytes.fromhex("ab" * 32)
        last = store.last_run()
        assert last is not None and last["summary"] == {"events": 4} and last["inputs"] == ["old.har"]
        # Tables from later versions work.
        store.add_alerts([Alert(detector="bola", severity="high", actor="client:app")])
        assert len(store.load_alerts()) == 1
    conn = _raw(db)
    assert conn.execute("SELECT value FROM meta WHERE key='created_at'").fetchone()[0] == str(T0)
    conn.close()


def test_a_failed_migration_leaves_the_database_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "p.db"
    open_store(db).close()
    current = sqlite_schema.SCHEMA_VERSION
    broken = sqlite_schema.Migration(
        current + 1,
        "broken",
        ("CREATE TABLE half_done (x INTEGER)", "ALTER TABLE no_such_table ADD COLUMN y"),
    )
    monkeypatch.setattr(sqlite_schema, "MIGRATIONS", (*sqlite_schema.MIGRATIONS, broken))
    monkeypatch.setattr(sqlite_schema, "SCHEMA_VERSION", current + 1)
    with pytest.raises(StoreError, match=f"migrate to version {current + 1}"):
        open_store(db)
    monkeypatch.undo()
    with open_store(db) as store:
        assert store.schema_version == current
    conn = _raw(db)
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name='half_done'").fetchone() is None
    conn.close()


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    with open_store(db) as store:
        store.save_state("inventory", b"x")
    conn = _raw(db)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(sqlite_schema.SCHEMA_VERSION + 1),)
    )
    conn.close()
    before = _files_bytes(db)
    with pytest.raises(StoreError, match=r"newer than this phiwatch supports.*upgrade phiwatch"):
        open_store(db)
    assert _files_bytes(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"method,host,path\nGET,a,/b\n", "file is not a database"),  # a CSV passed as --db
        (b"SQLite format 3\x00" + b"\xff" * 84, "open"),  # a truncated SQLite header
    ],
)
def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    db = tmp_path / "inventory.csv"
    db.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        open_store(db)
    assert db.read_bytes() == content


def test_someone_elses_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = _raw(db)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a phiwatch database"):
        open_store(db)
    assert db.read_bytes() == before


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    db = tmp_path / "touched.db"
    db.touch()  # e.g. made by mktemp
    with open_store(db) as store:
        assert store.schema_version == sqlite_schema.SCHEMA_VERSION


def test_create_false_refuses_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        open_store(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_missing_directory_is_a_store_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no-such-dir"):
        open_store(tmp_path / "no-such-dir" / "p.db")


def test_memory_store_works_without_wal() -> None:
    with open_store(":memory:") as store:
        store.save_endpoints([EP])
        assert store.load_endpoints() == [EP]
        assert isinstance(store, SqliteStore) and store.journal_mode == "memory"


READER = """
    import json, sys
    from phiwatch.store import open_store
    with open_store(sys.argv[1], create=False, busy_timeout_s=5) as store:
        print(json.dumps({
            "inventory": (store.load_state("inventory") or b"").decode(),
            "paths": [e.path for e in store.load_endpoints()],
        }))
"""


def test_a_reader_in_another_process_sees_the_last_commit_during_a_write(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with open_store(db) as store:
        store.save_state("inventory", b"committed")
        store.save_endpoints([EP])
        with store.transaction():
            store.save_state("inventory", b"in-flight")
            store.save_endpoints([msgspec.structs.replace(EP, path="/Observation/{id}")])
            during = _run_python(READER, str(db))
        after = _run_python(READER, str(db))
    assert during.returncode == 0, during.stderr
    assert json.loads(during.stdout) == {"inventory": "committed", "paths": ["/Patient/{id}"]}
    assert json.loads(after.stdout) == {"inventory": "in-flight", "paths": ["/Observation/{id}"]}


def test_a_second_writer_waits_then_fails_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with open_store(db) as first, open_store(db, busy_timeout_s=0.05) as second:
        with first.transaction():
            first.save_state("inventory", b"first")
            with pytest.raises(StoreError, match=r"locked.*another process held the write lock"):
                second.save_state("inventory", b"second")
            assert second.load_state("inventory") is None  # reading still works
        second.save_state("inventory", b"second")  # the lock is free again
        assert first.load_state("inventory") == b"second"


CRASHER = """
    import os, sys
    from phiwatch.store import open_store
    store = open_store(sys.argv[1])
    with store.transaction():
        store.save_state("inventory", b"half-written")
        store.save_endpoints([])
        store.record_run({"events": 999})
        os._exit(3)  # the process dies mid-run: no rollback, no close
"""


def test_a_process_killed_mid_run_leaves_the_previous_state(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with open_store(db) as store:
        store.save_state("inventory", b"run-1")
        store.save_endpoints([EP])
        run_id = store.record_run({"events": 3})
    crashed = _run_python(CRASHER, str(db))
    assert crashed.returncode == 3, crashed.stderr
    with open_store(db) as store:
        assert store.load_state("inventory") == b"run-1"
        assert store.load_endpoints() == [EP]
        last = store.last_run()
        assert last is not None and last["id"] == run_id


def test_replaced_rows_do_not_linger_in_the_file(tmp_path: Path) -> None:
    # secure_delete: an endpoint dropped from the snapshot is zeroed, not left in a free page.
    db = tmp_path / "p.db"
    marker = "/internal/zz-marker-7f3a9c/export"
    with open_store(db) as store:
        store.save_endpoints([EP, msgspec.structs.replace(EP, path=marker)])
        store.save_state("learner", marker.encode() * 100)
    assert marker.encode() in _files_bytes(db)  # the test can see it while it is stored
    with open_store(db) as store:
        store.save_endpoints([EP])
        store.save_state("learner", b"")
    assert marker.encode() not in _files_bytes(db)


def test_canary_raw_token_never_reaches_the_database_file(tmp_path: Path) -> None:
    canary = "CANARY-7d1e0b5c-secret"
    token = jwt.encode(
        {"sub": "patient-portal-user", "client_id": "patient-app", "patient": "pt-42", "jti": canary},
        "hs256-" + canary + "-signing-key-long-enough",
        algorithm="HS256",
    )
    db = tmp_path / "p.db"
    with open_store(db) as store:
        reader = IdentityReader(Fingerprinter(store.get_or_create_key()))
        event = tevent(req_headers={"authorization": f"Bearer {token}"}, ts=T0)
        ident = reader.read(event)
        assert ident.kind == "jwt" and ident.client_id == "patient-app"
        key = EndpointKey("GET", "fhir.example.org", "/Patient/{id}")
        with store.transaction():
            store.save_endpoints([msgspec.structs.replace(EP, auth=[ident.kind], clients=1)])
            store.add_alerts(
                [
                    Alert(
                        detector="bola",
                        severity="high",
                        actor=ident.actor,
                        endpoint=key,
                        evidence={"credential": ident.fingerprint, "location": ident.location},
                    )
                ]
            )
            store.save_state("identities", msgspec.msgpack.encode([ident]))
            store.record_run({"actors": [ident.actor], "fingerprints": [ident.fingerprint]})
    stored = _files_bytes(db)
    # What we were given is there...
    assert ident.fingerprint.encode() in stored and b"client:patient-app" in stored
    # ...and no form of the raw credential is: the token, its parts, its secret claim.
    header, payload, signature = token.split(".")
    for needle in (token, header + "." + payload, payload, signature, canary):
        assert needle.encode() not in stored, needle
    assert base64.urlsafe_b64encode(canary.encode()).rstrip(b"=") not in stored


def test_read_modify_write_in_a_transaction_loses_no_update(tmp_path: Path) -> None:
    # The write lock is taken at BEGIN, so no other writer can commit between this
    # transaction's read of the state and its write (a deferred BEGIN would let one in).
    db = tmp_path / "p.db"
    with open_store(db) as first, open_store(db, busy_timeout_s=0.05) as second:
        first.save_state("counter", b"1")
        with first.transaction():
            seen = first.load_state("counter") or b""
            with pytest.raises(StoreError, match="locked"):
                second.save_state("counter", b"9")
            first.save_state("counter", seen + b"+1")
        assert second.load_state("counter") == b"1+1"


def test_opening_a_current_database_to_read_writes_nothing(tmp_path: Path) -> None:
    # Readers (phiwatch inventory, a dashboard) must not need the write lock or change the file.
    db = tmp_path / "p.db"
    with open_store(db) as store:
        store.save_endpoints([EP])
    before = db.read_bytes()
    with open_store(db, create=False) as store:
        assert store.load_endpoints() == [EP]
        assert store.last_run() is None
    assert db.read_bytes() == before


def test_blobs_written_by_older_or_newer_code_still_load(tmp_path: Path) -> None:
    # Rows are keyed by field name: a field added to Endpoint later takes its default when an
    # old row lacks it, and a field a newer phiwatch wrote is ignored. No migration needed.
    db = tmp_path / "p.db"
    open_store(db).close()
    row = {"method": "GET", "host": "h.example.org", "path": "/x/{id}", "status": "shadow", "requests": 2}
    row |= {"retired_or_future_field": [1, 2]}
    conn = _raw(db)
    conn.execute(
        "INSERT INTO endpoints (method, host, path, status, requests, data) VALUES (?, ?, ?, ?, ?, ?)",
        ("GET", "h.example.org", "/x/{id}", "shadow", 2, msgspec.msgpack.encode(row)),
    )
    conn.close()
    with open_store(db) as store:
        (ep,) = store.load_endpoints(status="shadow")
    assert ep == Endpoint(method="GET", host="h.example.org", path="/x/{id}", status="shadow", requests=2)

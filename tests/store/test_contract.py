"""The Store contract, run against every backend in conftest.BACKENDS through the Protocol only."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phiwatch.errors import StoreError
from phiwatch.model import Alert, Endpoint, EndpointKey, Finding
from phiwatch.store import Store
from tests.store.conftest import OpenStore

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z

PATIENT_READ = Endpoint(
    method="GET",
    host="fhir.stmarys-health.org",
    path="/fhir/r4/Patient/{id}",
    status="documented",
    requests=1843,
    clients=12,
    auth=["jwt"],
    phi=["address", "date", "name", "phone"],
    first_seen=T0 + 0.125,
    last_seen=T0 + 86_399.987654321,
    spec="St Mary's FHIR API GET /Patient/{id}",
    query_params=["_format"],
    statuses={"200": 1790, "404": 53},
    phi_counts={"name": 1790, "date": 1790, "address": 1702, "phone": 1650},
)
LAB_EXPORT = Endpoint(
    method="GET",
    host="lab.stmarys-health.org",
    path="/internal/lab-results/export",
    status="shadow",
    reason="seen in traffic, in no spec",
    requests=37,
    clients=1,
    auth=["api_key"],
    phi=["mrn", "name", "loinc"],
    phi_in_url=True,
    first_seen=T0 + 3600,
    last_seen=T0 + 7200,
    query_params=["mrn", "from"],
    statuses={"200": 37},
)
BILLING_V1 = Endpoint(
    method="POST",
    host="api.stmarys-health.org",
    path="/billing/v1/claims",
    status="zombie",
    reason="deprecated in spec; /billing/v2/claims exists",
    requests=5,
    clients=2,
    auth=["basic", "jwt"],
    deprecated=True,
    first_seen=T0,
    last_seen=T0 + 10,
)
ORPHAN = Endpoint(
    method="DELETE", host="fhir.stmarys-health.org", path="/fhir/r4/Patient/{id}", status="orphan"
)
INVENTORY = [PATIENT_READ, LAB_EXPORT, BILLING_V1, ORPHAN]


def _sorted(rows: list[Endpoint]) -> list[Endpoint]:
    return sorted(rows, key=lambda e: (e.host, e.path, e.method))


def test_fresh_store_is_empty_and_current(store: Store) -> None:
    assert store.schema_version >= 1
    assert store.load_endpoints() == []
    assert store.load_state("inventory") is None
    assert store.last_run() is None
    assert store.load_findings() == []
    assert store.load_alerts() == []
    assert store.load_sources() == []


def test_endpoints_round_trip_every_field(open_fresh: OpenStore) -> None:
    with open_fresh() as store:
        store.save_endpoints(INVENTORY)
    with open_fresh() as store:
        loaded = store.load_endpoints()
    assert loaded == _sorted(INVENTORY)
    # Equality of Structs is field by field; compare the encodings too, so float bits count.
    assert [msgspec.msgpack.encode(e) for e in loaded] == [
        msgspec.msgpack.encode(e) for e in _sorted(INVENTORY)
    ]


@pytest.mark.parametrize(
    ("status", "host", "expected"),
    [
        ("shadow", None, [LAB_EXPORT]),  # one status
        ("zombie", None, [BILLING_V1]),
        (None, "fhir.stmarys-health.org", [PATIENT_READ, ORPHAN]),  # host, both methods on one path
        ("orphan", "fhir.stmarys-health.org", [ORPHAN]),  # both filters together
        ("shadow", "fhir.stmarys-health.org", []),  # filters that exclude each other
        ("Shadow", None, []),  # near miss: statuses are lower-case names, matched exactly
        (None, "stmarys-health.org", []),  # near miss: a parent domain is another host
        (None, "LAB.StMarys-Health.org", [LAB_EXPORT]),  # host names are case-insensitive
    ],
)
def test_load_endpoints_filters(
    store: Store, status: str | None, host: str | None, expected: list[Endpoint]
) -> None:
    store.save_endpoints(INVENTORY)
    assert store.load_endpoints(status=status, host=host) == _sorted(expected)


def test_save_endpoints_replaces_the_snapshot(store: Store) -> None:
    store.save_endpoints(INVENTORY)
    updated = msgspec.structs.replace(LAB_EXPORT, requests=40, last_seen=T0 + 9000)
    store.save_endpoints([PATIENT_READ, updated])
    assert store.load_endpoints() == _sorted([PATIENT_READ, updated])
    store.save_endpoints([])
    assert store.load_endpoints() == []


def test_duplicate_endpoint_key_is_an_error_and_keeps_the_old_snapshot(store: Store) -> None:
    store.save_endpoints(INVENTORY)
    with pytest.raises(StoreError):
        store.save_endpoints([LAB_EXPORT, msgspec.structs.replace(LAB_EXPORT, requests=1)])
    assert store.load_endpoints() == _sorted(INVENTORY)


_text = st.text(max_size=30)
_names = st.lists(st.sampled_from(["name", "ssn", "mrn", "date", "npi", "clinical"]), unique=True)
_time = st.none() | st.floats(allow_nan=False, allow_infinity=False)
_endpoints = st.builds(
    Endpoint,
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "PROPFIND"]),
    host=_text,
    path=_text,
    status=st.sampled_from(["documented", "shadow", "zombie", "orphan", "undocumented"]),
    reason=_text,
    requests=st.integers(0, 2**63 - 1),
    clients=st.integers(0, 2**31),
    auth=_names,
    phi=_names,
    phi_in_url=st.booleans(),
    first_seen=_time,
    last_seen=_time,
    spec=st.none() | _text,
    query_params=st.lists(_text, max_size=4),
    statuses=st.dictionaries(st.sampled_from(["200", "201", "404", "500"]), st.integers(0, 10**9)),
    phi_counts=st.dictionaries(st.sampled_from(["name", "ssn"]), st.integers(0, 10**9)),
    deprecated=st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_endpoints, max_size=5, unique_by=lambda e: (e.method, e.host, e.path)))
def test_any_inventory_round_trips(store: Store, rows: list[Endpoint]) -> None:
    store.save_endpoints(rows)
    assert store.load_endpoints() == _sorted(rows)


def test_state_blobs_are_opaque_bytes(open_fresh: OpenStore) -> None:
    blob = bytes(range(256)) * 1000 + b"\x00"  # NUL bytes and every value survive
    with open_fresh() as store:
        store.save_state("inventory", blob)
        store.save_state("learner", b"")
        store.save_state("inventory", blob + b"v2")  # a second save replaces
    with open_fresh() as store:
        assert store.load_state("inventory") == blob + b"v2"
        assert store.load_state("learner") == b""  # saved empty is not missing
        assert store.load_state("Inventory") is None  # names are case-sensitive


def test_sources_dedup_by_fingerprint(open_fresh: OpenStore) -> None:
    fp = "blake2b:1234:" + "ab" * 32
    with open_fresh() as store:
        assert not store.source_seen(fp)
        assert store.record_source(fp, "traffic/monday.har", 1200, 3, source_format="har", size=1234)
    with open_fresh() as store:
        assert store.source_seen(fp)
        # The same content under another name: already known, the first record stays.
        assert not store.record_source(fp, "copy-of-monday.har", 1200, 3, source_format="har")
        assert not store.source_seen("blake2b:1234:" + "ac" * 32)  # near miss: one digit differs
        (rec,) = store.load_sources()
    assert (rec.path, rec.format, rec.events, rec.rejected, rec.size) == (
        "traffic/monday.har",
        "har",
        1200,
        3,
        1234,
    )


def test_runs_are_numbered_and_last_run_is_the_latest(store: Store) -> None:
    first = store.record_run(
        {"events": 10, "rejected": 0}, started_at=T0, finished_at=T0 + 1, inputs=["a.har"]
    )
    second = store.record_run(
        {"events": 25, "endpoints_by_status": {"shadow": 1}, "formats": {"har": 1}},
        started_at=T0 + 100,
        finished_at=T0 + 102.5,
        inputs=["b.jsonl", "c.log.gz"],
    )
    assert second > first
    assert store.last_run() == {
        "id": second,
        "started_at": T0 + 100,
        "finished_at": T0 + 102.5,
        "inputs": ["b.jsonl", "c.log.gz"],
        "summary": {"events": 25, "endpoints_by_status": {"shadow": 1}, "formats": {"har": 1}},
    }


def test_run_summary_must_be_json(store: Store) -> None:
    with pytest.raises(StoreError, match="JSON"):
        store.record_run({"when": object()})
    assert store.last_run() is None


KEY = EndpointKey("GET", "fhir.stmarys-health.org", "/fhir/r4/Patient/{id}")


def _finding(fid: str, severity: str, *, check: str = "phi_without_auth", **kw: Any) -> Finding:
    return Finding(
        id=fid, check=check, title=check.replace("_", " "), severity=severity, owasp="API2:2023", **kw
    )


def test_findings_dedup_across_runs_first_and_last_seen(open_fresh: OpenStore) -> None:
    a = _finding("f-1", "high", hipaa=("164.312(d)",), endpoint=KEY, evidence={"requests": 3})
    b = _finding("f-2", "medium", check="verbose_errors")
    with open_fresh() as store:
        store.upsert_findings([a, b], seen_at=T0)
    with open_fresh() as store:  # the next run sees f-1 again, with new evidence
        store.upsert_findings([msgspec.structs.replace(a, evidence={"requests": 9})], seen_at=T0 + 3600)
        found = {f.id: f for f in store.load_findings()}
    assert len(found) == 2
    assert found["f-1"].first_seen == T0 and found["f-1"].last_seen == T0 + 3600
    assert found["f-1"].evidence == {"requests": 9}
    assert found["f-1"].hipaa == ("164.312(d)",) and found["f-1"].endpoint == KEY
    assert (found["f-2"].first_seen, found["f-2"].last_seen) == (T0, T0)


def test_findings_times_never_move_inward(store: Store) -> None:
    # Analyzing older logs later must not make a finding look newer or older than it is.
    store.upsert_findings([_finding("f", "low", first_seen=T0 + 50, last_seen=T0 + 60)])
    store.upsert_findings([_finding("f", "low", first_seen=T0 + 10, last_seen=T0 + 20)])
    (f,) = store.load_findings()
    assert (f.first_seen, f.last_seen) == (T0 + 10, T0 + 60)


def test_load_findings_filters_and_order(store: Store) -> None:
    other = EndpointKey("GET", "lab.stmarys-health.org", "/internal/lab-results/export")
    store.upsert_findings(
        [
            _finding("z-info", "info", check="no_rate_limit"),
            _finding("b-crit", "critical", endpoint=other),
            _finding("a-high", "high", endpoint=KEY),
            _finding("a-crit", "critical", check="no_rate_limit", endpoint=KEY),
        ],
        seen_at=T0,
    )
    # Most severe first, then by id.
    assert [f.id for f in store.load_findings()] == ["a-crit", "b-crit", "a-high", "z-info"]
    assert [f.id for f in store.load_findings(severity="critical")] == ["a-crit", "b-crit"]
    assert [f.id for f in store.load_findings(check="no_rate_limit")] == ["a-crit", "z-info"]
    assert [f.id for f in store.load_findings(endpoint_path=KEY.path)] == ["a-crit", "a-high"]
    assert [f.id for f in store.load_findings(check="no_rate_limit", severity="info")] == ["z-info"]
    assert store.load_findings(endpoint_path="/fhir/r4/Patient") == []  # near miss: not a prefix match


def test_alerts_append_and_filter(open_fresh: OpenStore) -> None:
    bola = Alert(
        detector="bola",
        severity="high",
        actor="client:patient-app",
        endpoint=KEY,
        first_seen=T0 + 5,
        last_seen=T0 + 65,
        count=41,
        action="deny",
        evidence={"distinct_patients": 41, "own_patient": "a1f3c9e2d4b5a6f7"},
    )
    stuffing = Alert(detector="credential_stuffing", severity="medium", actor="ip:203.0.113.7", first_seen=T0)
    with open_fresh() as store:
        store.add_alerts([bola, stuffing])
        store.add_alerts([msgspec.structs.replace(bola, first_seen=T0 + 900, last_seen=T0 + 960, count=3)])
    with open_fresh() as store:
        assert store.load_alerts() == [
            stuffing,
            bola,
            msgspec.structs.replace(bola, first_seen=T0 + 900, last_seen=T0 + 960, count=3),
        ]
        assert store.load_alerts(detector="credential_stuffing") == [stuffing]
        assert len(store.load_alerts(detector="bola", severity="high")) == 2
        assert store.load_alerts(detector="bola", severity="medium") == []


def test_transaction_rolls_back_everything_on_exception(store: Store) -> None:
    store.save_state("inventory", b"run-1")
    store.save_endpoints([PATIENT_READ])
    store.record_run({"events": 1})

    class Crash(Exception):
        pass

    with pytest.raises(Crash), store.transaction():
        store.record_source("blake2b:1:" + "00" * 32, "tuesday.har", 5, 0)
        store.save_state("inventory", b"run-2")
        store.save_endpoints(INVENTORY)
        store.upsert_findings([_finding("f", "high")])
        store.add_alerts([Alert(detector="bola", severity="high", actor="client:x")])
        store.record_run({"events": 6})
        assert store.load_state("inventory") == b"run-2"  # visible inside the transaction
        raise Crash
    assert store.load_state("inventory") == b"run-1"
    assert store.load_endpoints() == [PATIENT_READ]
    assert store.last_run() is not None and store.last_run()["summary"] == {"events": 1}  # type: ignore[index]
    assert not store.source_seen("blake2b:1:" + "00" * 32)
    assert store.load_findings() == [] and store.load_alerts() == []


def test_nested_transaction_undoes_only_the_inner_block(store: Store) -> None:
    with store.transaction():
        store.save_state("a", b"outer")
        with pytest.raises(ValueError), store.transaction():
            store.save_state("b", b"inner")
            raise ValueError
        store.save_state("c", b"after")
    assert (store.load_state("a"), store.load_state("b"), store.load_state("c")) == (b"outer", None, b"after")


def test_key_is_created_once_and_kept(open_fresh: OpenStore) -> None:
    with open_fresh() as store:
        key = store.get_or_create_key()
        assert store.get_or_create_key() == key
    with open_fresh() as store:
        assert store.get_or_create_key() == key
    assert len(key) == 32 and key != bytes(32)


def test_env_key_overrides(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    own = store.get_or_create_key()
    monkeypatch.setenv("PHIWATCH_KEY", "0f" * 32)
    assert store.get_or_create_key() == bytes.fromhex("0f" * 32)
    monkeypatch.delenv("PHIWATCH_KEY")
    assert store.get_or_create_key() == own  # the override was not written over the stored key


def test_closed_store_refuses_use(open_fresh: OpenStore) -> None:
    store = open_fresh()
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.load_endpoints()

"""The endpoint inventory: per-endpoint statistics, learned merges, persistence, bounds."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.inventory import MAX_QUERY_PARAMS, DiscoverStage, Inventory, query_names
from phiwatch.discovery.learning import PathLearner
from phiwatch.discovery.templating import Templater
from phiwatch.errors import StoreError
from phiwatch.model import AUTH_API_KEY, AUTH_JWT, AUTH_NONE, Endpoint, EndpointKey, Event, Identity
from phiwatch.pipeline import Pipeline
from tests.factories import tevent

FHIR = "fhir.example.org"
T0 = 1_767_225_600.0


def _jwt(client: str) -> Identity:
    return Identity(kind=AUTH_JWT, fingerprint="fp-" + client, client_id=client, scopes=("patient/*.read",))


def _row(inv: Inventory, method: str, path: str, host: str = FHIR) -> Endpoint:
    rows = [e for e in inv.endpoints() if (e.method, e.host, e.path) == (method, host, path)]
    assert len(rows) == 1, [(e.method, e.path) for e in inv.endpoints()]
    return rows[0]


def test_add_sets_and_returns_the_endpoint() -> None:
    inv = Inventory()
    ev = tevent("GET", "/fhir/R4/Patient/8f1c2d4e-0b6a-4c1e-9a52-3f7d1c0e9b11/_history/3", host=FHIR)
    key = inv.add(ev)
    assert key == EndpointKey("GET", FHIR, "/fhir/R4/Patient/{id}/_history/{vid}")
    assert ev.endpoint is key
    # the same key object is shared by every event of the endpoint (no per-event allocation)
    assert inv.add(tevent("GET", "/fhir/R4/Patient/other/_history/1", host=FHIR)) is key


def test_statistics_per_endpoint() -> None:
    inv = Inventory()
    events = [
        tevent("GET", "/Patient/1", host=FHIR, ts=T0 + 50, status=200, identity=_jwt("app-a")),
        tevent("GET", "/Patient/2", host=FHIR, ts=T0 + 10, status=200, identity=_jwt("app-a")),  # earlier
        tevent("GET", "/Patient/3", host=FHIR, ts=T0 + 90, status=404, identity=_jwt("app-b")),
        tevent("GET", "/Patient/4", host=FHIR, ts=T0 + 20, status=200, client_ip="10.9.9.9"),  # anonymous
        tevent("GET", "/Patient/5", host=FHIR, ts=T0 + 30, status=401, client_ip="10.9.9.9"),
        tevent(
            "GET",
            "/Patient/6",
            host=FHIR,
            ts=T0 + 40,
            status=200,
            client_ip="10.7.7.7",
            identity=Identity(kind=AUTH_API_KEY, fingerprint="k1"),
        ),
        tevent("POST", "/Patient", host=FHIR, ts=T0, status=201, identity=_jwt("app-a")),
    ]
    for ev in events:
        inv.add(ev)
    read = _row(inv, "GET", "/Patient/{id}")
    assert read.requests == 6
    assert read.clients == 4  # app-a, app-b, 10.9.9.9, the API key
    assert read.auth == [AUTH_API_KEY, AUTH_JWT, AUTH_NONE]
    assert read.statuses == {"200": 4, "401": 1, "404": 1}
    assert (read.first_seen, read.last_seen) == (T0 + 10, T0 + 90)  # robust to out-of-order events
    assert read.status == "undocumented" and read.reason
    create = _row(inv, "POST", "/Patient")
    assert (create.requests, create.clients, create.statuses) == (1, 1, {"201": 1})
    assert len(inv) == 2


def test_query_parameter_names_not_values() -> None:
    inv = Inventory()
    queries = [
        "family=Smith&birthdate=1970-01-01",
        "subject%3APatient=123&_count=50",  # encoded chained name
        "code=http%3A%2F%2Floinc.org%7C1234-5&code=x",  # repeated name
        "flag&=novalue&_sort=-date",  # bare flag, empty name
        "",
    ]
    for q in queries:
        inv.add(tevent("GET", "/Observation", host=FHIR, query=q))
    row = _row(inv, "GET", "/Observation")
    assert row.query_params == ["_count", "_sort", "birthdate", "code", "family", "flag", "subject:Patient"]
    assert not any("Smith" in p or "1970" in p or "loinc" in p for p in row.query_params)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1706659200", []),  # cache-buster without "=": a value, not a name
        ("jane.doe%40example.org", []),  # an email as a bare query
        ("123-45-6789=1", []),  # an SSN where a name should be
        ("mrn=MRN00012345", ["mrn"]),  # the name stays, the value never
        ("a" * 65 + "=1", []),  # longer than any parameter name
        ("page%5Bsize%5D=10&utm_source=x", ["page[size]", "utm_source"]),  # decoded names
    ],
)
def test_query_names_never_keep_values(query: str, expected: list[str]) -> None:
    assert sorted(query_names(query)) == expected


def test_query_parameter_names_are_capped_order_independently() -> None:
    names = [f"p{i:03d}" for i in range(MAX_QUERY_PARAMS * 2)]
    kept = []
    for order in (names, list(reversed(names))):
        inv = Inventory()
        for n in order:
            inv.add(tevent("GET", "/search-api/find", host=FHIR, query=f"{n}=1"))
        kept.append(_row(inv, "GET", "/search-api/find").query_params)
    assert kept[0] == kept[1] == names[:MAX_QUERY_PARAMS]


def test_learned_parameters_merge_counted_endpoints() -> None:
    inv = Inventory()
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
    keys = []
    for i, u in enumerate(users):
        for _ in range(3):
            keys.append(inv.add(tevent("GET", f"/users/{u}", host="app.example.org", ts=T0 + i, client_ip=u)))
    row = _row(inv, "GET", "/users/{id}", host="app.example.org")
    assert (row.requests, row.clients, row.first_seen, row.last_seen) == (30, 10, T0, T0 + 9)
    assert len(inv) == 1
    assert keys[-1] == EndpointKey("GET", "app.example.org", "/users/{id}")
    # later events go straight to the learned template
    assert inv.add(tevent("GET", "/users/zoe", host="app.example.org")) == keys[-1]


def test_near_miss_fixed_sub_resources_stay_apart() -> None:
    inv = Inventory()
    for r in ("orders", "users", "items", "carts", "reviews", "search"):
        for _ in range(5):
            inv.add(tevent("GET", f"/api/v1/{r}", host="shop.example.org"))
    assert sorted(e.path for e in inv.endpoints()) == [
        f"/api/v1/{r}" for r in sorted(("orders", "users", "items", "carts", "reviews", "search"))
    ]


def test_learning_can_be_disabled() -> None:
    inv = Inventory(learn=False)
    for u in "abcdefghijkl":
        inv.add(tevent("GET", f"/users/{u}x", host="h"))
    assert len(inv) == 12


def test_many_clients_switch_to_hyperloglog() -> None:
    inv = Inventory()
    for i in range(5000):
        inv.add(tevent("GET", "/Patient/1", host=FHIR, client_ip=f"10.0.{i // 256}.{i % 256}"))
    clients = _row(inv, "GET", "/Patient/{id}").clients
    assert abs(clients - 5000) / 5000 < 0.1  # ~3 % standard error at 1024 registers


def _world(seed: int, n: int) -> list[Event]:
    """Realistic mixed traffic: FHIR reads/searches, a REST API with user names, static files."""
    rng = random.Random(seed)
    users = [f"user{c}{d}" for c in "abcdefgh" for d in "xyz"]
    apps = ["app-a", "app-b", "payer-1", None]
    out = []
    for i in range(n):
        app = rng.choice(apps)
        ident = _jwt(app) if app else None
        r = rng.random()
        if r < 0.4:
            path, host, q = f"/r4/Patient/{rng.randrange(10**6)}", FHIR, ""
        elif r < 0.55:
            path, host, q = (
                "/r4/Observation",
                FHIR,
                rng.choice(["patient=1&code=x", "subject=2", "_count=10"]),
            )
        elif r < 0.65:
            path, host, q = f"/r4/Patient/{rng.randrange(99)}/_history/{rng.randrange(5)}", FHIR, ""
        elif r < 0.9:
            path, host, q = f"/accounts/{rng.choice(users)}/settings", "app.example.org", "view=full"
        else:
            path, host, q = (
                rng.choice(["/static/app.min.js", "/metadata", "/v2/health"]),
                "app.example.org",
                "",
            )
        ts = T0 + i + rng.uniform(-30, 30)  # a little out of order, as merged logs are
        out.append(
            tevent(
                rng.choice(["GET", "GET", "POST"]),
                path,
                host=host,
                query=q,
                ts=ts,
                status=rng.choice([200, 200, 404, 500]),
                client_ip=f"10.1.{rng.randrange(4)}.{rng.randrange(200)}",
                identity=ident,
            )
        )
    return out


def _analyze(events: list[Event], inv: Inventory | None = None) -> Inventory:
    inv = inv if inv is not None else Inventory()
    for ev in events:
        inv.add(ev)
    return inv


def test_round_trip_is_lossless() -> None:
    inv = _analyze(_world(1, 3000))
    data = inv.to_bytes()
    again = Inventory.from_bytes(data)
    assert again.endpoints() == inv.endpoints()
    assert again.to_bytes() == data


def test_incremental_equals_batch() -> None:
    events = _world(2, 4000)
    a, b = events[:1700], events[1700:]
    batch = _analyze(events)
    # file A, saved; next run loads it and analyses file B
    incremental = _analyze(b, Inventory.from_bytes(_analyze(a).to_bytes()))
    assert incremental.endpoints() == batch.endpoints()
    assert incremental.to_bytes() == batch.to_bytes()
    assert any(e.path == "/accounts/{id}/settings" for e in batch.endpoints())


def test_merge_equals_batch() -> None:
    events = _world(3, 4000)
    batch = _analyze(events)
    left, right = _analyze(events[::2]), _analyze(events[1::2])
    left.merge(right)
    assert left.endpoints() == batch.endpoints()
    assert left.to_bytes() == batch.to_bytes()


def test_from_bytes_rejects_damaged_state() -> None:
    data = _analyze(_world(4, 200)).to_bytes()
    for bad in (b"", b"\xc1", data[: len(data) // 2], b"\x81\xa7version\x02"):
        with pytest.raises(StoreError):
            Inventory.from_bytes(bad)


def test_memory_bounds() -> None:
    inv = Inventory(templater=Templater(cache_size=64), learner=PathLearner(max_nodes=20), max_endpoints=10)
    for i in range(3000):
        inv.add(tevent("GET", f"/w{i}x/page", host="h", client_ip=f"c{i}"))
    assert len(inv) == 10
    assert inv.overflow == 3000 - 10
    assert inv.templater.cache_len() <= 128
    assert inv.learner is not None and inv.learner.node_count() <= 20


def test_discover_stage_in_a_pipeline() -> None:
    stage = DiscoverStage()
    assert stage.name == "discover"
    pipeline = Pipeline([stage], strict=True)
    ev = pipeline.run(tevent("GET", "/Patient/123/$everything", host=FHIR))
    assert ev.endpoint == EndpointKey("GET", FHIR, "/Patient/{id}/$everything")
    assert [e.path for e in stage.inventory.endpoints()] == ["/Patient/{id}/$everything"]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=600))
def test_incremental_equals_batch_at_any_split(seed: int, split: int) -> None:
    events = _world(seed, 600)
    batch = _analyze(events)
    incremental = _analyze(events[split:], Inventory.from_bytes(_analyze(events[:split]).to_bytes()))
    assert incremental.to_bytes() == batch.to_bytes()


def test_shared_identities_count_their_actor_or_the_callers_address() -> None:
    """Identities are shared objects (the reader caches them): one that names an actor counts
    once from any address; one that names none (no credential) counts each address."""
    inv = Inventory()
    app, anonymous = _jwt("app-a"), Identity()
    for i in range(5):
        inv.add(tevent("GET", f"/Patient/{i}", host=FHIR, client_ip=f"10.0.0.{i}", identity=app))
        inv.add(tevent("GET", f"/Patient/{i}", host=FHIR, client_ip=f"10.0.1.{i}", identity=anonymous))
    assert _row(inv, "GET", "/Patient/{id}").clients == 1 + 5


def test_fresh_identity_objects_beyond_the_cache_still_count_right() -> None:
    """Past the per-identity cache's cap it is dropped; a new object at a reused id() must not
    inherit another's actor: 6000 one-off identities of 3 clients are 3 clients."""
    inv = Inventory()
    for i in range(6000):
        inv.add(tevent("GET", "/Patient/1", host=FHIR, client_ip="10.0.0.1", identity=_jwt(f"app-{i % 3}")))
    assert _row(inv, "GET", "/Patient/{id}").clients == 3

"""bola_ownership: many foreign object ids beyond peers, probing, ownership from lists."""

from __future__ import annotations

import orjson

from phiwatch.detect.base import DetectContext
from phiwatch.detect.bola_ownership import BolaOwnership
from phiwatch.detect.options import BolaOwnershipOptions, DetectOptions
from phiwatch.model import Event, Identity
from tests.factories import tevent

T0 = 1_767_225_600.0
USER = Identity(kind="jwt", fingerprint="u", client_id="portal-mobile", subject="acct-1")
PAYER = Identity(kind="jwt", fingerprint="p", client_id="payer", subject="payer", scopes=("system/*.read",))


def run(events: list[Event], **opts: object) -> BolaOwnership:
    ctx = DetectContext(DetectOptions(max_keys=int(opts.pop("max_keys", 100_000))))  # type: ignore[call-overload]
    det = BolaOwnership(ctx, BolaOwnershipOptions(**opts))  # type: ignore[arg-type]
    for ev in events:
        det.process(ev)
    return det


def walk(n: int, ident: Identity | None = USER, ok_every: int = 2, start: int = 3_100_000_000) -> list[Event]:
    return [
        tevent(
            path=f"/v2/invoices/{start + k}",
            status=200 if k % ok_every == 0 else 404,
            ts=T0 + k,
            identity=ident,
        )
        for k in range(n)
    ]


def test_enumeration_walk_is_high() -> None:
    (a,) = run(walk(60)).alerts()
    assert (
        a.severity == "high"
        and a.evidence["reason"] == "ids_beyond_peers"
        and a.evidence["distinct_ids"] == 60
    )
    assert a.endpoint is not None and a.endpoint.path == "/v2/invoices/{id}"


def test_mostly_refused_walk_is_medium() -> None:
    (a,) = run(walk(40, ok_every=100)).alerts()
    assert a.severity == "medium"


def test_probing_ratio_below_distinct_threshold() -> None:
    events = [tevent(path=f"/v2/invoices/{k % 5}", status=404, ts=T0 + k, identity=USER) for k in range(25)]
    (a,) = run(events).alerts()
    assert a.evidence["reason"] == "probing" and a.severity == "medium"


def test_benign_look_alikes() -> None:
    assert run(walk(29, ok_every=1)).alerts() == []  # below min_distinct, all found
    assert run(walk(100, ident=PAYER)).alerts() == []  # system scope: population-level by design
    same = [tevent(path="/v2/invoices/3100000001", ts=T0 + k, identity=USER) for k in range(200)]
    assert run(same).alerts() == []  # one object, many times
    # A supplier that lists invoices, then opens each: the ids were given to it (owned).
    owned: list[Event] = []
    for k in range(80):
        inv = str(3_100_000_000 + k)
        body = orjson.dumps({"data": [{"id": inv}]})
        owned.append(tevent(path="/v2/invoices", resp_body=body, ts=T0 + 2 * k, identity=USER))
        owned.append(tevent(path=f"/v2/invoices/{inv}", ts=T0 + 2 * k + 1, identity=USER))
    assert run(owned).alerts() == []


def test_peer_baseline_raises_threshold() -> None:
    # 25 peers each read 20 ids in the first window: quantile 20, x5 = 100 > the walker's 60.
    peers = [
        Identity(kind="jwt", fingerprint=f"p{p}", client_id="app", subject=f"s{p}", subject_key=f"k{p}")
        for p in range(25)
    ]
    events = [
        tevent(path=f"/v2/invoices/{k}", ts=T0 + 25 * p + k, identity=ident)
        for p, ident in enumerate(peers)
        for k in range(20)
    ]
    events += [tevent(path="/v2/invoices/1", ts=T0 + 3600 + p, identity=i) for p, i in enumerate(peers)]
    events += [tevent(path=f"/v2/invoices/{5000 + k}", ts=T0 + 4000 + k, identity=USER) for k in range(60)]
    alerts = run(events, min_distinct=30).alerts()
    assert alerts == []
    walker = run(events[-60:], min_distinct=30).alerts()  # the same walk without peers: alerted
    assert len(walker) == 1


def test_no_identity_uses_ip_and_allowlist_never_alerts() -> None:
    (a,) = run(walk(40, ident=None)).alerts()
    assert a.actor == "ip:10.1.2.3"
    ctx = DetectContext(DetectOptions(allowlist=("10.0.0.0/8",)))
    det = BolaOwnership(ctx, BolaOwnershipOptions())
    for ev in walk(40, ident=None):
        det.process(ev)
    assert det.alerts() == []


def test_state_is_capped() -> None:
    events = [
        tevent(
            path=f"/v2/invoices/{k}",
            ts=T0 + k,
            identity=Identity(kind="jwt", fingerprint=f"f{k}", subject=f"s{k}"),
        )
        for k in range(500)
    ]
    det = run(events, max_keys=50)
    assert len(det.uses) == 50 and det.stats()["evicted"] == 450
    det2 = run(walk(3000, ok_every=1), ids_cap=100)
    (a,) = det2.alerts()
    assert a.evidence["distinct_ids"] == 3000  # exact set capped at 100, the rest counted

"""flood: endpoint rate vs a time-of-day baseline, per-client spikes, expensive requests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.detect.base import DetectContext, DetectOptions
from phiwatch.detect.flood import Flood, FloodOptions, _Rate
from phiwatch.model import Event, Identity
from tests.factories import tevent

T0 = 1_767_225_600.0  # 00:00 UTC


def run(
    events: list[Event], allowlist: tuple[str, ...] = (), max_keys: int = 100_000, **opts: object
) -> Flood:
    ctx = DetectContext(DetectOptions(allowlist=allowlist, max_keys=max_keys))
    det = Flood(ctx, FloodOptions(**opts))  # type: ignore[arg-type]
    for ev in events:
        det.process(ev)
    return det


def burst(
    n: int, seconds: float, sources: int, t0: float = T0, path: str = "/PractitionerRole"
) -> list[Event]:
    return [
        tevent(
            path=path,
            host="directory.example.org",
            ts=t0 + seconds * k / n,
            client_ip=f"198.51.{k % sources // 250}.{k % sources % 250}",
        )
        for k in range(n)
    ]


def test_client_rate_flood_from_few_bots() -> None:
    det = run(burst(2400, 60, sources=4))
    reasons = {(a.actor, a.evidence["reason"], a.severity) for a in det.alerts()}
    assert {(f"ip:198.51.0.{b}", "client_rate", "high") for b in range(4)} <= reasons  # 600/min each
    assert ("*", "endpoint_rate", "low") in reasons  # no single bot holds 30 % of the minute
    one = {(a.actor, a.evidence["reason"], a.severity) for a in run(burst(2400, 60, sources=2)).alerts()}
    assert ("ip:198.51.0.0", "endpoint_rate", "high") in one  # concentrated: the top source is named


def test_flash_crowd_is_low_and_anonymous() -> None:
    det = run(burst(1200, 60, sources=1000))
    alerts = det.alerts()
    assert alerts and {(a.actor, a.severity) for a in alerts} == {("*", "low")}


def test_baseline_learns_time_of_day() -> None:
    # 40 minutes at 500/min teach the baseline; the same 700/min after that is normal ...
    events: list[Event] = []
    for m in range(40):
        events += burst(500, 59, sources=500, t0=T0 + 60 * m)
    events += burst(700, 59, sources=700, t0=T0 + 60 * 40)
    assert run(events).alerts() == []
    # ... while with no history 700/min crosses min_volume (600).
    assert run(burst(700, 59, sources=700)).alerts()


def test_expensive_requests() -> None:
    ident = Identity(kind="jwt", fingerprint="s", client_id="ehr-sync", subject="svc")
    events = [
        tevent(path=f"/r4/Patient/{k}/$everything", ts=T0 + k * 0.5, identity=ident) for k in range(120)
    ]
    (a,) = run(events).alerts()
    assert a.evidence["reason"] == "expensive" and a.severity == "high"
    cheap = [tevent(path=f"/r4/Patient/{k}", ts=T0 + k * 0.5, identity=ident) for k in range(120)]
    assert run(cheap).alerts() == []


@pytest.mark.parametrize(
    ("events", "allow", "why"),
    [
        (burst(2400, 60, sources=4), ("198.51.0.0/16",), "allowlisted load tester"),
        (burst(299, 60, sources=1), (), "one client just under client_min"),
        (burst(2000, 600, sources=1), (), "the same volume spread over ten minutes"),
    ],
)
def test_benign_look_alike(events: list[Event], allow: tuple[str, ...], why: str) -> None:
    assert run(events, allowlist=allow).alerts() == [], why


def test_clock_jump_and_state_cap() -> None:
    events = burst(100, 60, sources=100)
    events.append(tevent(path="/PractitionerRole", ts=T0 + 30 * 86400))  # stray future stamp
    events += burst(10, 1, sources=10, t0=T0 + 61)
    det = run(events)
    assert det.ctx.skipped["future_timestamp"] == 1 and det.alerts() == []
    many = [tevent(path=f"/p{k}", ts=T0 + k, client_ip=f"10.0.{k // 250}.{k % 250}") for k in range(3000)]
    det = run(many, max_keys=100)
    assert len(det.clients) == 100 and len(det.rates) == 10


# The top source of an endpoint minute is kept as counts grow (no rescan per request); it must
# always be what max() over the Misra-Gries counters names: the first of the largest.
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcdef"), max_size=80), st.integers(min_value=1, max_value=4))
def test_top_source_is_the_first_of_the_largest(actors: list[str], slots: int) -> None:
    flood = Flood(DetectContext(), FloodOptions(top_sources=slots))
    r = _Rate(0)
    for i, actor in enumerate(actors):
        if i % 29 == 28:
            flood._fold(r, r.minute + 1)  # a new minute starts from no counters
        flood._count_source(r, actor)
        expected = max(r.top.items(), key=lambda kv: kv[1]) if r.top else ("*", 0)
        assert flood._top(r) == expected, (actors[: i + 1], r.top)

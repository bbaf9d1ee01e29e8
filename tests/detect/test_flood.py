"""flood: endpoint rate vs a time-of-day baseline, per-client spikes, expensive requests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.detect.base import DetectContext
from phiwatch.detect.flood import Flood, _Rate
from phiwatch.detect.options import DetectOptions, FloodOptions
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


def _fold_every_minute(flood: Flood, r: _Rate, minute: int) -> None:
    """The plain definition of a fold: each closed minute (the empty ones after the first count
    0) capped at factor x its own baseline, then folded into the hour's and the day's EWMA."""
    o = flood  # the detector holds its settings as attributes
    for k in range(min(minute - r.minute, 61)):
        hour = ((r.minute + k) // 60) % 24
        base = flood.baseline(r, hour)
        x = float(r.count if k == 0 else 0)
        if base is not None:
            x = min(x, o.factor * max(base, 1.0))
        r.hours[hour] = x if r.hours_n[hour] == 0 else (1 - o.alpha) * r.hours[hour] + o.alpha * x
        r.hours_n[hour] += 1
        r.day = x if r.day_n == 0 else (1 - o.alpha) * r.day + o.alpha * x
        r.day_n += 1
    r.minute, r.count = minute, 0


# _fold skips the baseline of empty minutes (a 0 is never capped when factor >= 0): the
# baselines must come out bit for bit as the plain fold makes them, gaps and spikes included.
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 200), st.integers(0, 2000)), max_size=60),
    st.sampled_from([0.0, 0.5, 5.0]),
    st.integers(1, 5),
)
def test_fold_matches_the_plain_per_minute_fold(
    steps: list[tuple[int, int]], factor: float, min_samples: int
) -> None:
    flood = Flood(DetectContext(), FloodOptions(factor=factor, min_samples=min_samples))
    fast, plain = _Rate(0), _Rate(0)
    for gap, count in steps:
        fast.count = plain.count = count
        flood._fold(fast, fast.minute + gap)
        _fold_every_minute(flood, plain, plain.minute + gap)
        assert (fast.hours, fast.hours_n, fast.day, fast.day_n) == (
            plain.hours,
            plain.hours_n,
            plain.day,
            plain.day_n,
        )

"""Templating and inventory speed, as ratios to baselines measured in the same run.

    python bench/templating.py [--events N]
    python bench/templating.py --memory --events 1000000   # 10M events over 1M patient ids

Templater: cache misses (every path a new patient id, the worst case) and hits (repeated paths),
against ``path.split("/")`` per path. Inventory.add: per event, against a plain ``dict`` counter
on (method, host, path). Also prints peak RSS after the run (events built lazily, so the figure
is mostly the inventory and its caches). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable, Iterator

from phiwatch.discovery.inventory import Inventory
from phiwatch.discovery.templating import Templater
from phiwatch.model import AUTH_JWT, Event, Identity, Request, Response


def _paths(n: int) -> list[str]:
    shapes = (
        "/fhir/R4/Patient/{i}",
        "/fhir/R4/Patient/{i}/_history/2",
        "/fhir/R4/Observation/obs-{i}",
        "/fhir/R4/Patient/{i}/$everything",
        "/api/v2/invoices/INV{i:08d}",
        "/internal/lab-results/export",
    )
    return [shapes[i % len(shapes)].format(i=i) for i in range(n)]


def _events(n: int, distinct: int) -> Iterator[Event]:
    apps = [Identity(kind=AUTH_JWT, fingerprint=f"fp{i}", client_id=f"app-{i}") for i in range(20)]
    for i in range(n):
        pid = (i * 7919) % distinct
        yield Event(
            ts=1_767_225_600.0 + i * 0.001,
            request=Request(
                method="GET",
                path=f"/fhir/R4/Patient/{pid}" if i % 3 else f"/fhir/R4/Observation/{pid}",
                host="fhir.example.org",
                query="" if i % 2 else "_count=50&patient=123",
            ),
            response=Response(status=200),
            client_ip=f"10.0.{i % 250}.{i % 199}",
            identity=apps[i % 20] if i % 5 else None,
        )


def _time(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--memory", action="store_true", help="only the RSS run: 10 x EVENTS over EVENTS ids")
    args = ap.parse_args()
    n = args.events
    if args.memory:
        memory(n)
        return

    paths = _paths(n)
    base = _time(lambda: [p.split("/") for p in paths])
    cold = Templater(cache_size=1)  # every path is new: the cache never answers
    miss = _time(lambda: [cold.template(p) for p in paths])
    t = Templater()
    hot = paths[:1000] * (n // 1000)
    hit = _time(lambda: [t.template(p) for p in hot]) * n / len(hot)
    print(f"templater miss: {miss / n * 1e6:.2f} us/path ({miss / base:.1f}x split), {n / miss:,.0f} paths/s")
    print(f"templater hit:  {hit / n * 1e6:.3f} us/path ({hit / base:.2f}x split)")

    m = min(n, 200_000)
    for label, distinct in (("distinct ids", m), ("1k ids", 1000)):
        evs = list(_events(m, distinct=distinct))
        counts: dict[tuple[str, str, str], int] = {}

        def baseline(evs: list[Event] = evs, counts: dict[tuple[str, str, str], int] = counts) -> None:
            for e in evs:
                k = (e.request.method, e.request.host, e.request.path)
                counts[k] = counts.get(k, 0) + 1

        inv = Inventory()

        def run(evs: list[Event] = evs, add: Callable[[Event], object] = inv.add) -> None:
            for e in evs:
                add(e)

        b, a = _time(baseline), _time(run)
        rate = f"{a / m * 1e6:.2f} us/event ({a / b:.1f}x dict counter), {m / a:,.0f} ev/s"
        print(f"inventory.add ({label}): {rate}")


def memory(n: int) -> None:
    """10 events per distinct patient id, built one at a time: RSS is the inventory's."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    inv = Inventory()
    total = 10 * n
    t0 = time.perf_counter()
    for e in _events(total, distinct=n):
        inv.add(e)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{total:,} events over {n:,} patient ids: {total / dt:,.0f} ev/s (event build included), "
        f"{len(inv)} endpoints, peak RSS {rss:.0f} MiB (before the run: {before:.0f} MiB)"
    )


if __name__ == "__main__":
    main()

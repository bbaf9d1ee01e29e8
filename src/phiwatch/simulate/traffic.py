"""The scheduler: merges concurrent sessions of every actor into one time-ordered stream.

Session starts follow a Poisson process thinned by the business-hours load curve; each
running session sits in a heap keyed by the time of its next request, so sessions interleave
as they would on a real server while the output stays strictly ordered by time. Memory is
bounded by the number of sessions alive at once, not by the number of events.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

import orjson

from phiwatch.registry import import_all
from phiwatch.simulate import actors as actors_pkg
from phiwatch.simulate import clock
from phiwatch.simulate.actors import ACTORS, Actor, Session
from phiwatch.simulate.exchange import Emitted, Sim
from phiwatch.simulate.specs.capability import statement
from phiwatch.simulate.world import World

PEAK_SESSIONS_PER_S = 0.6


def emitted(seed: int, events: int) -> Iterator[Emitted]:
    """Exactly ``events`` exchanges, in time order, deterministic for ``seed``."""
    import_all(actors_pkg)
    world = World(seed, events)
    sim = Sim(world, seed, events)
    sim.capability = orjson.dumps(statement(world))
    actors: list[Actor] = [ACTORS.get(name)(sim) for name in ACTORS.names()]
    weights = [a.weight for a in actors]
    heap: list[tuple[int, int, Session]] = []
    seq = 0
    t0 = sim.now
    for a in actors:
        opening = a.opening(sim)
        if opening is not None:
            heapq.heappush(heap, (t0 + seq * 150, seq, opening))
            seq += 1
    rng = sim.rng
    arrival = clock.next_arrival(rng, t0 + 1000, PEAK_SESSIONS_PER_S)
    while sim.emitted < events:
        if heap and heap[0][0] <= arrival:
            ts, _, session = heapq.heappop(heap)
            sim.now = ts
            em = next(session, None)
            if em is None:
                continue
            yield em
            sim.emitted += 1
            heapq.heappush(heap, (ts + em.then_ms, seq, session))
        else:
            sim.now = arrival
            actor = rng.choices(actors, weights)[0]
            heapq.heappush(heap, (arrival, seq, actor.session(sim)))
            arrival = clock.next_arrival(rng, arrival, PEAK_SESSIONS_PER_S)
        seq += 1

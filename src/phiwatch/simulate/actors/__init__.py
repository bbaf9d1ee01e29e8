"""Client side: one module per calling application (patients' app, clinicians' app, payer, ...).

An actor decides what to request; the ``apis`` modules decide the responses. Each actor
module registers a factory in ``ACTORS``; the scheduler starts sessions of each actor in
proportion to its ``weight``. A session is an iterator of ``Emitted`` exchanges: the scheduler
sets ``sim.now`` before asking for the next one, and the exchange's ``then_ms`` says when the
session wants to continue. Later issues add attackers by adding a module here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from phiwatch.registry import Registry
from phiwatch.simulate.exchange import Emitted, Sim

Session = Iterator[Emitted]


class Actor(Protocol):
    name: str
    weight: float  # relative share of session starts

    def session(self, sim: Sim) -> Session: ...

    def opening(self, sim: Sim) -> Session | None:
        """A session started at time zero (app start-up), or None."""
        ...


ActorFactory = Callable[[Sim], Actor]
ACTORS: Registry[ActorFactory] = Registry("simulated actor")


def think(em: Emitted, sim: Sim, lo_ms: int, hi_ms: int) -> Emitted:
    """Add a user's think time before the session's next request."""
    em.then_ms += sim.rng.randint(lo_ms, hi_ms)
    return em


def ip_in(sim: Sim, prefix: str) -> str:
    return f"{prefix}.{sim.rng.randint(2, 254)}"

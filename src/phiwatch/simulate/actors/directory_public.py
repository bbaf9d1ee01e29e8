"""Anonymous visitors of the public Provider Directory (find-a-doctor pages, aggregators)."""

from __future__ import annotations

from phiwatch.simulate import vocab
from phiwatch.simulate.actors import ACTORS, Session, ip_in, think
from phiwatch.simulate.apis import directory
from phiwatch.simulate.exchange import FHIR_JSON, Client, Sim


class DirectoryPublic:
    name = "directory_public"
    weight = 8.0

    def __init__(self, sim: Sim) -> None:
        pass

    def opening(self, sim: Sim) -> Session | None:
        return None

    def session(self, sim: Sim) -> Session:
        rng, w = sim.rng, sim.world
        c = Client(
            "anonymous",
            ip_in(sim, rng.choice(("198.51.100", "203.0.113"))),
            rng.choice(vocab.UA_BROWSERS),
            FHIR_JSON,
        )
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.45:
                em = directory.practitioner_roles(sim, c, rng.randrange(len(vocab.SPECIALTIES)))
            elif roll < 0.8:
                idx = rng.randrange(w.n_practitioners) if rng.random() > 0.05 else None
                em = directory.practitioner(sim, c, idx)
            else:
                em = directory.locations(sim, c, rng.randrange(len(vocab.CITIES)))
            yield think(em, sim, 2000, 25_000)


ACTORS.register(DirectoryPublic.name)(DirectoryPublic)

"""The lab's home-grown sync script (and a few people with curl) on the shadow lab API, with
HTTP Basic credentials: exports a patient's results by MRN, then fetches single results."""

from __future__ import annotations

import base64

from phiwatch.simulate import vocab
from phiwatch.simulate.actors import ACTORS, Session, think
from phiwatch.simulate.apis import lab
from phiwatch.simulate.exchange import JSON, Client, Cred, Sim
from phiwatch.simulate.world import LAB_BASE


class LabBridge:
    name = "lab_bridge"
    weight = 4.0

    def __init__(self, sim: Sim) -> None:
        self.clients = [
            Client("lab-results-bridge", "10.40.3.15", vocab.UA_LAB_SCRIPT, JSON),
            Client("lab-curl", "10.40.7.88", vocab.UA_LAB, "*/*"),
        ]
        basic = base64.b64encode(f"labsync:Lab{sim.world.seed % 97:02d}-sync!".encode()).decode()
        self.cred = Cred("basic", "authorization", "Basic " + basic)

    def opening(self, sim: Sim) -> Session | None:
        return None

    def session(self, sim: Sim) -> Session:
        rng, w = sim.rng, sim.world
        client = self.clients[0] if rng.random() < 0.85 else self.clients[1]
        for _ in range(rng.randint(1, 3)):
            p = w.any_patient(rng)
            yield think(lab.export(sim, client, self.cred, p, csv=rng.random() < 0.5), sim, 200, 3000)
            if rng.random() < 0.5:
                rid = rng.choice(p.lab_results)
                yield think(lab.result(sim, client, self.cred, p, rid), sim, 100, 1000)
            elif rng.random() < 0.1:
                rid = str(LAB_BASE - 1 - rng.randrange(100_000))
                yield think(lab.result(sim, client, self.cred, None, rid), sim, 100, 1000)


ACTORS.register(LabBridge.name)(LabBridge)

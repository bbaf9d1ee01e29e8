"""The infrastructure's health probes: ``GET /healthz`` on each host from the cluster network."""

from __future__ import annotations

from phiwatch.simulate import vocab
from phiwatch.simulate.actors import ACTORS, Session
from phiwatch.simulate.apis import health
from phiwatch.simulate.exchange import Client, Sim


class Monitor:
    name = "monitor"
    weight = 4.0

    def __init__(self, sim: Sim) -> None:
        w = sim.world
        self.hosts = [w.fhir_host, w.portal_host, w.billing_host, w.lab_host, w.directory_host]
        self.client = Client("kube-probe", "10.0.0.12", vocab.UA_PROBE, "*/*")

    def opening(self, sim: Sim) -> Session | None:
        return None

    def session(self, sim: Sim) -> Session:
        yield health.healthz(sim, self.client, sim.rng.choice(self.hosts))


ACTORS.register(Monitor.name)(Monitor)

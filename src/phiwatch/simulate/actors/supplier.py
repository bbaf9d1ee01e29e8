"""A supplier's billing integration with an ``X-API-Key``; still on ``/v1`` for a shrinking share
of its calls (the zombie API), ``/v2`` for the rest."""

from __future__ import annotations

import random

from phiwatch.simulate import ids, vocab
from phiwatch.simulate.actors import ACTORS, Session, think
from phiwatch.simulate.apis import billing
from phiwatch.simulate.exchange import Client, Cred, Sim


class Supplier:
    name = "supplier"
    weight = 6.0

    def __init__(self, sim: Sim) -> None:
        self.client = Client("medsupply-connector", "192.0.2.117", vocab.UA_SUPPLIER)
        r = sim.world.seed
        key = ids.hex_token(random.Random(f"supplier-key:{r}"), 20)
        self.cred = Cred("api_key", "x-api-key", "msk_live_" + key)

    def opening(self, sim: Sim) -> Session | None:
        return None

    def session(self, sim: Sim) -> Session:
        rng, w = sim.rng, sim.world
        v1 = rng.random() < 0.55 * (1.0 - sim.progress) + 0.05  # the migration progresses
        patients = [w.any_patient(rng) for _ in range(rng.randint(2, 5))]
        yield think(billing.list_invoices(sim, self.client, self.cred, patients, v1=v1), sim, 300, 2000)
        for p in patients[: rng.randint(1, len(patients))]:
            inv = p.invoices[0] if rng.random() > 0.04 else None
            yield think(billing.get_invoice(sim, self.client, self.cred, p, inv, v1=v1), sim, 100, 800)
            if not v1 and inv and rng.random() < 0.3:
                yield think(billing.invoice_pdf(sim, self.client, self.cred, p, inv), sim, 100, 800)
        if not v1 and rng.random() < 0.3:
            yield billing.list_payments(sim, self.client, self.cred, patients)


ACTORS.register(Supplier.name)(Supplier)

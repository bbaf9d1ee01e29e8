"""partner_overreach (attack): the payer partner, authorised for coverage and claims, starts
reading its members' clinical data: Observations, Conditions, DocumentReferences."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.actors.payer import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_PAYER

MEMBERS = 40


class PartnerOverreach:
    name = "partner_overreach"
    attack = True
    detectors: tuple[str, ...] = ("partner_misuse",)
    at = 0.8

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        client = Client(CLIENT_ID, "192.0.2.44", UA_PAYER, FHIR_JSON)
        label = Label(self.name, True, actor_name(client_id=CLIENT_ID, sub=CLIENT_ID), self.detectors)
        sim.now = ctx.start_ms
        for _ in range(MEMBERS):
            p = w.any_patient(rng)
            cred = jwt_cred(sim, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300)
            roll = rng.random()
            if roll < 0.4:
                found = [res.observation(p, o) for o in p.observations]
                em = fhir.search(sim, client, cred, "Observation", [("patient", p.id)], found)
            elif roll < 0.7:
                found = [res.condition(p, c) for c in p.conditions]
                em = fhir.search(sim, client, cred, "Condition", [("patient", p.id)], found)
            else:
                em = fhir.search(sim, client, cred, "DocumentReference", [("patient", p.id)], [])
            yield em, label
            sim.now += rng.randint(3_000, 30_000)


SCENARIOS.register(PartnerOverreach.name)(PartnerOverreach())

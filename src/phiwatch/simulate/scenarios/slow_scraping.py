"""slow_scraping (attack): a stolen clinician token harvests charts low and slow from many IPs.

One request every 10-40 s, each from one of 40 residential proxy IPs, each reading a
different patient's record (``/r4/Patient/{id}``, sometimes their observations): no IP and
no minute looks busy; only the credential's distinct records and IP count give it away.
"""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.actors.clinician_app import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_CLINICIAN

REQUESTS = 420
PROXIES = 40


class SlowScraping:
    name = "slow_scraping"
    attack = True
    detectors: tuple[str, ...] = ("scraping", "bola_ownership")
    at = 0.1

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        pr = w.practitioner(min(w.n_practitioners, 60) - 1)  # a real staff member's account
        sub = f"dr-{pr.npi}"
        fhir_user = f"{w.fhir_base}/Practitioner/{pr.id}"
        ips = [
            f"100.{64 + rng.randrange(60)}.{rng.randrange(256)}.{rng.randint(2, 254)}" for _ in range(PROXIES)
        ]
        actor = actor_name(client_id=CLIENT_ID, sub=sub)
        label = Label(self.name, True, actor, self.detectors, tuple(f"ip:{ip}" for ip in ips))
        sim.now = ctx.start_ms
        for _ in range(REQUESTS):
            client = Client(CLIENT_ID, rng.choice(ips), UA_CLINICIAN, FHIR_JSON)
            cred = jwt_cred(sim, CLIENT_ID, sub, SCOPE, fhir_user=fhir_user, lifetime_s=28_800)
            p = w.patient(rng.randrange(w.n_patients))
            if rng.random() < 0.8:
                em = fhir.read_patient(sim, client, cred, p)
            else:
                e = rng.choice(p.encounters)
                em = fhir.read(sim, client, cred, "Encounter", e.id, res.encounter(p, e))
            yield em, label
            sim.now += rng.randint(10_000, 40_000)


SCENARIOS.register(SlowScraping.name)(SlowScraping())

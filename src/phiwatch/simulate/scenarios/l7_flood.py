"""l7_flood (attack): a layer-7 flood on the public Provider Directory from a dozen bots
(about 10 requests/s each for three minutes), and an expensive-request flood: a scripted
client with a valid token asking for ``Patient/{id}/$everything`` twice a second."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.apis import directory, fhir
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import SPECIALTIES

BOTS = 8
SECONDS = 120


class L7Flood:
    name = "l7_flood"
    attack = True
    detectors: tuple[str, ...] = ("flood",)
    at = 0.55

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        plan: list[tuple[int, int]] = []  # (time, who): who < BOTS is a bot, BOTS the heavy client
        for b in range(BOTS):
            t = ctx.start_ms + rng.randint(0, 5_000)
            while t < ctx.start_ms + SECONDS * 1000:
                plan.append((t, b))
                t += rng.randint(60, 140)
        t = ctx.start_ms + 600_000
        while t < ctx.start_ms + 600_000 + SECONDS * 1000:
            plan.append((t, BOTS))
            t += rng.randint(400, 600)
        plan.sort()
        bots = [Client("bot", f"203.0.113.{200 + b}", "Go-http-client/1.1", FHIR_JSON) for b in range(BOTS)]
        heavy = Client("ehr-sync", "198.18.60.5", "ehr-sync/2.0 (+batch)", FHIR_JSON)
        heavy_actor = actor_name(client_id="ehr-sync", sub="svc-sync")
        for t, who in plan:
            sim.now = t
            if who < BOTS:
                em = directory.practitioner_roles(sim, bots[who], rng.randrange(len(SPECIALTIES)))
                yield em, Label(self.name, True, f"ip:{bots[who].ip}", self.detectors)
            else:
                cred = jwt_cred(sim, "ehr-sync", "svc-sync", "user/*.read")
                p = w.patient(rng.randrange(min(w.n_patients, 5000)))
                em = fhir.everything(sim, heavy, cred, p)
                yield (
                    em,
                    Label(
                        self.name,
                        True,
                        heavy_actor,
                        (*self.detectors, "bola_ownership", "scraping"),
                        ("ip:198.18.60.5",),
                    ),
                )


SCENARIOS.register(L7Flood.name)(L7Flood())

"""ai_crawler (attack): AI crawlers walk the public Provider Directory and probe the FHIR
server (metadata, then patient reads that answer 401), at a crawler's steady pace."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.apis import directory, fhir
from phiwatch.simulate.exchange import FHIR_JSON, NO_CRED, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext
from phiwatch.simulate.vocab import SPECIALTIES

CRAWLERS = (
    (
        "GPTBot",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot",
    ),
    (
        "ClaudeBot",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0;"
        " +claudebot@anthropic.com)",
    ),
    (
        "Bytespider",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36"
        " (compatible; Bytespider; spider-feedback@bytedance.com)",
    ),
)
PAGES = 60


class AiCrawler:
    name = "ai_crawler"
    attack = True
    detectors: tuple[str, ...] = ("bots",)
    at = 0.65

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        plan: list[tuple[int, int]] = []
        for c in range(len(CRAWLERS)):
            t = ctx.start_ms + c * 120_000
            for _ in range(PAGES):
                plan.append((t, c))
                t += rng.randint(1_000, 6_000)
        plan.sort()
        clients = [
            Client(n, f"198.18.{80 + i}.{rng.randint(2, 254)}", ua, FHIR_JSON)
            for i, (n, ua) in enumerate(CRAWLERS)
        ]
        for t, c in plan:
            sim.now = t
            client = clients[c]
            roll = rng.random()
            if roll < 0.5:
                em = directory.practitioner_roles(sim, client, rng.randrange(len(SPECIALTIES)))
            elif roll < 0.75:
                em = directory.practitioner(sim, client, rng.randrange(w.n_practitioners))
            elif roll < 0.85:
                em = fhir.metadata(sim, client, NO_CRED, sim.capability or b"{}")
            else:
                em = fhir.read_patient(sim, client, NO_CRED, w.any_patient(rng))
            yield em, Label(self.name, True, f"ip:{client.ip}", self.detectors)


SCENARIOS.register(AiCrawler.name)(AiCrawler())

"""directory_flash_crowd (benign): a news story sends thousands of people to find a doctor
at once: about 2,000 distinct IPs, each doing a few Provider Directory searches at human
pace, within ten minutes. High endpoint rate, no concentrated source."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.apis import directory
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext
from phiwatch.simulate.vocab import SPECIALTIES, UA_BROWSERS

VISITORS = 2000
MINUTES = 10


class DirectoryFlashCrowd:
    name = "directory_flash_crowd"
    attack = False
    detectors: tuple[str, ...] = ()
    at = 0.7

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        plan: list[tuple[int, int, int]] = []
        for v in range(VISITORS):
            t = ctx.start_ms + rng.randint(0, MINUTES * 60_000)
            for _ in range(rng.randint(1, 4)):
                plan.append((t, v, rng.randrange(len(SPECIALTIES))))
                t += rng.randint(5_000, 40_000)
        plan.sort()
        for t, v, spec in plan:
            sim.now = t
            ip = f"{11 + v % 200}.{v // 200 + 10}.{(v * 37) % 256}.{2 + v % 250}"
            client = Client("browser", ip, UA_BROWSERS[v % len(UA_BROWSERS)], FHIR_JSON)
            yield directory.practitioner_roles(sim, client, spec), Label(self.name, False, f"ip:{ip}", ())


SCENARIOS.register(DirectoryFlashCrowd.name)(DirectoryFlashCrowd())

"""credential_stuffing (attack): leaked username/password pairs replayed against the portal.

Three concentrated sources try a few hundred accounts each (about 2% succeed: takeovers),
and a distributed botnet of 60 IPs tries eight accounts each with one shared user agent,
low and slow per IP but a campaign as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate import ids
from phiwatch.simulate.apis import portal
from phiwatch.simulate.exchange import Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext

BOT_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0 StuffKit"
HEAVY_UA = "python-requests/2.28.1"


class CredentialStuffing:
    name = "credential_stuffing"
    attack = True
    detectors: tuple[str, ...] = ("credential_stuffing",)
    at = 0.35

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        plan: list[tuple[int, Client, Label]] = []
        for s in range(3):
            ip = f"45.{140 + s}.{rng.randrange(256)}.{rng.randint(2, 254)}"
            lab = Label(self.name, True, f"ip:{ip}", self.detectors)
            t = ctx.start_ms + s * 300_000
            for _ in range(150):
                plan.append((t, Client("stuffer", ip, HEAVY_UA), lab))
                t += rng.randint(300, 3_000)
        campaign = f"ua:{BOT_UA[:80]}"
        for _ in range(60):
            ip = f"185.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(2, 254)}"
            lab = Label(self.name, True, campaign, self.detectors, (f"ip:{ip}",))
            t = ctx.start_ms + rng.randint(0, 1_800_000)
            for _ in range(8):
                plan.append((t, Client("botnet", ip, BOT_UA), lab))
                t += rng.randint(60_000, 240_000)
        plan.sort(key=lambda x: x[0])
        for t, client, lab in plan:
            sim.now = t
            p = w.patient(rng.randrange(w.n_patients))
            ok = rng.random() < 0.02
            em, _ = portal.login(sim, client, p.email, ids.hex_token(rng, 6), ok)
            yield em, lab


SCENARIOS.register(CredentialStuffing.name)(CredentialStuffing())

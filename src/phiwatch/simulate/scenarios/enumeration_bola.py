"""enumeration_bola (attack): authenticated users walk object ids they do not own.

One customer of the billing API, logged in through a mobile client, walks invoice ids
upwards (``/v2/invoices/{id}``: most answer 404, some 200 with another patient's invoice);
a third-party app user walks ``/r4/Patient/{id}`` on the FHIR server.
"""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.apis import billing, fhir
from phiwatch.simulate.exchange import FHIR_JSON, JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.world import INVOICE_BASE

WALK = 160


class EnumerationBola:
    name = "enumeration_bola"
    attack = True
    detectors: tuple[str, ...] = ("bola_ownership", "scraping")
    at = 0.45

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        billing_client = Client(
            "portal-mobile", "198.18.40.17", "PortalMobile/1.4 (Android 13) okhttp/4.9.3", JSON
        )
        fhir_client = Client("healthsync-app", "198.18.41.90", "HealthSync/0.8 python-httpx/0.27", FHIR_JSON)
        b_sub, f_sub = "acct-4471", "u-77"
        b_actor = actor_name(client_id="portal-mobile", sub=b_sub)
        f_actor = actor_name(client_id="healthsync-app", sub=f_sub)
        b_label = Label(self.name, True, b_actor, self.detectors, ("ip:198.18.40.17",))
        f_label = Label(self.name, True, f_actor, self.detectors, ("ip:198.18.41.90",))
        start_idx = rng.randrange(w.n_patients // 2)
        inv_no = INVOICE_BASE + start_idx * 8
        pid_no = 1_000_000 + start_idx
        b_t = ctx.start_ms
        f_t = ctx.start_ms + 60_000
        for _ in range(WALK):
            if b_t <= f_t:
                sim.now = b_t
                cred = jwt_cred(sim, "portal-mobile", b_sub, "invoices.read")
                idx, k = divmod(inv_no - INVOICE_BASE, 8)
                p = w.patient(idx)
                inv = str(inv_no) if k < len(p.invoices) else None
                yield billing.get_invoice(sim, billing_client, cred, p, inv, v1=False), b_label
                inv_no += 1
                b_t += rng.randint(1_500, 4_000)
            else:
                sim.now = f_t
                cred = jwt_cred(sim, "healthsync-app", f_sub, "openid fhirUser user/Patient.read")
                idx = pid_no - 1_000_000
                target = w.patient(idx) if idx % 4 != 3 and idx < w.n_patients else None  # UUIDs miss
                em = fhir.read_patient(sim, fhir_client, cred, target)
                if target is None:  # the walk asked for the number, not a UUID
                    em = _renumber(em, pid_no)
                yield em, f_label
                pid_no += 1
                f_t += rng.randint(2_000, 6_000)


def _renumber(em: Emitted, number: int) -> Emitted:
    req = em.record["request"]
    assert isinstance(req, dict)
    url = str(req["url"])
    req["url"] = url.rsplit("/", 1)[0] + f"/{number}"
    return em


SCENARIOS.register(EnumerationBola.name)(EnumerationBola())

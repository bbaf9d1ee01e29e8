"""smart_bola (attack): patient-app users whose SMART token is bound to their own patient
read other patients' records: by path (``/Patient/{other}``), by search parameter
(``Observation?patient=other``, ``Coverage?beneficiary=Patient/other``) and by resource id
(``/Observation/{id}`` of another patient, visible only in the response body). Their own,
legitimate reads are interleaved (labelled with the attack: ground truth is per actor)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.actors.patient_app import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_PATIENT_ANDROID

ATTACKERS = 3
PROBES = 24


class SmartBola:
    name = "smart_bola"
    attack = True
    detectors: tuple[str, ...] = ("bola_smart",)
    at = 0.3

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        t = ctx.start_ms
        for a in range(ATTACKERS):
            own = w.patient(w.n_patients - 1 - 7 * a)  # far from the base app's users
            sub = f"pt-{own.index:07d}"
            ip = f"198.18.{10 + a}.{rng.randint(2, 254)}"
            client = Client(CLIENT_ID, ip, UA_PATIENT_ANDROID, FHIR_JSON)
            actor = actor_name(client_id=CLIENT_ID, sub=sub)
            bad = Label(self.name, True, actor, self.detectors, (f"ip:{ip}",))
            sim.now = t + a * 400_000
            for k in range(PROBES):
                cred = jwt_cred(
                    sim, CLIENT_ID, sub, SCOPE, patient=own.id, fhir_user=f"{w.fhir_base}/Patient/{own.id}"
                )
                if k % 4 == 0:  # the user's own chart, as the app normally does
                    yield fhir.read_patient(sim, client, cred, own), bad
                else:
                    other = w.any_patient(rng)
                    roll = rng.random()
                    if roll < 0.4:
                        em = fhir.read_patient(sim, client, cred, other)
                    elif roll < 0.7:
                        found = [res.observation(other, o) for o in other.observations]
                        em = fhir.search(sim, client, cred, "Observation", [("patient", other.id)], found)
                    elif roll < 0.85:
                        params = [("beneficiary", f"Patient/{other.id}")]
                        em = fhir.search(sim, client, cred, "Coverage", params, [res.coverage(w, other)])
                    else:
                        o = rng.choice(other.observations)
                        em = fhir.read(sim, client, cred, "Observation", o.id, res.observation(other, o))
                    yield em, bad
                sim.now += rng.randint(2_000, 20_000)


SCENARIOS.register(SmartBola.name)(SmartBola())

"""patient_app_polling (benign): a patient's app polls its own latest vitals every 30 s for
two hours (a wearable sync): machine-regular and busy, but only ever the user's own data."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.actors.patient_app import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_PATIENT_IOS

POLLS = 240


class PatientAppPolling:
    name = "patient_app_polling"
    attack = False
    detectors: tuple[str, ...] = ()
    at = 0.2

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim = ctx.sim
        w = sim.world
        own = w.patient(w.n_patients - 3)
        sub = f"pt-{own.index:07d}"
        client = Client(CLIENT_ID, "203.0.113.77", UA_PATIENT_IOS, FHIR_JSON)
        label = Label(self.name, False, actor_name(client_id=CLIENT_ID, sub=sub), (), ("ip:203.0.113.77",))
        sim.now = ctx.start_ms
        for _ in range(POLLS):
            cred = jwt_cred(
                sim, CLIENT_ID, sub, SCOPE, patient=own.id, fhir_user=f"{w.fhir_base}/Patient/{own.id}"
            )
            yield fhir.lastn(sim, client, cred, own), label
            sim.now += 30_000 + ctx.rng.randint(0, 40)  # a timer, not a person


SCENARIOS.register(PatientAppPolling.name)(PatientAppPolling())

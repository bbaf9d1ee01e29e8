"""clinician_shift (benign): a hospitalist opens many charts in one shift: for each of about
60 patients a lookup, the chart, vitals and labs, sometimes ``$everything``. Busy, broad,
but at human pace from one workstation, each chart read once or twice."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.simulate.actors.clinician_app import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_CLINICIAN

CHARTS = 60


class ClinicianShift:
    name = "clinician_shift"
    attack = False
    detectors: tuple[str, ...] = ()
    at = 0.05

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        pr = w.practitioner(min(w.n_practitioners, 60) - 2)
        sub = f"dr-{pr.npi}"
        fhir_user = f"{w.fhir_base}/Practitioner/{pr.id}"
        client = Client(CLIENT_ID, "10.20.9.77", UA_CLINICIAN, FHIR_JSON)
        label = Label(self.name, False, actor_name(client_id=CLIENT_ID, sub=sub), (), ("ip:10.20.9.77",))
        sim.now = ctx.start_ms
        for _ in range(CHARTS):
            p = w.any_patient(rng)
            cred = jwt_cred(sim, CLIENT_ID, sub, SCOPE, fhir_user=fhir_user, lifetime_s=28_800)
            params = [("identifier", f"{w.mrn_system}|{p.mrn}")]
            yield fhir.search(sim, client, cred, "Patient", params, [res.patient(w, p)]), label
            sim.now += rng.randint(5_000, 20_000)
            yield fhir.read_patient(sim, client, cred, p), label
            sim.now += rng.randint(10_000, 60_000)
            for cat in ("vital-signs", "laboratory"):
                found = [res.observation(p, o) for o in p.observations if o.category == cat]
                params = [("patient", p.id), ("category", cat), ("_count", "50")]
                yield fhir.search(sim, client, cred, "Observation", params, found), label
                sim.now += rng.randint(10_000, 90_000)
            if rng.random() < 0.15:
                yield fhir.everything(sim, client, cred, p), label
                sim.now += rng.randint(20_000, 60_000)
            sim.now += rng.randint(60_000, 300_000)  # at the bedside


SCENARIOS.register(ClinicianShift.name)(ClinicianShift())

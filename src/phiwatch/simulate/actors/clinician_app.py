"""Clinicians' desktop app: SMART ``user/*.cruds``, ``fhirUser`` = the practitioner.

Looks patients up by MRN or name, reads their chart (sometimes ``$everything`` or the
version history), records vitals, diagnoses and prescriptions, and updates demographics.
"""

from __future__ import annotations

from phiwatch.simulate import ids, vocab
from phiwatch.simulate.actors import ACTORS, Session, think
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, NO_CRED, Client, Cred, Emitted, Sim
from phiwatch.simulate.world import Cond, Med, Obs, Patient

CLIENT_ID = "carebridge-clinician"
SCOPE = "openid fhirUser launch user/*.cruds"


class ClinicianApp:
    name = "clinician_app"
    weight = 25.0

    def __init__(self, sim: Sim) -> None:
        w = sim.world
        n = min(w.n_practitioners, 60)
        # Workstations on the hospital LAN (one per practitioner).
        self.staff = [
            (i, Client(CLIENT_ID, f"10.20.{i // 200}.{10 + i % 200}", vocab.UA_CLINICIAN, FHIR_JSON))
            for i in range(n)
        ]

    def _cred(self, sim: Sim, pr_index: int) -> Cred:
        pr = sim.world.practitioner(pr_index)
        fhir_user = f"{sim.world.fhir_base}/Practitioner/{pr.id}"
        token = sim.tokens.jwt(
            sim.now, CLIENT_ID, f"dr-{pr.npi}", SCOPE, fhir_user=fhir_user, lifetime_s=28_800
        )
        return Cred("jwt", "authorization", "Bearer " + token)

    def opening(self, sim: Sim) -> Session:
        pr, c = self.staff[0]
        yield think(fhir.metadata(sim, c, self._cred(sim, pr), sim.capability), sim, 100, 400)
        yield from self._chart(sim, pr, c, sim.world.patient(1), opening=True)

    def session(self, sim: Sim) -> Session:
        pr, c = sim.rng.choice(self.staff)
        p = sim.world.any_patient(sim.rng)
        yield from self._chart(sim, pr, c, p, opening=False)

    def _lookup(self, sim: Sim, pr: int, c: Client, p: Patient) -> Emitted:
        w = sim.world
        if sim.rng.random() < 0.6:
            params = [("identifier", f"{w.mrn_system}|{p.mrn}")]
        else:
            params = [("family", p.family), ("given", p.given), ("birthdate", p.birth_date)]
        return fhir.search(sim, c, self._cred(sim, pr), "Patient", params, [res.patient(w, p)])

    def _chart(self, sim: Sim, pr: int, c: Client, p: Patient, *, opening: bool) -> Session:
        rng, w = sim.rng, sim.world
        if not opening and rng.random() < 0.003:  # a request sent before sign-in completed
            yield think(fhir.read_patient(sim, c, NO_CRED, p), sim, 200, 800)
        yield think(self._lookup(sim, pr, c, p), sim, 500, 3000)
        if not opening and rng.random() < 0.03:  # stale id from a bookmark
            yield think(fhir.read_patient(sim, c, self._cred(sim, pr), None), sim, 500, 2000)
        yield think(fhir.read_patient(sim, c, self._cred(sim, pr), p), sim, 1000, 8000)
        if opening or rng.random() < 0.1:
            yield think(fhir.everything(sim, c, self._cred(sim, pr), p), sim, 5000, 30_000)
        for _ in range(rng.randrange(1, 5)):
            cred = self._cred(sim, pr)
            roll = rng.random()
            if roll < 0.22:
                cat = rng.choice(("vital-signs", "laboratory"))
                found = [res.observation(p, o) for o in p.observations if o.category == cat]
                params = [("patient", p.id), ("category", cat), ("_count", "50")]
                em = fhir.search(sim, c, cred, "Observation", params, found)
            elif roll < 0.32:
                em = fhir.search(
                    sim,
                    c,
                    cred,
                    "Condition",
                    [("patient", p.id), ("clinical-status", "active")],
                    [res.condition(p, x) for x in p.conditions],
                )
            elif roll < 0.4:
                em = fhir.search(
                    sim,
                    c,
                    cred,
                    "MedicationRequest",
                    [("patient", p.id)],
                    [res.medication_request(p, m) for m in p.meds],
                )
            elif roll < 0.46:
                e = rng.choice(p.encounters)
                em = fhir.read(sim, c, cred, "Encounter", e.id, res.encounter(p, e))
            elif roll < 0.5:
                found = [res.observation(p, o) for o in p.observations]
                em = fhir.search(sim, c, cred, "Observation", [("_count", "100")], found, compartment=p)
            elif roll < 0.54:
                em = fhir.history(sim, c, cred, p)
            elif roll < 0.58:
                em = fhir.vread(sim, c, cred, p, rng.randint(1, p.versions))
            elif roll < 0.72:
                em = self._record_vitals(sim, c, cred, p, pr)
            elif roll < 0.78:
                rx, display = rng.choice(vocab.MEDICATIONS)
                med = res.medication_request(p, _med(rx, display, pr))
                med.pop("id", None)
                em = fhir.create(
                    sim, c, cred, "MedicationRequest", med, str(41_000_000 + rng.randrange(10**6))
                )
            elif roll < 0.81:
                snomed, display, icd = rng.choice(vocab.CONDITIONS)
                cond = res.condition(p, _cond(snomed, display, icd))
                cond.pop("id", None)
                em = fhir.create(sim, c, cred, "Condition", cond, ids.uuid4(rng))
            elif roll < 0.86:
                body = res.patient(w, p)
                body["telecom"] = [{"system": "phone", "value": ids.phone(rng, "413"), "use": "mobile"}]
                em = fhir.update(sim, c, cred, "Patient", p.id, body, p.versions + 1)
            elif roll < 0.89 and p.encounters:
                e = p.encounters[-1]
                body = res.encounter(p, e)
                body["status"] = "finished"
                em = fhir.update(sim, c, cred, "Encounter", e.id, body, 2)
            elif roll < 0.92 and p.encounters:
                claim = res.claim(w, p, "Claim", "")
                claim.pop("id", None)
                em = fhir.create(sim, c, cred, "Claim", claim, str(600_500_000 + rng.randrange(10**6)))
            elif roll < 0.96:
                loc = rng.choice(w.locations)
                em = fhir.read(sim, c, cred, "Location", loc.id, res.location(w, loc))
            else:
                em = fhir.read(sim, c, cred, "Organization", w.org_id, res.organization(w))
            yield think(em, sim, 2000, 40_000)

    def _record_vitals(self, sim: Sim, c: Client, cred: Cred, p: Patient, pr: int) -> Emitted:
        code, display, unit, lo, hi, _ = sim.rng.choice(vocab.OBSERVATIONS[:8])
        obs = res.observation(p, _obs(code, display, unit, round(sim.rng.uniform(lo, hi), 1), sim.now))
        obs.pop("id", None)
        obs["performer"] = [{"reference": f"Practitioner/{sim.world.practitioner(pr).id}"}]
        return fhir.create(sim, c, cred, "Observation", obs, str(70_000_000 + sim.rng.randrange(10**7)))


def _obs(code: str, display: str, unit: str, value: float, ms: int) -> Obs:
    return Obs("", code, display, unit, value, "vital-signs", ms)


def _med(rx: str, display: str, pr: int) -> Med:
    return Med("", rx, display, "2026-01-01", pr)


def _cond(snomed: str, display: str, icd: str) -> Cond:
    return Cond("", snomed, display, icd, "2026-01-01")


ACTORS.register(ClinicianApp.name)(ClinicianApp)

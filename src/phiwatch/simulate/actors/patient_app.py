"""Patients' mobile app: SMART ``patient/*.read`` with a ``patient`` launch context.

Each user has a token bound to their own patient id, and the app only ever reads that
patient's data (the baseline a BOLA detector compares against).
"""

from __future__ import annotations

from dataclasses import dataclass

from phiwatch.simulate import vocab
from phiwatch.simulate.actors import ACTORS, Session, ip_in, think
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Cred, Sim

CLIENT_ID = "pulse-patient-app"
SCOPE = "launch/patient openid fhirUser offline_access patient/*.read"
EXPIRED_RATE = 0.015


@dataclass(slots=True)
class User:
    patient: int
    client: Client


class PatientApp:
    name = "patient_app"
    weight = 30.0

    def __init__(self, sim: Sim) -> None:
        w = sim.world
        n = min(400, max(8, w.n_patients // 40))
        stride = max(1, w.n_patients // n)
        self.users = [
            User(
                i * stride,
                Client(
                    CLIENT_ID,
                    ip_in(sim, "203.0.113" if i % 2 else "198.51.100"),
                    vocab.UA_PATIENT_IOS if i % 3 else vocab.UA_PATIENT_ANDROID,
                    FHIR_JSON,
                ),
            )
            for i in range(n)
        ]

    def _cred(self, sim: Sim, user: User, *, expired: bool = False) -> Cred:
        p = sim.world.patient(user.patient)
        token = sim.tokens.jwt(
            sim.now,
            CLIENT_ID,
            f"pt-{p.index:07d}",
            SCOPE,
            patient=p.id,
            fhir_user=f"{sim.world.fhir_base}/Patient/{p.id}",
            expired=expired,
        )
        return Cred("jwt", "authorization", "Bearer " + token)

    def opening(self, sim: Sim) -> Session:
        user = self.users[0]
        yield think(fhir.smart_configuration(sim, user.client), sim, 50, 300)
        yield think(fhir.metadata(sim, user.client, Cred("none", "", ""), sim.capability), sim, 100, 500)
        yield from self._browse(sim, user, first=True)

    def session(self, sim: Sim) -> Session:
        user = sim.rng.choice(self.users)
        if sim.rng.random() < 0.1:
            yield think(fhir.smart_configuration(sim, user.client), sim, 50, 300)
        yield from self._browse(sim, user, first=False)

    def _browse(self, sim: Sim, user: User, *, first: bool) -> Session:
        rng, w = sim.rng, sim.world
        p = w.patient(user.patient)
        c = user.client
        if not first and rng.random() < EXPIRED_RATE:  # stale token after the phone slept
            yield think(
                fhir.read_patient(sim, c, self._cred(sim, user, expired=True), p, auth_ok=False),
                sim,
                300,
                900,
            )
        yield think(fhir.read_patient(sim, c, self._cred(sim, user), p), sim, 800, 6000)
        steps = 1 + (0 if first else rng.randrange(4))
        for k in range(steps):
            cred = self._cred(sim, user)
            roll = 0.0 if first and k == 0 else rng.random()
            if roll < 0.35:
                cat = "vital-signs" if rng.random() < 0.7 else "laboratory"
                found = [res.observation(p, o) for o in p.observations if o.category == cat]
                params = [("patient", p.id), ("category", cat), ("_sort", "-date"), ("_count", "50")]
                em = fhir.search(sim, c, cred, "Observation", params, found)
            elif roll < 0.5:
                em = fhir.search(
                    sim, c, cred, "Condition", [], [res.condition(p, x) for x in p.conditions], compartment=p
                )
            elif roll < 0.62:
                found = [res.medication_request(p, m) for m in p.meds]
                em = fhir.search(
                    sim, c, cred, "MedicationRequest", [("status", "active")], found, compartment=p
                )
            elif roll < 0.72:
                em = fhir.lastn(sim, c, cred, p)
            elif roll < 0.8:
                found = [res.encounter(p, e) for e in p.encounters]
                em = fhir.search(sim, c, cred, "Encounter", [("patient", p.id), ("_count", "20")], found)
            elif roll < 0.87:
                em = fhir.search(sim, c, cred, "Coverage", [("beneficiary", p.id)], [res.coverage(w, p)])
            elif roll < 0.95:
                o = rng.choice(p.observations)
                em = fhir.read(sim, c, cred, "Observation", o.id, res.observation(p, o))
            else:
                pr = w.practitioner(p.gp)
                em = fhir.read(sim, c, cred, "Practitioner", pr.id, res.practitioner(pr))
            yield think(em, sim, 1500, 20_000)


ACTORS.register(PatientApp.name)(PatientApp)

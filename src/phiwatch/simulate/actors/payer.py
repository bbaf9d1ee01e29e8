"""A payer partner (health plan) on SMART Backend Services: ``system/*.read``.

Runs Bulk Data exports (kick-off with ``Prefer: respond-async``, 202 + Content-Location, then
polls the status URL until the manifest is ready) and reads Coverage, ExplanationOfBenefit
and Claim for its members.
"""

from __future__ import annotations

from phiwatch.simulate import clock, ids, vocab
from phiwatch.simulate.actors import ACTORS, Session, think
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Cred, Sim
from phiwatch.simulate.world import CLAIM_BASE, EOB_BASE

CLIENT_ID = "bluepeak-payer"
SCOPE = "system/*.read"


class Payer:
    name = "payer"
    weight = 5.0

    def __init__(self, sim: Sim) -> None:
        self.client = Client(CLIENT_ID, "192.0.2.44", vocab.UA_PAYER, FHIR_JSON)

    def _cred(self, sim: Sim) -> Cred:
        token = sim.tokens.jwt(sim.now, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300)
        return Cred("jwt", "authorization", "Bearer " + token)

    def opening(self, sim: Sim) -> Session:
        yield think(fhir.metadata(sim, self.client, self._cred(sim), sim.capability), sim, 200, 1000)
        yield from self._export(sim, patient_level=False)

    def session(self, sim: Sim) -> Session:
        if sim.rng.random() < 0.15:
            yield from self._export(sim, patient_level=sim.rng.random() < 0.5)
            return
        yield from self._members(sim)

    def _export(self, sim: Sim, *, patient_level: bool) -> Session:
        job = ids.uuid4(sim.rng)
        since = clock.rfc3339(sim.now - 7 * 86_400_000)
        c = self.client
        yield think(
            fhir.export_kickoff(sim, c, self._cred(sim), job, patient_level=patient_level, since=since),
            sim,
            60_000,
            120_000,
        )
        for _ in range(sim.rng.randrange(1, 4)):
            yield think(
                fhir.bulk_status(sim, c, self._cred(sim), job, done=False, patient_level=patient_level),
                sim,
                110_000,
                130_000,
            )
        yield fhir.bulk_status(sim, c, self._cred(sim), job, done=True, patient_level=patient_level)

    def _members(self, sim: Sim) -> Session:
        rng, w = sim.rng, sim.world
        c = self.client
        for _ in range(rng.randrange(2, 8)):
            p = w.any_patient(rng)
            cred = self._cred(sim)
            roll = rng.random()
            if roll < 0.3:
                em = fhir.read(sim, c, cred, "Coverage", p.coverage_id, res.coverage(w, p))
            elif roll < 0.45:
                em = fhir.search(sim, c, cred, "Coverage", [("beneficiary", p.id)], [res.coverage(w, p)])
            elif roll < 0.7:
                rid = str(EOB_BASE + p.index)
                em = fhir.read(
                    sim, c, cred, "ExplanationOfBenefit", rid, res.claim(w, p, "ExplanationOfBenefit", rid)
                )
            elif roll < 0.85:
                eob = res.claim(w, p, "ExplanationOfBenefit", str(EOB_BASE + p.index))
                params = [("patient", p.id), ("_lastUpdated", "ge2025-01-01")]
                em = fhir.search(sim, c, cred, "ExplanationOfBenefit", params, [eob])
            else:
                rid = str(CLAIM_BASE + p.index)
                em = fhir.read(sim, c, cred, "Claim", rid, res.claim(w, p, "Claim", rid))
            yield think(em, sim, 200, 2000)


ACTORS.register(Payer.name)(Payer)

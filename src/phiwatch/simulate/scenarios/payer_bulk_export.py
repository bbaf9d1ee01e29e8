"""payer_bulk_export (benign): the payer's authorised Bulk Data export of its members:
kick-off, status polls, then the download of each NDJSON file of the manifest."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from phiwatch.simulate import ids
from phiwatch.simulate.actors.payer import CLIENT_ID, SCOPE
from phiwatch.simulate.apis import fhir
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, Client, Emitted
from phiwatch.simulate.scenarios import SCENARIOS, Label, ScenarioContext, actor_name, jwt_cred
from phiwatch.simulate.vocab import UA_PAYER

ROWS = 150


class PayerBulkExport:
    name = "payer_bulk_export"
    attack = False
    detectors: tuple[str, ...] = ()
    at = 0.6

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        sim, rng = ctx.sim, ctx.rng
        w = sim.world
        client = Client(CLIENT_ID, "192.0.2.44", UA_PAYER, FHIR_JSON)
        label = Label(self.name, False, actor_name(client_id=CLIENT_ID, sub=CLIENT_ID), ())
        job = ids.uuid4(rng)
        sim.now = ctx.start_ms

        yield (
            fhir.export_kickoff(
                sim,
                client,
                jwt_cred(sim, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300),
                job,
                patient_level=True,
                since="2026-01-01T00:00:00Z",
            ),
            label,
        )
        for _ in range(3):
            sim.now += rng.randint(110_000, 130_000)
            c = jwt_cred(sim, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300)
            yield fhir.bulk_status(sim, client, c, job, done=False, patient_level=True), label
        sim.now += 120_000
        c = jwt_cred(sim, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300)
        yield fhir.bulk_status(sim, client, c, job, done=True, patient_level=True), label
        members = [w.any_patient(rng) for _ in range(ROWS)]
        files = {
            "Patient": [res.patient(w, p) for p in members],
            "Coverage": [res.coverage(w, p) for p in members],
            "ExplanationOfBenefit": [
                res.claim(w, p, "ExplanationOfBenefit", str(610_000_000 + p.index)) for p in members
            ],
        }
        for rtype, rows in files.items():
            sim.now += rng.randint(2_000, 10_000)
            c = jwt_cred(sim, CLIENT_ID, CLIENT_ID, SCOPE, lifetime_s=300)
            body = b"\n".join(orjson.dumps(r) for r in rows) + b"\n"
            path = f"/r4/bulkfiles/{job}/{rtype}.ndjson"
            em = sim.exchange(
                client,
                c,
                "GET",
                w.fhir_host,
                path,
                "/r4/bulkfiles/{id}/{name}",
                body=body,
                content_type="application/fhir+ndjson",
                server=w.server_fhir,
                latency_ms=400.0,
            )
            yield em, label


SCENARIOS.register(PayerBulkExport.name)(PayerBulkExport())

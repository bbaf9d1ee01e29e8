"""The laboratory department's undocumented API (a shadow API: in no published spec).

``GET /internal/lab-results/export?mrn=MRN...`` returns a patient's results as CSV or JSON,
full name and birth date included; ``GET /internal/lab-results/{id}`` one result.
"""

from __future__ import annotations

import orjson

from phiwatch.simulate import clock, phi
from phiwatch.simulate.exchange import Client, Cred, Emitted, Sim
from phiwatch.simulate.world import LAB_BASE, PER_PATIENT, Patient

EXPORT = "/internal/lab-results/export"
SERVER = "Werkzeug/2.0.3 Python/3.8.10"
# every row: MRN, full name, birth date (``dob``) and the test's LOINC code (truth, phi.py);
# ``collected`` is a specimen time, not counted as a birth or service date
ROW_PHI = ("mrn", "name", "date", "loinc")


def _rows(p: Patient) -> list[dict[str, object]]:
    labs = [o for o in p.observations if o.category == "laboratory"] or p.observations[:2]
    return [
        {
            "result_id": p.lab_results[i % len(p.lab_results)],
            "mrn": p.mrn,
            "patient_name": f"{p.family}, {p.given}",
            "dob": p.birth_date,
            "loinc": o.code,
            "test": o.display,
            "value": o.value,
            "unit": o.unit,
            "collected": clock.rfc3339(o.effective_ms),
        }
        for i, o in enumerate(labs)
    ]


def export(sim: Sim, client: Client, cred: Cred, p: Patient, *, csv: bool) -> Emitted:
    rows = _rows(p)
    if csv:
        cols = list(rows[0])
        lines = [",".join(cols)]
        lines += [
            ",".join(f'"{v}"' if isinstance(v, str) and "," in v else str(v) for v in r.values())
            for r in rows
        ]
        body, ctype, accept = ("\r\n".join(lines) + "\r\n").encode(), "text/csv; charset=utf-8", "text/csv"
    else:
        body, ctype, accept = (
            orjson.dumps({"mrn": p.mrn, "results": rows}),
            "application/json",
            "application/json",
        )
    return sim.exchange(
        client,
        cred,
        "GET",
        sim.world.lab_host,
        EXPORT,
        EXPORT,
        query=f"mrn={p.mrn}&format={'csv' if csv else 'json'}",
        body=body,
        content_type=ctype,
        server=SERVER,
        accept=accept,
        latency_ms=140.0,
        cache="no-cache",
        phi=phi.of(ROW_PHI, [p.id], url=["mrn"]),  # the MRN is in the query string
    )


def result(sim: Sim, client: Client, cred: Cred, p: Patient | None, rid: str) -> Emitted:
    truth = phi.NO_PHI
    if p is None:
        body, status = orjson.dumps({"error": "no such result"}), 404
    else:
        truth = phi.of(ROW_PHI, [p.id])
        rows = _rows(p)
        k = (int(rid) - LAB_BASE) % PER_PATIENT
        body, status = orjson.dumps(rows[k % len(rows)] | {"result_id": rid}), 200
    path = f"/internal/lab-results/{rid}"
    return sim.exchange(
        client,
        cred,
        "GET",
        sim.world.lab_host,
        path,
        "/internal/lab-results/{id}",
        status=status,
        body=body,
        content_type="application/json",
        server=SERVER,
        latency_ms=25.0,
        cache="no-cache",
        phi=truth,
    )

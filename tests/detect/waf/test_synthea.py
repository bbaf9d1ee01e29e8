"""Synthea FHIR resources and bundles sent as create/update must not be blocked at PL1."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson

from phiwatch.detect.waf import WafEngine
from tests.conftest import need_shared
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent

PER_TYPE = 25  # resources per resource type: keeps the test at a few seconds


def synthea_requests(root: Path) -> list[tuple[str, object]]:
    requests: list[tuple[str, object]] = []
    by_patient: dict[str, list[dict[str, object]]] = {}
    for path in sorted(root.glob("*.ndjson")):
        if path.name == "log.ndjson":
            continue
        with path.open("rb") as fh:
            for i, line in enumerate(itertools.islice(fh, PER_TYPE)):
                res = orjson.loads(line)
                rtype, rid = res["resourceType"], res["id"]
                method, url = ("POST", f"/{rtype}") if i % 2 == 0 else ("PUT", f"/{rtype}/{rid}")
                headers = {**BROWSER, "content-type": "application/fhir+json; fhirVersion=4.0"}
                ev = tevent(method, url, req_headers=headers, req_body=line.strip())
                requests.append((f"{path.name}:{i + 1}", ev))
                ref = str(res.get("subject", res.get("patient", {})).get("reference", ""))  # type: ignore[union-attr]
                by_patient.setdefault(ref, []).append(res)
    for ref, resources in sorted(by_patient.items()):
        if not ref:
            continue
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
                for r in resources[:20]
            ],
        }
        headers = {**BROWSER, "content-type": "application/fhir+json"}
        requests.append(
            (f"bundle {ref}", tevent("POST", "/", req_headers=headers, req_body=orjson.dumps(bundle)))
        )
    return requests


def test_synthea_writes_not_blocked_at_pl1(crs_engine: WafEngine) -> None:
    requests = synthea_requests(need_shared("synthea"))
    blocked = []
    alerted = 0
    for label, ev in requests:
        result = crs_engine.evaluate(ev)  # type: ignore[arg-type]
        alerted += bool(result.matches)
        if result.blocked:
            blocked.append((label, [(m.rule_id, m.message) for m in result.matches]))
    print(
        f"\nSynthea at PL1: {len(requests)} FHIR create/update requests, {len(blocked)} blocked "
        f"(FP rate {len(blocked) / len(requests):.2%}), {alerted} with any rule match"
    )
    assert len(requests) > 250
    assert blocked == []

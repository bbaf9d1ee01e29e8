"""FHIR element paths are not attack payloads: CRS's LFI rule must not fire on the name
``json.insurance.array_0.coverage.reference`` (".coverage" is in its OS-file list), while the
same rule still fires on a file path sent as a value."""

from __future__ import annotations

import json

from phiwatch.detect.waf import WafEngine
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent

FHIR = {**BROWSER, "content-type": "application/fhir+json; fhirVersion=4.0"}


def claim(reference: str) -> bytes:
    return json.dumps(
        {
            "resourceType": "Claim",
            "status": "active",
            "patient": {"reference": "Patient/123"},
            "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": reference}}],
            "meta": {"profile": ["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Claim"]},
        }
    ).encode()


def test_claim_insurance_coverage_is_not_lfi(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(tevent("POST", "/r4/Claim", req_headers=FHIR, req_body=claim("Coverage/9")))
    assert 930120 not in result.rule_ids
    assert not result.blocked


def test_os_file_in_a_fhir_value_is_still_lfi(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(
        tevent("POST", "/r4/Claim", req_headers=FHIR, req_body=claim("../../etc/passwd"))
    )
    assert {930100, 930110, 930120} & set(result.rule_ids)
    assert result.blocked

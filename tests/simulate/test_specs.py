"""The published specs: valid YAML/JSON, the expected paths, deprecated flags, no shadow API."""

from __future__ import annotations

import json

import yaml

from phiwatch.simulate import SimulationResult


def test_openapi(run: SimulationResult) -> None:
    doc = yaml.safe_load(run.specs[0].read_text())
    assert run.specs[0].name == "traffic.openapi.yaml"
    assert doc["openapi"].startswith("3.0")
    paths = doc["paths"]
    assert paths["/v1/invoices"]["get"]["deprecated"] is True
    assert paths["/v1/invoices/{invoiceId}"]["get"]["deprecated"] is True
    assert "deprecated" not in paths["/v2/invoices/{invoiceId}"]["get"]
    assert "delete" in paths["/v2/invoices/{invoiceId}"]
    assert "/Patient/{patientId}" in paths and "/Patient/{id}" not in paths
    assert not [p for p in paths if "internal" in p or "lab" in p]
    hosts = {s["url"].split("/")[2] for item in paths.values() for s in item["servers"]}
    assert {h.split(".")[0] for h in hosts} == {"fhir", "portal", "billing", "directory"}
    assert any(s["url"].endswith("/r4") for s in doc["servers"])
    assert doc["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"


def test_capability_statement(run: SimulationResult) -> None:
    cs = json.loads(run.specs[1].read_text())
    assert cs["resourceType"] == "CapabilityStatement" and cs["fhirVersion"] == "4.0.1"
    assert cs["implementation"]["url"].endswith(".example.org/r4")
    rest = cs["rest"][0]
    types = {r["type"] for r in rest["resource"]}
    assert {
        "Patient",
        "Observation",
        "Encounter",
        "Condition",
        "MedicationRequest",
        "Coverage",
        "Claim",
        "ExplanationOfBenefit",
        "Practitioner",
        "Organization",
        "Location",
    } <= types
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert {"read", "vread", "search-type", "delete"} <= {i["code"] for i in patient["interaction"]}
    assert {o["name"] for o in patient["operation"]} == {"everything", "export"}
    assert {o["name"] for o in rest["operation"]} == {"export"}
    assert "http://hl7.org/fhir/CompartmentDefinition/patient" in rest["compartment"]


def test_metadata_serves_the_written_statement(
    run: SimulationResult, records: list[dict[str, object]]
) -> None:
    cs = json.loads(run.specs[1].read_text())
    served = [r for r in records if str(r["request"]["url"]).endswith("/r4/metadata")]  # type: ignore[index]
    assert served
    assert json.loads(served[0]["response"]["body"]) == cs  # type: ignore[index]

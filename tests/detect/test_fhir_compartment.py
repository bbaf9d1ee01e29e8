"""fhir_compartment: the shipped data matches the shared R4 definition; reference parsing."""

from __future__ import annotations

import json
import re

import pytest

from phiwatch.detect.fhir_compartment import (
    BODY_PATHS,
    COMPARTMENT,
    RESOURCE_TYPES,
    patient_id_of_reference,
    patient_refs_in_body,
    patient_refs_in_query,
)
from tests.conftest import need_shared


def test_matches_shared_definition() -> None:
    derived = json.loads(need_shared("fhir", "patient-compartment.json").read_text())
    assert {t: tuple(ps) for t, ps in derived.items()} == COMPARTMENT
    definition = json.loads(need_shared("fhir", "compartmentdefinition-patient.json").read_text())
    assert {r["code"] for r in definition["resource"]} == RESOURCE_TYPES
    bundle = json.loads(need_shared("fhir", "search-parameters.json").read_text())
    exprs = {
        (b, e["resource"]["code"]): e["resource"].get("expression", "")
        for e in bundle["entry"]
        for b in e["resource"].get("base", [])
    }
    for rtype, params in COMPARTMENT.items():
        want = []
        for p in params:
            for x in exprs[(rtype, p)].split("|"):
                x = x.strip()
                if x.startswith(rtype + "."):
                    path = tuple(re.sub(r"\.where\(.*\)$", "", x).split(".")[1:])
                    if path not in want:
                        want.append(path)
        assert BODY_PATHS[rtype] == tuple(want), rtype


@pytest.mark.parametrize(
    ("ref", "pid"),
    [
        ("Patient/123", "123"),
        ("https://fhir.example.org/r4/Patient/abc-1/_history/2", "abc-1"),
        ("Patient/$everything", None),
        ("Practitioner/123", None),
        ("Patient/", None),
    ],
)
def test_reference(ref: str, pid: str | None) -> None:
    assert patient_id_of_reference(ref) == pid


@pytest.mark.parametrize(
    ("rtype", "query", "ids"),
    [
        ("Observation", "patient=1&subject=Patient/2", ["1", "2"]),
        ("Observation", "subject=3", ["3"]),  # bare subject
        ("Observation", "performer=4", []),  # bare performer: not a patient
        ("Observation", "performer=Patient/4", ["4"]),  # typed: a patient performer
        ("Patient", "_id=5,6", ["5", "6"]),
        ("Practitioner", "patient=7", []),  # not a compartment type
        ("Coverage", "beneficiary=8&payor=Organization/1", ["8"]),
        ("Observation", "patient:missing=true", []),
        ("Observation", "patient=", []),
        ("Observation", "", []),
    ],
)
def test_query(rtype: str, query: str, ids: list[str]) -> None:
    assert patient_refs_in_query(rtype, query) == ids


def test_body_walks_nested_paths_and_bundles() -> None:
    audit = {
        "resourceType": "AuditEvent",
        "agent": [{"who": {"reference": "Patient/1"}}],
        "entity": [{"what": {"reference": "Patient/2"}}],
    }
    task = {"resourceType": "Task", "for": {"reference": "Patient/3"}}
    pat = {"resourceType": "Patient", "id": "4"}
    other = {"resourceType": "Practitioner", "id": "5", "subject": {"reference": "Patient/6"}}
    doc = {
        "resourceType": "Bundle",
        "entry": [{"resource": r} for r in (audit, task, pat, other)] + [{"x": 1}, 7],
    }
    assert patient_refs_in_body(doc) == {"1", "2", "3", "4"}
    assert patient_refs_in_body([1, 2]) == set()
    assert patient_refs_in_body(doc, limit=1) == {"1", "2"}

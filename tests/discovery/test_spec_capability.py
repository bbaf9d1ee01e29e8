"""FHIR CapabilityStatement import: interactions, operations, compartments, search parameters,
base path; hand-written R4 and DSTU2 statements and the real ones in the shared corpus."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.capability import operation_code
from phiwatch.discovery.spec import SpecDocument, load_spec, parse_spec
from phiwatch.errors import ConfigError
from tests.conftest import need_shared

SPECS = Path(__file__).parent / "specs"


def pairs(doc: SpecDocument) -> set[tuple[str, str]]:
    return {(o.method, o.path) for o in doc.operations}


def test_r4_statement_implies_its_endpoints() -> None:
    doc = load_spec(SPECS / "fhir-r4-capability.json")
    assert doc.kind == "fhir-capability"
    assert doc.label == "Riverside FHIR 4.2"
    assert {o.host for o in doc.operations} == {"fhir.riverside-health.org"}
    b = "/r4"  # base path from implementation.url
    expected = {
        ("GET", f"{b}/metadata"),  # always implied
        # Patient: read, vread, search-type, history-instance
        ("GET", f"{b}/Patient/{{id}}"),
        ("GET", f"{b}/Patient/{{id}}/_history/{{vid}}"),
        ("GET", f"{b}/Patient"),
        ("POST", f"{b}/Patient/_search"),
        ("GET", f"{b}/Patient/{{id}}/_history"),
        ("GET", f"{b}/Patient/{{id}}/$everything"),  # instance-level
        ("POST", f"{b}/Patient/{{id}}/$everything"),
        ("GET", f"{b}/Patient/$export"),  # patient-export is type-level, GET kick-off
        # Observation: CRUD, patch, history-type, search; unknown interaction ignored
        ("GET", f"{b}/Observation/{{id}}"),
        ("GET", f"{b}/Observation"),
        ("POST", f"{b}/Observation/_search"),
        ("POST", f"{b}/Observation"),
        ("PUT", f"{b}/Observation/{{id}}"),
        ("PATCH", f"{b}/Observation/{{id}}"),
        ("DELETE", f"{b}/Observation/{{id}}"),
        ("GET", f"{b}/Observation/_history"),
        ("GET", f"{b}/Observation/$lastn"),  # type-level only
        ("POST", f"{b}/Observation/$lastn"),
        # unknown operation: type and instance level, GET and POST
        ("GET", f"{b}/Observation/$risk-score"),
        ("POST", f"{b}/Observation/$risk-score"),
        ("GET", f"{b}/Observation/{{id}}/$risk-score"),
        ("POST", f"{b}/Observation/{{id}}/$risk-score"),
        ("GET", f"{b}/Patient/{{id}}/Observation"),  # patient compartment search
        ("GET", f"{b}/Group/{{id}}"),
        ("GET", f"{b}/Group/{{id}}/$export"),  # group-export is instance-level
        # system level: transaction and batch share POST [base]
        ("POST", b),
        ("GET", f"{b}/_history"),
        ("GET", b),
        ("GET", f"{b}/$export"),
    }
    assert pairs(doc) == expected
    # the client-mode rest entry (Claim create) describes calls made, not endpoints served
    assert not any("Claim" in o.path for o in doc.operations)
    assert doc.warnings == [
        "rest[0]: Observation: unknown interaction 'teleport', ignored",
        "rest[0]: resource without a usable type, skipped",
    ]


def test_search_params_become_query_params() -> None:
    doc = load_spec(SPECS / "fhir-r4-capability.json")
    by_key = {(o.method, o.path): o for o in doc.operations}
    assert by_key[("GET", "/r4/Patient")].query_params == ("birthdate", "identifier")
    assert by_key[("POST", "/r4/Patient/_search")].query_params == ("birthdate", "identifier")
    assert by_key[("GET", "/r4/Patient/{id}/Observation")].query_params == ("code", "patient")
    assert by_key[("GET", "/r4/Patient/{id}")].query_params == ()


def test_dstu2_conformance_shape() -> None:
    doc = load_spec(SPECS / "fhir-dstu2-conformance.json")
    assert doc.label == "LegacyEHR 7.1"  # software name + version when there is no title
    assert {o.host for o in doc.operations} == {""}  # no implementation.url: any host, no base
    assert pairs(doc) == {
        ("GET", "/metadata"),
        ("GET", "/Patient/{id}"),
        ("GET", "/Patient"),
        ("POST", "/Patient/_search"),
        ("GET", "/Patient/{id}/$everything"),  # definition as {reference: ...}
        ("POST", "/Patient/{id}/$everything"),
        ("GET", "/MedicationOrder/{id}"),
        ("GET", "/MedicationOrder/{id}/_history"),
        ("GET", "/MedicationOrder"),
        ("POST", "/MedicationOrder/_search"),
        ("GET", "/Patient/{id}/MedicationOrder"),  # DSTU2 compartment URI form
    }


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ({"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
         ("everything", "Patient")),  # R4 canonical string
        ({"name": "patient-everything", "definition": {"reference": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}},
         ("everything", "Patient")),  # STU3 reference, DPC-style name
        ({"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export|2.0.0"},
         ("export", "Group")),  # versioned canonical
        ({"name": "docref", "definition": "http://hl7.org/fhir/us/core/OperationDefinition/docref|9.0.0"},
         ("docref", "")),
        ({"name": "submit", "definition": {"reference": "https://dpc.cms.gov/api/v1/OperationDefinition/dpc-operation-patient-submit"}},
         ("submit", "Patient")),  # unknown code: the name, with the type its definition names
        ({"name": "$custom"}, ("custom", "")),  # leading "$" dropped, no definition
        ({"definition": "http://example.org/OperationDefinition/Encounter-discharge"},
         ("discharge", "Encounter")),  # no name: code and type from the definition
        ({"name": ""}, ("", "")),  # nothing usable
        ({"name": 7, "definition": 3}, ("", "")),  # wrong types: nothing usable
    ],
)  # fmt: skip
def test_operation_code(op: dict[str, Any], expected: tuple[str, str]) -> None:
    assert operation_code(op, {"Patient", "Group", "Encounter"}) == expected


# -- real statements ---------------------------------------------------------------------------------

# The interaction table of the FHIR RESTful API, written out again so the test counts on its own.
INTERACTIONS = {
    "read": [("GET", "/{t}/{id}")],
    "vread": [("GET", "/{t}/{id}/_history/{vid}")],
    "update": [("PUT", "/{t}/{id}")],
    "patch": [("PATCH", "/{t}/{id}")],
    "delete": [("DELETE", "/{t}/{id}")],
    "history-instance": [("GET", "/{t}/{id}/_history")],
    "history-type": [("GET", "/{t}/_history")],
    "create": [("POST", "/{t}")],
    "search-type": [("GET", "/{t}"), ("POST", "/{t}/_search")],
}
SYSTEM = {"transaction": ("POST", "/"), "batch": ("POST", "/"), "history-system": ("GET", "/_history"),
          "search-system": ("GET", "/")}  # fmt: skip


def expected_interactions(raw: dict[str, Any]) -> set[tuple[str, str]]:
    out = {("GET", "/metadata")}
    for rest in raw["rest"]:
        for res in rest.get("resource", []):
            for inter in res.get("interaction", []):
                for method, shape in INTERACTIONS[inter["code"]]:
                    out.add((method, shape.replace("{t}", res["type"])))
        out |= {SYSTEM[i["code"]] for i in rest.get("interaction", [])}
    return out


def unbased(doc: SpecDocument, base: str) -> set[tuple[str, str]]:
    return {(m, p[len(base) :] or "/") for m, p in pairs(doc)}


@pytest.mark.parametrize(
    ("name", "base", "label", "operations"),
    [
        ("cms-bfd-v1-stu3-metadata.json", "/v1/fhir", "Blue Button API: Direct FHIR 3.0.2", set()),
        ("cms-bfd-v2-r4-metadata.json", "/v2/fhir", "Blue Button API: Direct FHIR 4.0.1", set()),
        ("cms-bluebutton-stu3-metadata.json", "/v1/fhir", "Blue Button API: Direct 1.0.0-SNAPSHOT", set()),
        (
            "hl7-us-core-server-r4.json",
            "",
            "US Core Server CapabilityStatement FHIR 4.0.1",
            {("GET", "/DocumentReference/$docref"), ("POST", "/DocumentReference/$docref")}
            | {(m, p) for m in ("GET", "POST") for p in ("/ValueSet/$expand", "/ValueSet/{id}/$expand")},
        ),
    ],
)
def test_real_capability_statements(
    name: str, base: str, label: str, operations: set[tuple[str, str]]
) -> None:
    path = need_shared("corpora", "ingest", "capability", name)
    raw = json.loads(path.read_text())
    doc = load_spec(path)
    assert doc.label == label
    assert doc.warnings == []
    # BFD's implementation.url is https://localhost:IGNORED_FIELD/...: a placeholder, so any host
    assert {o.host for o in doc.operations} == {""}
    assert unbased(doc, base) == expected_interactions(raw) | operations


def test_real_bfd_search_params() -> None:
    doc = load_spec(need_shared("corpora", "ingest", "capability", "cms-bfd-v2-r4-metadata.json"))
    eob = next(o for o in doc.operations if o.method == "GET" and o.path == "/v2/fhir/ExplanationOfBenefit")
    assert {"patient", "_lastUpdated", "type"} <= set(eob.query_params)


def test_real_dpc_system_operations_land_on_their_types() -> None:
    path = need_shared("corpora", "ingest", "capability", "cms-dpc-capabilities-fhirversion-3.0.2.json")
    doc = load_spec(path)
    got = pairs(doc) - expected_interactions(json.loads(path.read_text()))
    assert got == {
        ("GET", "/Group/{id}/$export"),  # group-export
        ("GET", "/Patient/{id}/$everything"),  # patient-everything
        ("POST", "/Patient/{id}/$everything"),
        ("POST", "/Practitioner/$validate"),  # $validate is POST, type and instance
        ("POST", "/Practitioner/{id}/$validate"),
        ("POST", "/Patient/$validate"),
        ("POST", "/Patient/{id}/$validate"),
    } | {
        (m, p)  # unknown codes: GET+POST, type and instance level on the named type
        for m in ("GET", "POST")
        for t, code in (
            ("Practitioner", "submit"),
            ("Patient", "submit"),
            ("Group", "add"),
            ("Group", "remove"),
        )
        for p in (f"/{t}/${code}", f"/{t}/{{id}}/${code}")
    }


_BASE = json.loads((SPECS / "fhir-r4-capability.json").read_text())
_junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.text(max_size=4), max_size=2),
    st.dictionaries(st.sampled_from(["code", "type", "name", "definition", "reference", "url"]),
                    st.text(max_size=8) | st.integers(), max_size=3),
)  # fmt: skip
_where = st.sampled_from(
    ["rest", "rest.0", "rest.0.resource", "rest.0.resource.0", "rest.0.resource.0.interaction",
     "rest.0.resource.0.interaction.0", "rest.0.resource.0.operation.0",
     "rest.0.resource.0.operation.0.definition", "rest.0.compartment", "rest.0.compartment.0",
     "rest.0.interaction.0", "rest.0.operation.0.name", "implementation", "implementation.url", "software",
     "title", "rest.0.resource.1.searchParam.0", "rest.0.mode"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_where, _junk), min_size=1, max_size=5))
def test_mutated_statements_only_raise_config_error(mutations: list[tuple[str, Any]]) -> None:
    doc = copy.deepcopy(_BASE)
    for where, value in mutations:
        *parents, last = where.split(".")
        node: Any = doc
        for step in parents:
            if isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[last] = value
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = value
    try:
        result = parse_spec(doc, "cap.json")
    except ConfigError:
        return
    assert any(o.method == "GET" and o.path.endswith("/metadata") for o in result.operations)
    assert all(o.path.startswith("/") for o in result.operations)

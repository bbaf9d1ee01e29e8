"""FHIR-aware templating: the R4 resource-type list and the FHIR REST URL grammar."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.fhir import (
    A_GENERIC,
    A_ID,
    A_LITERAL,
    A_VID,
    RESOURCE_TYPES,
    S_AFTER_HISTORY,
    S_AFTER_ID,
    S_AFTER_ROOT_TYPE,
    S_AFTER_TYPE,
    S_NONE,
    S_START,
    is_resource_type,
    step,
)
from phiwatch.discovery.templating import Templater, id_name, is_variable_segment, template_path
from tests.conftest import need_shared


def test_resource_types_match_the_r4_compartment_definition() -> None:
    doc = msgspec.json.decode(need_shared("fhir", "compartmentdefinition-patient.json").read_bytes())
    assert doc["resourceType"] == "CompartmentDefinition" and doc["version"] == "4.0.1"
    listed = {r["code"] for r in doc["resource"]}
    assert len(listed) == 145
    assert listed == RESOURCE_TYPES


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("Patient", True),
        ("ExplanationOfBenefit", True),
        ("MedicinalProductUndesirableEffect", True),
        ("patient", False),  # FHIR URLs are case-sensitive
        ("Patients", False),
        ("MedicationOrder", False),  # DSTU2 name, gone in R4
        ("$export", False),
        ("", False),
    ],
)
def test_is_resource_type(segment: str, expected: bool) -> None:
    assert is_resource_type(segment) is expected


# (path, expected template, reason)
FHIR = [
    ("/Patient/123", "/Patient/{id}", "read"),
    ("/Patient", "/Patient", "type-level search"),
    ("/Patient/example", "/Patient/{id}", "a word after a type is a resource id"),
    ("/Organization/acme-hospital", "/Organization/{id}", "hyphenated id after a type"),
    ("/Patient/search", "/Patient/{id}", "even 'search' is an id after a type (FHIR uses _search)"),
    ("/Patient/8f1c2d4e-0b6a-4c1e-9a52-3f7d1c0e9b11", "/Patient/{id}", "UUID id"),
    ("/Patient/123/_history", "/Patient/{id}/_history", "instance history"),
    ("/Patient/123/_history/2", "/Patient/{id}/_history/{vid}", "vread"),
    ("/Patient/example/_history/v2", "/Patient/{id}/_history/{vid}", "version id that looks like a version"),
    ("/Patient/_history", "/Patient/_history", "type history"),
    ("/_history", "/_history", "system history"),
    ("/Patient/_search", "/Patient/_search", "POST search"),
    ("/Patient/123/Observation", "/Patient/{id}/Observation", "compartment search"),
    ("/Patient/123/Observation/456", "/Patient/{id}/Observation/{id2}", "read inside a compartment"),
    ("/Patient/123/Observation/_search", "/Patient/{id}/Observation/_search", "compartment _search"),
    ("/Observation/$lastn", "/Observation/$lastn", "type-level operation"),
    ("/Observation/123/$meta", "/Observation/{id}/$meta", "instance operation"),
    ("/Patient/123/$everything", "/Patient/{id}/$everything", "$everything"),
    ("/Patient/$export", "/Patient/$export", "patient-level bulk export"),
    ("/Group/g-1/$export", "/Group/{id}/$export", "group-level bulk export"),
    ("/$export", "/$export", "system-level bulk export"),
    ("/$export-poll-status", "/$export-poll-status", "bulk status endpoint is a word"),
    ("/metadata", "/metadata", "capability statement"),
    ("/.well-known/smart-configuration", "/.well-known/smart-configuration", "SMART discovery"),
    ("/fhir/Patient/123", "/fhir/Patient/{id}", "base /fhir"),
    ("/r4/Patient/123", "/r4/Patient/{id}", "base /r4"),
    ("/fhir/R4/Patient/123", "/fhir/R4/Patient/{id}", "base /fhir/R4"),
    ("/api/fhir/r4/Patient/123", "/api/fhir/r4/Patient/{id}", "base /api/fhir/r4"),
    ("/baseR4/Patient/123", "/baseR4/Patient/{id}", "HAPI base"),
    ("/stu3/Patient/123", "/stu3/Patient/{id}", "STU3 base"),
    ("/v1/fhir/Patient/-19990000000123", "/v1/fhir/Patient/{id}", "Blue Button negative id"),
    ("/tenant-a/fhir/Coverage/part-a-123", "/tenant-a/fhir/Coverage/{id}", "any prefix"),
    ("/fhir/R4/metadata", "/fhir/R4/metadata", "capability under a base"),
    ("/fhir/R4/$export", "/fhir/R4/$export", "system export under a base"),
    ("/fhir/Binary/abc.def", "/fhir/Binary/{id}", "FHIR ids may contain dots"),
    ("/Patient/123/", "/Patient/{id}", "trailing slash"),
    ("/Patient/{id}/_history/{vid}", "/Patient/{id}/_history/{vid}", "a template is a fixed point"),
    ("/Patient/{patientId}", "/Patient/{id}", "spec placeholder"),
    ("/Account/Login", "/Account/Login", "near-miss: MVC action after a type that opens the path"),
    ("/Group/Index", "/Group/Index", "near-miss: MVC action"),
    ("/Account/acct-1", "/Account/{id}", "a FHIR-style id after a root type"),
    ("/Account/ACME", "/Account/{id}", "upper-case code is not an action word"),
    ("/fhir/Account/Login", "/fhir/Account/{id}", "under a base, any word is an id"),
    ("/Patient/123/Encounter/Details", "/Patient/{id}/Encounter/{id2}", "compartment type is not the root"),
    ("/patients/123", "/patients/{id}", "near-miss: lower-case REST collection, generic rules"),
    ("/patients/example", "/patients/example", "near-miss: word after a non-type stays"),
]


@pytest.mark.parametrize(("path", "expected", "reason"), FHIR, ids=[r for _, _, r in FHIR])
def test_template_fhir(path: str, expected: str, reason: str) -> None:
    assert template_path(path) == expected, reason
    assert Templater().template(path) == expected, reason


@pytest.mark.parametrize(
    ("segment", "state", "expected"),
    [
        ("Patient", S_NONE, (A_LITERAL, S_AFTER_TYPE)),
        ("Patient", S_START, (A_LITERAL, S_AFTER_ROOT_TYPE)),
        ("Login", S_AFTER_ROOT_TYPE, (A_GENERIC, S_NONE)),
        ("Login", S_AFTER_TYPE, (A_ID, S_AFTER_ID)),
        ("example", S_AFTER_ROOT_TYPE, (A_ID, S_AFTER_ID)),
        ("anything", S_AFTER_TYPE, (A_ID, S_AFTER_ID)),
        ("$export", S_AFTER_TYPE, (A_LITERAL, S_NONE)),
        ("_history", S_AFTER_TYPE, (A_LITERAL, S_NONE)),  # type history: no {vid} follows
        ("_history", S_AFTER_ID, (A_LITERAL, S_AFTER_HISTORY)),
        ("3", S_AFTER_HISTORY, (A_VID, S_NONE)),
        ("$meta", S_AFTER_HISTORY, (A_GENERIC, S_NONE)),
        ("Observation", S_AFTER_ID, (A_LITERAL, S_AFTER_TYPE)),
        ("patients", S_NONE, (A_GENERIC, S_NONE)),
    ],
)
def test_step(segment: str, state: int, expected: tuple[int, int]) -> None:
    assert step(segment, state) == expected


def test_every_resource_type_read_and_vread() -> None:
    for rtype in sorted(RESOURCE_TYPES):
        assert template_path(f"/fhir/{rtype}/x1") == f"/fhir/{rtype}/{{id}}"
        assert template_path(f"/{rtype}/a/_history/1") == f"/{rtype}/{{id}}/_history/{{vid}}"


def _reference(path: str) -> str:
    """The templater's loop spelled with ``fhir.step``, which it inlines for speed."""
    out: list[str] = []
    n_ids, state = 0, S_START
    for seg in filter(None, path.split("/")):
        action, state = step(seg, state)
        if action == A_GENERIC:
            action, state = (A_ID, S_AFTER_ID) if is_variable_segment(seg) else (A_LITERAL, S_NONE)
        if action == A_ID:
            n_ids += 1
            out.append(id_name(n_ids))
        else:
            out.append("{vid}" if action == A_VID else seg)
    return "/" + "/".join(out)


_fhir_segments = st.one_of(
    st.sampled_from(["Patient", "Observation", "Group", "_history", "_search", "$export", "$everything"]),
    st.sampled_from(["metadata", "fhir", "R4", "example", "123", "{id}", "{vid}", "me", "v2", "", "Login"]),
    st.text(st.characters(codec="utf-8", exclude_characters="/"), max_size=12),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_fhir_segments, max_size=8).map("/".join))
def test_inlined_walk_matches_step(path: str) -> None:
    assert template_path(path) == _reference(path)
    assert Templater().template(path) == _reference(path)

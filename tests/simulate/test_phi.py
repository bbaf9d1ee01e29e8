"""PHI truth rules (simulate/phi.py) on the simulator's own resource builders, and the truth file's
PHI sections: per endpoint, per client, none for the lab variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phiwatch.simulate import SimulationConfig, SimulationResult, phi, simulate
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.world import World

SEED = 20260
PATIENT_CORE = {"clinical", "name", "address", "date", "phone", "email", "ssn", "mrn"}


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, 3000)


def _medicare(w: World, want: bool) -> int:
    """Index of a patient who is (or is not) on Medicare, i.e. has an MBI."""
    return next(i for i in range(500) if (w.patient(i).payer == 1 and w.patient(i).mbi is not None) is want)


def _with_diagnosis(w: World, want: bool) -> int:
    return next(i for i in range(500) if bool(w.patient(i).conditions) is want)


@pytest.mark.parametrize(
    ("build", "expected", "why"),
    [
        (lambda w: res.patient(w, w.patient(_medicare(w, False))), PATIENT_CORE, "patient without MBI"),
        (lambda w: res.patient(w, w.patient(_medicare(w, True))), PATIENT_CORE | {"mbi"}, "Medicare patient"),
        (
            lambda w: res.observation(w.patient(1), w.patient(1).observations[0]),
            {"clinical", "loinc"},
            "effective time is no birth or service date",
        ),
        (
            lambda w: res.encounter(w.patient(1), w.patient(1).encounters[0]),
            {"clinical", "snomed", "date"},
            "period is a service date",
        ),
        (
            lambda w: res.coverage(w, w.patient(_medicare(w, False))),
            {"clinical", "health_plan_id"},
            "commercial member id",
        ),
        (
            lambda w: res.coverage(w, w.patient(_medicare(w, True))),
            {"clinical", "health_plan_id", "mbi"},
            "Medicare subscriberId is the MBI",
        ),
        (
            lambda w: res.claim(w, w.patient(_with_diagnosis(w, False)), "Claim", "1"),
            {"clinical", "snomed"},
            "claim without diagnosis: no ICD-10",
        ),
        (
            lambda w: res.claim(w, w.patient(_with_diagnosis(w, True)), "ExplanationOfBenefit", "1"),
            {"clinical", "snomed", "icd10"},
            "EOB with a diagnosis",
        ),
        (lambda w: res.practitioner(w.practitioner(0)), {"name", "npi", "phone"}, "a practitioner"),
        (lambda w: res.location(w, w.locations[0]), set(), "a place's phone and address are not PHI"),
        (lambda w: res.organization(w), {"npi"}, "organisation: its NPI only"),
        (lambda w: res.outcome("error", "not-found", "Resource Patient/1 is not known"), set(), "error"),
    ],
)
def test_fhir_rules(world: World, build: object, expected: set[str], why: str) -> None:
    assert callable(build)
    assert set(phi.fhir(build(world)).categories) == expected, why


def test_bundle_unions_entries_and_names_patients(world: World) -> None:
    a, b = world.patient(3), world.patient(4)
    entries = [res.patient(world, a), res.observation(b, b.observations[0]), res.coverage(world, b)]
    truth = phi.fhir(res.bundle("x", "https://h/r4/Patient", None, 3, "https://h/r4", entries))
    assert truth.patients == {a.id, b.id}
    assert {"loinc", "health_plan_id", "name"} <= truth.categories
    empty = phi.fhir(res.bundle("x", "https://h/r4/Observation", None, 0, "https://h/r4", []))
    assert empty == phi.NO_PHI


def test_practitioner_reads_name_no_patient(world: World) -> None:
    assert phi.fhir(res.practitioner(world.practitioner(1))).patients == frozenset()


def test_unknown_resource_type_must_get_a_rule() -> None:
    with pytest.raises(KeyError, match="Medication"):
        phi.fhir({"resourceType": "Medication", "id": "1"})


def test_bulk_manifest_is_not_a_resource() -> None:
    manifest = {"transactionTime": "2026-01-01T00:00:00Z", "output": [{"url": "https://h/f.ndjson"}]}
    assert phi.fhir(manifest) == phi.NO_PHI


@pytest.mark.parametrize(
    ("params", "expected", "why"),
    [
        ([("identifier", "https://x.example.org/fhir/sid/mrn|MRN1234567")], {"mrn"}, "MRN lookup"),
        ([("identifier", "http://hl7.org/fhir/sid/us-ssn|123-45-6789")], {"ssn"}, "SSN lookup"),
        ([("identifier", "urn:other|42")], set(), "unknown identifier system"),
        (
            [("family", "Rivera"), ("given", "Ana"), ("birthdate", "1970-01-02")],
            {"name", "date"},
            "demographics",
        ),
        ([("patient", "1000042"), ("category", "vital-signs")], set(), "logical id is not a category"),
        ([("address-city", "Springfield")], {"address"}, "address search"),
        ([("_count", "50"), ("_sort", "-date")], set(), "paging only"),
    ],
)
def test_search_url(params: list[tuple[str, str]], expected: set[str], why: str) -> None:
    assert phi.search_url(params, "https://x.example.org/fhir/sid/mrn") == expected, why


def test_truth_file_phi_sections(run: SimulationResult, truth: dict[str, object]) -> None:
    rows = truth["endpoints"]
    assert isinstance(rows, list)
    for row in rows:
        assert row["phi"] == sorted(set(row["phi"])), row
        if not row["requests"]:  # orphans were never served: nothing was sent
            assert row["phi"] == [] and row["phi_in_url"] is False, row
    by = {(r["method"], r["path"]): r for r in rows}
    assert by[("GET", "/internal/lab-results/export")]["phi_in_url"] is True  # ?mrn=
    assert by[("POST", "/api/v2/auth/login")]["phi"] == ["credential"]
    clients = truth["clients"]
    assert isinstance(clients, list)
    names = [c["client"] for c in clients]
    assert names == sorted(names)
    for c in clients:
        assert c["phi"] and c["endpoints"] and c["responses"] > 0, c
        assert isinstance(c["patients"], int) and c["patients"] >= 0
    anon = next(c for c in clients if c["client"] == "anonymous")
    assert anon["patients"] == 0  # directory and login answers name no patient
    patient_app = next(c for c in clients if c["client"] == "client:pulse-patient-app")
    assert 0 < patient_app["patients"] <= 400  # one patient per app user


def test_lab_variant_claims_no_phi(tmp_path: Path) -> None:
    result = simulate(tmp_path / "lab.jsonl", SimulationConfig(seed=SEED, events=800, variant="hardened"))
    doc = json.loads(result.truth.read_text())
    assert "clients" not in doc
    assert all("phi" not in r for r in doc["endpoints"])

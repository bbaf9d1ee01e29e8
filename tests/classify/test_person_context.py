"""Context rules of issue 4: account keys, a person's name under person keys, person references'
display, Medicare MBI in Coverage, identifiers in the path that the body labels, one key per
patient per exchange. Each rule has near-misses: the same words where they name no person."""

from __future__ import annotations

import json

import pytest

from phiwatch.classify import Classifier, ClassifyStage, PhiAggregator
from phiwatch.model import EndpointKey, Identity, PhiHit
from tests.factories import tevent

MBI = "1EG4TE5MK73"  # the CMS specimen MBI


def found(hits: list[PhiHit], location: str = "response_body") -> set[str]:
    return {h.category for h in hits if h.location == location}


def json_cats(classifier: Classifier, doc: object, path: str = "/v2/things") -> set[str]:
    return found(classifier.classify(tevent(path=path, resp_body=json.dumps(doc).encode())))


@pytest.mark.parametrize(
    ("doc", "category", "present"),
    [
        ({"account_id": "A0012345"}, "account", True),  # snake case
        ({"accountId": "A0012345"}, "account", True),  # camel case, same normalised key
        ({"acct": "778812"}, "account", True),
        ({"account_number": "9912-3344"}, "account", True),
        ({"account_id": "premium"}, "account", False),  # no digit: a tier, not a number
        ({"account": "9912-3344"}, "account", False),  # bare "account" is too generic (a login)
        ({"patient": {"name": "Maria Lopez"}}, "name", True),  # generic "name" under a person
        ({"patients": [{"name": "Maria Lopez"}]}, "name", True),  # ... or a list of persons
        ({"member": {"given": "Maria", "family": "Lopez"}}, "name", True),
        ({"holder": "Maria Lopez"}, "name", True),  # the account holder
        ({"guarantor": "Maria Lopez"}, "name", True),
        ({"holder": {"name": "Maria Lopez", "id": "h-1"}}, "name", True),  # holder object: its name only
        ({"product": {"name": "Blood Glucose Meter"}}, "name", False),  # "name" of a thing
        ({"name": "Maria Lopez"}, "name", False),  # a top-level "name" says nothing of a person
        ({"patient": {"mrn": "MRN0012", "plan": {"name": "Gold PPO"}}}, "name", False),  # nested deeper
        ({"holder": "n/a"}, "name", False),  # the validator still rejects non-names
    ],
)
def test_generic_json_keys(classifier: Classifier, doc: object, category: str, present: bool) -> None:
    assert (category in json_cats(classifier, doc)) is present


def _role(ref: str, display: str) -> dict[str, object]:
    return {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "practitioner": {"reference": ref, "display": display},
        "organization": {"reference": "Organization/o1", "display": "Cedar Point Clinic"},
    }


@pytest.mark.parametrize(
    ("resource", "present"),
    [
        (_role("Practitioner/pr1", "Dr. Alan Grant"), True),  # a person reference's display
        (_role("Organization/o1", "Cedar Point Clinic"), False),  # an organisation is no person
        (_role("https://fhir.example.org/r4/Practitioner/pr1", "Alan Grant"), True),  # absolute URL
        (_role("Practitioner/pr1", ""), False),  # no display, no name
        (_role("HealthcareService/h1", "Diabetes Clinic"), False),  # a service is no person
    ],
)
def test_person_reference_display(classifier: Classifier, resource: dict[str, object], present: bool) -> None:
    assert ("name" in json_cats(classifier, resource, "/fhir/x")) is present


@pytest.mark.parametrize(
    ("subscriber_id", "mbi"),
    [
        (MBI, True),  # Medicare: the member id is the MBI
        ("1EG4-TE5-MK73", True),  # card formatting
        ("BCB00012345", False),  # a commercial member id: not the MBI shape
        ("1EG4TE5MK7S", False),  # S is never used in an MBI
    ],
)
def test_coverage_subscriber_id_mbi(classifier: Classifier, subscriber_id: str, mbi: bool) -> None:
    cov = {"resourceType": "Coverage", "id": "c1", "status": "active", "subscriberId": subscriber_id}
    cats = json_cats(classifier, cov, "/r4/Coverage/c1")
    assert "health_plan_id" in cats
    assert ("mbi" in cats) is mbi


def _patient_with(type_code: str, value: str) -> dict[str, object]:
    v2 = "http://terminology.hl7.org/CodeSystem/v2-0203"
    ident = {"type": {"coding": [{"system": v2, "code": type_code}]}, "value": value}
    return {"resourceType": "Patient", "id": "p1", "identifier": [ident]}


@pytest.mark.parametrize(
    ("doc", "mbi"),
    [
        (_patient_with("MB", MBI), True),  # a FHIR member number in the MBI shape
        (_patient_with("MB", "BCB00012345"), False),  # a commercial member number
        (_patient_with("MR", MBI), False),  # an MRN that happens to fit: FHIR bodies skip bare shapes
    ],
)
def test_health_plan_id_in_mbi_shape(classifier: Classifier, doc: object, mbi: bool) -> None:
    assert ("mbi" in json_cats(classifier, doc)) is mbi


@pytest.mark.parametrize(
    ("path", "body", "in_url"),
    [
        ("/v2/accounts/A0012345/statements", {"account_id": "A0012345", "holder": "Maria Lopez"}, True),
        ("/v2/patients/MRN0012345/invoices", {"mrn": "MRN0012345"}, True),  # any labelled identifier
        ("/api/v2/accounts/8812345678", {"id": "8812345678", "status": "open"}, False),  # opaque "id"
        ("/v2/accounts/A0012345/statements", {"account_id": "A9999999"}, False),  # another account
        ("/v2/accounts/A0012345/statements", {"status": "ok"}, False),  # nothing labels the segment
    ],
)
def test_path_identifier_the_body_labels(
    classifier: Classifier, path: str, body: object, in_url: bool
) -> None:
    hits = classifier.classify(tevent(path=path, resp_body=json.dumps(body).encode()))
    assert bool(found(hits, "path")) is in_url
    assert all("0012345" not in h.masked for h in hits if h.location == "path")  # masked


def test_query_identifier_yields_to_the_patient_reference(classifier: Classifier) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Maria"], "family": "Lopez"}]}
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": patient}]}
    body = json.dumps(bundle).encode()
    by_mrn = "identifier=http://hospital.example.org/mrn|MRN0012345&mrn=MRN0012345"
    one = classifier.classify_detail(tevent(path="/Patient", query=by_mrn, resp_body=body))
    assert len(one.patients) == 1  # Patient/p1 only, not also mrn:MRN0012345
    empty = json.dumps({"resourceType": "Bundle", "type": "searchset", "total": 0}).encode()
    miss = classifier.classify_detail(tevent(path="/Patient", query=by_mrn, resp_body=empty))
    assert len(miss.patients) == 1  # no reference: the query's identifier is the only key


def test_smart_fallback_counts_the_same_patient_once(classifier: Classifier) -> None:
    stage = ClassifyStage(classifier)
    agg = PhiAggregator(stage)
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Maria"], "family": "Lopez"}]}
    practitioner = {
        "resourceType": "Practitioner",
        "id": "pr1",
        "name": [{"given": ["Alan"], "family": "Grant"}],
    }
    for path, res in (("/Patient/p1", patient), ("/Practitioner/pr1", practitioner)):
        ev = tevent(path=path, resp_body=json.dumps(res).encode(), endpoint=EndpointKey("GET", "h", path))
        ev.identity = Identity(kind="jwt", client_id="app", patient="p1")
        stage.process(ev)
        agg.process(ev)
    assert [f.patients for f in agg.flows()] == [1]

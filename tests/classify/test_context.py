"""Context rules: weak checksums need a label, structure explains what is not PHI, and values
keep their extent at sentence ends and inside URLs. Near-misses on every row."""

from __future__ import annotations

import json

import pytest

from phiwatch.classify import Classifier
from phiwatch.model import PhiHit
from tests.factories import tevent


def cats(hits: list[PhiHit]) -> set[str]:
    return {h.category for h in hits if h.location == "response_body"}


def text_cats(classifier: Classifier, text: str) -> set[str]:
    hits = classifier.classify(tevent(resp_body=text.encode(), resp_headers={"content-type": "text/plain"}))
    return cats(hits)


@pytest.mark.parametrize(
    ("text", "category", "found"),
    [
        ("Referring NPI: 1234567893.", "npi", True),  # label + valid check digit
        ("national provider identifier 1234567893", "npi", True),  # spelled-out label
        ("Order 1234567893 shipped", "npi", False),  # Luhn passes 1 time in 10: no label, no NPI
        ("NPI: 1234567890", "npi", False),  # labelled but the check digit is wrong
        ("DEA # AP5836727", "dea", True),  # label + check digit
        ("SKU AP5836727 in stock", "dea", False),  # same shape without a label
        ("Card: 4111 1111 1111 1111", "payment_card", True),
        ("paid 4111 1111 1111 1111 today", "payment_card", True),  # grouped digits: the format is context
        ("visa 4111111111111111", "payment_card", True),  # a scheme name is a label
        ("ref 4111111111111111", "payment_card", False),  # a bare run of 16 digits: an order number
        ("Card: 4111 1111 1111 1112", "payment_card", False),  # labelled, Luhn fails
        ("Patient: Jane Doe", "name", True),
        ("Mrs. Jane Doe was seen", "name", True),
        ("Patient Health Questionnaire Two-Item score", "name", False),  # label word without separator
        ("Beneficiary 1EG4TE5MK73 enrolled", "mbi", True),  # strict MBI shape in free text
        ("from 20.78.116.72.", "ip", True),  # an address may end a sentence
        ("OID 1.3.6.1.4.1.343 assigned", "ip", False),  # the dotted tail of an OID is not an address
        ("base http://52.90.126.238:8080/fhir", "ip", False),  # a URL host is a server, not a person
        ("write to jane.doe@mail.example.net.", "email", True),
    ],
)
def test_free_text(classifier: Classifier, text: str, category: str, found: bool) -> None:
    assert (category in text_cats(classifier, text)) is found


def test_npi_by_key_and_by_fhir_system(classifier: Classifier) -> None:
    body = json.dumps({"provider": {"npi": "1234567893"}}).encode()
    assert "npi" in cats(classifier.classify(tevent(resp_body=body)))
    order = json.dumps({"order": "1234567893"}).encode()
    assert "npi" not in cats(classifier.classify(tevent(resp_body=order)))


def test_organisation_contact_details_are_not_phi(classifier: Classifier) -> None:
    org = {
        "resourceType": "Organization",
        "identifier": [
            {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"},
            {"type": {"coding": [{"code": "TAX"}]}, "value": "12-3456789"},
        ],
        "telecom": [{"system": "phone", "value": "816-922-2160 ext 12"}],
        "address": [{"line": ["1011 North Main Street"], "city": "Frontenac"}],
    }
    found = cats(classifier.classify(tevent(resp_body=json.dumps(org).encode())))
    assert found == {"npi"}  # its NPI is a provider identifier; tax id, phone, address are not PHI
    person = dict(org, resourceType="Practitioner")
    found = cats(classifier.classify(tevent(resp_body=json.dumps(person).encode())))
    assert {"npi", "phone", "address"} <= found  # the same details on a person are PHI


def test_parameters_body_is_walked(classifier: Classifier) -> None:
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-mbi", "value": "1EG4TE5MK73"}],
        "birthDate": "1950-02-03",
    }
    body = {"resourceType": "Parameters", "parameter": [{"name": "MemberPatient", "resource": patient}]}
    found = cats(classifier.classify(tevent(resp_body=json.dumps(body).encode())))
    assert {"mbi", "date", "clinical"} <= found


def test_ndjson_with_a_long_first_line(classifier: Classifier) -> None:
    """The format is sniffed from the first 2 KiB; a longer first resource is still NDJSON."""
    patient = {
        "resourceType": "Patient",
        "id": "p9",
        "text": {"div": "x" * 5000},
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-12-3456"}],
    }
    body = (json.dumps(patient) + "\n" + json.dumps(dict(patient, id="p10")) + "\n").encode()
    result = classifier.classify_detail(tevent(path="/export/Patient.ndjson", resp_body=body))
    assert "ssn" in cats(result.hits)
    assert len(result.patients) == 2  # Patient/p9 and Patient/p10, by structure


def test_fhir_body_skips_opaque_shapes_that_structure_covers(classifier: Classifier) -> None:
    """In FHIR JSON an unseparated MBI shape in an id is not reported; in free text it is."""
    res = {"resourceType": "Observation", "id": "1EG4TE5MK73", "subject": {"reference": "Patient/1"}}
    assert "mbi" not in cats(classifier.classify(tevent(resp_body=json.dumps(res).encode())))
    assert "mbi" in text_cats(classifier, "id 1EG4TE5MK73 here")


def test_audit_event_client_address_by_structure(classifier: Classifier) -> None:
    event = {
        "resourceType": "AuditEvent",
        "agent": [
            {"network": {"address": "2001:db8:0:0:0:0:0:1", "type": "2"}},  # an IP address
            {"network": {"address": "workstation-7", "type": "1"}},  # a machine name: not an ip
        ],
    }
    hits = classifier.classify(tevent(resp_body=json.dumps(event).encode()))
    assert [h.field for h in hits if h.category == "ip"] == ["AuditEvent.agent.network"]
    assert [h.count for h in hits if h.category == "ip"] == [1]

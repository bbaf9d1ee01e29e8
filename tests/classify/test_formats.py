"""Labelled bodies of every format -> categories per location, near-misses included."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest

from phiwatch.classify import Classifier
from phiwatch.model import PhiHit
from tests.factories import tevent

PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-94-5397"},
        {"type": {"coding": [{"code": "MR"}]}, "system": "urn:x-hospital", "value": "MRN-00042"},
        {"system": "http://hl7.org/fhir/sid/us-mbi", "value": "1EG4TE5MK73"},
        {"system": "urn:oid:2.16.840.1.113883.4.3.25", "value": "S99940903"},
    ],
    "name": [{"family": "Medhurst46", "given": ["Sumiko254"]}],
    "telecom": [{"system": "phone", "value": "555-810-7203"}, {"system": "email", "value": "s@mail.net"}],
    "address": [{"line": ["12 Main St"], "city": "Boston", "postalCode": "02139"}],
    "birthDate": "1927-05-21",
}
OBSERVATION = {
    "resourceType": "Observation",
    "subject": {"reference": "Patient/p1"},
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
    "valueQuantity": {"value": 72},
}
CONDITION = {
    "resourceType": "Condition",
    "subject": {"reference": "Patient/p2"},
    "code": {"coding": [{"code": "E11.9", "system": "http://hl7.org/fhir/sid/icd-10-cm"}]},
}
PRACTITIONER = {
    "resourceType": "Practitioner",
    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9999908392"}],
}


def cats(hits: list[PhiHit], location: str = "response_body") -> set[str]:
    return {h.category for h in hits if h.location == location}


def run(classifier: Classifier, body: bytes, ctype: str = "", **kw: object) -> set[str]:
    headers = {"content-type": ctype} if ctype else {}
    return cats(classifier.classify(tevent(resp_body=body, resp_headers=headers, **kw)))  # type: ignore[arg-type]


def test_fhir_patient_resource_by_structure(classifier: Classifier) -> None:
    found = run(classifier, json.dumps(PATIENT).encode(), "application/fhir+json")
    assert {"ssn", "mrn", "mbi", "license", "name", "phone", "email", "address", "date", "clinical"} <= found


def test_fhir_bundle_and_codings(classifier: Classifier) -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [{"resource": r} for r in (OBSERVATION, CONDITION, PRACTITIONER)],
    }
    result = classifier.classify_detail(tevent(path="/Observation", resp_body=json.dumps(bundle).encode()))
    found = cats(result.hits)
    assert {"loinc", "icd10", "npi", "clinical"} <= found
    assert "name" not in found  # no person resource in the bundle
    assert len(result.patients) == 2  # Patient/p1 and Patient/p2, hashed
    assert result.records == 2


def test_ndjson_export(classifier: Classifier) -> None:
    body = b"\n".join(json.dumps(r).encode() for r in (PATIENT, OBSERVATION))
    result = classifier.classify_detail(
        tevent(resp_body=body, resp_headers={"content-type": "application/fhir+ndjson"})
    )
    assert {"ssn", "loinc", "name"} <= cats(result.hits)
    assert result.records == 2


@pytest.mark.parametrize(
    ("body", "expected", "absent", "why"),
    [
        (b'{"member": {"dob": "1990-01-02", "ssn": "536-22-1234"}}', {"date", "ssn"}, set(), "key context"),
        (b'{"ssn": "999-12-3456"}', {"ssn"}, set(), "9xx SSN is kept when the key says ssn"),
        (b'{"order_id": "536221234", "total": "1990-01-02"}', set(), {"ssn", "date"}, "no PHI keys"),
        (
            b'{"patient": {"firstName": "Jane", "lastName": "Doe", "mrn": "A123456"}}',
            {"name", "mrn"},
            set(),
            "names",
        ),
        (
            b'{"created": "2024-01-02T10:00:00Z", "id": "550e8400-e29b-41d4-a716-446655440000"}',
            set(),
            {"date"},
            "ts",
        ),
    ],
)
def test_generic_json(
    classifier: Classifier, body: bytes, expected: set[str], absent: set[str], why: str
) -> None:
    found = run(classifier, body, "application/json")
    assert expected <= found, why
    assert not (absent & found), why


def test_form_body_and_query(classifier: Classifier) -> None:
    hits = classifier.classify(
        tevent(
            "POST",
            "/Patient/_search",
            query="birthdate=1990-01-02&_count=10",
            req_body=b"family=Doe&given=Jane&identifier=http://hl7.org/fhir/sid/us-ssn|999-12-3456",
            req_headers={"content-type": "application/x-www-form-urlencoded"},
        )
    )
    assert cats(hits, "query") == {"date"}
    assert {"name", "ssn"} <= cats(hits, "request_body")


def test_csv(classifier: Classifier) -> None:
    body = (
        b"patient_name,dob,ssn,amount\n"
        b"Jane Doe,1990-01-02,536-22-1234,12.50\nJohn Roe,1985-03-04,536-22-1235,3\n"
    )
    result = classifier.classify_detail(tevent(resp_body=body, resp_headers={"content-type": "text/csv"}))
    assert {"name", "date", "ssn"} <= cats(result.hits)
    assert result.records == 2


def test_csv_without_phi_columns(classifier: Classifier) -> None:
    assert run(classifier, b"sku,qty,price\nA-1,2,3.50\n", "text/csv") == set()


def test_ccda_xml(classifier: Classifier) -> None:
    body = b"""<ClinicalDocument xmlns="urn:hl7-org:v3"><recordTarget><patientRole>
      <id root="2.16.840.1.113883.4.1" extension="536-22-1234"/>
      <addr><streetAddressLine>12 Main St</streetAddressLine><city>Boston</city></addr>
      <telecom value="tel:+1(617)555-0100"/>
      <patient><name><given>Jane</given><family>Doe</family></name><birthTime value="19900102"/></patient>
    </patientRole></recordTarget>
    <component><code code="44054006" codeSystem="2.16.840.1.113883.6.96"/></component></ClinicalDocument>"""
    found = run(classifier, body, "application/xml")
    assert {"ssn", "address", "phone", "name", "date", "snomed"} <= found


def test_hl7v2_pid(classifier: Classifier) -> None:
    body = (
        b"MSH|^~\\&|Reg|Hosp|OE|Img|20060529090131||ADT^A01|1|P|2.5\r"
        b"PID|||56782445^^^UAReg^MR||KLEINSAMPLE^BARRY^Q||19620910|M|||"
        b"260 GOODWIN CREST DRIVE^^BIRMINGHAM^AL^35209"
        b"||(205)555-0100|||||0105I30001|536-22-1234\r"
        b"OBX|1|CE|8867-4^Heart rate^LN||72|/min\r"
    )
    found = run(classifier, body, "x-application/hl7-v2+er7")
    assert {"mrn", "name", "date", "address", "phone", "account", "ssn", "loinc", "clinical"} <= found


def test_plain_text(classifier: Classifier) -> None:
    body = (
        b"Patient: Jane Doe, DOB: 01/02/1990, SSN 536-22-1234, MRN: A123456,"
        b" call (617) 555-0100 or fax: 617-555-0199"
    )
    found = run(classifier, body, "text/plain")
    assert {"name", "date", "ssn", "mrn", "phone", "fax"} <= found


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (b"Order 536221234 shipped 2024-01-02 at 10:00:01, total 1234567890", "order numbers and timestamps"),
        (
            b"version 1.2.3 build 4111111111111112 ref 1234567890",
            "3-part version, bad-Luhn card, bad-check NPI",
        ),
        (b"id 550e8400-e29b-41d4-a716-446655440000 glucose 5.4 mmol/L", "uuid and a lab value"),
    ],
)
def test_plain_text_near_misses(classifier: Classifier, text: bytes, why: str) -> None:
    assert run(classifier, text, "text/plain") == set(), why


def test_locations(classifier: Classifier) -> None:
    hits = classifier.classify(
        tevent(
            "GET",
            "/patients/536-22-1234/records",
            query="email=jane%40mail.net",
            req_headers={"x-patient-dob": "1990-01-02", "x-patient-email": "jane@mail.net"},
        )
    )
    assert cats(hits, "path") == {"ssn"}
    assert cats(hits, "query") == {"email"}
    assert "email" in cats(hits, "request_header")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_bodies_are_decoded(classifier: Classifier, encoding: str) -> None:
    raw = json.dumps(PATIENT).encode()
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](raw)
    hits = classifier.classify(tevent(resp_body=body, resp_headers={"content-encoding": encoding}))
    assert "ssn" in cats(hits)

"""Planted canaries never reach any output: PhiHit, flows, persisted state."""

from __future__ import annotations

import json

import msgspec

from phiwatch.classify import Classifier, ClassifyStage, PhiAggregator
from phiwatch.model import EndpointKey, Identity
from tests.factories import tevent

CANARIES = {
    "ssn": "536-22-4931",
    "npi": "1234567893",
    "name": "Zebulon Quixotic",
    "email": "zebulon.canary@mail.net",
    "phone": "(617) 555-0142",
    "mrn": "CANARY77123",
    "dob": "1951-07-13",
    "card": "4111111111111111",
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJ5ZXMifQ.c2lnbmF0dXJlY2FuYXJ5",
}


def test_no_raw_value_in_any_output(classifier: Classifier) -> None:
    body = {
        "resourceType": "Patient",
        "id": "canary",
        "identifier": [
            {"system": "http://hl7.org/fhir/sid/us-ssn", "value": CANARIES["ssn"]},
            {"type": {"coding": [{"code": "MR"}]}, "value": CANARIES["mrn"]},
        ],
        "name": [{"given": ["Zebulon"], "family": "Quixotic"}],
        "telecom": [
            {"system": "email", "value": CANARIES["email"]},
            {"system": "phone", "value": CANARIES["phone"]},
        ],
        "birthDate": CANARIES["dob"],
        "text": {"div": f"NPI {CANARIES['npi']} card {CANARIES['card']} token {CANARIES['token']}"},
    }
    stage = ClassifyStage(classifier)
    agg = PhiAggregator(stage)
    ev = tevent(
        path=f"/Patient/{CANARIES['mrn']}",
        query=f"ssn={CANARIES['ssn']}",
        resp_body=json.dumps(body).encode(),
        endpoint=EndpointKey("GET", "h", "/Patient/{id}"),
    )
    ev.identity = Identity(kind="jwt", client_id="app")
    stage.process(ev)
    agg.process(ev)
    found = {h.category for h in ev.phi}
    assert {"ssn", "npi", "name", "email", "phone", "mrn", "date", "payment_card", "credential"} <= found
    outputs = [
        msgspec.json.encode(ev.phi),
        msgspec.json.encode(agg.flows()),
        msgspec.json.encode(list(agg.endpoint_phi().items())),
        agg.to_bytes(),
        msgspec.json.encode(stage.detail(ev)),
    ]
    for out in outputs:
        for label, raw in CANARIES.items():
            for form in {raw, raw.replace("-", ""), "Zebulon", "Quixotic"}:
                assert form.encode() not in out, f"{label} leaked"

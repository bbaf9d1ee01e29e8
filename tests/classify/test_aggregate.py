"""PhiAggregator: per-endpoint categories, phi_in_url, per-client flows, persistence, caps."""

from __future__ import annotations

import json

from phiwatch.classify import Classifier, ClassifyStage, PhiAggregator
from phiwatch.model import EndpointKey, Identity
from tests.classify.test_formats import OBSERVATION, PATIENT
from tests.factories import tevent

EP = EndpointKey("GET", "fhir.example.org", "/Patient/{id}")


def run(
    classifier: Classifier, agg_caps: dict[str, int] | None = None
) -> tuple[ClassifyStage, PhiAggregator]:
    stage = ClassifyStage(classifier)
    agg = PhiAggregator(stage, **(agg_caps or {}))
    for n, client in enumerate(["app-a", "app-a", "partner-b"]):
        p = dict(PATIENT, id=f"p{n}")
        ev = tevent(path=f"/Patient/p{n}", resp_body=json.dumps(p).encode(), endpoint=EP)
        ev.identity = Identity(kind="jwt", client_id=client)
        stage.process(ev)
        agg.process(ev)
    ev = tevent(
        path="/Observation",
        query="patient=p9&birthdate=1990-01-02",
        resp_body=json.dumps(OBSERVATION).encode(),
    )
    ev.endpoint = EndpointKey("GET", "fhir.example.org", "/Observation")
    stage.process(ev)
    agg.process(ev)
    return stage, agg


def test_endpoint_phi_and_flows(classifier: Classifier) -> None:
    _, agg = run(classifier)
    eps = agg.endpoint_phi()
    assert {"ssn", "name", "clinical"} <= set(eps[EP].phi)
    assert eps[EP].response["ssn"] == 3
    assert not eps[EP].phi_in_url
    obs = eps[EndpointKey("GET", "fhir.example.org", "/Observation")]
    assert obs.phi_in_url and obs.url_categories == ["date"]
    flows = {f.client: f for f in agg.flows()}
    assert set(flows) == {"client:app-a", "client:partner-b", "anonymous"}
    assert flows["client:app-a"].patients == 2
    assert flows["client:app-a"].records == 2
    assert flows["client:app-a"].endpoints == ["GET fhir.example.org/Patient/{id}"]
    assert "ssn" in flows["client:partner-b"].phi


def test_round_trip_and_merge(classifier: Classifier) -> None:
    _, agg = run(classifier)
    again = PhiAggregator.from_bytes(agg.to_bytes())
    assert [f.client for f in again.flows()] == [f.client for f in agg.flows()]
    again.merge_bytes(agg.to_bytes())
    flows = {f.client: f for f in again.flows()}
    assert flows["client:app-a"].records == 4
    assert flows["client:app-a"].patients == 2  # the same patients: HyperLogLog merge, not a sum
    assert again.endpoint_phi()[EP].response["ssn"] == 6


def test_caps_are_counted(classifier: Classifier) -> None:
    _, agg = run(classifier, {"max_clients": 1, "max_endpoints": 1})
    assert len(agg.flows()) == 1
    assert agg.dropped["clients"] >= 1 and agg.dropped["endpoints"] >= 1

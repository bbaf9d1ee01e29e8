"""bola_smart: a patient-bound SMART token reaching other patients (path, search, body)."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from phiwatch.detect.base import DetectContext
from phiwatch.detect.bola_smart import BolaSmart, own_patient
from phiwatch.detect.options import BolaSmartOptions, DetectOptions, Policy
from phiwatch.model import Identity
from tests.factories import tevent

PT = Identity(
    kind="jwt",
    fingerprint="fp1",
    client_id="pulse-patient-app",
    subject="pt-1",
    subject_key="sk1",
    patient="123",
    scopes=("launch/patient", "patient/*.read"),
)


def obs(pid: str) -> dict[str, object]:
    return {"resourceType": "Observation", "id": "9", "subject": {"reference": f"Patient/{pid}"}}


def bundle(*resources: dict[str, object]) -> bytes:
    return orjson.dumps({"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]})


def run(events: list, options: BolaSmartOptions | None = None, policy: Policy | None = None) -> BolaSmart:
    det = BolaSmart(DetectContext(DetectOptions(policy=policy or Policy())), options or BolaSmartOptions())
    for ev in events:
        det.process(ev)
    return det


@pytest.mark.parametrize(
    ("path", "query", "status", "body", "severity", "via"),
    [
        ("/r4/Patient/456", "", 200, None, "high", "path"),  # another patient's chart
        ("/fhir/Patient/456/Observation", "", 200, None, "high", "path"),  # compartment search by path
        ("/Patient/456/_history/2", "", 200, None, "high", "path"),  # no base prefix, a version
        ("/r4/Observation", "patient=456&category=vital-signs", 200, None, "high", "query"),
        ("/r4/Observation", "subject=Patient%2F456", 200, None, "high", "query"),  # encoded typed ref
        ("/r4/Coverage", "beneficiary=https://x.org/r4/Patient/456", 200, None, "high", "query"),  # full URL
        ("/r4/Condition", "patient:Patient=456", 200, None, "high", "query"),  # typed modifier
        ("/r4/Observation/77", "", 200, orjson.dumps(obs("456")), "high", "body"),  # only the body tells
        ("/r4/Observation", "code=8867-4", 200, bundle(obs("123"), obs("456")), "high", "body"),
        ("/r4/Patient/456", "", 404, None, "medium", "path"),  # refused: an attempt
        ("/r4/Patient/456", "", 403, None, "medium", "path"),
    ],
)
def test_attack(path: str, query: str, status: int, body: bytes | None, severity: str, via: str) -> None:
    ev = tevent(path=path, query=query, status=status, resp_body=body, identity=PT)
    det = run([ev])
    (alert,) = det.alerts()
    assert (alert.severity, alert.evidence["via"], alert.evidence["other_patients"]) == (severity, via, 1)
    assert alert.actor == "client:pulse-patient-app sub:sk1"
    text = msgspec.json.encode(alert).decode()
    assert '"456"' not in text and "/456" not in text  # patient ids only as keyed hashes
    assert ev.alerts == [alert]


@pytest.mark.parametrize(
    ("path", "query", "body", "identity"),
    [
        ("/r4/Patient/123", "", None, PT),  # own chart
        ("/r4/Patient/123/$everything", "", bundle(obs("123")), PT),
        ("/r4/Observation", "patient=123&category=laboratory", bundle(obs("123")), PT),
        ("/r4/Coverage", "beneficiary=Patient/123", None, PT),
        ("/r4/Observation/$lastn", "patient=123", None, PT),  # an operation, own patient
        (
            "/r4/Practitioner/700001",
            "",
            b'{"resourceType":"Practitioner","id":"700001"}',
            PT,
        ),  # not in compartment
        ("/r4/Observation", "performer=456", None, PT),  # bare performer: a practitioner, not a patient
        ("/r4/Observation", "subject:missing=true", None, PT),  # modifier that names nobody
        ("/r4/Observation/77", "", b"not json", PT),  # unreadable body: counted, no alert
        (
            "/r4/Patient/456",
            "",
            None,
            Identity(kind="jwt", fingerprint="c", client_id="clin", subject="dr", scopes=("user/*.read",)),
        ),  # a clinician: user scopes, no patient context
        ("/r4/Patient/456", "", None, None),  # no identity at all
        ("/r4/Patient/456", "", None, Identity(kind="jwt", fingerprint="x", scopes=("patient/*.read",))),
    ],
)
def test_benign_look_alike(path: str, query: str, body: bytes | None, identity: Identity | None) -> None:
    det = run([tevent(path=path, query=query, resp_body=body, identity=identity)])
    assert det.alerts() == []


def test_counts_what_it_cannot_judge() -> None:
    no_ctx = Identity(kind="jwt", fingerprint="x", scopes=("patient/*.read",))
    det = run(
        [
            tevent(path="/r4/Observation/1", resp_body=b"{oops", identity=PT),
            tevent(path="/r4/Observation/2", resp_body=b"{}" * 10, identity=PT),
            tevent(path="/r4/Patient/9", identity=no_ctx),
        ],
        BolaSmartOptions(max_body_bytes=16),
    )
    assert (
        det.stats()["bad_body"] == 1 and det.stats()["body_too_large"] == 1 and det.stats()["no_context"] == 1
    )


def test_fhir_user_patient_is_the_context_and_policy_deny() -> None:
    ident = Identity(kind="jwt", fingerprint="f", subject="s", fhir_user="https://x.org/r4/Patient/123")
    assert own_patient(ident) == "123"
    det = run(
        [tevent(path="/r4/Patient/456", identity=ident)],
        policy=Policy(rules={"bola_smart": {"high": "deny"}}),
    )
    assert det.alerts()[0].action == "deny"


def test_one_alert_per_window_counts_patients() -> None:
    events = [tevent(path=f"/r4/Patient/{500 + k}", ts=1_767_225_600.0 + k, identity=PT) for k in range(50)]
    events.append(tevent(path="/r4/Patient/500", ts=1_767_225_600.0 + 60, identity=PT))
    events.append(tevent(path="/r4/Patient/501", ts=1_767_225_600.0 + 7200, identity=PT))  # next window
    a, b = run(events).alerts()
    assert (a.count, a.evidence["other_patients"], b.count) == (51, 50, 1)


def test_out_of_order_and_absurd_timestamps_do_not_crash() -> None:
    events = [
        tevent(path="/r4/Patient/456", ts=1_767_225_600.0, identity=PT),
        tevent(path="/r4/Patient/457", ts=1_767_225_600.0 - 5000, identity=PT),  # late: clamped
        tevent(path="/r4/Patient/458", ts=0.0, identity=PT),  # absurd: skipped
    ]
    det = run(events)
    (a,) = det.alerts()
    assert a.count == 2 and det.ctx.skipped == {"late_clamped": 1, "absurd_timestamp": 1}

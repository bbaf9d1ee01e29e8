"""partner_misuse: learned partner profiles, declared purposes, deviations."""

from __future__ import annotations

import pytest

from phiwatch.detect.base import DetectContext
from phiwatch.detect.options import DetectOptions, PartnerMisuseOptions, Purpose, detector_options
from phiwatch.detect.partner_misuse import PartnerMisuse
from phiwatch.errors import ConfigError
from phiwatch.model import Event, Identity
from tests.factories import tevent

T0 = 1_767_225_600.0
PAYER = Identity(
    kind="jwt",
    fingerprint="p",
    client_id="bluepeak-payer",
    subject="bluepeak-payer",
    scopes=("system/*.read",),
)


def learn(n: int = 400, every: float = 6.0) -> list[Event]:
    """A payer reading coverage and claims for 40 minutes."""
    paths = ("/r4/Coverage/620000001", "/r4/ExplanationOfBenefit", "/r4/Claim/600000002")
    return [
        tevent(path=paths[k % 3], query="patient=1" if k % 3 == 1 else "", ts=T0 + k * every, identity=PAYER)
        for k in range(n)
    ]


def run(events: list[Event], **opts: object) -> PartnerMisuse:
    det = PartnerMisuse(DetectContext(DetectOptions()), PartnerMisuseOptions(**opts))  # type: ignore[arg-type]
    for ev in events:
        det.process(ev)
    return det


def after(path: str, query: str = "", method: str = "GET", ident: Identity = PAYER) -> list[Event]:
    return [*learn(), tevent(method, path, query=query, ts=T0 + 2500, identity=ident)]


@pytest.mark.parametrize(
    ("path", "query", "method", "reason", "severity"),
    [
        ("/r4/DocumentReference", "patient=9", "GET", "new_resource_type", "high"),  # clinical notes
        ("/r4/Observation/5", "", "GET", "new_resource_type", "high"),
        ("/r4/Organization/1", "", "GET", "new_resource_type", "medium"),  # new, not clinical
        ("/r4/Claim/600000002/_history", "", "GET", "new_operation", "low"),  # history it never read
        ("/r4/Coverage/620000001", "", "PUT", "new_operation", "low"),  # writing
    ],
)
def test_deviation(path: str, query: str, method: str, reason: str, severity: str) -> None:
    (a,) = run(after(path, query, method)).alerts()
    assert (a.evidence["reason"], a.severity, a.actor) == (reason, severity, "client:bluepeak-payer")


def test_benign_look_alikes() -> None:
    assert run(after("/r4/Claim/600000099")).alerts() == []  # same type, same operation
    assert run(learn(200)).alerts() == []  # still learning
    # Deviations during learning are the profile: nothing to compare with yet.
    assert run([tevent(path="/r4/Observation/1", ts=T0, identity=PAYER), *learn()]).alerts() == []
    anon = [*learn(), tevent(path="/r4/DocumentReference", ts=T0 + 2500)]
    assert run(anon).alerts() == []  # no credential: not a partner


def test_declared_purpose_applies_at_once() -> None:
    purposes = {"bluepeak-payer": Purpose(resource_types=("Coverage", "Claim"), operations=("GET read",))}
    det = run([tevent(path="/r4/Observation/1", ts=T0, identity=PAYER)], purposes=purposes)
    (a,) = det.alerts()
    assert (a.evidence["reason"], a.severity) == ("outside_purpose", "high")
    ok = run([tevent(path="/r4/Claim/1", ts=T0, identity=PAYER)], purposes=purposes)
    assert ok.alerts() == []
    with pytest.raises(ConfigError):
        detector_options(PartnerMisuseOptions, "partner_misuse", {"purposes": {"x": {"types": ["A"]}}})


def test_api_key_partner_and_volume_after_a_day() -> None:
    key = Identity(kind="api_key", fingerprint="k1")
    day = [tevent(path="/v2/invoices", ts=T0 + k * 180, identity=key) for k in range(480)]  # 20/h for a day
    spike = [tevent(path="/v2/invoices", ts=T0 + 86_400 + 3600 + k * 2, identity=key) for k in range(600)]
    alerts = run(day + spike).alerts()
    assert [a.evidence["reason"] for a in alerts] == ["volume"] and alerts[0].actor == "api_key:k1"


def test_off_hours_after_a_day() -> None:
    days = [
        tevent(path="/r4/Coverage/1", ts=T0 + d * 86_400 + 9 * 3600 + k * 30, identity=PAYER)
        for d in range(2)
        for k in range(400)
    ]  # 09:00-12:20 two days running
    night = tevent(path="/r4/Coverage/1", ts=T0 + 86_400 + 23 * 3600, identity=PAYER)
    assert run(days).alerts() == []
    (a,) = run([*days, night]).alerts()
    assert a.evidence["reason"] == "off_hours" and a.severity == "low"

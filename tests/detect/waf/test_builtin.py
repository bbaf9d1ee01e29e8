"""The built-in rule set (used when CRS is absent): four attack classes, no CRS needed."""

from __future__ import annotations

import pytest

from phiwatch.detect.waf import WafEngine
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent


@pytest.mark.parametrize(
    ("query", "rule_id"),
    [
        ("q=1%27%20OR%20%271%27%3D%271", 10100),  # classic tautology, libinjection SQLi
        ("name=x%27%20UNION%20SELECT%20ssn%20FROM%20patients--", 10100),  # UNION exfiltration
        ("q=%3Cscript%3Ealert(1)%3C/script%3E", 10101),  # script tag, libinjection XSS
        ("q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", 10101),  # event-handler XSS
        ("file=../../../etc/passwd", 10110),  # traversal
        ("file=..%252f..%252fetc", 10110),  # double-encoded traversal
        ("host=example.org;cat%20/etc/passwd", 10120),  # shell separator + command
        ("x=$(whoami)", 10120),  # command substitution
    ],
)
def test_builtin_detects(builtin_engine: WafEngine, query: str, rule_id: int) -> None:
    result = builtin_engine.evaluate(tevent(path="/Patient", query=query, req_headers=BROWSER))
    assert rule_id in result.rule_ids
    assert result.blocked


@pytest.mark.parametrize(
    "query",
    [
        "name=O%27Brien",  # apostrophe in a surname
        "family=Smith&given=Anna&birthdate=ge1970-01-01",  # FHIR search
        "_include=MedicationRequest:medication&_count=50",  # FHIR include syntax
        "note=patient%20feels%20better;%20catheter%20removed",  # prose with a semicolon
        "path=docs/2024/report.pdf",  # a relative path without ..
    ],
)
def test_builtin_near_misses(builtin_engine: WafEngine, query: str) -> None:
    result = builtin_engine.evaluate(tevent(path="/Patient", query=query, req_headers=BROWSER))
    assert result.rule_ids == ()
    assert not result.blocked


@pytest.mark.parametrize(
    "agent",
    [
        "LabResultsBridge/0.9 (cron; Python-urllib/3.10)",  # "; python" begins a product token
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    ],
)
def test_builtin_user_agents_are_not_commands(builtin_engine: WafEngine, agent: str) -> None:
    result = builtin_engine.evaluate(tevent(path="/Patient", req_headers={**BROWSER, "user-agent": agent}))
    assert result.rule_ids == ()


@pytest.mark.parametrize("agent", ["() { :; }; /bin/bash -c 'id'", "x; cat /etc/passwd"])
def test_builtin_user_agent_commands(builtin_engine: WafEngine, agent: str) -> None:
    result = builtin_engine.evaluate(tevent(path="/Patient", req_headers={**BROWSER, "user-agent": agent}))
    assert 10120 in result.rule_ids


def test_builtin_reads_fhir_json_bodies(builtin_engine: WafEngine) -> None:
    body = b'{"resourceType":"Patient","name":[{"family":"x\' OR 1=1--"}]}'
    ev = tevent(
        "POST", "/Patient", req_headers={**BROWSER, "content-type": "application/fhir+json"}, req_body=body
    )
    result = builtin_engine.evaluate(ev)
    assert 10100 in result.rule_ids
    assert result.matches[0].location == "ARGS:json.name.array_0.family"


def test_builtin_source_says_crs_missing(builtin_engine: WafEngine) -> None:
    assert not builtin_engine.source.is_full_crs
    assert "NOT loaded" in builtin_engine.source.describe()

from __future__ import annotations

import pytest

from phiwatch.detect.waf.config import Exclusion, Scope
from phiwatch.detect.waf.scope import describe, endpoint_path, excluded, in_scope, template_matches
from phiwatch.model import EndpointKey
from tests.factories import tevent


@pytest.mark.parametrize(
    ("kwargs", "scope", "expected"),
    [
        ({"path": "/static/app.js"}, Scope(), False),  # static asset, no input
        ({"path": "/static/app.js", "query": "v=../../etc"}, Scope(), True),  # query: could carry attack
        ({"path": "/logo.PNG"}, Scope(), False),  # extension case-insensitive
        ({"method": "POST", "path": "/x.css", "req_body": b"a=1"}, Scope(), True),  # body present
        ({"path": "/Patient/123"}, Scope(), True),  # default: traversal needs no body
        ({"path": "/Patient/123"}, Scope(only_with_input=True), False),  # narrowest scope
        ({"path": "/app.js"}, Scope(skip_static=False), True),  # opt out of the static skip
        ({"path": "/.js"}, Scope(), True),  # dot-file, not an extension
    ],
)
def test_in_scope(kwargs: dict[str, object], scope: Scope, expected: bool) -> None:
    assert in_scope(tevent(**kwargs), scope) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/Patient/{id}", "/Patient/{id}", True),  # discovery's template itself
        ("/Patient/{id}", "/Patient/123", True),  # raw path fallback
        ("/Patient/{id}", "/Patient", False),  # fewer segments
        ("/Patient/{id}", "/Patient/123/_history", False),  # more segments
        ("/Patient/{id}", "/Observation/1", False),  # other resource
        ("/Patient/{id}", "/Patient/", False),  # empty segment
    ],
)
def test_template_matches(template: str, path: str, expected: bool) -> None:
    assert template_matches(template, path) is expected


def test_exclusion_by_id_tag_prefix_and_method() -> None:
    ex = (
        Exclusion(path="/Binary/{id}", rule_ids=frozenset({942100})),
        Exclusion(path="/Questionnaire", tags=frozenset({"OWASP_CRS/ATTACK-*"}), method="POST"),
    )
    assert excluded(ex, "/Binary/{id}", "PUT", 942100, ())
    assert not excluded(ex, "/Binary/{id}", "PUT", 942101, ())  # other id
    assert excluded(ex, "/Questionnaire", "POST", 941100, ("OWASP_CRS/ATTACK-XSS",))
    assert not excluded(ex, "/Questionnaire", "GET", 941100, ("OWASP_CRS/ATTACK-XSS",))  # method
    assert not excluded(ex, "/Questionnaire", "POST", 920100, ("OWASP_CRS/PROTOCOL-ENFORCEMENT",))


def test_endpoint_path_prefers_template() -> None:
    ev = tevent(path="/Patient/123")
    assert endpoint_path(ev) == "/Patient/123"
    ev.endpoint = EndpointKey("GET", "fhir.example.org", "/Patient/{id}")
    assert endpoint_path(ev) == "/Patient/{id}"


def test_describe_names_the_default_scope_and_its_narrowing() -> None:
    default = describe(Scope())
    assert default.startswith("every request") and ".css" in default and ".woff2" in default
    narrow = describe(Scope(only_with_input=True, skip_static=False))
    assert narrow == "requests with a query string or a body only"

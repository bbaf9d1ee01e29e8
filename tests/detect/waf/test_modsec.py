"""libmodsecurity with OWASP CRS v4: FHIR-aware routing, scores, exclusions, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from phiwatch.detect.waf import Exclusion, WafConfig, WafEngine, load_engine
from phiwatch.model import EndpointKey
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent

FHIR_SQLI = b'{"resourceType":"Patient","name":[{"family":"x\' UNION SELECT password FROM users--"}]}'
FHIR_XSS = b'{"resourceType":"Patient","name":[{"family":"<script>alert(document.cookie)</script>"}]}'
PATIENT = (
    b'{"resourceType":"Patient","id":"p1","name":[{"family":"O\'Brien","given":["Ann"]}],'
    b'"birthDate":"1970-01-01"}'
)
PATCH_XSS = b'[{"op":"replace","path":"/name/0/family","value":"<script>alert(1)</script>"}]'
XML_XSS = (
    b'<Patient xmlns="http://hl7.org/fhir"><name>'
    b'<family value="&lt;script&gt;alert(1)&lt;/script&gt;"/></name></Patient>'
)


def post(ctype: str, body: bytes, method: str = "POST", path: str = "/Patient") -> object:
    return tevent(method, path, req_headers={**BROWSER, "content-type": ctype}, req_body=body)


@pytest.mark.parametrize(
    ("ctype", "body", "category"),
    [
        ("application/fhir+json", FHIR_SQLI, "sqli"),  # attack inside a FHIR resource
        ("application/fhir+json; fhirVersion=4.0", FHIR_XSS, "xss"),  # with the FHIR version parameter
        ("application/json-patch+json", PATCH_XSS, "xss"),  # JSON Patch value
        ("application/x-ndjson", b'{"resourceType":"Patient"}\n' + FHIR_SQLI + b"\n", "sqli"),  # 2nd line
        ("application/fhir+xml", XML_XSS, "xss"),  # FHIR XML attribute value
    ],
)  # fmt: skip
def test_attacks_inside_fhir_bodies_are_seen(
    crs_engine: WafEngine, ctype: str, body: bytes, category: str
) -> None:
    result = crs_engine.evaluate(post(ctype, body))  # type: ignore[arg-type]
    assert category in result.categories, result.rule_ids
    assert result.blocked
    assert 920420 not in result.rule_ids  # the content type itself is allowed


@pytest.mark.parametrize(
    ("ctype", "method"),
    [
        ("application/fhir+json", "POST"),  # create
        ("application/fhir+json; fhirVersion=4.0", "PUT"),  # update with version parameter
        ("application/fhir+json;fhirVersion=4.0;charset=utf-8", "PUT"),  # no spaces, two params
        ("application/json-patch+json", "PATCH"),  # JSON Patch
        ("application/fhir+json", "DELETE"),  # FHIR delete is a normal method
    ],
)
def test_clean_fhir_writes_pass_at_pl1(crs_engine: WafEngine, ctype: str, method: str) -> None:
    body = b'[{"op":"replace","path":"/active","value":true}]' if "patch" in ctype else PATIENT
    result = crs_engine.evaluate(post(ctype, body, method, "/Patient/p1"))  # type: ignore[arg-type]
    assert not result.blocked, [(m.rule_id, m.message) for m in result.matches]
    assert result.rule_ids == ()


def test_malformed_fhir_content_type_still_trips_920470(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(post('application/fhir+json; fhirVersion=4.0"; x=<y>', PATIENT))  # type: ignore[arg-type]
    assert 920470 in result.rule_ids


def test_without_fhir_profile_crs_blocks_fhir_json(crs_dir: Path) -> None:
    # Why the profile exists: stock CRS at PL1 rejects the content type (920420) and PUT (911100).
    engine = load_engine(crs_dir, WafConfig(fhir=False))
    result = engine.evaluate(post("application/fhir+json", PATIENT, "PUT", "/Patient/p1"))  # type: ignore[arg-type]
    assert {920420, 911100} <= set(result.rule_ids)
    assert result.blocked


def test_scores_follow_paranoia_level(crs_dir: Path) -> None:
    ev = tevent(path="/Patient", query="q=1%27%20OR%20%271%27%3D%271", req_headers=BROWSER)
    pl1 = load_engine(crs_dir, WafConfig()).evaluate(ev)
    pl1_detect4 = load_engine(crs_dir, WafConfig(detection_paranoia_level=4)).evaluate(ev)
    assert pl1.inbound_score == sum(m.score for m in pl1.matches if m.paranoia_level <= 1)
    assert pl1_detect4.inbound_score == pl1.inbound_score  # extra rules log, do not count
    assert pl1_detect4.detection_score > pl1.detection_score
    assert any(m.paranoia_level > 1 for m in pl1_detect4.matches)


def test_exclusion_by_template_removes_rule_and_score(crs_dir: Path) -> None:
    config = WafConfig(
        exclusions=(Exclusion(path="/DocumentReference/{id}", tags=frozenset({"attack-xss"})),),
    )
    engine = load_engine(crs_dir, config)
    body = b'{"resourceType":"DocumentReference","description":"<b onmouseover=alert(1)>x</b>"}'
    ev = post("application/fhir+json", body, "PUT", "/DocumentReference/9")
    ev.endpoint = EndpointKey("PUT", "fhir.example.org", "/DocumentReference/{id}")  # type: ignore[attr-defined]
    result = engine.evaluate(ev)  # type: ignore[arg-type]
    assert result.excluded and all(m.category != "xss" for m in result.matches)
    assert not result.blocked
    other = post("application/fhir+json", body, "PUT", "/Patient/9")  # near miss: other endpoint
    assert engine.evaluate(other).blocked  # type: ignore[arg-type]


def test_excerpts_are_masked(crs_engine: WafEngine) -> None:
    ev = tevent(path="/Patient", query="ssn=123-45-6789%27%20OR%201%3D1--", req_headers=BROWSER)
    result = crs_engine.evaluate(ev)
    assert result.matches
    for m in result.matches:
        assert "6789" not in m.excerpt and "123" not in m.excerpt


# Bad input: evaluated within limits or reported as a protocol violation; never a crash or hang.
def test_invalid_percent_encoding(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(tevent(path="/Patient", query="a=%zz%4&b=%", req_headers=BROWSER))
    assert result.evaluated and result.protocol_violation


def test_overlong_header_is_cut(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(tevent(req_headers={**BROWSER, "x-long": "A" * 1_000_000}))
    assert result.protocol_violation and any("cut" in n for n in result.notes)


def test_null_bytes(crs_engine: WafEngine) -> None:
    ev = tevent(path="/Patient/1\x00.json", query="a=b%00c", req_headers={**BROWSER, "x-n": "a\x00b"})
    assert 920270 in crs_engine.evaluate(ev).rule_ids  # CRS: invalid character in request


def test_invalid_utf8(crs_engine: WafEngine) -> None:
    bad = b"\xc0\xaf\xff".decode("utf-8", "surrogateescape")
    header_and_path = tevent(path=f"/Patient/{bad}", req_headers={**BROWSER, "x-u": bad})
    assert crs_engine.evaluate(header_and_path).evaluated
    body = crs_engine.evaluate(post("application/fhir+json", b'{"a":"\xc0\xaf\xff"}'))  # type: ignore[arg-type]
    assert body.protocol_violation and body.blocked  # the JSON parser refuses it


def test_broken_multipart_boundary(crs_engine: WafEngine) -> None:
    body = b"--ABC\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--XYZ"
    result = crs_engine.evaluate(post("multipart/form-data; boundary=XYZ", body))  # type: ignore[arg-type]
    assert result.protocol_violation and result.blocked


def test_json_nested_10000_deep(crs_engine: WafEngine) -> None:
    result = crs_engine.evaluate(post("application/json", b"[" * 10_000 + b"]" * 10_000))  # type: ignore[arg-type]
    assert result.protocol_violation and result.blocked


def test_50_mb_body_is_cut_not_blocked(crs_engine: WafEngine) -> None:
    body = b'{"a":"' + b"x" * (50 << 20) + b'"}'
    result = crs_engine.evaluate(post("application/fhir+json", body))  # type: ignore[arg-type]
    assert result.protocol_violation and any("body cut" in n for n in result.notes)
    assert not result.blocked  # a parse error caused by our own cut is not the client's fault


def test_fhir_narrative_xhtml_passes_but_script_inside_is_caught(crs_engine: WafEngine) -> None:
    div = '<div xmlns=\\"http://www.w3.org/1999/xhtml\\">Ann Smith, born 1970</div>'
    clean = b'{"resourceType":"Patient","text":{"status":"generated","div":"' + div.encode() + b'"}}'
    assert crs_engine.evaluate(post("application/fhir+json", clean)).rule_ids == ()  # type: ignore[arg-type]
    bad = clean.replace(b"Ann Smith", b"<script>alert(document.cookie)</script>")
    result = crs_engine.evaluate(post("application/fhir+json", bad))  # type: ignore[arg-type]
    assert result.blocked and "xss" in result.categories

"""Bad input: never a crash, always counted; the raw scan still covers what fails to parse."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.classify import Classifier, ClassifyOptions
from phiwatch.identity import Fingerprinter
from tests.classify.conftest import KEY
from tests.factories import tevent


def fresh(**opts: int) -> Classifier:
    return Classifier(ClassifyOptions(**opts), Fingerprinter(KEY))  # type: ignore[arg-type]


def test_truncated_json_falls_back_to_raw_scan() -> None:
    c = fresh()
    body = json.dumps({"email": "jane@mail.net", "ssn": "536-22-1234", "more": "x" * 50}).encode()[:-20]
    hits = c.classify(tevent(resp_body=body, resp_headers={"content-type": "application/json"}))
    assert {"email", "ssn"} <= {h.category for h in hits}
    assert c.skipped["invalid_json_fallback"] == 1


def test_binary_body_is_skipped_and_counted() -> None:
    c = fresh()
    assert c.classify(tevent(resp_body=b"\x89PNG\r\n\x1a\n\x00\x00" + b"536-22-1234")) == []
    assert c.skipped["binary_body"] == 1


def test_invalid_utf8_is_scanned() -> None:
    c = fresh()
    hits = c.classify(
        tevent(resp_body=b"\xff\xfe SSN: 536-22-1234 \xc3\x28", resp_headers={"content-type": "text/plain"})
    )
    assert "ssn" in {h.category for h in hits}


def test_gzip_bomb_is_stopped() -> None:
    c = fresh(max_decompressed=1024 * 1024)
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    assert c.classify(tevent(resp_body=bomb, resp_headers={"content-encoding": "gzip"})) == []
    assert c.skipped["decompression_bomb"] == 1


def test_deflate_and_brotli_bombs_are_stopped() -> None:
    c = fresh(max_decompressed=1024 * 1024)
    data = b"a" * (30 * 1024 * 1024)
    c.classify(tevent(resp_body=zlib.compress(data, 9), resp_headers={"content-encoding": "deflate"}))
    c.classify(tevent(resp_body=brotli.compress(data), resp_headers={"content-encoding": "br"}))
    assert c.skipped["decompression_bomb"] == 2


def test_ratio_limit() -> None:
    c = fresh(min_bomb_size=1024, max_ratio=10)
    c.classify(tevent(resp_body=gzip.compress(b"x" * 200_000), resp_headers={"content-encoding": "gzip"}))
    assert c.skipped["decompression_bomb"] == 1


def test_corrupt_compressed_body() -> None:
    c = fresh()
    c.classify(tevent(resp_body=b"not gzip at all", resp_headers={"content-encoding": "gzip"}))
    assert c.skipped["decompression_error"] == 1


def test_50mb_body_is_capped_and_counted() -> None:
    c = fresh()
    body = b"SSN: 536-22-1234 " + b"a" * (50 * 1024 * 1024)
    hits = c.classify(tevent(resp_body=body, resp_headers={"content-type": "text/plain"}))
    assert "ssn" in {h.category for h in hits}
    assert c.skipped["body_truncated"] == 1


def test_xml_with_doctype_is_not_parsed() -> None:
    c = fresh()
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x><ssn>&e;</ssn></x>'
    c.classify(tevent(resp_body=body, resp_headers={"content-type": "application/xml"}))
    assert c.skipped["xml_doctype_not_parsed"] == 1


CLASSIFIER = fresh()


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=2048),
    ctype=st.sampled_from(
        [
            "",
            "application/json",
            "text/csv",
            "application/xml",
            "application/fhir+ndjson",
            "x-www-form-urlencoded",
        ]
    ),
)
def test_any_bytes_never_crash(body: bytes, ctype: str) -> None:
    hits = CLASSIFIER.classify(
        tevent(
            resp_body=body, req_body=body, query=body.decode("latin-1"), resp_headers={"content-type": ctype}
        )
    )
    assert all(h.count >= 1 for h in hits)


@settings(max_examples=100, deadline=None)
@given(prefix=st.text(max_size=200), cut=st.integers(min_value=0, max_value=400))
def test_hl7_and_json_fragments_never_crash(prefix: str, cut: int) -> None:
    doc = (b"MSH|^~\\&|A|B\rPID|||1^^^X^MR||" + prefix.encode() + b"\r")[:cut]
    CLASSIFIER.classify(tevent(resp_body=doc))
    CLASSIFIER.classify(tevent(resp_body=b'{"resourceType":"Bundle","entry":[' + prefix.encode()[:cut]))

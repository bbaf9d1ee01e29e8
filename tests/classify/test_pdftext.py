"""PDF bodies: the text their pages show is scanned; what cannot be read is counted, never raised."""

from __future__ import annotations

import zlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.classify import Classifier, ClassifyOptions
from phiwatch.classify.pdftext import content_text, pdf_text, record_line_names
from phiwatch.classify.sink import Sink
from phiwatch.classify.validators import load_validators
from tests.factories import tevent

LINE = "Invoice 10004 - Maria Lopez - MRN MRN00012345 - 12 Oak Street, Springfield IL"


def pdf(stream: bytes, filters: bytes = b"") -> bytes:
    """A one-page PDF around one content stream (``filters``: the /Filter entry, if any)."""
    obj = b"<< /Length " + str(len(stream)).encode() + filters + b" >>\nstream\n" + stream + b"\nendstream"
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"4 0 obj\n" + obj + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def shown(text: str) -> bytes:
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"BT /F1 11 Tf 50 780 Td (" + safe.encode("latin-1") + b") Tj ET"


def cats(classifier: Classifier, body: bytes, ctype: str = "application/pdf") -> set[str]:
    hits = classifier.classify(tevent(resp_body=body, resp_headers={"content-type": ctype}))
    return {h.category for h in hits if h.location == "response_body"}


def test_uncompressed_invoice(classifier: Classifier) -> None:
    assert cats(classifier, pdf(shown(LINE))) == {"name", "mrn", "address"}


def test_flate_stream_and_tj_kerning(classifier: Classifier) -> None:
    stream = b"BT [(Pat)-20(ient: Ma)10(ria Lopez)] TJ 0 -14 Td (DOB: 01/02/1980) Tj ET"
    text = pdf_text(pdf(zlib.compress(stream), b" /Filter /FlateDecode"), ClassifyOptions(), Counter())
    assert text == b"Patient: Maria Lopez\nDOB: 01/02/1980"  # small kerning joins, Td starts a line
    assert {"name", "date"} <= cats(classifier, pdf(zlib.compress(stream), b" /Filter /FlateDecode"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (pdf(b"\xff\xd8\xff\xe0 jpeg", b" /Filter /DCTDecode"), "pdf_filter_unsupported"),  # a picture
        (pdf(b"not zlib at all", b" /Filter /FlateDecode"), "pdf_stream_error"),  # corrupt stream
        (pdf(b"0 0 m 100 100 l S"), "pdf_no_text"),  # drawing only, no BT/ET
        (b"%PDF-1.7\n1 0 obj << /Encrypt 5 0 R >> endobj", "pdf_encrypted"),
        (b"GIF89a not a pdf", "pdf_not_pdf"),  # labelled application/pdf, but no PDF header
    ],
)
def test_unreadable_pdf_is_counted(body: bytes, reason: str) -> None:
    skipped: Counter[str] = Counter()
    pdf_text(body, ClassifyOptions(), skipped)
    assert skipped[reason] == 1


def test_inflate_bomb_is_stopped() -> None:
    bomb = zlib.compress(b"BT (" + b"A" * 3_000_000 + b") Tj ET", 9)
    opts = ClassifyOptions(max_decompressed=1_000_000, min_bomb_size=1)
    skipped: Counter[str] = Counter()
    assert pdf_text(pdf(bomb, b" /Filter /FlateDecode"), opts, skipped) is None
    assert skipped["decompression_bomb"] == 1


def test_text_is_capped() -> None:
    stream = b"".join(shown(f"line {n} of the statement").replace(b" ET", b"") + b" ET\n" for n in range(200))
    text = pdf_text(pdf(stream), ClassifyOptions(max_body=500), Counter())
    assert text is not None and len(text) <= 500


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (LINE, True),  # the field beside the labelled MRN reads as a person
        ("Maria Lopez | DOB 01/02/1980", True),  # another separator, another label
        ("Invoice 10004 - Statement Summary - Page 2", False),  # no patient identifier on the line
        ("Invoice 10004 - MRN MRN00012345 - 12 Oak Street", False),  # no field reads as a person
        ("Maria Lopez - Invoice 10004 - MRN MRN00012345", False),  # the name is not beside the label
    ],
)
def test_record_line_names(line: str, name: bool) -> None:
    sink = Sink("response_body", dict(load_validators().units))
    record_line_names(line, sink)
    assert ("name" in sink.found) is name


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_content_stream_is_bounded_text(data: bytes) -> None:
    text = content_text(b"BT " + data + b" ET", 300)
    assert len(text) <= 300


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_pdf_body_never_raises(data: bytes) -> None:
    skipped: Counter[str] = Counter()
    out = pdf_text(b"%PDF-1.4\n" + data, ClassifyOptions(), skipped)
    assert out is not None or sum(skipped.values()) >= 1


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=80))
def test_literal_strings_round_trip(text: str) -> None:
    assert pdf_text(pdf(shown(text)), ClassifyOptions(), Counter()) in (text.strip().encode(), None)

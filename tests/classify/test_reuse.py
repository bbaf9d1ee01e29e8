"""Work classify saves without changing what it finds: the FHIR skim is skipped for JSON that
cannot name a ``resourceType``, and bodies decoded as generic JSON are lent to later stages of
the same exchange (``Classifier.json_doc``), only for the very body object that was decoded."""

from __future__ import annotations

import gzip

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.classify import Classifier
from phiwatch.classify.fhir import _DECODER, may_be_fhir, skim, skim_lines
from tests.factories import tevent

JSON = {"content-type": "application/json"}


def _unguarded(data: bytes) -> msgspec.Struct | None:
    """What ``skim`` did before the substring guard."""
    try:
        res = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return res if res.resourceType else None


@pytest.mark.parametrize(
    ("data", "fhir"),
    [
        (b'{"resourceType": "Patient", "id": "p1"}', True),  # the usual FHIR body
        (b'{"resourc\\u0065Type": "Patient"}', True),  # an escaped key still names it: no shortcut
        (b'{"resourceTypes": "Patient"}', False),  # near miss: another key
        (b'{"type": "resourceType"}', False),  # the word as a value, not a key: skim finds none
        (b'{"patient": {"ssn": "123-45-6789"}}', False),  # generic JSON
        (b"[1, 2]", False),  # not an object
        (b"", False),  # empty
    ],
)
def test_skim_guard_agrees_with_decoding(data: bytes, fhir: bool) -> None:
    assert (skim(data) is not None) == fhir == (_unguarded(data) is not None)


def test_guard_only_skips_bodies_without_the_key() -> None:
    assert not may_be_fhir(b'{"a": 1}')
    assert may_be_fhir(b'{"resourceType": 1}') and may_be_fhir(b'{"\\u0061": 1}')
    assert skim_lines(b'{"a": 1}\n{"b": 2}\n') is None  # NDJSON of generic records
    lines = skim_lines(b'{"resourceType": "Patient"}\n{"resourceType": "Observation"}\n')
    assert lines is not None and [r.resourceType for r in lines] == ["Patient", "Observation"]


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=10),
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(
            st.sampled_from(["resourceType", "id", "entry", "name", "x", "résumé"]), c, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_skim_with_guard_equals_skim_without(doc: object) -> None:
    data = orjson.dumps(doc)
    assert skim(data) == _unguarded(data)


def test_generic_json_body_is_lent_for_this_exchange_only(classifier: Classifier) -> None:
    body = b'{"items": [{"firstName": "Ana", "ssn": "123-45-6789"}], "next": null}'
    event = tevent(resp_headers=JSON, resp_body=body)
    classifier.classify(event)
    assert classifier.json_doc(body) == orjson.loads(body)
    assert classifier.json_doc(bytes(bytearray(body))) is None  # equal bytes, another object
    classifier.classify(tevent(resp_headers=JSON, resp_body=b'{"other": 1}'))
    assert classifier.json_doc(body) is None  # the next exchange forgets it


@pytest.mark.parametrize(
    ("headers", "body", "why"),
    [
        (
            {"content-type": "application/fhir+json"},
            b'{"resourceType": "Patient", "id": "p1"}',
            "read as FHIR",
        ),
        (
            {**JSON, "content-encoding": "gzip"},
            gzip.compress(b'{"ssn": "123-45-6789"}'),
            "decoded bytes are not the body",
        ),
        (JSON, b'{"ssn": "123-45-6789"', "does not parse"),
        ({"content-type": "text/csv"}, b"ssn\n123-45-6789\n", "not JSON"),
    ],
)
def test_no_document_lent(classifier: Classifier, headers: dict[str, str], body: bytes, why: str) -> None:
    classifier.classify(tevent(resp_headers=headers, resp_body=body))
    assert classifier.json_doc(body) is None, why


def test_lending_does_not_change_findings(classifier: Classifier) -> None:
    body = b'{"patient": {"ssn": "536-22-1458", "dob": "1980-02-03"}, "mrn": "MRN-00123456"}'
    first = classifier.classify(tevent(resp_headers=JSON, resp_body=body))
    again = classifier.classify(tevent(resp_headers=JSON, resp_body=bytes(bytearray(body))))
    assert first == again and {h.category for h in first} >= {"ssn", "date"}

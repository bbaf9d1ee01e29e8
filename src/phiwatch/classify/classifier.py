"""The classifier: every location of one exchange (path, query, request headers, request and
response bodies) -> ``PhiHit`` list, plus the patient keys and record count the aggregator needs.

Per body: decode with limits (``decode.py``), the format reader for structure and key context
(``formats/``), then one hyperscan scan of the raw bytes for value and coding candidates
(``scanner.py``). A body that fails to parse keeps its raw-scan findings and is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from typing import Any
from urllib.parse import unquote

import msgspec

from phiwatch.classify.codings import code_near
from phiwatch.classify.decode import decode_body, is_pdf
from phiwatch.classify.formats import load_formats
from phiwatch.classify.formats.form import read_pairs
from phiwatch.classify.keys import key_category
from phiwatch.classify.options import ClassifyOptions
from phiwatch.classify.pdftext import pdf_text, record_line_names
from phiwatch.classify.scanner import compiled
from phiwatch.classify.sink import Sink
from phiwatch.classify.validators import load_validators
from phiwatch.model import Event, PhiHit

# Headers that carry credentials or transport detail: never scanned as PHI (identity.py owns them).
_SKIP_HEADERS = frozenset(
    {
        "authorization",
        "cookie",
        "set-cookie",
        "proxy-authorization",
        "host",
        "user-agent",
        "accept",
        "content-type",
        "content-length",
        "content-encoding",
        "accept-encoding",
        "connection",
        "date",
        "x-api-key",
        "api-key",
        "traceparent",
        "x-request-id",
        "x-correlation-id",
        "etag",
        "if-match",
    }
)
_PATIENT_PATH = ("Patient/",)
# Identifier categories a path segment is checked against: a segment equal to a value the same
# exchange's body names as one of these (``"account_id": "A123"`` for ``/accounts/A123/statements``)
# is that identifier in the URL. The body's own label decides, not the collection's name: a
# resource's opaque ``id`` in its path (``/accounts/{id}`` answering ``{"id": ...}``) is not one.
_PATH_ID_CATEGORIES = ("account", "mrn", "ssn", "mbi", "health_plan_id")


def _url_host(data: bytes, start: int) -> bool:
    """The candidate is the host of a URL ("http://52.90.1.2:8080/fhir"): a server, not a person."""
    return data[max(0, start - 3) : start] == b"://"


def _path_identifiers(raw_path: str, bodies: list[Sink], path: Sink) -> None:
    """Path segments that the exchange's bodies name as identifiers (``_PATH_ID_CATEGORIES``)."""
    found = [(cat, acc.values) for b in bodies for cat in _PATH_ID_CATEGORIES if (acc := b.found.get(cat))]
    if not found:
        return
    segs = {unquote(seg) for seg in raw_path.split("/") if len(seg) >= 4}
    for cat, values in found:
        for v in values & segs:
            path.add(cat, v, f"path:{cat}")


class Classification(msgspec.Struct):
    hits: list[PhiHit]
    patients: list[str]  # keyed hashes of patient keys ("Patient/<id>", "mrn:<v>"), never raw
    records: int  # PHI records seen in the response (resources, rows, PID segments)


class Classifier:
    """Compiled once (hyperscan database, validators, formats); ``classify`` per exchange."""

    def __init__(self, options: ClassifyOptions, fingerprint: Callable[[str], str]) -> None:
        self.options = options
        self.fingerprint = fingerprint
        self.validators = dict(load_validators().units)
        self.formats = load_formats()
        self.patterns = compiled()
        self.skipped: Counter[str] = Counter()
        self._docs: list[tuple[bytes, Any]] = []  # bodies of the last exchange decoded as generic JSON

    def classify(self, event: Event) -> list[PhiHit]:
        return self.classify_detail(event).hits

    def json_doc(self, body: bytes) -> Any:
        """The generic JSON document decoded from this very ``body`` object while classifying
        the last exchange (a non-FHIR JSON body, neither re-encoded nor capped), else None."""
        for raw, doc in self._docs:
            if raw is body:
                return doc
        return None

    def classify_detail(self, event: Event) -> Classification:
        req, resp = event.request, event.response
        self._docs = []
        hits: list[PhiHit] = []
        patients: set[str] = set()
        records = 0

        path = self._new("path")
        self.scan_text(unquote(req.path), path)
        if "Patient/" in req.path:  # the only segment pair read below
            segs = req.path.split("/")
            for seg, nxt in pairwise(segs):
                if seg == "Patient" and nxt and not nxt.startswith(("$", "_")):
                    path.patient("Patient/" + nxt)
        patients |= path.patient_keys()

        query_patients: set[str] = set()
        if req.query:
            query = self._new("query")
            read_pairs(req.query, query, "query:")
            self.scan_text(unquote(req.query.replace("+", " ")), query)
            hits += query.hits(self.fingerprint)
            query_patients = query.patient_keys()

        if self.options.scan_headers and req.headers:
            head = self._new("request_header")
            for name, value in req.headers.items():
                if name in _SKIP_HEADERS or not value:
                    continue
                if key_category(name) is None or not head.judged(
                    str(key_category(name)), value, f"header:{name}", context=True
                ):
                    self.scan_text(value[:4096], head)
            hits += head.hits(self.fingerprint)

        bodies: list[Sink] = []
        if req.body:
            body = self._new("request_body")
            self.scan_body(req.body, req.headers, body)
            hits += body.hits(self.fingerprint)
            patients |= body.patient_keys()
            bodies.append(body)

        if resp.body:
            body = self._new("response_body")
            self.scan_body(resp.body, resp.headers, body)
            hits += body.hits(self.fingerprint)
            patients |= body.patient_keys()
            records = body.records or (1 if body.found else 0)
            bodies.append(body)

        _path_identifiers(req.path, bodies, path)
        hits[:0] = path.hits(self.fingerprint)

        # A query identifier (Patient?identifier=<mrn>) names the patient the body or path also
        # references: counting both would count one patient twice, and the reference is the key.
        if query_patients and not any(p.startswith(_PATIENT_PATH) for p in patients):
            patients |= query_patients
        fp = self.fingerprint
        return Classification(hits, sorted(fp(p) for p in patients), records)

    def _new(self, location: str) -> Sink:
        return Sink(location, self.validators)

    def scan_text(self, text: str, sink: Sink) -> None:
        if text:
            self.scan_bytes(text.encode("utf-8", "surrogateescape"), sink)

    def scan_bytes(self, data: bytes, sink: Sink, *, fhir: bool = False) -> None:
        """The one raw hyperscan pass: value candidates, labelled candidates, coding markers."""
        # values structure said are not PHI (an organisation's phone), one string for one search each
        explained = "\x00".join(sink.explained) if sink.explained else ""
        found = sink.found
        for cand in self.patterns.scan(data, fhir=fhir):
            if explained and cand.value and cand.value in explained:
                continue
            if cand.category == "ip" and _url_host(data, cand.start):
                continue
            if cand.coding:
                code = code_near(data, cand.start, cand.end)
                sink.add(cand.category, code or cand.category, "coding")
                continue
            acc = found.get(cand.category)
            if acc is not None and cand.value.strip() in acc.values:
                continue  # structure already kept this value: judging it again changes nothing
            sink.judged(cand.category, cand.value, "", context=cand.labelled)

    def scan_body(self, raw: bytes, headers: dict[str, str], sink: Sink) -> None:
        """Structure first (the format reader), then the raw scan, with the smaller database
        when every document of the body was a FHIR resource."""
        data = decode_body(raw, headers, self.options, self.skipped)
        if data is None:
            return
        content_type = headers.get("content-type", "").lower()
        if is_pdf(data, content_type):
            text = pdf_text(data, self.options, self.skipped)
            if text is not None:
                record_line_names(text.decode("utf-8", "surrogateescape"), sink)
                self.scan_bytes(text, sink)
            return
        head = data[:2048]
        for fmt in self.formats:
            if fmt.sniff(head, content_type):
                fmt.read(data, sink, self.skipped, self.options.max_records)
                if sink.doc is not None and data is raw:
                    self._docs.append((raw, sink.doc))
                break
        self.scan_bytes(data, sink, fhir=sink.fhir_documents > 0 and sink.other_documents == 0)

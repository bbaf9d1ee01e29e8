"""XML bodies (C-CDA documents, FHIR XML, SOAP): element names give key context (``<ssn>``,
``<birthTime>``), C-CDA ``<id root=OID extension=value>`` maps by OID like a FHIR identifier
system, and ``<patient>``/``<patientRole>`` name, addr and telecom are read by structure.
Documents with a DOCTYPE are not parsed (no entity expansion, no XXE); the raw scan still runs."""

from __future__ import annotations

from collections import Counter
from xml.etree import ElementTree

from phiwatch.classify.fhir import identifier_category
from phiwatch.classify.formats import FORMATS, keyed
from phiwatch.classify.sink import Sink

_PERSON = frozenset({"patient", "patientrole", "guardian", "guardianperson", "relatedperson", "informant"})


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if "}" in tag else tag


def _text(el: ElementTree.Element) -> str:
    return " ".join(t.strip() for t in el.itertext() if t.strip())


def read_tree(root: ElementTree.Element, sink: Sink) -> None:
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:
        el, in_person = stack.pop()
        tag = _local(el.tag).lower()
        person = in_person or tag in _PERSON
        attrs = el.attrib
        if tag == "id" and "extension" in attrs:
            cat = identifier_category(attrs.get("root", ""), [])
            if cat is None and "urn:oid:" + attrs.get("root", "") != attrs.get("root", ""):
                cat = identifier_category("urn:oid:" + attrs.get("root", ""), [])
            if cat is None and person:
                cat = "mrn" if tag == "id" else None
            if cat is not None:
                sink.add(cat, attrs["extension"], "xml:id")
        if person and tag == "name":
            sink.add("name", _text(el), "xml:name")
            continue
        if person and tag == "addr":
            sink.add("address", _text(el), "xml:addr")
            continue
        if person and tag == "telecom" and "value" in attrs:
            v = attrs["value"]
            scheme, _, rest = v.partition(":")
            cat = {"tel": "phone", "fax": "fax", "mailto": "email", "http": "url", "https": "url"}.get(scheme)
            if cat is not None and rest:
                sink.add(cat, rest if cat != "url" else v, "xml:telecom")
        if person and tag == "birthtime" and "value" in attrs:
            sink.add("date", attrs["value"], "xml:birthTime")
        if el.text and el.text.strip() and len(el) == 0:
            keyed(sink, tag, el.text.strip(), f"xml:{tag}")
        for k, v in attrs.items():
            keyed(sink, _local(k), v, f"xml:{tag}@{_local(k)}")
        stack.extend((child, person) for child in el)


class XmlFormat:
    def sniff(self, head: bytes, content_type: str) -> bool:
        return "xml" in content_type or head.lstrip()[:1] == b"<"

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
            skipped["xml_doctype_not_parsed"] += 1
            return
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError:
            skipped["invalid_xml_fallback"] += 1
            return
        before = len(sink.found)
        read_tree(root, sink)
        if len(sink.found) > before:
            sink.records += 1


FORMATS.register("xml")(XmlFormat())

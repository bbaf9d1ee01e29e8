"""HL7 v2 messages (ADT, ORU...): segments split on CR, fields on the MSH-1 separator. PID
carries the patient: PID-3 identifiers (by CX-5 type code), PID-5 name, PID-7 birth date,
PID-11 address, PID-13/14 phones, PID-18 account, PID-19 SSN, PID-20 driver's licence. NK1
(next of kin) names, addresses and phones; OBX/DG1 coded values by coding system (LN, SCT, I10)."""

from __future__ import annotations

from collections import Counter

from phiwatch.classify.fhir import identifier_category
from phiwatch.classify.formats import FORMATS
from phiwatch.classify.patterns import CODE_SYSTEMS
from phiwatch.classify.sink import Sink


def _name(xpn: str, comp: str) -> str:
    parts = xpn.split(comp)
    return " ".join(p for p in (parts[1:3] + parts[:1]) if p).strip()


def _address(xad: str, comp: str) -> str:
    parts = xad.split(comp)
    return " ".join(p for p in (parts[:1] + parts[2:3] + parts[4:5]) if p).strip()


def _coded(field: str, comp: str, sink: Sink, where: str) -> None:
    parts = field.split(comp)
    for i in range(0, min(len(parts), 6), 3):  # CE/CWE: code^text^system (^alt code^alt text^alt system)
        if i + 2 < len(parts):
            cat = CODE_SYSTEMS.get(parts[i + 2].upper())
            if cat is not None and parts[i]:
                sink.add(cat, parts[i], where)


def read_segments(text: str, sink: Sink) -> None:
    segments = [s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if len(s) > 3]
    if not segments or not segments[0].startswith("MSH"):
        return
    sep = segments[0][3]
    enc = segments[0][4:8].split(sep)[0]
    comp, rep = (enc[0] if enc else "^"), (enc[1] if len(enc) > 1 else "~")
    for seg in segments:
        f = seg.split(sep)
        kind = f[0]
        if kind == "PID":
            sink.records += 1
            for i, cat in ((5, "name"), (6, "name"), (11, "address"), (13, "phone"), (14, "phone")):
                for value in f[i].split(rep) if len(f) > i else []:
                    v = _name(value, comp) if cat == "name" else value.split(comp)[0]
                    if cat == "address":
                        v = _address(value, comp)
                    if v:
                        sink.add(cat, v, f"PID-{i}")
            for value in f[3].split(rep) if len(f) > 3 else []:
                cx = value.split(comp)
                if cx[0]:
                    type_code = cx[4] if len(cx) > 4 else ""
                    cat = identifier_category("", [type_code]) or "mrn"
                    sink.add(cat, cx[0], "PID-3")
                    if cat == "mrn":
                        sink.patient("mrn:" + cx[0])
            for i, cat in ((7, "date"), (18, "account"), (19, "ssn"), (20, "license")):
                v = f[i].split(comp)[0] if len(f) > i else ""
                if v:
                    sink.add(cat, v, f"PID-{i}")
            if len(f) > 29 and f[29]:
                sink.add("date", f[29].split(comp)[0], "PID-29")
        elif kind == "NK1":
            for i, cat in ((2, "name"), (4, "address"), (5, "phone"), (6, "phone")):
                v = f[i] if len(f) > i else ""
                v = (
                    _name(v, comp)
                    if cat == "name"
                    else _address(v, comp)
                    if cat == "address"
                    else v.split(comp)[0]
                )
                if v:
                    sink.add(cat, v, f"NK1-{i}")
        elif kind in ("OBX", "DG1", "OBR", "PR1", "RXA", "RXE", "RXO"):
            sink.flag("clinical", kind)
            for fld in f[2:6]:
                if comp in fld:
                    _coded(fld, comp, sink, kind)
        elif kind == "IN1" and len(f) > 36 and f[36]:
            sink.add("health_plan_id", f[36].split(comp)[0], "IN1-36")


class Hl7v2Format:
    def sniff(self, head: bytes, content_type: str) -> bool:
        return head.lstrip()[:3] == b"MSH" or "hl7-v2" in content_type

    def read(self, data: bytes, sink: Sink, skipped: Counter[str], max_records: int) -> None:
        text = data.decode("utf-8", "replace")
        for n, message in enumerate(text.replace("\nMSH", "\rMSH").split("\rMSH")):
            if n >= max_records:
                skipped["records_capped"] += 1
                break
            read_segments(message if message.startswith("MSH") else "MSH" + message, sink)


FORMATS.register("hl7v2")(Hl7v2Format())

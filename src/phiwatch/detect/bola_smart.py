"""bola_smart: a SMART token bound to one patient that reaches another patient's records.

Description: a token with a ``patient`` launch context (or a ``fhirUser`` that is a Patient)
may read only that patient's compartment. This detector names the patients a request
reaches, three ways, and alerts on any other than the token's own:

* by path: ``/r4/Patient/{other}``, ``/fhir/Patient/{other}/Observation``, ``_history``;
* by search parameter of a Patient-compartment type, per the R4 CompartmentDefinition
  (``patient=``, ``subject=Patient/x``, ``beneficiary=``, ... in ``fhir_compartment``);
* by the patient references in a successful FHIR JSON response body (a read by resource id,
  ``/Observation/123``, or a search that did not pin a patient), parsed with orjson.

Severity: high when the server answered 2xx (data left), medium when it refused (401/403/404:
an attempt). Evidence: own and other patients as keyed hashes, how they were reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, View
from phiwatch.detect.fhir_compartment import (
    in_compartment,
    patient_id_of_reference,
    patient_refs_in_body,
    patient_refs_in_query,
)
from phiwatch.detect.options import BolaSmartOptions, detector_options
from phiwatch.model import Alert, Event, Identity

NAME = "bola_smart"


def own_patient(ident: Identity) -> str | None:
    """The patient a token is bound to: SMART ``patient`` context, else a Patient fhirUser."""
    if ident.patient:
        return ident.patient
    fu = ident.fhir_user
    if fu and "Patient/" in fu:
        return patient_id_of_reference(fu)
    return None


class BolaSmart:
    name = NAME

    def __init__(self, ctx: DetectContext, options: BolaSmartOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.body_when_pinned = options.body_when_pinned
        self.max_body_bytes = options.max_body_bytes
        self.max_entries = options.max_entries
        self.parse_bodies = options.parse_bodies
        self.book = AlertBook(NAME, ctx)
        self.counts: dict[str, int] = {"no_context": 0, "bad_body": 0, "body_too_large": 0}

    def _targets(self, v: View, own: str) -> tuple[set[str], str]:
        rtype = v.rtype
        found: set[str] = set()
        via = ""
        if rtype == "Patient" and v.rid:
            found.add(v.rid)
            via = "path"
        elif rtype and v.query:
            found.update(patient_refs_in_query(rtype, v.query))
            via = "query" if found else ""
        pinned = len(found) == 1 and own in found
        body = v.response.body
        if (
            self.parse_bodies
            and body
            and 200 <= v.status < 300
            and (not pinned or self.body_when_pinned)
            and (rtype == "Patient" or in_compartment(rtype) or not v.rid)
        ):
            if len(body) > self.max_body_bytes:
                self.counts["body_too_large"] += 1
            else:
                try:
                    doc = orjson.loads(body)
                except orjson.JSONDecodeError:
                    self.counts["bad_body"] += 1
                else:
                    in_body = patient_refs_in_body(doc, self.max_entries)
                    if any(pid != own and pid not in found for pid in in_body):
                        via = "body"
                    found |= in_body
        return found, via

    def process(self, event: Event) -> None:
        ident = event.identity
        if ident is None or not (ident.patient or ident.fhir_user or ident.scopes):
            return
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or not v.rtype:
            return
        own = own_patient(ident)
        if own is None:
            if any(s.startswith("patient/") for s in ident.scopes):
                self.counts["no_context"] += 1  # patient scopes but no patient to compare with
            return
        found, via = self._targets(v, own)
        if not found or (len(found) == 1 and own in found):
            return  # only its own patient, or none: the common case, no set built
        others = found - {own}
        severity = "high" if 200 <= v.status < 300 else "medium"
        h = self.ctx.hash
        evidence: dict[str, object] = {
            "own_patient": h(own),
            "via": via,
            "resource_type": v.rtype,
            "status": v.status,
        }
        hashed = [h(pid) for pid in sorted(others)]
        self.book.raise_alert(v, severity, evidence, endpoint=v.endpoint, distinct={"other_patients": hashed})

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.book)

    def stats(self) -> dict[str, int]:
        return dict(self.counts, alerts_evicted=self.book.evicted)


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return BolaSmart(ctx, detector_options(BolaSmartOptions, NAME, settings))

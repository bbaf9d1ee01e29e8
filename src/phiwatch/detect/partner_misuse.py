"""partner_misuse: a client (partner, app, integration) stepping outside its profile.

Description: a partner is a SMART ``client_id``, or an API key / Basic credential. Each one's
profile is learned from its own traffic: the FHIR resource types it reads or writes, its
operations (``GET read``, ``POST create``, ``GET $export``, or ``METHOD template`` for other
APIs), its hours of the day and its busiest hour. After ``learn_events`` events spanning at
least ``learn_s`` seconds the profile is frozen and deviations alert:

* ``new_resource_type`` of a clinical type (notes, observations, conditions, ...) by a
  partner that never read clinical data: high (a payer reading clinical notes); other new
  types: medium;
* ``new_operation``: low; ``off_hours`` (only once a whole day was learned): low;
* ``volume``: an hour's requests over ``volume_factor`` x the busiest hour of its first
  whole day (so only after a day): medium.

A declared purpose (``purposes: {client: {resource_types: [...], operations: [...]}}``)
applies from the first event: anything outside it is ``outside_purpose``, high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, View
from phiwatch.detect.options import PartnerMisuseOptions, detector_options
from phiwatch.model import AUTH_API_KEY, AUTH_BASIC, Alert, Event

NAME = "partner_misuse"
CLINICAL_TYPES = frozenset(
    {
        "AllergyIntolerance",
        "CarePlan",
        "ClinicalImpression",
        "Communication",
        "Composition",
        "Condition",
        "DiagnosticReport",
        "DocumentReference",
        "FamilyMemberHistory",
        "ImagingStudy",
        "Immunization",
        "Media",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationRequest",
        "MedicationStatement",
        "MolecularSequence",
        "Observation",
        "Procedure",
        "QuestionnaireResponse",
        "RiskAssessment",
        "ServiceRequest",
        "Specimen",
    }
)


class _Profile:
    __slots__ = ("busiest", "clinical", "first", "frozen", "hour", "hour_n", "hours", "n", "ops", "types")

    def __init__(self, t: float) -> None:
        self.first = t
        self.n = 0
        self.types: set[str] = set()
        self.ops: set[str] = set()
        self.hours = 0  # bit mask of UTC hours seen
        self.clinical = False
        self.frozen = False
        self.hour = -1  # current absolute hour and its count
        self.hour_n = 0
        self.busiest = 0


def operation(v: View) -> str:
    """``METHOD interaction`` for FHIR, ``METHOD template`` otherwise."""
    method = v.method
    if v.op:
        return f"{method} {v.op}"
    if v.rtype:
        if "/_history" in v.path:
            return f"{method} history"
        if v.rid:
            return f"{method} read" if method == "GET" else f"{method} update"
        return f"{method} search" if method == "GET" else f"{method} create"
    return f"{method} {v.tpath}"


def partner_of(v: View) -> str | None:
    ident = v.ident
    if ident is None:
        return None
    if ident.client_id:
        return ident.client_id
    if ident.kind in (AUTH_API_KEY, AUTH_BASIC):
        return ident.actor
    return None


class PartnerMisuse:
    name = NAME

    def __init__(self, ctx: DetectContext, options: PartnerMisuseOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.learn_events = options.learn_events
        self.learn_s = options.learn_s
        self.purposes = options.purposes
        self.types_cap = options.types_cap
        self.volume_factor = options.volume_factor
        self.volume_min = options.volume_min
        self.book = AlertBook(NAME, ctx)
        self.profiles: Lru[str, _Profile] = Lru(ctx.options.max_keys)

    def _purpose(self, v: View, partner: str, rtype: str, op: str) -> None:
        purpose = self.purposes.get(partner)
        if purpose is None:
            return
        bad_type = bool(rtype and purpose.resource_types and rtype not in purpose.resource_types)
        bad_op = bool(purpose.operations and op not in purpose.operations)
        if bad_type or bad_op:
            evidence: dict[str, object] = {
                "reason": "outside_purpose",
                "partner": partner,
                "resource_type": rtype,
                "operation": op,
            }
            self.book.raise_alert(
                v, "high", evidence, actor=f"client:{partner}" if ":" not in partner else partner
            )

    def process(self, event: Event) -> None:
        ident = event.identity
        if ident is None:
            return
        partner: str | None = ident.client_id  # partner_of(v), read before the view is built
        if not partner:
            if ident.kind not in (AUTH_API_KEY, AUTH_BASIC):
                return
            partner = ident.actor
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or v.allowlisted:
            return
        rtype = v.rtype
        op = operation(v)
        if self.purposes:
            self._purpose(v, partner, rtype, op)
        t = v.t
        p = self.profiles.get(partner)
        if p is None:
            p = self.profiles.put(partner, _Profile(t))
        p.n += 1
        abs_hour = int(t // 3600)
        if abs_hour != p.hour:
            p.hour, p.hour_n = abs_hour, 0
        p.hour_n += 1
        hour_bit = 1 << (abs_hour % 24)
        learning_hours = t - p.first < 86_400  # hours of the day are learned over a whole day
        if learning_hours:
            p.hours |= hour_bit
        if not p.frozen:
            if len(p.types) < self.types_cap and rtype:
                p.types.add(rtype)
                p.clinical = p.clinical or rtype in CLINICAL_TYPES
            if len(p.ops) < self.types_cap:
                p.ops.add(op)
            p.busiest = max(p.busiest, p.hour_n)
            if p.n >= self.learn_events and v.t - p.first >= self.learn_s:
                p.frozen = True
            return
        actor = f"client:{partner}" if ":" not in partner else partner
        ep = v.endpoint
        if rtype and rtype not in p.types:
            clinical = rtype in CLINICAL_TYPES
            severity = "high" if clinical and not p.clinical else "medium"
            evidence: dict[str, object] = {
                "reason": "new_resource_type",
                "resource_type": rtype,
                "learned_types": len(p.types),
                "status": v.status,
            }
            self.book.raise_alert(v, severity, evidence, actor=actor, endpoint=ep)
        elif op not in p.ops:
            self.book.raise_alert(
                v, "low", {"reason": "new_operation", "operation": op}, actor=actor, endpoint=ep
            )
        if learning_hours:
            p.busiest = max(p.busiest, p.hour_n)  # the busiest hour of the first whole day
        elif p.hour_n > max(self.volume_min, self.volume_factor * p.busiest):
            evidence = {"reason": "volume", "per_hour": p.hour_n, "learned_busiest_hour": p.busiest}
            self.book.raise_alert(v, "medium", evidence, actor=actor)
        if not learning_hours and not p.hours & hour_bit:
            self.book.raise_alert(v, "low", {"reason": "off_hours", "hour_utc": abs_hour % 24}, actor=actor)

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.profiles)

    def stats(self) -> dict[str, int]:
        frozen = sum(1 for p in self.profiles.values() if p.frozen)
        return {
            "profiles_frozen": frozen,
            "evicted": self.profiles.evicted,
            "alerts_evicted": self.book.evicted,
        }


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return PartnerMisuse(ctx, detector_options(PartnerMisuseOptions, NAME, settings))

"""FHIR-aware classification: structure, not guesses.

A body is decoded with a skim schema (msgspec skips every field it does not name, in C), then
each resource is read where FHIR puts identifiers: ``name`` (HumanName), ``telecom``
(ContactPoint system phone/fax/email/url), ``address``, ``birthDate``, ``deceasedDateTime``,
``photo``, ``identifier`` (by ``system`` URI, then ``type`` code), Coverage ``subscriberId``,
Device ``udiCarrier``/``serialNumber``, Encounter ``period``. A resource in the Patient
compartment marks the body ``clinical``. Operation bodies (``Parameters``) are walked like Bundles.
The phone, e-mail and address of an organisation or place (``PLACES``) are recorded as explained,
not PHI, so the raw scan does not report them from the bytes; of its identifiers only the NPI and
DEA number count. Codings (LOINC, SNOMED, RxNorm, ICD-10) are found by
the one raw hyperscan pass over the body (see ``codings.py``), not by walking every node.
"""

from __future__ import annotations

from typing import Any

import msgspec

from phiwatch.classify.patterns import identifier_systems, identifier_types
from phiwatch.classify.sink import Sink

COMPARTMENT = frozenset(
    [
        "Account",
        "AdverseEvent",
        "AllergyIntolerance",
        "Appointment",
        "AppointmentResponse",
        "AuditEvent",
        "Basic",
        "BodyStructure",
        "CarePlan",
        "CareTeam",
        "ChargeItem",
        "Claim",
        "ClaimResponse",
        "ClinicalImpression",
        "Communication",
        "CommunicationRequest",
        "Composition",
        "Condition",
        "Consent",
        "Coverage",
        "CoverageEligibilityRequest",
        "CoverageEligibilityResponse",
        "DetectedIssue",
        "DeviceRequest",
        "DeviceUseStatement",
        "DiagnosticReport",
        "DocumentManifest",
        "DocumentReference",
        "Encounter",
        "EnrollmentRequest",
        "EpisodeOfCare",
        "ExplanationOfBenefit",
        "FamilyMemberHistory",
        "Flag",
        "Goal",
        "Group",
        "ImagingStudy",
        "Immunization",
        "ImmunizationEvaluation",
        "ImmunizationRecommendation",
        "Invoice",
        "List",
        "MeasureReport",
        "Media",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationRequest",
        "MedicationStatement",
        "MolecularSequence",
        "NutritionOrder",
        "Observation",
        "Person",
        "Procedure",
        "Provenance",
        "QuestionnaireResponse",
        "RelatedPerson",
        "RequestGroup",
        "ResearchSubject",
        "RiskAssessment",
        "Schedule",
        "ServiceRequest",
        "Specimen",
        "SupplyDelivery",
        "SupplyRequest",
        "Task",
        "VisionPrescription",
        "Patient",
    ]
)
# Resources that describe one person (their name/telecom/address are a person's identifiers).
PERSONS = frozenset({"Patient", "RelatedPerson", "Practitioner", "Person"})
# Resources that describe a place or an organisation: their contact details are not PHI.
PLACES = frozenset({"Organization", "Location", "HealthcareService", "Endpoint", "InsurancePlan"})
# The identifiers of an organisation that still matter: its NPI (type 2) and DEA registration.
PROVIDER_IDS = frozenset({"npi", "dea"})
_TELECOM = {"phone": "phone", "sms": "phone", "fax": "fax", "email": "email", "url": "url"}
_SYSTEMS = identifier_systems()
_TYPES = identifier_types()


class Resource(msgspec.Struct):
    """The fields of any FHIR resource that can hold identifiers; all others are skipped."""

    resourceType: str | None = None
    id: Any = None
    identifier: Any = None
    name: Any = None
    telecom: Any = None
    address: Any = None
    birthDate: Any = None
    deceasedDateTime: Any = None
    photo: Any = None
    contact: Any = None
    subject: Any = None
    patient: Any = None
    beneficiary: Any = None
    practitioner: Any = None  # PractitionerRole.practitioner: a Reference whose display is a name
    subscriberId: Any = None
    udiCarrier: Any = None
    serialNumber: Any = None
    period: Any = None
    agent: Any = None  # AuditEvent.agent[].network.address: the client's IP address
    entry: list[Entry] | None = None
    contained: list[Resource] | None = None
    parameter: list[Entry] | None = None  # Parameters (operation bodies such as $member-match)


class Entry(msgspec.Struct):
    """A Bundle entry or a Parameters parameter: only the resource it may hold is read."""

    resource: Resource | None = None


_DECODER = msgspec.json.Decoder(Resource)


def may_be_fhir(data: bytes) -> bool:
    """False when no member of ``data`` can be named ``resourceType``: then ``skim`` would find
    none, and the decode is saved (one C substring search; a ``\\u`` escape could spell the name)."""
    return b'"resourceType"' in data or b"\\u" in data


def skim(data: bytes) -> Resource | None:
    """The body as a FHIR resource, or None when it is not a JSON object with resourceType."""
    if not may_be_fhir(data):
        return None
    try:
        res = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return res if res.resourceType else None


def skim_lines(data: bytes) -> list[Resource] | None:
    """Every line of an NDJSON body as a FHIR resource in one decoder call (Bulk ``$export``
    output), or None when any line is not one: the caller then reads line by line."""
    if not may_be_fhir(data):
        return None
    try:
        resources = _DECODER.decode_lines(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return resources if all(r.resourceType for r in resources) else None


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _human_names(value: Any, sink: Sink, field: str) -> None:
    for hn in _dicts(value):
        parts = _strs(hn.get("prefix")) + _strs(hn.get("given")) + _strs(hn.get("family"))
        text: Any = " ".join(parts[1:] if parts and parts[0].endswith(".") else parts) or hn.get("text", "")
        if isinstance(text, str) and text:
            sink.add("name", text, field)


def _telecoms(value: Any, sink: Sink, field: str) -> None:
    for cp in _dicts(value):
        v = cp.get("value")
        cat = _TELECOM.get(str(cp.get("system", "")))
        if isinstance(v, str) and v:
            if cat is None:
                cat = "email" if "@" in v else "phone"
            sink.add(cat, v, field)


def _addresses(value: Any, sink: Sink, field: str) -> None:
    for ad in _dicts(value):
        parts = _strs(ad.get("line")) + _strs(ad.get("city")) + _strs(ad.get("postalCode"))
        text = " ".join(parts) or ad.get("text", "")
        if isinstance(text, str) and text:
            sink.add("address", text, field)


def identifier_category(system: str, type_codes: list[str]) -> str | None:
    cat = _SYSTEMS.get(system)
    if cat is None and system.startswith("urn:oid:2.16.840.1.113883.4.3."):
        cat = "license"  # state driver's licence: 2.16.840.1.113883.4.3.<FIPS>
    if cat is None:
        for code in type_codes:
            cat = _TYPES.get(code)
            if cat is not None:
                break
    return cat


def _identifiers(value: Any, sink: Sink, rtype: str) -> None:
    for ident in _dicts(value):
        v = ident.get("value")
        if not isinstance(v, str) or not v:
            continue
        system = ident.get("system")
        cat = _SYSTEMS.get(system) if isinstance(system, str) else None
        if cat is None:  # the rarer path: type codes, state licence arcs, resource defaults
            codes = [
                str(c.get("code", "")) for t in _dicts(ident.get("type")) for c in _dicts(t.get("coding"))
            ]
            cat = identifier_category(str(system or ""), codes)
            if cat is None:
                cat = _DEFAULT_ID.get(rtype)
        if cat is not None and (rtype not in PLACES or cat in PROVIDER_IDS):
            sink.add(cat, v, f"{rtype}.identifier")


# An identifier no system or type names is still a person's "other unique identifying number",
# an Account's account number, a Coverage's plan id, a Device's device identifier.
_DEFAULT_ID = {
    "Patient": "other_id",
    "RelatedPerson": "other_id",
    "Person": "other_id",
    "Account": "account",
    "Coverage": "health_plan_id",
    "Device": "device_id",
}


def _patient_ref(value: Any) -> str:
    if isinstance(value, dict):  # the usual shape: one Reference
        r = value.get("reference")
        if isinstance(r, str) and "Patient/" in r:
            return "Patient/" + r.rpartition("Patient/")[2].split("/")[0]
        return ""
    for ref in _dicts(value):
        r = ref.get("reference")
        if isinstance(r, str) and "Patient/" in r:
            return "Patient/" + r.rpartition("Patient/")[2].split("/")[0]
    return ""


# A Reference to one of these names a person: its ``display`` is that person's name.
_PERSON_REFS = frozenset({"Patient", "RelatedPerson", "Practitioner", "Person"})


def _reference_names(value: Any, sink: Sink, field: str) -> None:
    for ref in _dicts(value):
        display, target = ref.get("display"), ref.get("reference")
        if not (isinstance(display, str) and display and isinstance(target, str)):
            continue
        # relative ("Practitioner/1"), absolute (".../r4/Practitioner/1") or versioned (".../_history/2")
        if any(seg in _PERSON_REFS for seg in target.split("/")[:-1]):
            sink.judged("name", display, field, context=True)


def _explain(res: Resource, sink: Sink) -> None:
    """An organisation's phone, e-mail or address is not a person's identifier: its values are
    recorded as explained, so the raw scan does not report them again from the bytes."""
    for cp in _dicts(res.telecom):
        if isinstance(cp.get("value"), str):
            sink.explained.add(cp["value"].strip())
    for contact in _dicts(res.contact):
        for cp in _dicts(contact.get("telecom")):
            if isinstance(cp.get("value"), str):
                sink.explained.add(cp["value"].strip())
    for ad in _dicts(res.address):
        for line in _strs(ad.get("line")):
            sink.explained.add(line.strip())


def walk(res: Resource, sink: Sink, depth: int = 0) -> None:
    rtype = res.resourceType or ""
    if res.entry and depth < 4:
        for entry in res.entry:
            if entry.resource is not None:
                walk(entry.resource, sink, depth + 1)
    if res.contained and depth < 4:
        for inner in res.contained:
            walk(inner, sink, depth + 1)
    if res.parameter and depth < 4:
        for param in res.parameter:
            if param.resource is not None:
                walk(param.resource, sink, depth + 1)
    if rtype in COMPARTMENT:
        sink.flag("clinical", rtype)
        sink.records += 1
        if rtype == "Patient" and isinstance(res.id, str):
            sink.patient("Patient/" + res.id)
        else:
            ref = res.subject or res.patient or res.beneficiary
            if ref is not None:
                sink.patient(_patient_ref(ref))
    # Only the practitioner slot for now: a subject's display (Synthea's Encounter.subject) is the
    # patient's name too, but bench/phi_accuracy.py's truth does not read displays yet.
    if res.practitioner is not None:
        _reference_names(res.practitioner, sink, f"{rtype}.practitioner.display")
    if res.identifier is not None:
        _identifiers(res.identifier, sink, rtype)
    if rtype in PERSONS:
        _human_names(res.name, sink, f"{rtype}.name")
        _telecoms(res.telecom, sink, f"{rtype}.telecom")
        _addresses(res.address, sink, f"{rtype}.address")
        for d in _strs(res.birthDate):
            sink.add("date", d, f"{rtype}.birthDate")
        for d in _strs(res.deceasedDateTime):
            sink.add("date", d, f"{rtype}.deceasedDateTime")
        for att in _dicts(res.photo):
            data = att.get("data") or att.get("url")
            if isinstance(data, str) and data:
                sink.add("photo", data, f"{rtype}.photo")
        for contact in _dicts(res.contact):
            _human_names(contact.get("name"), sink, f"{rtype}.contact.name")
            _telecoms(contact.get("telecom"), sink, f"{rtype}.contact.telecom")
            _addresses(contact.get("address"), sink, f"{rtype}.contact.address")
    elif rtype == "PractitionerRole":  # the practitioner's contact in this role
        _telecoms(res.telecom, sink, f"{rtype}.telecom")
    elif rtype in PLACES:
        _explain(res, sink)
    if rtype == "Coverage":
        for v in _strs(res.subscriberId):
            sink.add("health_plan_id", v, "Coverage.subscriberId")
    elif rtype == "Device":
        for udi in _dicts(res.udiCarrier):
            udi_value = udi.get("carrierHRF") or udi.get("deviceIdentifier")
            if isinstance(udi_value, str) and udi_value:
                sink.add("device_id", udi_value, "Device.udiCarrier")
        for v in _strs(res.serialNumber):
            sink.add("device_id", v, "Device.serialNumber")
    elif rtype == "AuditEvent":
        for agent in _dicts(res.agent):
            network = agent.get("network")
            address = network.get("address") if isinstance(network, dict) else agent.get("networkString")
            if isinstance(address, str) and address:
                sink.judged("ip", address, "AuditEvent.agent.network", context=True)
    elif rtype == "Encounter":
        for p in _dicts(res.period):
            start = p.get("start")
            if isinstance(start, str) and start:
                sink.add("date", start, "Encounter.period")

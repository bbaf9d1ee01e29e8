"""The FHIR R4 Patient compartment (CompartmentDefinition ``patient``, FHIR 4.0.1) as data.

Derived once from ``shared/data/fhir/patient-compartment.json`` (member types and their linking
search parameters) and ``search-parameters.json`` (each parameter's FHIRPath, reduced to the
field path inside a resource body; ``.where(resolve() is Patient)`` becomes "a reference whose
type is Patient"). ``tests/detect/test_fhir_compartment.py`` checks it against those files.

``patient_refs_in_query`` and ``patient_refs_in_body`` answer the SMART BOLA question: which
patients does this request name, and which patients does this response return?
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote_plus

RESOURCE_TYPES: frozenset[str] = frozenset(
    {
        "Account",
        "ActivityDefinition",
        "AdverseEvent",
        "AllergyIntolerance",
        "Appointment",
        "AppointmentResponse",
        "AuditEvent",
        "Basic",
        "Binary",
        "BiologicallyDerivedProduct",
        "BodyStructure",
        "Bundle",
        "CapabilityStatement",
        "CarePlan",
        "CareTeam",
        "CatalogEntry",
        "ChargeItem",
        "ChargeItemDefinition",
        "Claim",
        "ClaimResponse",
        "ClinicalImpression",
        "CodeSystem",
        "Communication",
        "CommunicationRequest",
        "CompartmentDefinition",
        "Composition",
        "ConceptMap",
        "Condition",
        "Consent",
        "Contract",
        "Coverage",
        "CoverageEligibilityRequest",
        "CoverageEligibilityResponse",
        "DetectedIssue",
        "Device",
        "DeviceDefinition",
        "DeviceMetric",
        "DeviceRequest",
        "DeviceUseStatement",
        "DiagnosticReport",
        "DocumentManifest",
        "DocumentReference",
        "EffectEvidenceSynthesis",
        "Encounter",
        "Endpoint",
        "EnrollmentRequest",
        "EnrollmentResponse",
        "EpisodeOfCare",
        "EventDefinition",
        "Evidence",
        "EvidenceVariable",
        "ExampleScenario",
        "ExplanationOfBenefit",
        "FamilyMemberHistory",
        "Flag",
        "Goal",
        "GraphDefinition",
        "Group",
        "GuidanceResponse",
        "HealthcareService",
        "ImagingStudy",
        "Immunization",
        "ImmunizationEvaluation",
        "ImmunizationRecommendation",
        "ImplementationGuide",
        "InsurancePlan",
        "Invoice",
        "Library",
        "Linkage",
        "List",
        "Location",
        "Measure",
        "MeasureReport",
        "Media",
        "Medication",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationKnowledge",
        "MedicationRequest",
        "MedicationStatement",
        "MedicinalProduct",
        "MedicinalProductAuthorization",
        "MedicinalProductContraindication",
        "MedicinalProductIndication",
        "MedicinalProductIngredient",
        "MedicinalProductInteraction",
        "MedicinalProductManufactured",
        "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical",
        "MedicinalProductUndesirableEffect",
        "MessageDefinition",
        "MessageHeader",
        "MolecularSequence",
        "NamingSystem",
        "NutritionOrder",
        "Observation",
        "ObservationDefinition",
        "OperationDefinition",
        "OperationOutcome",
        "Organization",
        "OrganizationAffiliation",
        "Patient",
        "PaymentNotice",
        "PaymentReconciliation",
        "Person",
        "PlanDefinition",
        "Practitioner",
        "PractitionerRole",
        "Procedure",
        "Provenance",
        "Questionnaire",
        "QuestionnaireResponse",
        "RelatedPerson",
        "RequestGroup",
        "ResearchDefinition",
        "ResearchElementDefinition",
        "ResearchStudy",
        "ResearchSubject",
        "RiskAssessment",
        "RiskEvidenceSynthesis",
        "Schedule",
        "SearchParameter",
        "ServiceRequest",
        "Slot",
        "Specimen",
        "SpecimenDefinition",
        "StructureDefinition",
        "StructureMap",
        "Subscription",
        "Substance",
        "SubstanceNucleicAcid",
        "SubstancePolymer",
        "SubstanceProtein",
        "SubstanceReferenceInformation",
        "SubstanceSourceMaterial",
        "SubstanceSpecification",
        "SupplyDelivery",
        "SupplyRequest",
        "Task",
        "TerminologyCapabilities",
        "TestReport",
        "TestScript",
        "ValueSet",
        "VerificationResult",
        "VisionPrescription",
    }
)

COMPARTMENT: dict[str, tuple[str, ...]] = {
    "Account": ("subject",),
    "AdverseEvent": ("subject",),
    "AllergyIntolerance": (
        "patient",
        "recorder",
        "asserter",
    ),
    "Appointment": ("actor",),
    "AppointmentResponse": ("actor",),
    "AuditEvent": ("patient",),
    "Basic": (
        "patient",
        "author",
    ),
    "BodyStructure": ("patient",),
    "CarePlan": (
        "patient",
        "performer",
    ),
    "CareTeam": (
        "patient",
        "participant",
    ),
    "ChargeItem": ("subject",),
    "Claim": (
        "patient",
        "payee",
    ),
    "ClaimResponse": ("patient",),
    "ClinicalImpression": ("subject",),
    "Communication": (
        "subject",
        "sender",
        "recipient",
    ),
    "CommunicationRequest": (
        "subject",
        "sender",
        "recipient",
        "requester",
    ),
    "Composition": (
        "subject",
        "author",
        "attester",
    ),
    "Condition": (
        "patient",
        "asserter",
    ),
    "Consent": ("patient",),
    "Coverage": (
        "policy-holder",
        "subscriber",
        "beneficiary",
        "payor",
    ),
    "CoverageEligibilityRequest": ("patient",),
    "CoverageEligibilityResponse": ("patient",),
    "DetectedIssue": ("patient",),
    "DeviceRequest": (
        "subject",
        "performer",
    ),
    "DeviceUseStatement": ("subject",),
    "DiagnosticReport": ("subject",),
    "DocumentManifest": (
        "subject",
        "author",
        "recipient",
    ),
    "DocumentReference": (
        "subject",
        "author",
    ),
    "Encounter": ("subject",),
    "EnrollmentRequest": ("subject",),
    "EpisodeOfCare": ("patient",),
    "ExplanationOfBenefit": (
        "patient",
        "payee",
    ),
    "FamilyMemberHistory": ("patient",),
    "Flag": ("patient",),
    "Goal": ("patient",),
    "Group": ("member",),
    "ImagingStudy": ("patient",),
    "Immunization": ("patient",),
    "ImmunizationEvaluation": ("patient",),
    "ImmunizationRecommendation": ("patient",),
    "Invoice": (
        "subject",
        "patient",
        "recipient",
    ),
    "List": (
        "subject",
        "source",
    ),
    "MeasureReport": ("patient",),
    "Media": ("subject",),
    "MedicationAdministration": (
        "patient",
        "performer",
        "subject",
    ),
    "MedicationDispense": (
        "subject",
        "patient",
        "receiver",
    ),
    "MedicationRequest": ("subject",),
    "MedicationStatement": ("subject",),
    "MolecularSequence": ("patient",),
    "NutritionOrder": ("patient",),
    "Observation": (
        "subject",
        "performer",
    ),
    "Patient": ("link",),
    "Person": ("patient",),
    "Procedure": (
        "patient",
        "performer",
    ),
    "Provenance": ("patient",),
    "QuestionnaireResponse": (
        "subject",
        "author",
    ),
    "RelatedPerson": ("patient",),
    "RequestGroup": (
        "subject",
        "participant",
    ),
    "ResearchSubject": ("individual",),
    "RiskAssessment": ("subject",),
    "Schedule": ("actor",),
    "ServiceRequest": (
        "subject",
        "performer",
    ),
    "Specimen": ("subject",),
    "SupplyDelivery": ("patient",),
    "SupplyRequest": ("subject",),
    "Task": (
        "patient",
        "focus",
    ),
    "VisionPrescription": ("patient",),
}

BODY_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Account": (("subject",),),
    "AdverseEvent": (("subject",),),
    "AllergyIntolerance": (
        ("patient",),
        ("recorder",),
        ("asserter",),
    ),
    "Appointment": (
        (
            "participant",
            "actor",
        ),
    ),
    "AppointmentResponse": (("actor",),),
    "AuditEvent": (
        (
            "agent",
            "who",
        ),
        (
            "entity",
            "what",
        ),
    ),
    "Basic": (
        ("subject",),
        ("author",),
    ),
    "BodyStructure": (("patient",),),
    "CarePlan": (
        ("subject",),
        (
            "activity",
            "detail",
            "performer",
        ),
    ),
    "CareTeam": (
        ("subject",),
        (
            "participant",
            "member",
        ),
    ),
    "ChargeItem": (("subject",),),
    "Claim": (
        ("patient",),
        (
            "payee",
            "party",
        ),
    ),
    "ClaimResponse": (("patient",),),
    "ClinicalImpression": (("subject",),),
    "Communication": (
        ("subject",),
        ("sender",),
        ("recipient",),
    ),
    "CommunicationRequest": (
        ("subject",),
        ("sender",),
        ("recipient",),
        ("requester",),
    ),
    "Composition": (
        ("subject",),
        ("author",),
        (
            "attester",
            "party",
        ),
    ),
    "Condition": (
        ("subject",),
        ("asserter",),
    ),
    "Consent": (("patient",),),
    "Coverage": (
        ("policyHolder",),
        ("subscriber",),
        ("beneficiary",),
        ("payor",),
    ),
    "CoverageEligibilityRequest": (("patient",),),
    "CoverageEligibilityResponse": (("patient",),),
    "DetectedIssue": (("patient",),),
    "DeviceRequest": (
        ("subject",),
        ("performer",),
    ),
    "DeviceUseStatement": (("subject",),),
    "DiagnosticReport": (("subject",),),
    "DocumentManifest": (
        ("subject",),
        ("author",),
        ("recipient",),
    ),
    "DocumentReference": (
        ("subject",),
        ("author",),
    ),
    "Encounter": (("subject",),),
    "EnrollmentRequest": (("candidate",),),
    "EpisodeOfCare": (("patient",),),
    "ExplanationOfBenefit": (
        ("patient",),
        (
            "payee",
            "party",
        ),
    ),
    "FamilyMemberHistory": (("patient",),),
    "Flag": (("subject",),),
    "Goal": (("subject",),),
    "Group": (
        (
            "member",
            "entity",
        ),
    ),
    "ImagingStudy": (("subject",),),
    "Immunization": (("patient",),),
    "ImmunizationEvaluation": (("patient",),),
    "ImmunizationRecommendation": (("patient",),),
    "Invoice": (
        ("subject",),
        ("recipient",),
    ),
    "List": (
        ("subject",),
        ("source",),
    ),
    "MeasureReport": (("subject",),),
    "Media": (("subject",),),
    "MedicationAdministration": (
        ("subject",),
        (
            "performer",
            "actor",
        ),
    ),
    "MedicationDispense": (
        ("subject",),
        ("receiver",),
    ),
    "MedicationRequest": (("subject",),),
    "MedicationStatement": (("subject",),),
    "MolecularSequence": (("patient",),),
    "NutritionOrder": (("patient",),),
    "Observation": (
        ("subject",),
        ("performer",),
    ),
    "Patient": (
        (
            "link",
            "other",
        ),
    ),
    "Person": (
        (
            "link",
            "target",
        ),
    ),
    "Procedure": (
        ("subject",),
        (
            "performer",
            "actor",
        ),
    ),
    "Provenance": (("target",),),
    "QuestionnaireResponse": (
        ("subject",),
        ("author",),
    ),
    "RelatedPerson": (("patient",),),
    "RequestGroup": (
        ("subject",),
        (
            "action",
            "participant",
        ),
    ),
    "ResearchSubject": (("individual",),),
    "RiskAssessment": (("subject",),),
    "Schedule": (("actor",),),
    "ServiceRequest": (
        ("subject",),
        ("performer",),
    ),
    "Specimen": (("subject",),),
    "SupplyDelivery": (("patient",),),
    "SupplyRequest": (("deliverTo",),),
    "Task": (
        ("for",),
        ("focus",),
    ),
    "VisionPrescription": (("patient",),),
}

# Search parameters that name a patient in every member type (the common ``clinical-patient``
# parameter is not in the definition for Observation, Encounter, ... but servers support it).
ALWAYS_PATIENT_PARAMS = frozenset({"patient"})
# Parameters whose bare value (``subject=123``) servers resolve to a Patient in practice; any
# other compartment parameter counts only when typed (``performer=Patient/123``).
BARE_PATIENT_PARAMS = frozenset({"patient", "subject", "beneficiary", "individual"})
_PARAMS_BY_TYPE = {t: frozenset(ps) | ALWAYS_PATIENT_PARAMS for t, ps in COMPARTMENT.items()}


def in_compartment(resource_type: str) -> bool:
    """Whether resources of this type belong to a patient's compartment."""
    return resource_type in COMPARTMENT


def patient_id_of_reference(ref: str) -> str | None:
    """``Patient/123``, ``https://x/r4/Patient/123``, ``Patient/123/_history/2`` -> ``123``."""
    if "Patient/" not in ref:
        return None
    tail = ref.rsplit("Patient/", 1)[1]
    if tail.startswith("$"):
        return None
    pid = tail.split("/", 1)[0].split("?", 1)[0]
    return pid or None


def patient_refs_in_query(resource_type: str, query: str) -> list[str]:
    """Patient ids named by the search parameters of a type search (``/Observation?...``)."""
    params = _PARAMS_BY_TYPE.get(resource_type)
    if params is None or not query:
        return []
    out: list[str] = []
    for part in query.split("&"):
        name, eq, value = part.partition("=")
        if not eq or not value:
            continue
        name, _, modifier = name.partition(":")
        if "%" in value or "+" in value:  # unquote_plus is plain Python: only when needed
            value = unquote_plus(value)
        if resource_type == "Patient" and name == "_id":
            out.extend(v for v in value.split(",") if v)
            continue
        if name not in params:
            continue
        if modifier and modifier not in ("Patient", "exact"):
            continue  # :missing, :identifier, :Group ... do not name a patient id
        for v in value.split(","):
            pid = patient_id_of_reference(v) if "/" in v else None
            if pid is None and "/" not in v and v and (name in BARE_PATIENT_PARAMS or modifier == "Patient"):
                pid = v
            if pid:
                out.append(pid)
    return out


def _walk(node: object, path: tuple[str, ...], i: int) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, path, i)
        return
    if not isinstance(node, dict):
        return
    if i == len(path):
        ref = node.get("reference")
        if isinstance(ref, str):
            pid = patient_id_of_reference(ref)
            if pid:
                yield pid
        return
    child = node.get(path[i])
    if child is not None:
        yield from _walk(child, path, i + 1)


def patient_refs_in_resource(resource: dict[str, object]) -> Iterator[str]:
    """Patients a resource belongs to: a Patient's own id, or the compartment references."""
    rtype = resource.get("resourceType")
    if rtype == "Patient":
        rid = resource.get("id")
        if isinstance(rid, str) and rid:
            yield rid
        return
    if not isinstance(rtype, str):
        return
    for path in BODY_PATHS.get(rtype, ()):
        yield from _walk(resource, path, 0)


def patient_refs_in_body(doc: object, limit: int = 10_000) -> set[str]:
    """Patients in a decoded FHIR JSON body: one resource, or a Bundle's entries (bounded)."""
    out: set[str] = set()
    if not isinstance(doc, dict):
        return out
    if doc.get("resourceType") == "Bundle":
        entries = doc.get("entry")
        if isinstance(entries, list):
            for entry in entries[:limit]:
                if isinstance(entry, dict):
                    res = entry.get("resource")
                    if isinstance(res, dict):
                        out.update(patient_refs_in_resource(res))
        return out
    out.update(patient_refs_in_resource(doc))
    return out

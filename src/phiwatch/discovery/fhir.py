"""FHIR R4 knowledge for path templating: the resource-type list and the REST URL grammar.

FHIR REST paths follow `[base]/[type]/[id]/_history/[vid]`, `[base]/[type]/[id]/[compartment type]`,
`[base]/[type]/$op`, `[base]/$op`, `[base]/_history`, `[base]/metadata`. The base may be any prefix
(`/fhir`, `/baseR4`, `/api/fhir/r4`). The one rule that generic templating cannot guess: the segment
right after a resource type is a resource id, even when it reads like a word (`/Patient/example`,
`/Organization/acme-hospital`), unless it starts with `$` (operation) or `_` (`_search`, `_history`).
"""

from __future__ import annotations

import re

# All 145 R4 (4.0.1) resource types, as listed by the Patient CompartmentDefinition
# (tests/discovery/test_fhir_paths.py checks this against ../shared/data/fhir).
# fmt: off
RESOURCE_TYPES: frozenset[str] = frozenset({
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct", "BodyStructure",
    "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry", "ChargeItem",
    "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression", "CodeSystem", "Communication",
    "CommunicationRequest", "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent",
    "Contract", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue",
    "Device", "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement",
    "DiagnosticReport", "DocumentManifest", "DocumentReference", "EffectEvidenceSynthesis", "Encounter",
    "Endpoint", "EnrollmentRequest", "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence",
    "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy", "Immunization",
    "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide", "InsurancePlan",
    "Invoice", "Library", "Linkage", "List", "Location", "Measure", "MeasureReport", "Media", "Medication",
    "MedicationAdministration", "MedicationDispense", "MedicationKnowledge", "MedicationRequest",
    "MedicationStatement", "MedicinalProduct", "MedicinalProductAuthorization",
    "MedicinalProductContraindication", "MedicinalProductIndication", "MedicinalProductIngredient",
    "MedicinalProductInteraction", "MedicinalProductManufactured", "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical", "MedicinalProductUndesirableEffect", "MessageDefinition",
    "MessageHeader", "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation",
    "ObservationDefinition", "OperationDefinition", "OperationOutcome", "Organization",
    "OrganizationAffiliation", "Patient", "PaymentNotice", "PaymentReconciliation", "Person",
    "PlanDefinition", "Practitioner", "PractitionerRole", "Procedure", "Provenance", "Questionnaire",
    "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
    "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
    "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen",
    "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein", "SubstanceReferenceInformation",
    "SubstanceSourceMaterial", "SubstanceSpecification", "SupplyDelivery", "SupplyRequest", "Task",
    "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult",
    "VisionPrescription",

})
# fmt: on

# States of the walk over a path's segments (what the previous segment was).
S_NONE = 0  # nothing FHIR-specific pending
S_AFTER_TYPE = 1  # previous segment is a resource type: the next one is its id
S_AFTER_ID = 2  # previous segment is an id: "_history" may follow
S_AFTER_HISTORY = 3  # ".../{id}/_history": the next segment is the version id
S_START = 4  # no segment yet
S_AFTER_ROOT_TYPE = 5  # the first segment is a resource type (no base prefix)

# Right after a resource type that opens the path, one capitalised word is an MVC action of a
# non-FHIR app (/Account/Login, /Group/Index), not a resource id: FHIR servers put a base
# before the type or use ids such as "example", "123", "pat-1". /fhir/Account/Login is an id.
_ACTION_WORD = re.compile(r"[A-Z][a-z]{2,15}").fullmatch


def is_action_word(segment: str) -> bool:
    """One capitalised word (Login, Index, Manage): after a type that opens the path, literal."""
    return _ACTION_WORD(segment) is not None


# What to do with the current segment.
A_GENERIC = 0  # not decided by FHIR: generic rules classify it
A_LITERAL = 1  # keep literally (resource type, $operation, _keyword)
A_ID = 2  # a resource id
A_VID = 3  # a history version id


def is_resource_type(segment: str) -> bool:
    """True for an R4 resource type name (case-sensitive, as FHIR URLs are)."""
    return segment in RESOURCE_TYPES


def step(segment: str, state: int) -> tuple[int, int]:
    """One move of the FHIR walk: (action for this segment, state for the next one).

    A walk starts in S_START. The caller sets the state to S_AFTER_ID itself when a generic
    rule makes a segment a variable, so `/users/42/_history/3` gets a `{vid}` too."""
    c0 = segment[0]
    if state in (S_AFTER_TYPE, S_AFTER_ROOT_TYPE):
        if c0 == "$" or c0 == "_":  # /Patient/$export, /Patient/_search, /Patient/_history
            return A_LITERAL, S_NONE
        if state == S_AFTER_ROOT_TYPE and is_action_word(segment):
            return A_GENERIC, S_NONE
        return A_ID, S_AFTER_ID
    if state == S_AFTER_HISTORY and c0 != "$" and c0 != "_":
        return A_VID, S_NONE
    if state == S_AFTER_ID and segment == "_history":
        return A_LITERAL, S_AFTER_HISTORY
    if segment in RESOURCE_TYPES:
        return A_LITERAL, S_AFTER_ROOT_TYPE if state == S_START else S_AFTER_TYPE
    return A_GENERIC, S_NONE

"""The fixed PHI category names of the JSON contract (DESIGN.md), in contract order."""

from __future__ import annotations

SAFE_HARBOR = (
    "name",
    "address",
    "date",
    "phone",
    "fax",
    "email",
    "ssn",
    "mrn",
    "health_plan_id",
    "account",
    "license",
    "vehicle_id",
    "device_id",
    "url",
    "ip",
    "biometric",
    "photo",
    "other_id",
)
CLINICAL = ("npi", "dea", "mbi", "icd10", "loinc", "snomed", "rxnorm", "clinical")
OTHER = ("payment_card", "credential")
CATEGORIES = SAFE_HARBOR + CLINICAL + OTHER

# Found only by structure (a FHIR clinical resource), never by a value pattern or validator.
STRUCTURE_ONLY = frozenset({"clinical"})

LOCATIONS = ("path", "query", "request_header", "request_body", "response_body")
URL_LOCATIONS = frozenset({"path", "query"})

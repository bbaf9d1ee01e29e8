"""The FHIR server's CapabilityStatement (served at ``/r4/metadata`` and written beside the traffic).

Interactions the traffic never exercises are listed on purpose (``delete``, ``history-type``,
``patch`` ...), so the inventory has orphans; so is ``$lastn`` POST (implied by the operation).
"""

from __future__ import annotations

from phiwatch.simulate.world import World

Json = dict[str, object]

# resource type -> (interactions, search params)
RESOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Patient": (
        ("read", "vread", "update", "delete", "history-instance", "history-type", "create", "search-type"),
        ("_id", "identifier", "family", "given", "name", "birthdate", "gender"),
    ),
    "Observation": (
        ("read", "create", "search-type"),
        ("patient", "subject", "category", "code", "date", "_sort"),
    ),
    "Encounter": (("read", "update", "create", "search-type"), ("patient", "date", "status")),
    "Condition": (("read", "create", "search-type"), ("patient", "clinical-status", "code")),
    "MedicationRequest": (("read", "create", "search-type"), ("patient", "status", "intent")),
    "Coverage": (("read", "search-type"), ("beneficiary", "patient", "payor")),
    "Claim": (("read", "create"), ()),
    "ExplanationOfBenefit": (("read", "search-type"), ("patient", "_lastUpdated", "created")),
    "Practitioner": (("read",), ()),
    "Organization": (("read",), ()),
    "Location": (("read", "patch"), ()),
}
# resource-level operations (name, canonical)
OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Patient": (
        ("everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything"),
        ("export", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"),
    ),
    "Observation": (("lastn", "http://hl7.org/fhir/OperationDefinition/Observation-lastn"),),
}
SYSTEM_OPERATIONS = (("export", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"),)
PATIENT_COMPARTMENT = "http://hl7.org/fhir/CompartmentDefinition/patient"


def statement(w: World) -> Json:
    resources: list[Json] = []
    for rtype, (interactions, params) in RESOURCES.items():
        r: Json = {
            "type": rtype,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{rtype}",
            "interaction": [{"code": code} for code in interactions],
        }
        if "vread" in interactions:
            r["versioning"] = "versioned"
        if params:
            r["searchParam"] = [
                {"name": n, "type": "token" if n in ("identifier", "category") else "string"} for n in params
            ]
        if rtype in OPERATIONS:
            r["operation"] = [{"name": n, "definition": d} for n, d in OPERATIONS[rtype]]
        resources.append(r)
    return {
        "resourceType": "CapabilityStatement",
        "id": f"{w.slug}-fhir-r4",
        "url": f"{w.fhir_base}/metadata",
        "version": "2026.1",
        "name": f"{w.slug.capitalize()}FhirServer",
        "title": f"{w.org_name} FHIR R4 API",
        "status": "active",
        "date": "2026-01-02",
        "publisher": w.org_name,
        "kind": "instance",
        "software": {"name": w.server_fhir.split("/")[0], "version": w.server_fhir.split("/")[-1]},
        "implementation": {"description": f"{w.org_name} production FHIR endpoint", "url": w.fhir_base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "cors": True,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [
                                {"url": "token", "valueUri": f"{w.auth_issuer}/oauth2/token"},
                                {"url": "authorize", "valueUri": f"{w.auth_issuer}/oauth2/authorize"},
                            ],
                        }
                    ],
                },
                "resource": resources,
                "operation": [{"name": n, "definition": d} for n, d in SYSTEM_OPERATIONS],
                "compartment": [PATIENT_COMPARTMENT],
            }
        ],
    }

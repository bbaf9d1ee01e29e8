"""FHIR R4 resources of the synthetic world, as plain dicts ready for orjson."""

from __future__ import annotations

from phiwatch.simulate import clock, vocab
from phiwatch.simulate.world import Cond, Enc, Location, Med, Obs, Patient, Practitioner, World

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NPI = "http://hl7.org/fhir/sid/us-npi"
SSN = "http://hl7.org/fhir/sid/us-ssn"
MBI = "http://hl7.org/fhir/sid/us-mbi"
NUCC = "http://nucc.org/provider-taxonomy"
Json = dict[str, object]


def _ident(code: str, display: str, system: str, value: str) -> Json:
    return {
        "type": {"coding": [{"system": V2_0203, "code": code, "display": display}]},
        "system": system,
        "value": value,
    }


def patient(w: World, p: Patient, version: int | None = None) -> Json:
    ident = [
        _ident("MR", "Medical Record Number", w.mrn_system, p.mrn) | {"use": "usual"},
        _ident("SS", "Social Security number", SSN, p.ssn),
    ]
    if p.mbi:
        ident.append(_ident("MC", "Patient's Medicare number", MBI, p.mbi))
    vid = version or p.versions
    return {
        "resourceType": "Patient",
        "id": p.id,
        "meta": {"versionId": str(vid), "lastUpdated": f"2025-{3 + vid:02d}-1{vid}T09:3{vid}:00Z"},
        "identifier": ident,
        "active": True,
        "name": [{"use": "official", "family": p.family, "given": [p.given]}],
        "telecom": [
            {"system": "phone", "value": p.phone, "use": "home"},
            {"system": "email", "value": p.email},
        ],
        "gender": p.gender,
        "birthDate": p.birth_date,
        "address": [
            {
                "use": "home",
                "line": [p.line],
                "city": p.city,
                "state": p.state,
                "postalCode": p.postal,
                "country": "US",
            }
        ],
        "generalPractitioner": [{"reference": f"Practitioner/{700_000 + p.gp}"}],
        "managingOrganization": {"reference": f"Organization/{w.org_id}"},
    }


def observation(p: Patient, o: Obs) -> Json:
    return {
        "resourceType": "Observation",
        "id": o.id,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": o.category,
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": o.code, "display": o.display}], "text": o.display},
        "subject": {"reference": f"Patient/{p.id}"},
        "effectiveDateTime": clock.rfc3339(o.effective_ms),
        "valueQuantity": {
            "value": o.value,
            "unit": o.unit,
            "system": "http://unitsofmeasure.org",
            "code": o.unit,
        },
    }


def condition(p: Patient, c: Cond) -> Json:
    return {
        "resourceType": "Condition",
        "id": c.id,
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
            ]
        },
        "code": {
            "coding": [
                {"system": SNOMED, "code": c.snomed, "display": c.display},
                {"system": ICD10, "code": c.icd10},
            ],
            "text": c.display,
        },
        "subject": {"reference": f"Patient/{p.id}"},
        "onsetDateTime": c.onset,
    }


def medication_request(p: Patient, m: Med) -> Json:
    return {
        "resourceType": "MedicationRequest",
        "id": m.id,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": m.rxnorm, "display": m.display}],
            "text": m.display,
        },
        "subject": {"reference": f"Patient/{p.id}"},
        "authoredOn": m.authored,
        "requester": {"reference": f"Practitioner/{700_000 + m.practitioner}"},
    }


def encounter(p: Patient, e: Enc) -> Json:
    return {
        "resourceType": "Encounter",
        "id": e.id,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": e.klass},
        "type": [{"coding": [{"system": SNOMED, "code": e.code, "display": e.display}], "text": e.display}],
        "subject": {"reference": f"Patient/{p.id}"},
        "participant": [{"individual": {"reference": f"Practitioner/{700_000 + e.practitioner}"}}],
        "period": {"start": clock.rfc3339(e.start_ms), "end": clock.rfc3339(e.start_ms + 1_800_000)},
        "location": [{"location": {"reference": f"Location/{300 + e.location}"}}],
    }


def coverage(w: World, p: Patient) -> Json:
    payer, code = vocab.PAYERS[p.payer]
    member = p.mbi if (p.payer == 1 and p.mbi) else f"{code}{p.index * 37 % 10_000_000:08d}"
    return {
        "resourceType": "Coverage",
        "id": p.coverage_id,
        "status": "active",
        "subscriberId": member,
        "beneficiary": {"reference": f"Patient/{p.id}"},
        "relationship": {"coding": [{"code": "self"}]},
        "payor": [{"reference": f"Organization/payer-{code.lower()}", "display": payer}],
        "class": [{"type": {"coding": [{"code": "group"}]}, "value": f"GRP-{code}-{p.index % 97:03d}"}],
    }


def claim(w: World, p: Patient, kind: str, rid: str) -> Json:
    """A Claim or an ExplanationOfBenefit (``kind``) for the patient's latest encounter."""
    e = p.encounters[-1]
    res: Json = {
        "resourceType": kind,
        "id": rid,
        "status": "active",
        "type": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]
        },
        "use": "claim",
        "patient": {"reference": f"Patient/{p.id}"},
        "created": clock.rfc3339(e.start_ms + 86_400_000)[:10],
        "provider": {"reference": f"Practitioner/{700_000 + e.practitioner}"},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{p.coverage_id}"}}],
        "item": [
            {
                "sequence": 1,
                "productOrService": {"coding": [{"system": SNOMED, "code": e.code, "display": e.display}]},
                "net": {"value": 125.0 + (p.index % 40) * 7.5, "currency": "USD"},
            }
        ],
    }
    if p.conditions:
        res["diagnosis"] = [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {"coding": [{"system": ICD10, "code": p.conditions[0].icd10}]},
            }
        ]
    if kind == "ExplanationOfBenefit":
        res["outcome"] = "complete"
        res["insurer"] = {"display": vocab.PAYERS[p.payer][0]}
    return res


def practitioner(pr: Practitioner) -> Json:
    code, display, _ = vocab.SPECIALTIES[pr.specialty]
    return {
        "resourceType": "Practitioner",
        "id": pr.id,
        "identifier": [{"system": NPI, "value": pr.npi}],
        "active": True,
        "name": [{"family": pr.family, "given": [pr.given], "prefix": ["Dr."]}],
        "telecom": [{"system": "phone", "value": pr.phone, "use": "work"}],
        "gender": pr.gender,
        "qualification": [{"code": {"coding": [{"system": NUCC, "code": code, "display": display}]}}],
    }


def practitioner_role(pr: Practitioner, loc: Location) -> Json:
    _, display, snomed = vocab.SPECIALTIES[pr.specialty]
    return {
        "resourceType": "PractitionerRole",
        "id": f"{pr.id}-role",
        "active": True,
        "practitioner": {"reference": f"Practitioner/{pr.id}", "display": f"Dr. {pr.given} {pr.family}"},
        "location": [{"reference": f"Location/{loc.id}", "display": loc.name}],
        "specialty": [{"coding": [{"system": SNOMED, "code": snomed, "display": display}]}],
        "telecom": [{"system": "phone", "value": loc.phone, "use": "work"}],
    }


def location(w: World, loc: Location) -> Json:
    return {
        "resourceType": "Location",
        "id": loc.id,
        "status": "active",
        "name": loc.name,
        "telecom": [{"system": "phone", "value": loc.phone}],
        "address": {"line": [loc.line], "city": loc.city, "state": loc.state, "postalCode": loc.postal},
        "managingOrganization": {"reference": f"Organization/{w.org_id}"},
    }


def organization(w: World) -> Json:
    return {
        "resourceType": "Organization",
        "id": w.org_id,
        "identifier": [{"system": NPI, "value": w.org_npi}],
        "active": True,
        "type": [
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov"}
                ]
            }
        ],
        "name": w.org_name,
        "telecom": [{"system": "phone", "value": w.locations[0].phone}],
        "address": [
            {"line": [w.locations[0].line], "city": w.locations[0].city, "state": w.locations[0].state}
        ],
    }


def outcome(severity: str, code: str, diagnostics: str) -> Json:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def bundle(bid: str, self_url: str, next_url: str | None, total: int, base: str, entries: list[Json]) -> Json:
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "id": bid,
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in entries
        ],
    }

"""PHI ground truth: which categories each emitted response carries, for whom, and what the URL holds.

The simulator knows what it put in every body, so the truth comes from its own builders, never
from phiwatch's classifier. Non-FHIR APIs state their categories where they build the body
(``apis/billing.py``, ``apis/lab.py``, ``apis/portal.py``); FHIR bodies are read here by
resource type, with one rule per resource the simulator builds (``apis/fhir_resources.py``).

Category decisions (names as in DESIGN.md):

* ``clinical`` marks any resource in the Patient compartment (Patient included); Practitioner,
  PractitionerRole, Location and Organization are directory data, not clinical.
* ``date`` is a birth date or a service date (``Encounter.period``), as the classifier's
  contract says; an Observation's effective time, a Condition's onset, an order's or a claim's
  authoring date are not counted.
* An organisation's or a place's phone and address are not a person's identifiers (Safe
  Harbor lists the individual's): Location carries nothing, Organization only its ``npi``.
  A practitioner's name, NPI and phone count (``name``, ``npi``, ``phone``); a
  PractitionerRole names its practitioner in ``practitioner.display`` and gives the role's
  contact phone.
* ``Coverage.subscriberId`` is a health plan beneficiary number (``health_plan_id``); for
  Medicare it is the patient's MBI, so ``mbi`` too.
* A FHIR logical id (``/Patient/1000042``, ``?patient=1000042``) is the record's key, not one
  of the categories: it names the patient for the per-client counts, never ``phi_in_url``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from phiwatch.simulate import vocab
from phiwatch.simulate.apis import fhir_resources as res

Json = dict[str, object]
MEDICARE_PAYOR = f"Organization/payer-{vocab.PAYERS[1][1].lower()}"


@dataclass(frozen=True, slots=True)
class Phi:
    """What one exchange carries: response categories, the patients they belong to (FHIR
    Patient ids) and the categories its request put in the path or query."""

    categories: frozenset[str] = frozenset()
    patients: frozenset[str] = frozenset()
    url: frozenset[str] = frozenset()

    def __or__(self, other: Phi) -> Phi:
        return Phi(self.categories | other.categories, self.patients | other.patients, self.url | other.url)


NO_PHI = Phi()


def of(categories: Iterable[str], patients: Iterable[str] = (), url: Iterable[str] = ()) -> Phi:
    return Phi(frozenset(categories), frozenset(patients), frozenset(url))


def _ref_patient(ref: object) -> str | None:
    if isinstance(ref, dict):
        value = ref.get("reference")
        if isinstance(value, str) and value.startswith("Patient/"):
            return value[len("Patient/") :]
    return None


def _list(value: object) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _patient(r: Json) -> set[str]:
    cats = {"clinical", "name", "address", "date", "mrn", "ssn"}
    for t in _list(r.get("telecom")):
        cats.add(str(t.get("system")))  # the builder writes only "phone" and "email"
    if any(i.get("system") == res.MBI for i in _list(r.get("identifier"))):
        cats.add("mbi")
    return cats


def _coverage(r: Json) -> set[str]:
    cats = {"clinical", "health_plan_id"}
    if any(p.get("reference") == MEDICARE_PAYOR for p in _list(r.get("payor"))):
        cats.add("mbi")  # Medicare pays on the MBI: the builder puts it in subscriberId
    return cats


def _claim(r: Json) -> set[str]:
    return {"clinical", "snomed", "icd10"} if "diagnosis" in r else {"clinical", "snomed"}


def _fixed(*cats: str) -> Callable[[Json], set[str]]:
    out = set(cats)
    return lambda _r: out


# resourceType -> categories of one resource as the simulator builds it
RULES: dict[str, Callable[[Json], set[str]]] = {
    "Patient": _patient,
    "Observation": _fixed("clinical", "loinc"),
    "Condition": _fixed("clinical", "snomed", "icd10"),
    "MedicationRequest": _fixed("clinical", "rxnorm"),
    "Encounter": _fixed("clinical", "snomed", "date"),
    "Coverage": _coverage,
    "Claim": _claim,
    "ExplanationOfBenefit": _claim,
    "Practitioner": _fixed("name", "npi", "phone"),
    "PractitionerRole": _fixed("name", "phone", "snomed"),
    "Location": _fixed(),
    "Organization": _fixed("npi"),
    "OperationOutcome": _fixed(),
}
# where each compartment resource names its patient
PATIENT_FIELDS = ("subject", "patient", "beneficiary")


def fhir(obj: Json | None, url: Iterable[str] = ()) -> Phi:
    """The truth for a FHIR body built by the simulator (a resource or a Bundle of them)."""
    cats: set[str] = set()
    patients: set[str] = set()
    if obj is not None and "resourceType" in obj:  # else the bulk-data manifest: file URLs only
        _walk(obj, cats, patients)
    return Phi(frozenset(cats), frozenset(patients), frozenset(url))


def _walk(r: Json, cats: set[str], patients: set[str]) -> None:
    rtype = str(r.get("resourceType"))
    if rtype == "Bundle":
        for entry in _list(r.get("entry")):
            inner = entry.get("resource")
            if isinstance(inner, dict):
                _walk(inner, cats, patients)
        return
    rule = RULES.get(rtype)
    if rule is None:  # a new builder must say what it carries
        raise KeyError(f"no PHI truth rule for FHIR {rtype}")
    cats |= rule(r)
    if rtype == "Patient":
        patients.add(str(r["id"]))
    for name in PATIENT_FIELDS:
        pid = _ref_patient(r.get(name))
        if pid is not None:
            patients.add(pid)


def search_url(params: Iterable[tuple[str, str]], mrn_system: str) -> frozenset[str]:
    """Categories a FHIR search puts in its query string (logical ids excluded, see above)."""
    out: set[str] = set()
    for key, value in params:
        if key in ("family", "given", "name"):
            out.add("name")
        elif key == "birthdate":
            out.add("date")
        elif key in ("phone", "email"):
            out.add(key)
        elif key.startswith("address"):
            out.add("address")
        elif key == "identifier":
            system = value.partition("|")[0]
            if system == mrn_system:
                out.add("mrn")
            elif system == res.SSN:
                out.add("ssn")
            elif system == res.MBI:
                out.add("mbi")
    return frozenset(out)

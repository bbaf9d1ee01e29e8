"""FHIR CapabilityStatement (R4/R5; STU3 and DSTU2 ``Conformance`` shapes) -> the endpoints it implies.

Everything sits under the base path of ``implementation.url`` (host and path; none when absent).
Only ``rest`` entries in server mode (or without a mode) describe served endpoints.

Per resource type and interaction (FHIR RESTful API):

    read             GET    /{type}/{id}              vread        GET /{type}/{id}/_history/{vid}
    update           PUT    /{type}/{id}              patch        PATCH /{type}/{id}
    delete           DELETE /{type}/{id}              history-instance  GET /{type}/{id}/_history
    history-type     GET    /{type}/_history          create       POST /{type}
    search-type      GET    /{type}  and  POST /{type}/_search

System level: transaction/batch -> POST /, history-system -> GET /_history, search-system -> GET /.
``GET /metadata`` is always implied. With the patient compartment listed in ``rest.compartment``,
``GET /Patient/{id}/{type}`` is implied for every type with search-type (but Patient itself).

Operations: the code comes from the definition canonical (``.../OperationDefinition/Patient-everything``
-> ``everything`` on Patient) or else the name. Known codes (``KNOWN_OPERATIONS``) are placed where
the FHIR specs define them (``$everything`` instance-level, ``$export`` system / Patient type /
Group instance, ``$lastn`` Observation type, ...). Unknown codes get GET+POST at type and instance
level on a resource, or at system level under ``rest.operation`` (type and instance level when the
definition's name contains a resource type, as ``dpc-operation-practitioner-submit``).
``searchParam`` names become the documented query parameters of the search endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from phiwatch.discovery.spec import (
    KIND_FHIR_CAPABILITY,
    SPEC_LOADERS,
    SpecDocument,
    SpecOperation,
    join_path,
    spec_label,
    split_url,
)

PATIENT_COMPARTMENT = "http://hl7.org/fhir/CompartmentDefinition/patient"
ANY = "*"  # in KNOWN_OPERATIONS: every resource type
GET_POST = ("GET", "POST")

# interaction code -> (method, path suffix after /{type}); search-type is two endpoints
TYPE_INTERACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "read": (("GET", "/{id}"),),
    "vread": (("GET", "/{id}/_history/{vid}"),),
    "update": (("PUT", "/{id}"),),
    "patch": (("PATCH", "/{id}"),),
    "delete": (("DELETE", "/{id}"),),
    "history-instance": (("GET", "/{id}/_history"),),
    "history-type": (("GET", "/_history"),),
    "create": (("POST", ""),),
    "search-type": (("GET", ""), ("POST", "/_search")),
}
SYSTEM_INTERACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "transaction": (("POST", "/"),),
    "batch": (("POST", "/"),),
    "history-system": (("GET", "/_history"),),
    "search-system": (("GET", "/"),),
}


class OperationDef(NamedTuple):
    """Where a FHIR operation is invoked: system level, and for which types at type/instance level."""

    system: bool
    type_level: frozenset[str]
    instance_level: frozenset[str]
    methods: tuple[str, ...] = GET_POST


def _types(*names: str) -> frozenset[str]:
    return frozenset(names)


NONE: frozenset[str] = frozenset()
KNOWN_OPERATIONS: dict[str, OperationDef] = {
    "everything": OperationDef(False, NONE, _types("Patient", "Encounter", "Group")),
    "export": OperationDef(True, _types("Patient"), _types("Group"), ("GET",)),  # Bulk Data kick-off
    "lastn": OperationDef(False, _types("Observation"), NONE),
    "stats": OperationDef(False, _types("Observation"), NONE),
    "docref": OperationDef(False, _types("DocumentReference"), NONE),
    "expand": OperationDef(False, _types("ValueSet"), _types("ValueSet")),
    "lookup": OperationDef(False, _types("CodeSystem"), NONE),
    "validate-code": OperationDef(False, _types("CodeSystem", "ValueSet"), _types("CodeSystem", "ValueSet")),
    "subsumes": OperationDef(False, _types("CodeSystem"), _types("CodeSystem")),
    "translate": OperationDef(False, _types("ConceptMap"), _types("ConceptMap")),
    "closure": OperationDef(True, NONE, NONE, ("POST",)),
    "validate": OperationDef(False, _types(ANY), _types(ANY), ("POST",)),
    "meta": OperationDef(True, _types(ANY), _types(ANY)),
    "meta-add": OperationDef(False, NONE, _types(ANY), ("POST",)),
    "meta-delete": OperationDef(False, NONE, _types(ANY), ("POST",)),
    "match": OperationDef(False, _types("Patient"), NONE, ("POST",)),
    "member-match": OperationDef(False, _types("Patient"), NONE, ("POST",)),
    "document": OperationDef(False, NONE, _types("Composition")),
    "populate": OperationDef(False, _types("Questionnaire"), _types("Questionnaire")),
    "apply": OperationDef(False, NONE, _types("PlanDefinition", "ActivityDefinition")),
    "process-message": OperationDef(True, NONE, NONE, ("POST",)),
    "convert": OperationDef(True, NONE, NONE),
    "graphql": OperationDef(True, NONE, _types(ANY)),
}
# Types worth recognising inside operation names even when the statement does not list them.
COMMON_TYPES = frozenset(
    {"Patient", "Group", "Encounter", "Practitioner", "Organization", "Observation", "ValueSet",
     "CodeSystem", "ConceptMap", "Composition", "DocumentReference", "Questionnaire", "Claim"}
)  # fmt: skip


class _Builder:
    """Collects operations for one statement; dedupes (method, path)."""

    def __init__(self, host: str, base: str, label: str) -> None:
        self.host, self.base, self.label = host, base, label
        self.ops: dict[tuple[str, str], SpecOperation] = {}

    def add(self, method: str, path: str, query: Iterable[str] = (), responses: tuple[str, ...] = ()) -> None:
        full = join_path(self.base, path)
        if path == "/" and full != "/":
            full = full.rstrip("/")  # [base] itself: POST [base] for transaction, GET [base] search
        key = (method, full)
        old = self.ops.get(key)
        params = tuple(sorted(set(query) | set(old.query_params if old else ())))
        self.ops[key] = SpecOperation(
            method=method,
            host=self.host,
            path=full,
            spec=self.label,
            query_params=params,
            responses=responses or (old.responses if old else ()),
        )


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(node: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = node.get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _canonical(op: Mapping[str, Any]) -> str:
    """The definition canonical: a string in R4+, ``{reference: ...}`` in STU3/DSTU2."""
    definition = op.get("definition")
    if isinstance(definition, Mapping):
        definition = definition.get("reference")
    return definition.strip() if isinstance(definition, str) else ""


def operation_code(op: Mapping[str, Any], types: Iterable[str]) -> tuple[str, str]:
    """``(code, type hint)`` of an operation entry; hint is a resource type named in it or ""."""
    by_lower = {t.lower(): t for t in types}
    candidates = []
    canonical = _canonical(op)
    if canonical:
        candidates.append(canonical.rsplit("/", 1)[-1].split("|", 1)[0])
    candidates.append(_text(op, "name"))
    fallback: tuple[str, str] = ("", "")
    for raw in candidates:
        word = raw.lstrip("$").strip()
        if not word:
            continue
        tokens = word.split("-")
        hint, code = "", word.lower()
        for i, token in enumerate(tokens):
            if token.lower() in by_lower and i + 1 < len(tokens):
                hint, code = by_lower[token.lower()], "-".join(tokens[i + 1 :]).lower()
                break
        if code in KNOWN_OPERATIONS:
            return code, hint
        if not fallback[0]:
            fallback = (code, hint)
    # unknown: prefer the plain name (it is what clients put after "$"), keep the type hint
    name = _text(op, "name").lstrip("$").lower()
    if name and "-" not in name:
        return name, fallback[1]
    return fallback


def _add_type_operation(b: _Builder, rtype: str, code: str, known: OperationDef | None) -> None:
    type_level = instance_level = True
    methods: tuple[str, ...] = GET_POST
    if known is not None:
        in_type = rtype in known.type_level or ANY in known.type_level
        in_inst = rtype in known.instance_level or ANY in known.instance_level
        if in_type or in_inst:  # a known code on a type its definition does not list: default
            type_level, instance_level, methods = in_type, in_inst, known.methods
    for method in methods:
        if type_level:
            b.add(method, f"/{rtype}/${code}")
        if instance_level:
            b.add(method, f"/{rtype}/{{id}}/${code}")


def _add_system_operation(b: _Builder, code: str, hint: str) -> None:
    known = KNOWN_OPERATIONS.get(code)
    if hint:
        _add_type_operation(b, hint, code, known)
        return
    if known is None or known.system:
        for method in known.methods if known else GET_POST:
            b.add(method, f"/${code}")
        return
    # a type-bound code declared at system level: place it on the types its definition names
    for rtype in sorted((known.type_level | known.instance_level) - {ANY}):
        _add_type_operation(b, rtype, code, known)


class _Statement:
    def __init__(self, doc: Mapping[str, Any], source: Path) -> None:
        self.doc = doc
        self.warnings: list[str] = []
        software = doc.get("software")
        software = software if isinstance(software, Mapping) else {}
        name = _text(doc, "title") or _text(software, "name") or _text(doc, "name")
        version = _text(doc, "version") or _text(software, "version")
        if not any(c.isdigit() for c in version):
            fhir = doc.get("fhirVersion")
            version = f"FHIR {fhir}" if isinstance(fhir, str) and fhir.strip() else ""
        self.label = spec_label(name, version, source)
        self.source = source

    def base(self) -> tuple[str, str]:
        impl = self.doc.get("implementation")
        url = impl.get("url") if isinstance(impl, Mapping) else None
        if isinstance(url, str) and url.strip():
            _, host, path = split_url(url)
            return host, path
        return "", ""

    def run(self) -> SpecDocument:
        host, base = self.base()
        b = _Builder(host, base, self.label)
        b.add("GET", "/metadata")
        rests = self.doc.get("rest")
        if rests is not None and not isinstance(rests, list):
            self.warnings.append("rest is not a list, only /metadata imported")
        for i, rest in enumerate(_list(self.doc, "rest")):
            mode = rest.get("mode")
            if mode not in (None, "server"):
                continue  # client capabilities describe calls this system makes, not endpoints
            self.rest(b, rest, f"rest[{i}]")
        return SpecDocument(
            label=self.label,
            kind=KIND_FHIR_CAPABILITY,
            operations=list(b.ops.values()),
            warnings=self.warnings,
            source=str(self.source),
        )

    def rest(self, b: _Builder, rest: Mapping[str, Any], where: str) -> None:
        resources = _list(rest, "resource")
        types = [t for r in resources if (t := _text(r, "type"))]
        name_types = set(types) | COMMON_TYPES
        compartments = rest.get("compartment")
        patient_compartment = isinstance(compartments, list) and any(
            isinstance(c, str) and _is_patient_compartment(c) for c in compartments
        )
        for res in resources:
            rtype = _text(res, "type")
            if not rtype or "/" in rtype or not rtype.isidentifier():
                self.warnings.append(f"{where}: resource without a usable type, skipped")
                continue
            params = [p for sp in _list(res, "searchParam") if (p := _text(sp, "name"))]
            codes = [_text(i, "code") for i in _list(res, "interaction")]
            for code in codes:
                shapes = TYPE_INTERACTIONS.get(code)
                if shapes is None:
                    self.warnings.append(f"{where}: {rtype}: unknown interaction {code!r}, ignored")
                    continue
                for method, suffix in shapes:
                    search = code == "search-type"
                    responses = ("Bundle",) if search or "history" in code else (rtype,)
                    b.add(method, f"/{rtype}{suffix}", params if search else (), responses)
            if patient_compartment and "search-type" in codes and rtype != "Patient":
                b.add("GET", f"/Patient/{{id}}/{rtype}", params, ("Bundle",))
            for op in _list(res, "operation"):
                code, _ = operation_code(op, name_types)
                if not code or not _is_code(code):
                    self.warnings.append(f"{where}: {rtype}: operation without a usable name, skipped")
                    continue
                _add_type_operation(b, rtype, code, KNOWN_OPERATIONS.get(code))
        system_params = [p for sp in _list(rest, "searchParam") if (p := _text(sp, "name"))]
        for inter in _list(rest, "interaction"):
            code = _text(inter, "code")
            shapes = SYSTEM_INTERACTIONS.get(code)
            if shapes is None:
                self.warnings.append(f"{where}: unknown system interaction {code!r}, ignored")
                continue
            for method, path in shapes:
                b.add(method, path, system_params if code == "search-system" else ())
        for op in _list(rest, "operation"):
            code, hint = operation_code(op, name_types)
            if not code or not _is_code(code):
                self.warnings.append(f"{where}: system operation without a usable name, skipped")
                continue
            _add_system_operation(b, code, hint)


def _is_patient_compartment(canonical: str) -> bool:
    """R4/STU3 ``.../CompartmentDefinition/patient``; DSTU2 wrote ``.../compartment/Patient``."""
    url = canonical.split("|", 1)[0].rstrip("/")
    return url == PATIENT_COMPARTMENT or url.lower() == "http://hl7.org/fhir/compartment/patient"


def _is_code(code: str) -> bool:
    return all(c.isalnum() or c in "-_." for c in code)


class CapabilityLoader:
    """``resourceType: CapabilityStatement`` (STU3+) or ``Conformance`` (DSTU2)."""

    kind = KIND_FHIR_CAPABILITY

    def sniff(self, doc: Mapping[str, Any]) -> bool:
        return doc.get("resourceType") in ("CapabilityStatement", "Conformance")

    def load(self, doc: Mapping[str, Any], source: Path) -> SpecDocument:
        return _Statement(doc, source).run()


SPEC_LOADERS.register(KIND_FHIR_CAPABILITY)(CapabilityLoader())

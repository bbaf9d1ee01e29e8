"""Field-level view of OpenAPI/Swagger schemas for the property-level checks (API3).

``SpecDocument`` keeps operations, not schemas, so this re-reads each spec's source file and
flattens, per operation, the property names a 2xx response may carry and the ``readOnly``
ones a request must not set. A spec that cannot be re-read, or whose schema is broken, adds a
warning and is left out: the other checks still run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from phiwatch.discovery.spec import KIND_OPENAPI, KIND_SWAGGER, SpecDocument, read_document
from phiwatch.errors import ConfigError

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
MAX_DEPTH = 10


class OpSchema(msgspec.Struct):
    response_fields: set[str] | None  # None: free-form (no schema or additionalProperties)
    read_only: set[str]


class _Flattener:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"external $ref {ref!r}")
            target: Any = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise ValueError(f"dangling $ref {ref!r}")
                target = target[part]
            node, seen = target, seen + 1
        return node

    def fields(self, node: Any, names: set[str], read_only: set[str], depth: int = 0) -> bool:
        """Collect property names; False when the schema admits any property."""
        node = self.resolve(node)
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            return True
        closed = True
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in node.get(key) or ():
                closed = self.fields(sub, names, read_only, depth + 1) and closed
        if "items" in node:
            closed = self.fields(node["items"], names, read_only, depth + 1) and closed
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                names.add(str(name))
                sub_r = self.resolve(sub)
                if isinstance(sub_r, dict) and sub_r.get("readOnly") is True:
                    read_only.add(str(name))
                closed = self.fields(sub_r, names, read_only, depth + 1) and closed
        extra = node.get("additionalProperties")
        if extra is True or (isinstance(extra, dict) and extra):
            closed = False
        if not props and not node.get("items") and not any(node.get(k) for k in ("allOf", "oneOf", "anyOf")):
            closed = closed and node.get("type") not in (None, "object")
        return closed


def _response_schemas(op: dict[str, Any], swagger: bool) -> list[Any]:
    out: list[Any] = []
    responses = op.get("responses")
    if not isinstance(responses, dict):
        return out
    for code, resp in responses.items():
        if not str(code).startswith("2") or not isinstance(resp, dict):
            continue
        if swagger:
            if "schema" in resp:
                out.append(resp["schema"])
            continue
        content = resp.get("content")
        if isinstance(content, dict):
            for media, body in content.items():
                if "json" in media and isinstance(body, dict) and "schema" in body:
                    out.append(body["schema"])
    return out


def _request_schemas(op: dict[str, Any], swagger: bool) -> list[Any]:
    if swagger:
        return [
            p["schema"] for p in op.get("parameters") or () if isinstance(p, dict) and p.get("in") == "body"
        ]
    body = op.get("requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return []
    return [b["schema"] for m, b in content.items() if "json" in m and isinstance(b, dict) and "schema" in b]


def _doc_schemas(
    spec: SpecDocument, doc: dict[str, Any], warnings: list[str]
) -> dict[tuple[str, str, str], OpSchema]:
    swagger = spec.kind == KIND_SWAGGER
    flat = _Flattener(doc)
    raw: dict[tuple[str, str], OpSchema] = {}
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            try:
                names: set[str] = set()
                read_only: set[str] = set()
                schemas = _response_schemas(op, swagger)
                closed = bool(schemas)
                for s in schemas:
                    closed = flat.fields(s, names, read_only) and closed
                for s in _request_schemas(op, swagger):
                    flat.fields(s, set(), read_only)
            except (ValueError, RecursionError, TypeError) as exc:
                warnings.append(f"{spec.label}: {method.upper()} {path}: schema skipped ({exc})")
                continue
            raw[(method.upper(), str(path))] = OpSchema(names if closed else None, read_only)
    out: dict[tuple[str, str, str], OpSchema] = {}
    for sop in spec.operations:  # full paths (server base + path) from the loader
        best = ""
        for (m, p), _ in raw.items():
            if m == sop.method and sop.path.endswith(p) and len(p) > len(best):
                best = p
        if best:
            out[(spec.label, sop.method, sop.path)] = raw[(sop.method, best)]
    return out


def load_schemas(specs: list[SpecDocument], warnings: list[str]) -> dict[tuple[str, str, str], object]:
    """``(spec label, METHOD, spec path) -> OpSchema`` for every OpenAPI/Swagger spec."""
    out: dict[tuple[str, str, str], object] = {}
    for spec in specs:
        if spec.kind not in (KIND_OPENAPI, KIND_SWAGGER):
            continue
        if not spec.source or not Path(spec.source).is_file():
            warnings.append(f"{spec.label}: spec file not available, property-level checks skipped")
            continue
        try:
            doc = read_document(Path(spec.source))
        except ConfigError as exc:
            warnings.append(f"{exc}; property-level checks skipped")
            continue
        if isinstance(doc, dict):
            out.update(_doc_schemas(spec, doc, warnings))
    return out


def op_schema(schemas: dict[tuple[str, str, str], object], spec_ref: str | None) -> OpSchema | None:
    """The schema of an inventory row's matched operation (``Endpoint.spec``)."""
    if not spec_ref:
        return None
    parts = spec_ref.rsplit(" ", 2)
    if len(parts) != 3:
        return None
    found = schemas.get((parts[0], parts[1], parts[2]))
    return found if isinstance(found, OpSchema) else None

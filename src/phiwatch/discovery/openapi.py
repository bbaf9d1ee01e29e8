"""OpenAPI 3.0 / 3.1 and Swagger 2.0 loaders.

Hosts and base paths: OpenAPI ``servers`` (variables replaced by their defaults, relative URLs
kept as a base path with no host, several servers give the operations on each), overridden by
path-level and then operation-level ``servers``; Swagger ``host`` + ``basePath`` (``schemes``
only decide which default port to drop). No server at all means host ``""`` and base ``/``.

``$ref``s are followed where we need the node: path items, operations (a non-standard but
common multi-file layout), parameters and responses. Local (``#/...``) and relative-file refs
are resolved; a missing target, a remote URL or a cycle gives one warning and the part is
skipped (an operation whose own ``$ref`` dangles is still kept: its method and path are known).
``x-`` extensions are ignored; OpenAPI 3.1 ``webhooks`` and ``callbacks`` are requests the API
sends, not endpoints it serves, so they are not imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from phiwatch.discovery.spec import (
    KIND_OPENAPI,
    KIND_SWAGGER,
    SPEC_LOADERS,
    SpecDocument,
    SpecOperation,
    join_path,
    read_document,
    spec_label,
    split_url,
)
from phiwatch.errors import ConfigError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_REF_HOPS = 32  # a chain longer than this is a cycle or a mistake
_SERVER_VAR = re.compile(r"\{([^{}]*)\}")  # on a short server URL only

Server = tuple[str, str]  # (host, base path)


class RefResolver:
    """Follows ``$ref``s across the root document and the files next to it.

    Every failure becomes one warning (deduplicated) and ``None``; files are read once.
    """

    def __init__(self, root: Mapping[str, Any], source: Path, warnings: list[str]) -> None:
        self.source = source.resolve()
        self.docs: dict[Path, Any] = {self.source: root}
        self.warnings = warnings
        self._warned: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)

    def deref(self, node: Any, base: Path) -> tuple[Any, Path]:
        """The node a (chain of) ``$ref`` points to, and the file it lives in; ``(None, base)``
        when the chain dangles or loops."""
        seen: set[tuple[Path, str]] = set()
        hops = 0
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                self.warn(f"$ref is not a string: {ref!r:.60}")
                return None, base
            hops += 1
            target = self._locate(ref, base)
            if target is None:
                return None, base
            if target in seen or hops > MAX_REF_HOPS:
                self.warn(f"$ref cycle at {ref}")
                return None, base
            seen.add(target)
            file, pointer = target
            node, base = self._pointer(file, pointer, ref), file
        return node, base

    def _locate(self, ref: str, base: Path) -> tuple[Path, str] | None:
        where, _, pointer = ref.partition("#")
        if not where:
            return base, pointer
        if "://" in where or where.startswith("//"):
            self.warn(f"remote $ref not fetched: {ref}")
            return None
        file = (base.parent / unquote(where)).resolve()
        if file not in self.docs:
            try:
                self.docs[file] = read_document(file) if file.is_file() else None
            except ConfigError as exc:
                self.warn(f"$ref {ref}: {exc}")
                self.docs[file] = None
            except OSError:
                self.docs[file] = None
        if self.docs[file] is None:
            self.warn(f"dangling $ref: {ref} (file not found or unreadable)")
            return None
        return file, pointer

    def _pointer(self, file: Path, pointer: str, ref: str) -> Any:
        node = self.docs[file]
        if pointer in ("", "/"):
            return node
        if not pointer.startswith("/"):
            self.warn(f"unsupported $ref fragment: {ref}")
            return None
        for raw in pointer[1:].split("/"):
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                self.warn(f"dangling $ref: {ref}")
                return None
        return node


class _Importer:
    """One import run over one document (state: resolver, warnings, label)."""

    def __init__(self, doc: Mapping[str, Any], source: Path, kind: str) -> None:
        self.doc = doc
        self.source = source
        self.kind = kind
        self.warnings: list[str] = []
        self.refs = RefResolver(doc, source, self.warnings)
        info = doc.get("info")
        info = info if isinstance(info, Mapping) else {}
        self.label = spec_label(info.get("title"), info.get("version"), source)

    # -- servers ----------------------------------------------------------------------------
    def openapi_servers(self, node: Any, where: str) -> list[Server] | None:
        """Servers declared on a node (root, path item or operation); None when absent."""
        if node is None:
            return None
        if not isinstance(node, list):
            self.refs.warn(f"{where}: servers is not a list, ignored")
            return None
        out: list[Server] = []
        for entry in node:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
                self.refs.warn(f"{where}: server without a url, ignored")
                continue
            url = self._expand_server_vars(entry["url"], entry.get("variables"), where)
            _, host, path = split_url(url)
            out.append((host, path))
        return _dedupe(out) or None

    def _expand_server_vars(self, url: str, variables: Any, where: str) -> str:
        variables = variables if isinstance(variables, Mapping) else {}

        def sub(m: re.Match[str]) -> str:
            var = variables.get(m.group(1))
            default = var.get("default") if isinstance(var, Mapping) else None
            if isinstance(default, (str, int, float)) and not isinstance(default, bool):
                return str(default)
            self.refs.warn(f"{where}: server variable {{{m.group(1)}}} has no default")
            return m.group(0)  # in the path it stays a parameter segment; in the host, host ""

        return _SERVER_VAR.sub(sub, url)

    def swagger_servers(self) -> list[Server]:
        host = self.doc.get("host")
        base = self.doc.get("basePath")
        schemes = self.doc.get("schemes")
        scheme = ""
        if isinstance(schemes, list) and schemes and all(isinstance(s, str) for s in schemes):
            scheme = "https" if "https" in schemes else str(schemes[0]).lower()
        host_name = ""
        if isinstance(host, str) and host.strip():
            _, host_name, _ = split_url(f"{scheme or 'https'}://{host.strip()}")
        elif host is not None:
            self.refs.warn("host is not a string, ignored")
        if base is not None and not isinstance(base, str):
            self.refs.warn("basePath is not a string, ignored")
            base = None
        return [(host_name, base or "/")]

    # -- paths and operations -----------------------------------------------------------------
    def run(self) -> SpecDocument:
        if self.kind == KIND_SWAGGER:
            root_servers: list[Server] = self.swagger_servers()
        else:
            root_servers = self.openapi_servers(self.doc.get("servers"), "servers") or [("", "/")]
        paths = self.doc.get("paths")
        ops: list[SpecOperation] = []
        if paths is None:
            pass  # 3.1 allows webhook- or component-only documents
        elif not isinstance(paths, Mapping):
            self.refs.warn("paths is not a mapping, no operations imported")
        else:
            for raw_path, raw_item in paths.items():
                if not isinstance(raw_path, str) or raw_path.startswith("x-"):
                    continue
                ops.extend(self.path_item(raw_path, raw_item, root_servers))
        return SpecDocument(
            label=self.label,
            kind=self.kind,
            operations=_dedupe(ops),
            warnings=self.warnings,
            source=str(self.source),
        )

    def path_item(self, raw_path: str, raw_item: Any, servers: list[Server]) -> list[SpecOperation]:
        path = raw_path.strip()
        if not path.startswith("/"):
            self.refs.warn(f"path {path!r:.80} does not start with '/', imported as '/{path}'")
        item, base = self.refs.deref(raw_item, self.refs.source)
        if item is None:
            return []
        if not isinstance(item, Mapping):
            self.refs.warn(f"path {path!r:.80}: path item is not a mapping, skipped")
            return []
        if self.kind != KIND_SWAGGER:
            servers = self.openapi_servers(item.get("servers"), f"path {path}") or servers
        shared = self.parameters(item.get("parameters"), base, f"path {path}")
        out: list[SpecOperation] = []
        for method in METHODS:
            if method not in item:
                continue
            out.extend(self.operation(path, method, item[method], base, shared, servers))
        return out

    def operation(
        self,
        path: str,
        method: str,
        raw_op: Any,
        base: Path,
        shared: dict[tuple[str, str], str],
        servers: list[Server],
    ) -> list[SpecOperation]:
        where = f"{method.upper()} {path}"
        op, op_base = self.refs.deref(raw_op, base)
        if op is None:
            op = {}  # dangling operation $ref: the operation exists, its details are unknown
        if not isinstance(op, Mapping):
            self.refs.warn(f"{where}: operation is not a mapping, imported without details")
            op = {}
        deprecated = op.get("deprecated", False)
        if not isinstance(deprecated, bool):
            self.refs.warn(f"{where}: deprecated is not a boolean, read as false")
            deprecated = False
        op_id = op.get("operationId")
        params = dict(shared)
        params.update(self.parameters(op.get("parameters"), op_base, where))
        query = tuple(sorted(name for (name, loc), _ in params.items() if loc == "query"))
        if self.kind != KIND_SWAGGER:
            servers = self.openapi_servers(op.get("servers"), where) or servers
        responses = self.responses(op.get("responses"), op_base, where)
        return [
            SpecOperation(
                method=method.upper(),
                host=host,
                path=join_path(base_path, path),
                spec=self.label,
                deprecated=deprecated,
                operation_id=op_id if isinstance(op_id, str) else "",
                query_params=query,
                responses=responses,
            )
            for host, base_path in servers
        ]

    def parameters(self, raw: Any, base: Path, where: str) -> dict[tuple[str, str], str]:
        """``{(name, in): name}`` for the parameters that resolve; later ones override."""
        out: dict[tuple[str, str], str] = {}
        if raw is None:
            return out
        if not isinstance(raw, list):
            self.refs.warn(f"{where}: parameters is not a list, ignored")
            return out
        for entry in raw:
            param, _ = self.refs.deref(entry, base)
            if not isinstance(param, Mapping):
                continue  # dangling refs already warned
            name, loc = param.get("name"), param.get("in")
            if isinstance(name, str) and isinstance(loc, str):
                out[(name, loc)] = name
        return out

    def responses(self, raw: Any, base: Path, where: str) -> tuple[str, ...]:
        """Schema ``$ref``s of success responses, kept as written (light: not resolved)."""
        if not isinstance(raw, Mapping):
            return ()
        refs: list[str] = []
        for code, entry in raw.items():
            if not str(code).startswith("2"):
                continue
            resp, _ = self.refs.deref(entry, base)
            if not isinstance(resp, Mapping):
                continue
            schemas: list[Any] = [resp.get("schema")]  # Swagger 2.0
            content = resp.get("content")
            if isinstance(content, Mapping):
                schemas.extend(c.get("schema") for c in content.values() if isinstance(c, Mapping))
            for schema in schemas:
                if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
                    refs.append(schema["$ref"])
        return tuple(_dedupe(refs))


def _dedupe(items: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _version_text(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


class OpenApiLoader:
    """OpenAPI 3.0 / 3.1 (``openapi: 3.x``)."""

    kind = KIND_OPENAPI

    def sniff(self, doc: Mapping[str, Any]) -> bool:
        return _version_text(doc, "openapi").startswith("3")

    def load(self, doc: Mapping[str, Any], source: Path) -> SpecDocument:
        return _Importer(doc, source, self.kind).run()


class SwaggerLoader:
    """Swagger 2.0 (``swagger: "2.0"``)."""

    kind = KIND_SWAGGER

    def sniff(self, doc: Mapping[str, Any]) -> bool:
        return _version_text(doc, "swagger").startswith("2")

    def load(self, doc: Mapping[str, Any], source: Path) -> SpecDocument:
        return _Importer(doc, source, self.kind).run()


SPEC_LOADERS.register(KIND_OPENAPI)(OpenApiLoader())
SPEC_LOADERS.register(KIND_SWAGGER)(SwaggerLoader())

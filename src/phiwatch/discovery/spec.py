"""Spec import: the common model every spec kind loads into, and the loader registry.

A spec (OpenAPI 3.x, Swagger 2.0, FHIR CapabilityStatement) becomes a ``SpecDocument``: a flat
list of ``SpecOperation`` rows (method, host, full path with the spec's own parameter names).
``load_spec(path)`` reads JSON or YAML (by content), picks the loader by content and raises
``ConfigError`` naming the file when the file cannot be read or is no spec at all. Inside a
readable spec, broken parts (dangling ``$ref``, odd shapes) become ``warnings``; everything that
can be imported is kept.

Loaders live one per spec kind in sibling modules (``openapi.py``: openapi and swagger,
``capability.py``: fhir-capability) and register an instance with
``SPEC_LOADERS.register(kind)(Loader())``; ``_LOADER_MODULES`` lists those modules, imported on
first use. A new kind is one module plus one line there.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import msgspec
import yaml

from phiwatch.errors import ConfigError
from phiwatch.registry import Registry

# Spec kinds, as in SpecDocument.kind
KIND_OPENAPI = "openapi"
KIND_SWAGGER = "swagger"
KIND_FHIR_CAPABILITY = "fhir-capability"

# The modules that register loaders; imported on first use (no import-time I/O, no cycle).
_LOADER_MODULES = ("phiwatch.discovery.openapi", "phiwatch.discovery.capability")

# Specs are configuration, but a multi-GB file passed by mistake should fail fast, not swap.
MAX_SPEC_BYTES = 64 * 1024 * 1024

try:  # libyaml is ~10x faster on large specs; fall back to pure Python when absent
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _YamlLoader = yaml.SafeLoader


class SpecOperation(msgspec.Struct, frozen=True, omit_defaults=True):
    """One documented operation: a method on a path of one host (``""``: any host).

    ``path`` is the full path including the server base path, with the spec's own parameter
    names (``/fhir/Patient/{patientId}``); matching ignores those names.
    """

    method: str  # upper-case
    host: str  # lower-case, without default port; "" when the spec gives none
    path: str
    spec: str  # label of the spec it comes from
    deprecated: bool = False
    operation_id: str = ""
    query_params: tuple[str, ...] = ()  # documented query parameter names (search params)
    responses: tuple[str, ...] = ()  # response schema refs or FHIR resource types, when known


class SpecDocument(msgspec.Struct, omit_defaults=True):
    label: str  # title + version, or the file name
    kind: str  # openapi | swagger | fhir-capability
    operations: list[SpecOperation] = msgspec.field(default_factory=list)
    warnings: list[str] = msgspec.field(default_factory=list)
    source: str = ""  # file the spec was read from


class SpecLoader(Protocol):
    """One spec kind. ``sniff`` looks at the parsed top-level mapping only; ``load`` turns it
    into a SpecDocument and never raises on a broken part (it warns instead)."""

    kind: str

    def sniff(self, doc: Mapping[str, Any]) -> bool: ...

    def load(self, doc: Mapping[str, Any], source: Path) -> SpecDocument: ...


SPEC_LOADERS: Registry[SpecLoader] = Registry("spec loader")


def _ensure_loaders() -> None:
    for name in _LOADER_MODULES:
        importlib.import_module(name)


def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file (chosen by content: JSON first, YAML as the superset)."""
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise ConfigError(f"{path}: spec too large ({size} bytes, limit {MAX_SPEC_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read spec ({exc.strerror or exc})") from None
    return parse_text(data, str(path))


def parse_text(data: bytes, name: str) -> Any:
    """Decode spec text: JSON when it looks like JSON and decodes, YAML otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            return msgspec.json.decode(data)
        except msgspec.DecodeError:
            pass  # YAML flow style also starts with "{"; let YAML have a go
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: spec is not UTF-8 (byte {exc.start})") from None
    try:
        return yaml.load(text, Loader=_YamlLoader)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(f"{name}: not valid JSON or YAML{where} ({problem})") from None
    except (ValueError, RecursionError) as exc:  # e.g. absurd nesting, bad timestamps
        raise ConfigError(f"{name}: not valid JSON or YAML ({type(exc).__name__})") from None


def pick_loader(doc: object, name: str) -> SpecLoader:
    """The loader whose ``sniff`` accepts the document; ConfigError when none does."""
    _ensure_loaders()
    if isinstance(doc, Mapping):
        for kind in SPEC_LOADERS:
            loader = SPEC_LOADERS.get(kind)
            if loader.sniff(doc):
                return loader
    raise ConfigError(
        f'{name}: not a recognised spec (expected openapi: 3.x, swagger: "2.0" '
        "or resourceType: CapabilityStatement)"
    )


def parse_spec(doc: object, source: Path | str) -> SpecDocument:
    """Load an already parsed spec; ``source`` names it and anchors relative ``$ref`` files."""
    path = Path(source)
    loader = pick_loader(doc, str(path))
    assert isinstance(doc, Mapping)  # pick_loader only accepts mappings
    spec = loader.load(doc, path)
    # Warnings quote names from the spec; each must stay one line in reports and logs.
    spec.warnings = [" ".join(w.splitlines()) for w in spec.warnings]
    return spec


def load_spec(path: Path | str) -> SpecDocument:
    """Read and load one spec file. Raises ConfigError (one line, naming the file) when it
    cannot be read or is not a spec; broken parts inside become ``warnings``."""
    p = Path(path)
    return parse_spec(read_document(p), p)


def spec_label(title: object, version: object, source: Path) -> str:
    """``"<title> <version>"`` when the spec has a title, else the file name."""
    t = title.strip() if isinstance(title, str) else ""
    v = str(version).strip() if isinstance(version, (str, int, float)) else ""
    if not t:
        return source.name or str(source)
    return f"{t} {v}" if v else t


def split_url(url: str) -> tuple[str, str, str]:
    """``(scheme, host, path)`` of an absolute or relative URL, without using urllib (which
    rejects placeholder ports such as ``:IGNORED_FIELD``). Host is lower-case, default port
    dropped; loopback and malformed hosts become ``""`` since a published spec naming
    localhost describes no real host."""
    scheme = ""
    rest = url.strip()
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
        scheme = scheme.lower()
        netloc, _, path = rest.partition("/")
        path = "/" + path
    elif rest.startswith("//"):
        netloc, _, path = rest[2:].partition("/")
        path = "/" + path
    else:
        netloc, path = "", rest
    path = path.split("?", 1)[0].split("#", 1)[0]
    return scheme, normalize_host(netloc, scheme), path


def normalize_host(netloc: str, scheme: str = "") -> str:
    host = netloc.rsplit("@", 1)[-1].strip().lower()
    name, sep, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if sep:
        if (port == "443" and scheme in ("https", "")) or (port == "80" and scheme in ("http", "")):
            host = name
        elif not port.isdigit():
            host = name  # placeholder port ("IGNORED_FIELD"): keep the host name only
    bare = host.rpartition(":")[0] if ":" in host and not host.endswith("]") else host
    if bare in ("localhost", "0.0.0.0") or bare.startswith("127.") or bare == "[::1]":
        return ""
    if any(c in host for c in " \t{}<>\\\"'`|^"):
        return ""  # unresolved template or junk: match on path alone
    return host


def join_path(base: str, path: str) -> str:
    """Base path + operation path, with exactly one slash between them."""
    base = "/".join(s for s in base.split("/") if s != ".").rstrip("/")  # "./api" is "api"
    if not path.startswith("/"):
        path = "/" + path
    joined = base + path
    if not joined.startswith("/"):
        joined = "/" + joined
    return joined

"""Which events the WAF evaluates (see ``Scope``) and how exclusions find their endpoint.

Default scope: every request except static assets, i.e. GET/HEAD of a path ending in ``.css``,
``.js``, an image, a font or a media file with neither query string nor body (path traversal and
header attacks need no body, so API reads without a query are still evaluated). Out-of-scope events
are decided in the main process and never shipped to the parallel workers. ``only_with_input``
narrows to requests that carry a query string or a body (about half the cost on typical FHIR
traffic, at the price of path- and header-only attacks).
"""

from __future__ import annotations

from phiwatch.detect.waf.config import Exclusion, Scope
from phiwatch.model import Event


def in_scope(event: Event, scope: Scope) -> bool:
    req = event.request
    has_input = bool(req.query) or bool(req.body)
    if scope.only_with_input and not has_input:
        return False
    if scope.skip_static and not has_input and req.method.upper() in ("GET", "HEAD"):
        last = req.path.rsplit("/", 1)[-1]
        dot = last.rfind(".")
        if dot > 0 and last[dot + 1 :].lower() in scope.static_extensions:
            return False
    return True


def describe(scope: Scope) -> str:
    """One line for ``phiwatch rules info``: what is evaluated and what is skipped."""
    if scope.only_with_input:
        what = "requests with a query string or a body only"
    else:
        what = "every request, path and headers included"
    if scope.skip_static:
        exts = " ".join(f".{e}" for e in sorted(scope.static_extensions))
        what += f"; skipped: GET/HEAD of static assets without query or body ({exts})"
    return what


def endpoint_path(event: Event) -> str:
    """The path template from discovery when it ran, else the raw path."""
    return event.endpoint.path if event.endpoint is not None else event.request.path


def template_matches(template: str, path: str) -> bool:
    """``/Patient/{id}`` matches itself and any raw path with one segment in place of ``{id}``."""
    if template == path:
        return True
    t_parts = template.strip("/").split("/")
    p_parts = path.strip("/").split("/")
    if len(t_parts) != len(p_parts):
        return False
    for t, p in zip(t_parts, p_parts, strict=True):
        if t.startswith("{") and t.endswith("}"):
            if not p:
                return False
        elif t != p:
            return False
    return True


def _tag_hit(pattern: str, tags: tuple[str, ...]) -> bool:
    if pattern.endswith("*"):
        return any(t.startswith(pattern[:-1]) for t in tags)
    return pattern in tags


def excluded(
    exclusions: tuple[Exclusion, ...], endpoint: str, method: str, rule_id: int, tags: tuple[str, ...]
) -> bool:
    for ex in exclusions:
        if ex.method and ex.method.upper() != method.upper():
            continue
        if not template_matches(ex.path, endpoint):
            continue
        if rule_id in ex.rule_ids or any(_tag_hit(p, tags) for p in ex.tags):
            return True
    return False

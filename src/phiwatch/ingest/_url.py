"""URL and request-target splitting, written by hand because it runs once per event.

Normalisation rules (the same for every format):
- ``host`` is lower-case, without user info (never kept: it may hold a password) and
  without the scheme's default port (80 for http/ws, 443 for https/wss/h2/grpcs).
- ``path`` is the path as sent, except that percent-escapes of unreserved characters
  (``A-Z a-z 0-9 - . _ ~``) are decoded (RFC 3986 6.2.2.2: the URL is the same). Escapes that
  change meaning (``%2F``, ``%3F``, ``%25``...) stay escaped, so segments are never split
  or merged by decoding. An empty path becomes ``/``.
- ``query`` is the raw query string without ``?``; a ``#fragment`` is dropped.
"""

from __future__ import annotations

import re

DEFAULT_PORTS = {"http": "80", "ws": "80", "https": "443", "wss": "443", "h2": "443", "grpcs": "443"}
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_TOKEN = re.compile(r"[A-Za-z][!#$%&'*+\-.^_`|~0-9A-Za-z]{0,31}")  # RFC 9110 token, bounded, from a letter


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code in _UNRESERVED else match.group(0).upper()


def normalize_path(path: str) -> str:
    if not path:
        return "/"
    if "%" in path:
        path = _ESCAPE.sub(_unescape, path)
    return path


def normalize_host(authority: str, scheme: str) -> str:
    """``User:pw@Example.ORG:443`` -> ``example.org`` for https; keeps other ports."""
    if "@" in authority:
        authority = authority.rpartition("@")[2]
    host = authority.lower()
    if host.startswith("["):  # IPv6 literal, port after the bracket
        end = host.find("]")
        if end != -1 and host[end + 1 : end + 2] == ":" and host[end + 2 :] == DEFAULT_PORTS.get(scheme):
            return host[: end + 1]
        return host
    name, colon, port = host.rpartition(":")
    if colon and (port == DEFAULT_PORTS.get(scheme) or port == ""):
        return name
    return host


def split_target(target: str) -> tuple[str, str]:
    """Origin-form target ``/a/b?x=1#f`` -> (normalised path, raw query)."""
    if "#" in target:
        target = target[: target.find("#")]
    path, _, query = target.partition("?")
    if not path or "%" in path:
        path = normalize_path(path)
    return path, query


# "https://Host:443" -> (scheme, host, that prefix); few distinct
_AUTHORITIES: dict[str, tuple[str, str, str]] = {}
_AUTHORITIES_MAX = 4096


def split_url(url: str, default_scheme: str = "https") -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of an absolute URL or an origin-form target (host "")."""
    sep = url.find("://")
    if sep > 0:
        end = url.find("/", sep + 3)
        prefix = url if end == -1 else url[:end]
        # A cached prefix was validated when stored (its scheme is alphanumeric, and the first
        # "://" of the URL is the one inside it), so a hit skips the checks below.
        known = _AUTHORITIES.get(prefix)
        if known is None and url[:sep].isalnum():  # "/go?next=https://x" is a target, not a URL
            known = _authority(url, sep, prefix)
            if len(known[2]) != len(prefix):  # "https://host?x": the authority ended early
                end = len(known[2])
        if known is not None:
            if end == -1:
                return known[0], known[1], "/", ""
            # split_target, inlined: this runs once per event
            rest = url[end:]
            if "#" in rest:
                rest = rest[: rest.find("#")]
            path, _, query = rest.partition("?")
            if not path or "%" in path:
                path = normalize_path(path)
            return known[0], known[1], path, query
    if url.startswith("//"):
        return split_url(default_scheme + ":" + url, default_scheme)
    path, query = split_target(url)
    return default_scheme, "", path, query


def _authority(url: str, sep: int, prefix: str) -> tuple[str, str, str]:
    """(scheme, host, authority prefix as cached) of an absolute URL whose prefix missed."""
    if "?" in prefix or "#" in prefix:  # "https://host?x": authority ends early
        cut = min(i for i in (prefix.find("?", sep), prefix.find("#", sep)) if i != -1)
        prefix = url[:cut]
        known = _AUTHORITIES.get(prefix)
        if known is not None:
            return known
    scheme = url[:sep].lower()
    known = (scheme, normalize_host(prefix[sep + 3 :], scheme), prefix)
    if len(_AUTHORITIES) >= _AUTHORITIES_MAX:
        _AUTHORITIES.clear()
    _AUTHORITIES[prefix] = known
    return known


def is_method(token: str) -> bool:
    """A plausible HTTP method: an RFC 9110 token (TLS bytes and quotes are not)."""
    return _TOKEN.fullmatch(token) is not None


def first_ip(value: str) -> str:
    """The first address of ``10.0.0.2, 10.0.0.1`` or ``"1.2.3.4" 10.2.1.185`` (XFF order:
    the original client first); IPv4 ``1.2.3.4:5678`` loses its port. ``-`` gives ""."""
    for token in value.replace('"', " ").replace(",", " ").split():
        if token == "-":
            continue
        if token.count(":") == 1:  # IPv4 with port
            token = token.partition(":")[0]
        elif token.startswith("[") and "]" in token:  # [v6]:port
            token = token[1 : token.find("]")]
        return token
    return ""

"""nginx (and Apache) access logs: ``combined`` by default, or any ``log_format``.

The format string (a bare format, or the whole ``log_format name '...' '...';`` directive
as found in nginx.conf) is compiled once into an anchored regular expression: literal
text matches itself; a variable inside double quotes matches an escaped quoted string;
``$time_local`` matches up to ``]``; ``$remote_addr`` also accepts the lists that
``real_ip``/proxy setups write (``10.0.0.2, 10.0.0.1, 127.0.0.1``); other variables match
up to the next literal character. Text after the last variable is tolerated, so a
``combined`` reader also reads ``combined`` plus extra fields (and ingress-nginx's
``upstreaminfo``, with the extra fields ignored).

Variables used: ``$remote_addr`` (client_ip: first address), ``$time_local`` /
``$time_iso8601`` / ``$msec`` (ts), ``$request`` (method, target, protocol) or
``$request_method`` + ``$request_uri`` / ``$uri`` + ``$args`` / ``$query_string``,
``$server_protocol``, ``$status``, ``$body_bytes_sent`` / ``$bytes_sent`` (response size),
``$request_length`` (request size), ``$request_time`` (duration), ``$http_host`` / ``$host``
/ ``$server_name`` (host), ``$scheme``, ``$http_<name>`` (request header ``<name>`` with
``_`` as ``-``; ``$http_referer``, ``$http_user_agent``, ``$http_x_forwarded_for``...) and
``$sent_http_<name>`` (response header). Every other variable (``$upstream_addr``,
``$request_id``, ``$proxy_upstream_name``...) is matched and ignored. ``-`` means absent.

Logs carry no bodies: ``body`` is ``None``. A line that does not match, a ``$request``
that is not an HTTP request line (TLS handshake bytes, ``-``, empty, truncated) or a
bad time or status is rejected with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import BinaryIO

from phiwatch.errors import ConfigError
from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, excerpt
from phiwatch.ingest._lines import MAX_LOG_LINE, decode_text, iter_raw_lines, sniff_lines, unwrap_container
from phiwatch.ingest._timeparse import ClfParser, IsoParser, epoch_number
from phiwatch.ingest._url import first_ip, is_method, normalize_host, split_target, split_url
from phiwatch.model import Event, Request, Response

COMBINED = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)
_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")
_QUOTED = r'(?:[^"\\]|\\.)*'
_SPACED = frozenset({"request", "time_local", "http_user_agent", "http_referer", "http_x_forwarded_for"})
_HTTP_VERSION = re.compile(r"HTTP/\d(?:\.\d)?")


class LogFormat:
    """A compiled ``log_format``: ``match(line)`` gives the variables of a matching line."""

    def __init__(self, fmt: str) -> None:
        self.text = _strip_directive(fmt)
        names: list[str] = []
        parts: list[str] = ["^"]
        pieces = _VAR.split(self.text)
        # split() yields: literal, braced-name, bare-name, literal, ...
        literals = pieces[0::3]
        var_names = [b or n for b, n in zip(pieces[1::3], pieces[2::3], strict=True)]
        if not var_names:
            raise ConfigError(f"nginx log_format has no variables: {self.text!r}")
        for i, name in enumerate(var_names):
            before, after = literals[i], literals[i + 1]
            parts.append(re.escape(before))
            parts.append(f"(?P<v{i}>{_var_pattern(name, before, after)})")
            names.append(name)
        parts.append(re.escape(literals[-1].rstrip()))
        try:
            self.regex = re.compile("".join(parts))
        except re.error as exc:  # pragma: no cover - escaped literals always compile
            raise ConfigError(f"nginx log_format does not compile: {exc}") from None
        self.names = names
        self.unique = len(set(names)) == len(names)
        # header variables, resolved once instead of per line
        self.request_headers = [
            (n, n[5:].replace("_", "-")) for n in names if n.startswith("http_") and n != "http_host"
        ]
        self.response_headers = [(n, n[10:].replace("_", "-")) for n in names if n.startswith("sent_http_")]

    def match(self, line: str) -> dict[str, str] | None:
        m = self.regex.match(line)
        if m is None:
            return None
        if self.unique:
            return dict(zip(self.names, m.groups(), strict=True))
        values: dict[str, str] = {}
        for name, value in zip(self.names, m.groups(), strict=True):
            values.setdefault(name, value)  # a variable logged twice: the first one counts
        return values


def _strip_directive(fmt: str) -> str:
    """``log_format main '...' '...';`` -> the concatenated format; a bare format is kept."""
    text = fmt.strip()
    if text.startswith("log_format"):
        pieces = re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", text)
        if not pieces:
            raise ConfigError(f"cannot read the log_format directive: {text[:80]!r}")
        text = "".join(a or b for a, b in pieces)
    elif text.endswith(";"):
        text = text[:-1]
    if not text:
        raise ConfigError("empty nginx log_format")
    return text.replace("\\'", "'")


def _var_pattern(name: str, before: str, after: str) -> str:
    if before.endswith('"') and after.startswith('"'):
        return _QUOTED
    if name == "remote_addr" or name == "http_x_forwarded_for":
        # proxies write lists ("10.0.0.2, 10.0.0.1"), some even quoted: lazy, no newline
        return r"[^\[\]]+?" if after else r"\S+"
    if before.endswith("[") and after.startswith("]"):
        return r"[^\]]*"
    stop = after[:1]
    if stop and stop != " ":
        return f"[^{re.escape(stop)}]*"  # deterministic: no backtracking blow-up on bad lines
    # Space-separated (or last): values that hold spaces get a fixed shape, never a lazy .*?
    # (several lazy groups make a non-matching 64 KiB line take minutes).
    if name == "request":
        return r"\S+(?: \S+)?(?: HTTP/\d(?:\.\d)?)?"
    if name == "time_local":
        return r"\S+ [+-]\d{4}"
    if name in _SPACED and not after:
        return r".*"
    return r"\S*"


@lru_cache(maxsize=16)
def compile_format(fmt: str) -> LogFormat:
    """Compiled once per distinct format string (``ConfigError`` when unusable)."""
    return LogFormat(fmt)


def _absent(value: str | None) -> bool:
    return value is None or value == "" or value == "-"


def _int(value: str | None) -> int | None:
    if value is None or not value.isdigit():
        return None
    return int(value)


def parse_request_line(request: str) -> tuple[str, str, str] | str:
    """``GET /a?b HTTP/1.1`` -> (method, target, version); otherwise the reason it is not one.
    Targets with spaces (logged unescaped by some servers) are kept whole."""
    if _absent(request):
        return "empty request line"
    parts = request.split(" ")
    method = parts[0]
    if not is_method(method):
        return f"not an HTTP request line: {excerpt(request, 60)}"
    if len(parts) == 1:
        return f"truncated request line: {excerpt(request, 60)}"
    if len(parts) == 2:  # HTTP/0.9 style "GET /"
        version, target = "", parts[1]
    else:
        version = parts[-1]
        if _HTTP_VERSION.fullmatch(version) is None:
            return f"truncated or malformed request line: {excerpt(request, 60)}"
        target = " ".join(parts[1:-1])
    if not target:
        return f"request line without a target: {excerpt(request, 60)}"
    return method, target, version


def _unescape_nginx(value: str) -> str:
    """nginx writes bytes outside printable ASCII (and ``"``, ``\\``) as ``\\xHH``."""
    if "\\x" not in value:
        return value
    try:
        return (
            re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)
            .encode("latin-1")
            .decode("utf-8", "replace")
        )
    except UnicodeEncodeError:
        return value


class LineParser:
    """Turns the variables of one line into an Event (per file: timestamp caches)."""

    def __init__(self, options: IngestOptions) -> None:
        self.options = options
        self.clf = ClfParser()
        self.iso = IsoParser()

    def event(self, v: dict[str, str], source: str, line: int, fmt: LogFormat) -> Event | str:
        opts = self.options
        ts = self._ts(v)
        if ts is None:
            return "missing or bad timestamp"
        scheme = v.get("scheme") or opts.default_scheme
        request = v.get("request")
        version = v.get("server_protocol", "")
        host = ""
        if request is not None:
            parsed = parse_request_line(_unescape_nginx(request))
            if isinstance(parsed, str):
                return parsed
            method, target, version = parsed
            if "://" in target:
                scheme, host, path, query = split_url(target, scheme)
            elif method == "CONNECT" and not target.startswith("/"):
                host, path, query = normalize_host(target, scheme), "/", ""
            else:
                path, query = split_target(target)
        else:
            method = v.get("request_method", "")
            if not is_method(method):
                return f"bad request method {excerpt(method, 40)}"
            uri = v.get("request_uri")
            if not _absent(uri):
                path, query = split_target(uri or "")
            else:
                path = v.get("uri") or "/"
                args = v.get("args", v.get("query_string", ""))
                query = "" if _absent(args) else args
                path, _ = split_target(path)
        status_text = v.get("status", "")
        status = _int(status_text)
        if status is None:
            if not _absent(status_text):
                return f"bad status {excerpt(status_text, 20)}"
            status = 0
        if not host:
            for name in ("http_host", "host", "server_name"):
                value = v.get(name)
                if not _absent(value):
                    host = normalize_host(value or "", scheme)
                    break
            else:
                host = opts.default_host
        req_headers = {h: v[n] for n, h in fmt.request_headers if not _absent(v[n])}
        resp_headers = {h: v[n] for n, h in fmt.response_headers if not _absent(v[n])}
        if host and "host" not in req_headers:
            req_headers["host"] = host
        client = v.get("remote_addr", "")
        client_ip = first_ip(client)
        if client.count(",") and "x-forwarded-for" not in req_headers:
            req_headers["x-forwarded-for"] = client.replace('"', "").strip()
        sent = _int(v.get("body_bytes_sent")) if "body_bytes_sent" in v else _int(v.get("bytes_sent"))
        duration = _float(v.get("request_time"))
        return Event(
            ts=ts,
            request=Request(
                method=method,
                path=path,
                scheme=scheme,
                host=host,
                query=query,
                headers=req_headers,
                body=None,
                body_size=_int(v.get("request_length")),
                http_version=version,
            ),
            response=Response(
                status=status,
                headers=resp_headers,
                body=None,
                body_size=sent,
                duration_ms=duration * 1000.0 if duration is not None else None,
            ),
            client_ip=client_ip,
            source=source,
            line=line,
        )

    def _ts(self, v: dict[str, str]) -> float | None:
        if "time_local" in v:
            return self.clf(v["time_local"])
        if "time_iso8601" in v:
            return self.iso(v["time_iso8601"])
        if "msec" in v:
            return epoch_number(v["msec"])
        return None


def _float(value: str | None) -> float | None:
    if _absent(value):
        return None
    try:
        out = float(value or "")
    except ValueError:
        return None
    return out if out == out and out >= 0 else None


def read_log(
    stream: BinaryIO,
    source: str,
    report: IngestReport,
    options: IngestOptions,
    fmt: LogFormat,
) -> Iterator[Event]:
    parser = LineParser(options)
    for lineno, raw in iter_raw_lines(stream, source, report, MAX_LOG_LINE):
        text = unwrap_container(decode_text(raw))
        values = fmt.match(text)
        if values is None:
            report.reject(source, lineno, "line does not match the nginx log format")
            continue
        event = parser.event(values, source, lineno, fmt)
        if isinstance(event, str):
            report.reject(source, lineno, event)
            continue
        yield event


def _sniffer(fmt: LogFormat) -> Callable[[str], bool]:
    return lambda line: fmt.match(line) is not None


@SOURCES.register("nginx")
class NginxSource:
    name = "nginx"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return sniff_lines(head, _sniffer(compile_format(COMBINED)))

    @staticmethod
    def sniff_format(head: bytes, log_format: str) -> bool:
        return sniff_lines(head, _sniffer(compile_format(log_format)))

    @staticmethod
    def read(stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions) -> Iterator[Event]:
        fmt = compile_format(options.nginx_log_format or COMBINED)
        return read_log(stream, source, report, options, fmt)

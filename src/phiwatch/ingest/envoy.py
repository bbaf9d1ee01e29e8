"""Envoy access logs in the default text format, and the longer variants built on it.

Default format (Envoy docs, "Default format string")::

    [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
    %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
    %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
    "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"

Also read: Istio's format, which adds ``%RESPONSE_CODE_DETAILS%
%CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"`` after the flags and
``%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS%
%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%`` at the end; the
``ACCESS`` prefix of Ambassador; lines wrapped in a container runtime's JSON.

Mapping: host from ``:authority`` (lower-case, default port of ``default_scheme`` removed),
client_ip from the first ``X-Forwarded-For`` address, else ``DOWNSTREAM_REMOTE_ADDRESS``
when present; ``user-agent``, ``x-forwarded-for``, ``x-request-id`` become request headers;
bytes received/sent become body sizes; ``DURATION`` is ``duration_ms``. TCP proxy lines
(``"- - -"``) carry no HTTP request and are rejected, as are lines that do not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, excerpt
from phiwatch.ingest._lines import log_events, sniff_lines
from phiwatch.ingest._timeparse import IsoParser
from phiwatch.ingest._url import first_ip, is_method, normalize_host, split_target, split_url
from phiwatch.model import Event, Request, Response

_Q = r'"((?:[^"\\]|\\.)*)"'
LINE = re.compile(
    r"^(?:ACCESS )?\[(?P<ts>\d{4}-\d\d-\d\dT[^\]]{1,40})\] "
    r'"(?P<request>(?:[^"\\]|\\.)*)" '
    r"(?P<code>\d{1,3}|-) (?P<flags>\S+) "
    r'(?:(?P<details>\S+) (?P<termination>\S+) "(?P<failure>[^"]*)" )?'
    r"(?P<rx>\d+|-) (?P<tx>\d+|-) (?P<duration>\d+|-) (?P<upstream_time>[\d.]+|-) "
    rf"{_Q.replace('(', '(?P<xff>', 1)} {_Q.replace('(', '(?P<ua>', 1)} "
    rf"{_Q.replace('(', '(?P<request_id>', 1)} {_Q.replace('(', '(?P<authority>', 1)} "
    rf"{_Q.replace('(', '(?P<upstream_host>', 1)}"
    r"(?: (?P<extra>.*))?$"
)
_SNIFF = re.compile(r'^(?:ACCESS )?\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)\] "')


def _val(value: str | None) -> str:
    return "" if value is None or value == "-" else value


def _num(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def parse_line(text: str, source: str, line: int, options: IngestOptions, iso: IsoParser) -> Event | str:
    """The Event of one Envoy line, or why it is rejected."""
    m = LINE.match(text)
    if m is None:
        return "line does not match the Envoy access-log format"
    ts = iso(m["ts"])
    if ts is None:
        return f"bad START_TIME {excerpt(m['ts'], 40)}"
    request = m["request"]
    if request == "- - -":
        return "TCP proxy entry, no HTTP request"
    method, _, rest = request.partition(" ")
    target, _, version = rest.rpartition(" ")
    if not is_method(method) or not target:
        return f"not an HTTP request: {excerpt(request, 60)}"
    scheme = options.default_scheme
    authority = _val(m["authority"])
    if "://" in target:
        scheme, host, path, query = split_url(target, scheme)
    else:
        path, query = split_target(target)
        host = normalize_host(authority, scheme) if authority else options.default_host
    headers: dict[str, str] = {}
    if host:
        headers["host"] = host
    for header, group in (("user-agent", "ua"), ("x-forwarded-for", "xff"), ("x-request-id", "request_id")):
        value = _val(m[group])
        if value:
            headers[header] = value
    client_ip = first_ip(_val(m["xff"]))
    extra = m["extra"]
    if not client_ip and extra:
        fields = extra.split(" ")
        if len(fields) >= 4:  # Istio: cluster, upstream local, downstream local, downstream remote
            client_ip = first_ip(fields[3])
    code = m["code"]
    duration = _num(m["duration"])
    return Event(
        ts=ts,
        request=Request(
            method=method,
            path=path,
            scheme=scheme,
            host=host,
            query=query,
            headers=headers,
            body=None,
            body_size=_num(m["rx"]),
            http_version=version,
        ),
        response=Response(
            status=int(code) if code.isdigit() else 0,
            body=None,
            body_size=_num(m["tx"]),
            duration_ms=float(duration) if duration is not None else None,
        ),
        client_ip=client_ip,
        source=source,
        line=line,
    )


@SOURCES.register("envoy")
class EnvoySource:
    name = "envoy"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return sniff_lines(head, lambda line: _SNIFF.match(line) is not None)

    @staticmethod
    def read(stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions) -> Iterator[Event]:
        iso = IsoParser()
        return log_events(stream, source, report, lambda text, n: parse_line(text, source, n, options, iso))

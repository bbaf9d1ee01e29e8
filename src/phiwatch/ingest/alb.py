"""AWS Application Load Balancer access logs (S3 objects, usually gzipped).

Fields, space-separated, quoted when they may hold spaces (AWS docs, "Access log entries";
later fields were appended over the years and older logs stop early)::

     0 type  1 time  2 elb  3 client:port  4 target:port  5 request_processing_time
     6 target_processing_time  7 response_processing_time  8 elb_status_code
     9 target_status_code  10 received_bytes  11 sent_bytes  12 "request"
    13 "user_agent"  14 ssl_cipher  15 ssl_protocol  16 target_group_arn  17 "trace_id"
    18 "domain_name"  19 "chosen_cert_arn"  20 matched_rule_priority
    21 request_creation_time  22 "actions_executed"  23 "redirect_url"  24 "error_reason"
    25 "target:port_list"  26 "target_status_code_list"  27 "classification"
    28 "classification_reason"  29 conn_trace_id  30 "transformed_host"
    31 "transformed_uri"  32 "request_transform_status"

``type`` is http, https, h2, grpcs, ws or wss. ``request`` is ``METHOD URL PROTOCOL`` with
the full URL (scheme, host and port): host and scheme come from it, the default port is
dropped. ts is ``request_creation_time`` when present (when the request arrived), else
``time``; client_ip is the client address without port; ``duration_ms`` is the sum of the
three processing times when none is ``-1``; ``user_agent`` and ``trace_id`` become the
``user-agent`` and ``x-amzn-trace-id`` request headers. Lines of other AWS logs found in
the same buckets (NLB ``tls 2.0`` lines, ALB connection logs) and malformed requests
(logged by ALB as ``"- http://host:80- "``) are rejected with their line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phiwatch.ingest._base import SOURCES, IngestOptions, IngestReport, excerpt
from phiwatch.ingest._lines import log_events, sniff_lines
from phiwatch.ingest._timeparse import IsoParser
from phiwatch.ingest._url import first_ip, is_method, split_url
from phiwatch.model import Event, Request, Response

TYPES = frozenset({"http", "https", "h2", "grpcs", "ws", "wss"})
_FIELD = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_SNIFF = re.compile(r"^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \S+ \S+ \S+ ")
_MIN_FIELDS = 14  # up to user_agent: what the oldest documented entries have


def fields(text: str) -> list[str]:
    """Split on spaces, keeping quoted fields whole (quotes removed)."""
    return [q if q or bare is None else bare for q, bare in _FIELD.findall(text)]


def _val(value: str) -> str:
    return "" if value == "-" else value


def _seconds(value: str) -> float | None:
    try:
        out = float(value)
    except ValueError:
        return None
    return out if out >= 0 else None


def _num(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse_line(text: str, source: str, line: int, options: IngestOptions, iso: IsoParser) -> Event | str:
    """The Event of one ALB line, or why it is rejected."""
    f = fields(text)
    if not f or f[0] not in TYPES:
        kind = "NLB" if f[:2] == ["tls", "2.0"] else "non-ALB"
        return f"{kind} log entry, not an ALB HTTP request"
    if len(f) < _MIN_FIELDS:
        return f"truncated ALB entry ({len(f)} fields)"
    ts = None
    if len(f) > 21 and f[21] != "-":
        ts = iso(f[21])
    if ts is None:
        ts = iso(f[1])
    if ts is None:
        return f"bad time {excerpt(f[1], 40)}"
    parts = f[12].split(" ")
    method = parts[0]
    if len(parts) < 3 or not is_method(method) or "://" not in parts[1]:
        return f"malformed request {excerpt(f[12], 60)}"
    url = " ".join(parts[1:-1])  # ALB logs targets with raw spaces ("SpaceInUri")
    scheme, host, path, query = split_url(url, options.default_scheme)
    headers: dict[str, str] = {}
    if host:
        headers["host"] = host
    else:
        host = options.default_host
    ua = _val(f[13])
    if ua:
        headers["user-agent"] = ua
    if len(f) > 17 and _val(f[17]):
        headers["x-amzn-trace-id"] = f[17]
    times = [_seconds(x) for x in f[5:8]]
    duration = None if any(t is None for t in times) else sum(t or 0.0 for t in times) * 1000.0
    status = _num(f[8])
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
            body_size=_num(f[10]),
            http_version=parts[-1],
        ),
        response=Response(
            status=status if status is not None else 0,
            body=None,
            body_size=_num(f[11]),
            duration_ms=duration,
        ),
        client_ip=first_ip(f[3]),
        source=source,
        line=line,
    )


@SOURCES.register("alb")
class AlbSource:
    name = "alb"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return sniff_lines(head, lambda line: _SNIFF.match(line) is not None)

    @staticmethod
    def read(stream: BinaryIO, source: str, report: IngestReport, options: IngestOptions) -> Iterator[Event]:
        iso = IsoParser()
        return log_events(stream, source, report, lambda text, n: parse_line(text, source, n, options, iso))

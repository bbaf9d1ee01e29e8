"""Event factories for tests, like mitmproxy's tflow: sensible defaults, keyword overrides."""

from __future__ import annotations

from typing import Any

from phiwatch.model import Event, Request, Response


def tevent(
    method: str = "GET",
    path: str = "/Patient/123",
    *,
    host: str = "fhir.example.org",
    query: str = "",
    status: int = 200,
    req_headers: dict[str, str] | None = None,
    resp_headers: dict[str, str] | None = None,
    req_body: bytes | None = None,
    resp_body: bytes | None = None,
    ts: float = 1_767_225_600.0,
    client_ip: str = "10.1.2.3",
    scheme: str = "https",
    **extra: Any,
) -> Event:
    return Event(
        ts=ts,
        request=Request(
            method=method,
            path=path,
            scheme=scheme,
            host=host,
            query=query,
            headers=dict(req_headers or {}),
            body=req_body,
        ),
        response=Response(status=status, headers=dict(resp_headers or {}), body=resp_body),
        client_ip=client_ip,
        source=extra.pop("source", "test"),
        line=extra.pop("line", 1),
        **extra,
    )

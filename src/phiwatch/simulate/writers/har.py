"""``har``: HAR 1.2 (``log.entries``), written entry by entry.

Binary response bodies (the invoice PDF) are ``content.text`` with ``encoding: "base64"``.
HAR has no field for the client address, so it goes in the custom ``_clientIp`` entry field
(custom fields start with an underscore, as the HAR spec allows).
"""

from __future__ import annotations

from typing import BinaryIO
from urllib.parse import parse_qsl

import orjson

from phiwatch.simulate.exchange import HTTP_REASONS as _REASONS
from phiwatch.simulate.writers import WRITERS

Json = dict[str, object]


def _pairs(headers: object) -> list[dict[str, str]]:
    assert isinstance(headers, dict)
    return [{"name": k, "value": v} for k, v in headers.items()]


def entry(record: Json) -> Json:
    req, resp = record["request"], record["response"]
    assert isinstance(req, dict) and isinstance(resp, dict)
    url = str(req["url"])
    _, _, query = url.partition("?")
    rh, sh = req["headers"], resp["headers"]
    assert isinstance(rh, dict) and isinstance(sh, dict)
    request: Json = {
        "method": req["method"],
        "url": url,
        "httpVersion": "HTTP/2",
        "cookies": [],
        "headers": _pairs(rh),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": 0,
    }
    body = req.get("body")
    if isinstance(body, str):
        request["postData"] = {"mimeType": rh.get("content-type", ""), "text": body}
        request["bodySize"] = len(body.encode())
    content: Json = {"size": 0, "mimeType": sh.get("content-type", "")}
    if "body_base64" in resp:
        content["text"] = resp["body_base64"]
        content["encoding"] = "base64"
        content["size"] = int(sh.get("content-length", 0))
    elif isinstance(resp.get("body"), str):
        content["text"] = resp["body"]
        content["size"] = int(sh.get("content-length", 0))
    status = int(resp["status"])  # type: ignore[call-overload]
    duration = float(resp["duration_ms"])  # type: ignore[arg-type]
    wait = round(duration * 0.8, 1)
    return {
        "startedDateTime": record["ts"],
        "time": duration,
        "_clientIp": record["client_ip"],
        "request": request,
        "response": {
            "status": status,
            "statusText": _REASONS.get(status, ""),
            "httpVersion": "HTTP/2",
            "cookies": [],
            "headers": _pairs(sh),
            "content": content,
            "redirectURL": str(sh.get("location", "")),
            "headersSize": -1,
            "bodySize": content["size"],
        },
        "cache": {},
        "timings": {"send": 0.1, "wait": wait, "receive": round(duration - wait - 0.1, 1)},
    }


class HarWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.first = True
        fh.write(
            b'{"log":{"version":"1.2","creator":{"name":"phiwatch-simulate","version":"1"},"entries":[\n'
        )

    def write(self, record: Json) -> None:
        if not self.first:
            self.fh.write(b",\n")
        self.first = False
        self.fh.write(orjson.dumps(entry(record)))

    def close(self) -> None:
        self.fh.write(b"\n]}}\n")


WRITERS.register("har")(HarWriter)

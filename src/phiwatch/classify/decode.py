"""Content decoding with limits: gzip, deflate and br are expanded in bounded steps, so a
decompression bomb is stopped at ``max_decompressed`` bytes or ``max_ratio`` x its input,
and counted. Oversized bodies are capped at ``max_body`` and counted. A PDF is returned as is,
for ``pdftext.py``; any other binary body is skipped and counted."""

from __future__ import annotations

import zlib
from collections import Counter

import brotli

from phiwatch.classify.options import ClassifyOptions

_STEP = 64 * 1024
_BINARY_TYPES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-protobuf",
    "application/grpc",
    "application/dicom",
)


class Bomb(Exception):
    pass


def inflate_limit(opts: ClassifyOptions, size_in: int) -> int:
    return min(opts.max_decompressed, max(opts.min_bomb_size, opts.max_ratio * max(size_in, 1)))


def zlib_inflate(data: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = bytearray()
    chunk = d.decompress(data, _STEP)
    while True:
        out += chunk
        if len(out) > limit:
            raise Bomb
        if not d.unconsumed_tail:
            break
        chunk = d.decompress(d.unconsumed_tail, _STEP)
    out += d.flush()
    if len(out) > limit:
        raise Bomb
    return bytes(out)


def _brotli(data: bytes, limit: int) -> bytes:
    d = brotli.Decompressor()
    out = bytearray(d.process(data, output_buffer_limit=_STEP))
    while not d.can_accept_more_data():
        if len(out) > limit:
            raise Bomb
        out += d.process(b"", output_buffer_limit=_STEP)
    if len(out) > limit:
        raise Bomb
    return bytes(out)


def is_pdf(data: bytes, content_type: str) -> bool:
    """A PDF: its shown text is extracted (``pdftext.py``) instead of the body being skipped."""
    return content_type.lower().startswith("application/pdf") or data[:5] == b"%PDF-"


def is_binary(data: bytes, content_type: str) -> bool:
    ct = content_type.lower()
    if ct.startswith(_BINARY_TYPES):
        return True
    return b"\x00" in data[:1024]


def decode_body(
    body: bytes, headers: dict[str, str], opts: ClassifyOptions, skipped: Counter[str]
) -> bytes | None:
    """The body to scan, decoded and capped; None when it cannot or must not be scanned."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding and encoding != "identity":
        limit = inflate_limit(opts, len(body))
        try:
            for enc in reversed([e.strip() for e in encoding.split(",") if e.strip()]):
                if enc in ("gzip", "x-gzip"):
                    body = zlib_inflate(body, 47, limit)  # 32+15: gzip or zlib header, auto-detected
                elif enc == "deflate":
                    try:
                        body = zlib_inflate(body, 15, limit)
                    except zlib.error:
                        body = zlib_inflate(body, -15, limit)  # raw deflate, as some servers send
                elif enc == "br":
                    body = _brotli(body, limit)
                elif enc != "identity":
                    skipped["unknown_encoding"] += 1
                    return None
        except Bomb:
            skipped["decompression_bomb"] += 1
            return None
        except (zlib.error, brotli.error):
            skipped["decompression_error"] += 1
            return None
    if len(body) > opts.max_body:
        skipped["body_truncated"] += 1
        body = body[: opts.max_body]
    if is_pdf(body, headers.get("content-type", "")):
        return body  # binary, but the caller reads its text streams
    if is_binary(body, headers.get("content-type", "")):
        skipped["binary_body"] += 1
        return None
    return body

"""Text of a PDF body, so an invoice or a lab report sent as ``application/pdf`` is scanned
like any text instead of being skipped as binary.

Only what a page shows is read: the literal strings (``(...)`` operands) between ``BT`` and
``ET`` of content streams. Streams are raw or ``/FlateDecode`` (inflated with the decompression
limits of ``decode.py``); any other filter (images, ``/ObjStm`` compression with other codecs,
encrypted files) is left out and counted. Hex strings and font encodings are not mapped: text a
PDF spells through a custom font encoding is missed (counted as ``pdf_no_text`` when nothing is
left). Every step is bounded: streams per file, inflated bytes, text bytes.
"""

from __future__ import annotations

import zlib
from collections import Counter

from phiwatch.classify.decode import Bomb, inflate_limit, zlib_inflate
from phiwatch.classify.options import ClassifyOptions
from phiwatch.classify.sink import Sink

MAX_STREAMS = 4_096
_WS = b" \t\r\n\x0c\x00"
_DELIM = _WS + b"()<>[]{}/%"
_ESCAPES = {ord("n"): "\n", ord("r"): "\r", ord("t"): "\t", ord("b"): "\b", ord("f"): "\f"}
# operators between two strings that start a new line of text (``Td``, ``T*``, ``'``, ``"``, ``Tm``)
_NEWLINE_OPS = (b"Td", b"TD", b"T*", b"Tm", b"'", b'"')
# a TJ kerning number past this many thousandths of an em is a word gap
_WORD_GAP = 200.0


def _op_at(data: bytes, op: bytes, start: int, end: int) -> int:
    """Index of the operator ``op`` standing as its own token in data[start:end], else -1."""
    i = data.find(op, start, end)
    while i >= 0:
        before = data[i - 1 : i] if i > 0 else b" "
        after = data[i + len(op) : i + len(op) + 1] or b" "
        if before in _DELIM and after in _DELIM:
            return i
        i = data.find(op, i + 1, end)
    return -1


def _literal(data: bytes, start: int) -> tuple[str, int]:
    """The literal string opening at data[start] == "(" and the index just past its ")"."""
    out: list[str] = []
    depth = 1
    i = start + 1
    n = len(data)
    while i < n:
        ch = data[i]
        if ch == 0x5C:  # backslash
            i += 1
            if i >= n:
                break
            esc = data[i]
            if 0x30 <= esc <= 0x37:  # up to three octal digits
                j = i
                while j < n and j < i + 3 and 0x30 <= data[j] <= 0x37:
                    j += 1
                out.append(chr(int(data[i:j], 8) & 0xFF))
                i = j
                continue
            if esc not in (0x0A, 0x0D):  # a backslash before a line end continues the line
                out.append(_ESCAPES.get(esc, chr(esc)))
        elif ch == 0x28:
            depth += 1
            out.append("(")
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1
            out.append(")")
        else:
            out.append(chr(ch))  # PDFDocEncoding / WinAnsi are close enough to Latin-1 here
        i += 1
    return "".join(out), n


def _decode_text(raw: str) -> str:
    if raw[:2] == "\xfe\xff":  # UTF-16BE with its byte-order mark
        return raw[2:].encode("latin-1").decode("utf-16-be", "replace")
    return raw


def _joiner(gap: bytes) -> str:
    g = gap.strip()
    if not g:
        return ""
    if any(op in g for op in _NEWLINE_OPS):
        return "\n"
    try:
        return " " if abs(float(g)) > _WORD_GAP else ""  # a kerning number inside a TJ array
    except ValueError:
        return " "


def content_text(content: bytes, budget: int) -> str:
    """The shown text of one content stream, BT/ET block by block, at most ``budget`` chars."""
    lines: list[str] = []
    size = 0
    pos = 0
    while size < budget:
        bt = _op_at(content, b"BT", pos, len(content))
        if bt < 0:
            break
        et = _op_at(content, b"ET", bt + 2, len(content))
        end = et if et >= 0 else len(content)
        parts: list[str] = []
        prev = -1
        i = content.find(b"(", bt + 2, end)
        while i >= 0:
            text, after = _literal(content, i)
            if prev >= 0:
                parts.append(_joiner(content[prev:i].replace(b"[", b" ").replace(b"]", b" ")))
            parts.append(_decode_text(text))
            prev = after
            i = content.find(b"(", after, end) if after < end else -1
        line = "".join(parts).strip()
        if line:
            lines.append(line)
            size += len(line) + 1
        pos = end + 2
    return "\n".join(lines)[:budget]


def pdf_text(data: bytes, opts: ClassifyOptions, skipped: Counter[str]) -> bytes | None:
    """The text shown by a PDF's pages (UTF-8, one line per text block), or None (counted)."""
    if data[:1024].find(b"%PDF-") < 0:
        skipped["pdf_not_pdf"] += 1
        return None
    if b"/Encrypt" in data:
        skipped["pdf_encrypted"] += 1
        return None
    inflate_budget = inflate_limit(opts, len(data))
    text_budget = opts.max_body
    out: list[str] = []
    pos = 0
    for _ in range(MAX_STREAMS):
        kw = _op_at(data, b"stream", pos, len(data))
        if kw < 0:
            break
        start = kw + 6
        if data[start : start + 2] == b"\r\n":
            start += 2
        elif data[start : start + 1] in (b"\n", b"\r"):
            start += 1
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        pos = end + 9
        head = data[max(0, data.rfind(b"obj", 0, kw)) : kw]  # the stream's dictionary
        if b"/Image" in head or b"/Length1" in head or b"/FontFile" in head or b"/XRef" in head:
            continue  # pictures, embedded fonts and cross-reference tables show no text
        body = data[start:end]
        if b"/Filter" in head:
            others = head.replace(b"/FlateDecode", b"").replace(b"/DecodeParms", b"")
            if b"/FlateDecode" not in head or b"Decode" in others:
                skipped["pdf_filter_unsupported"] += 1
                continue
            try:
                body = zlib_inflate(body, 15, inflate_budget)
            except Bomb:
                skipped["decompression_bomb"] += 1
                break
            except zlib.error:
                skipped["pdf_stream_error"] += 1
                continue
            inflate_budget -= len(body)
        if b"BT" not in body:
            continue
        text = content_text(body, text_budget)
        if text:
            out.append(text)
            text_budget -= len(text) + 1
            if text_budget <= 0:
                skipped["body_truncated"] += 1
                break
    if not out:
        skipped["pdf_no_text"] += 1
        return None
    return "\n".join(out).encode("utf-8", "surrogateescape")


# Labels that mark a line of document text as one person's record ("... - MRN MRN00012345 - ...").
_RECORD_LABELS = ("mrn", "medical record", "member id", "patient id", "dob", "date of birth", "ssn")
_FIELD_SEPARATORS = (" - ", " | ", " \u2013 ", "\t", " / ")
MAX_LINES = 2_000


def _fields(line: str) -> list[str]:
    fields = [line]
    for sep in _FIELD_SEPARATORS:
        fields = [part for f in fields for part in f.split(sep)]
    return [f.strip() for f in fields]


def _looks_like_person(field: str) -> bool:
    """Two to four capitalised words of letters: "Maria Lopez", "Anne-Marie O'Neil"."""
    words = field.split()
    if not 2 <= len(words) <= 4:
        return False
    for w in words:
        core = w.rstrip(".")
        rest = core[1:].replace("'", "").replace("-", "")
        if not core or not core[0].isupper() or (rest and not rest.isalpha()):
            return False
    return True


def record_line_names(text: str, sink: Sink) -> None:
    """In a line of document text that carries a labelled patient identifier, a field right
    beside that identifier that reads as a person's name is the patient's name (invoices and
    statements print "Given Family - MRN ..." without a "Name:" label)."""
    for line in text.splitlines()[:MAX_LINES]:
        low = line.lower()
        if not any(label in low for label in _RECORD_LABELS):
            continue
        fields = _fields(line[:1024])
        for n, field in enumerate(fields):
            if not field.lower().startswith(_RECORD_LABELS):
                continue
            for m in (n - 1, n + 1):
                if 0 <= m < len(fields) and _looks_like_person(fields[m]):
                    sink.judged("name", fields[m], "pdf:record line", context=True)

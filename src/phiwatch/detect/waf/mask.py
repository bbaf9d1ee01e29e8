"""Masked excerpts: keep the shape of an attack, hide the values around it.

Digits become ``#``; words that are not attack grammar (SQL, HTML/JS, shell keywords) keep their
first letter and length only (``Smith`` -> ``S****``). Input is cut to a short bound first, so the
regex below only ever sees a few dozen characters.
"""

from __future__ import annotations

import re

MAX_EXCERPT = 64

_KEYWORDS = frozenset(
    """
    select union all from where and or not null like order group by having insert into values update
    set delete drop table database exec execute declare cast convert char concat sleep benchmark
    waitfor delay if else case when then end substring ascii information_schema version limit offset
    true false xor load_file outfile dumpfile sysdate pg_sleep dbms_pipe
    xss script alert prompt confirm eval document cookie window location javascript vbscript onerror
    onload onmouseover onfocus img svg iframe src href body style expression fromcharcode constructor
    etc passwd shadow hosts proc self environ windows win ini system32 boot
    cat ls id whoami uname wget curl nc bash sh ping rm chmod python perl php ruby powershell cmd echo
    http https file ftp gopher data
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_WORD = re.compile(r"[A-Za-z_]+")
_DIGIT = re.compile(r"[0-9]")


def _mask_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.lower() in _KEYWORDS or len(word) <= 1:
        return word
    return word[0] + "*" * (len(word) - 1)


def mask_excerpt(text: str, limit: int = MAX_EXCERPT) -> str:
    """A short, masked excerpt of a matched value; never the raw value."""
    cut = text[:limit]
    cut = "".join(ch if ch.isprintable() else "?" for ch in cut)
    masked = _DIGIT.sub("#", _WORD.sub(_mask_word, cut))
    return masked + ("…" if len(text) > limit else "")


def split_logdata(data: str) -> tuple[str, str]:
    """(location, matched text) from CRS's usual logdata
    ``Matched Data: <x> found within <VAR>: <value>``; ("", "") when it has another shape."""
    prefix = "Matched Data: "
    if not data.startswith(prefix):
        return "", ""
    sep = data.find(" found within ")
    if sep < 0:
        return "", ""
    matched = data[len(prefix) : sep]
    rest = data[sep + len(" found within ") :]
    colon = rest.find(": ")
    location = rest[:colon] if colon >= 0 else rest
    return location[:120], matched


def location_from_match(match: str) -> str:
    """The variable name from libmodsecurity's ``... against variable `ARGS:q' (Value: ...``."""
    marker = "against variable `"
    at = match.find(marker)
    if at < 0:
        return ""
    start = at + len(marker)
    end = match.find("'", start)
    return match[start:end][:120] if end > start else ""

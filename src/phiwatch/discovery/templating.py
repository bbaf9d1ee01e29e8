"""Path templating: turn a concrete request path into its endpoint template.

``/fhir/R4/Patient/8f1c…/_history/3`` becomes ``/fhir/R4/Patient/{id}/_history/{vid}``. Naming is a
project-wide contract (see ``model.Endpoint``): variable segments are ``{id}``, ``{id2}``, ``{id3}``, …
in path order, and a FHIR history version is ``{vid}``. Version prefixes (``v1``, ``v1.2``, ``r4``,
``stu3``, ``baseR4``) and words stay literal.

Each segment is classified on its own by short anchored regexes and ``str`` methods, cheapest
first (segments are short and bounded, so stdlib ``re`` is fine here). Identifiers that only show
as such by their number (``/users/alice`` … ``/users/zoe``) are left to ``learning.PathLearner``.
"""

from __future__ import annotations

import re

from phiwatch.discovery.fhir import (
    RESOURCE_TYPES,
    S_AFTER_HISTORY,
    S_AFTER_ID,
    S_AFTER_ROOT_TYPE,
    S_AFTER_TYPE,
    S_NONE,
    S_START,
    is_action_word,
)

# Longer than any word in an API path (a FHIR id is at most 64 characters): always a value.
MAX_WORD_LEN = 64
# From this length a segment is checked for the look of an opaque token (base64, JWT part).
TOKEN_MIN_LEN = 16
_WORDS_CAP = 4096  # literal segments memoized per Templater; words repeat, so few are needed
_SHAPES_CAP = 4096  # digit_shape -> template memo per Templater; API shapes are few

_HAS_DIGIT = re.compile(r"[0-9]").search
_HAS_LETTER = re.compile(r"[A-Za-z]").search
# Digits and dots only, at most three short groups: "1.0", "2.1.3" (a version, not an IP).
_SHORT_VERSION = re.compile(r"\d{1,2}(?:\.\d{1,2}){1,2}", re.ASCII).fullmatch
# Words that carry a few digits and are names, not values: v2, v1.2, v1beta1, oauth2, sha256, h264,
# 2fa, i18n, k8s, x86_64, R4, stu3, baseR4, HL7, ICD10, covid-19, utf-8, logstash-1.1.1-x.jar.
# One part is letters with at most two digits (and a short lower-case tail), lower-case letters
# with three digits, or one or two digits with a short tail. MRN00012345, A1234567, P001, 16x9,
# 525.jpg, cb3a3388db, NC4WTmcy fail it.
_PART = r"(?:[A-Za-z]+(?:\d{1,2}[a-z]{0,4})?|[a-z]+\d{3}|\d{1,2}(?:[a-z]{1,8}|[A-Z]{1,3})?)"
_MIXED_WORD = re.compile(rf"[vV]\d+(?:\.\d+)*(?:[a-z]+\d*)?|{_PART}(?:[-_.~]{_PART})*", re.ASCII).fullmatch
_VERSION = re.compile(
    r"[vV]\d+(?:\.\d+)*(?:[a-z]+\d*)?|[rR]\d+[bB]?|(?:[dD]?[sS][tT][uU])\d+|base(?:R|Dstu|Stu|STU)\d+",
    re.ASCII,
).fullmatch
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}").fullmatch
_HEX = re.compile(r"[0-9a-fA-F]+").fullmatch
# Zero-width, so overlapping case changes are all counted: "aB" and "Ba".
_CASE_FLIPS = re.compile(r"(?=[a-z][A-Z]|[A-Z][a-z])").findall

_NAMES = ("{id}", *(f"{{id{i}}}" for i in range(2, 10)))


def id_name(n: int) -> str:
    """Name of the n-th (1-based) variable segment of a path: {id}, {id2}, {id3}, ..."""
    return _NAMES[n - 1] if n <= len(_NAMES) else f"{{id{n}}}"


def is_version_segment(segment: str) -> bool:
    """A version prefix that stays literal: v1, V2, v1.2, v1beta1, r4, R4B, stu3, DSTU2, baseR4."""
    return _VERSION(segment) is not None


def is_placeholder(segment: str) -> bool:
    """Already a template variable ({id}, {id2}, {vid}, or a spec's {patientId})."""
    return len(segment) > 1 and segment[0] == "{" and segment[-1] == "}"


def _looks_random(segment: str) -> bool:
    # Random mixed-case text changes case about every other letter; CamelCase words
    # (ExplanationOfBenefit, XMLHttpRequestEventTarget) far less often.
    flips = len(_CASE_FLIPS(segment))
    return flips >= 6 and flips * 3 >= len(segment)


def is_variable_segment(segment: str) -> bool:
    """True when one path segment is obviously a value (an id), judged on its own.

    Values: integers, UUIDs, hashes, dates and timestamps, emails, phone/SSN/IP-like numbers,
    MRN-like and other letter-digit ids, opaque tokens, anything over 64 characters. Words
    (``patients``, ``lab-results``, ``$everything``, ``.well-known``, ``oauth2``) are not."""
    if segment.isdigit():
        return segment.isascii()  # integers, epochs, 20240131
    n = len(segment)
    if n > MAX_WORD_LEN:
        return True
    if segment[0] == "{" and segment[-1] == "}":
        return n > 1
    if _HAS_DIGIT(segment) is None:
        if "@" in segment:
            return _EMAIL(segment) is not None
        if n < TOKEN_MIN_LEN:
            return False
        if n in (32, 40, 64) and _HEX(segment) is not None:
            return True  # an all-letter md5/sha1/sha256 is rare but possible
        return _looks_random(segment)
    if _HAS_LETTER(segment) is None:
        # dates, SSN, phone, IPv4, decimals, IPv6 like "::1"; but "1.0" is a version
        return _SHORT_VERSION(segment) is None
    if _MIXED_WORD(segment) is None:
        return True  # UUID, hex hash, MRN00012345, A1234567, 2024-01-31T10:00:00Z, base64 token
    return n >= TOKEN_MIN_LEN and _looks_random(segment)


def template_path(path: str, *, fhir: bool = True, words: dict[str, bool] | None = None) -> str:
    """The template of one path (uncached). Never raises; always starts with "/".

    Empty segments (``//``, a trailing ``/``) are dropped. With ``fhir`` the FHIR URL grammar
    applies first (``fhir.step``, inlined here because this loop is the hot path of a cache
    miss), then the generic rules. ``words`` memoizes segments found literal (a caller-owned,
    capped dict: words repeat across paths, ids do not)."""
    if words is None:
        words = {}
    out: list[str] = []
    n_ids = 0
    state = S_START
    for seg in path.split("/"):
        if not seg:
            continue
        if fhir:
            if state in (S_AFTER_TYPE, S_AFTER_ROOT_TYPE):
                if seg[0] == "$" or seg[0] == "_" or (state == S_AFTER_ROOT_TYPE and is_action_word(seg)):
                    out.append(seg)
                    state = S_NONE
                else:
                    n_ids += 1
                    out.append(_NAMES[n_ids - 1] if n_ids <= 9 else id_name(n_ids))
                    state = S_AFTER_ID
                continue
            if state == S_AFTER_HISTORY and seg[0] != "$" and seg[0] != "_":
                out.append("{vid}")
                state = S_NONE
                continue
            if state == S_AFTER_ID and seg == "_history":
                out.append(seg)
                state = S_AFTER_HISTORY
                continue
            if seg in RESOURCE_TYPES:
                out.append(seg)
                state = S_AFTER_ROOT_TYPE if state == S_START else S_AFTER_TYPE
                continue
        if seg not in words:
            if is_variable_segment(seg):
                n_ids += 1
                out.append(_NAMES[n_ids - 1] if n_ids <= 9 else id_name(n_ids))
                state = S_AFTER_ID
                continue
            if len(words) < _WORDS_CAP:
                words[seg] = False
        out.append(seg)
        state = S_NONE
    return "/" + "/".join(out)


def digit_shape(path: str) -> str | None:
    """``path`` with every all-ASCII-digit segment replaced by ``0``; None when it has none.

    Such a segment is a variable in every state of the walk (an id, or a FHIR ``{vid}``) and
    never a remembered word, so paths of one shape share one template: ``/r4/Patient/123`` and
    ``/r4/Patient/456`` are both templated as ``/r4/Patient/0``. Numeric ids are the common
    case, and this split and join costs about half of a ``template_path`` walk."""
    segs = path.split("/")
    hit = False
    for i, seg in enumerate(segs):
        if seg.isdigit() and seg.isascii():
            segs[i] = "0"
            hit = True
    return "/".join(segs) if hit else None


class Templater:
    """Templates paths, with a bounded cache since paths repeat (``/metadata``, polling clients).

    The cache has two generations: when the young one fills up it becomes the old one and the
    previous old one is dropped, so memory stays under ``2 * cache_size`` entries while hot
    paths survive. Misses (a million distinct patient ids) go through small memos keyed by the
    path before a last numeric segment and by ``digit_shape`` (at most ``_SHAPES_CAP`` entries
    each, like the word memo), then one ``template_path`` call."""

    __slots__ = ("_cap", "_fhir", "_old", "_shapes", "_tails", "_words", "_young")

    def __init__(self, *, fhir: bool = True, cache_size: int = 32_768) -> None:
        if cache_size < 1:
            raise ValueError("cache_size must be >= 1")
        self._fhir = fhir
        self._cap = cache_size
        self._young: dict[str, str] = {}
        self._old: dict[str, str] = {}
        self._words: dict[str, bool] = {}
        self._shapes: dict[str, str] = {}
        self._tails: dict[str, str] = {}  # path before a last all-digit segment -> template

    def template(self, path: str) -> str:
        t = self._young.get(path)
        if t is not None:
            return t
        t = self._old.get(path)
        if t is None:
            t = self.compute(path)
        if len(self._young) >= self._cap:
            self._old = self._young
            self._young = {}
        self._young[path] = t
        return t

    def compute(self, path: str) -> str:
        """The template, bypassing the path cache (for callers that cache paths themselves)."""
        # The most common new path ends in a numeric id (/r4/Patient/123, /v2/invoices/9): its
        # template depends only on what comes before that id, found without splitting the path.
        head, _, tail = path.rpartition("/")
        if tail.isdigit() and tail.isascii():
            t = self._tails.get(head)
            if t is None:
                t = self._by_shape(path)
                if len(self._tails) >= _SHAPES_CAP:
                    self._tails.clear()
                self._tails[head] = t
            return t
        return self._by_shape(path)

    def _by_shape(self, path: str) -> str:
        shape = digit_shape(path)
        if shape is None:
            return template_path(path, fhir=self._fhir, words=self._words)
        t = self._shapes.get(shape)
        if t is None:
            t = template_path(path, fhir=self._fhir, words=self._words)
            if len(self._shapes) >= _SHAPES_CAP:
                self._shapes.clear()  # ids that are not all digits churn it; the hot shapes refill it
            self._shapes[shape] = t
        return t

    def cache_len(self) -> int:
        """Entries in the path cache (the word and shape memos have fixed caps)."""
        return len(self._young) + len(self._old)

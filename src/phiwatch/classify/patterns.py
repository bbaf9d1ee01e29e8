"""Recognizers as data: every category's candidate patterns, context keys and FHIR systems.

All ``Pattern`` expressions of all recognizers are compiled into ONE hyperscan database
(``scanner.py``) and each body is scanned once; a hit is routed by pattern id to its category
and validator. Expressions are bytes-level hyperscan syntax. ``lead``/``trail`` are one-byte
boundary classes (hyperscan has no look-behind). The scan database carries only ``expr`` +
``trail`` and reports match ends (no start-of-match tracking, which halves hyperscan's speed; a
leading class that matches almost every byte defeats its literal prefilters); the few
candidates are then confirmed, with ``lead`` and their exact start, by a one-pattern database
over the ``span`` bytes before the end. Bodies are padded with a space on each side so that
boundaries also hold at the edges.

A *labelled* pattern carries its own context ("DOB: 01/02/1990", "NPI 1234567893"): the value
is the tail of the match after the label, and is kept unless the validator says INVALID, like a
key-name hit. An unlabelled pattern is a bare value in free text and needs a VALID verdict, so a
bare shape is only a pattern where its checks are strong: a 10-digit NPI or a DEA number passes
its check digit one time in ten, and a run of 13-19 digits passes Luhn as often, so those need a
label (or a key name, or FHIR structure).

``in_fhir=False`` leaves a pattern out of the database used on bodies that parsed as FHIR JSON:
there, identifiers are read from structure (``Identifier.system``/``type``), and an opaque shape
without separators (strict MBI, VIN, grouped card numbers, full-form IPv6: FHIR carries client
addresses in AuditEvent.agent.network) would only be looked for in ids, codes and base64
attachments, at a third of the scan speed.
"""

from __future__ import annotations

import msgspec

DIGIT = "[^0-9]"
_END_DOT = "(?:[^%s.]|\\.(?:[^0-9A-Za-z]|$))"  # a trail that also lets a value end a sentence
ALNUM = "[^0-9A-Za-z]"
NONE = ""


class Pattern(msgspec.Struct, frozen=True):
    expr: str
    lead: str = DIGIT
    trail: str = DIGIT
    labelled: bool = False
    value_chars: str = ""  # labelled only: the characters the value is made of (found from the end)
    coding: bool = False  # a coding-system marker; the code is read beside it (codings.py)
    span: int = 96  # longest match, boundaries included: the window that confirms a candidate
    in_fhir: bool = True  # also scanned over FHIR JSON bodies (see the module docstring)
    strip: str = ""  # characters the trail may leave at the end of the value (a sentence's ".")
    scan_lead: bool = False  # keep ``lead`` in the scan database too: for a shape that ends most
    # runs of its characters (the dotted tail of every OID looks like an IPv4 address), a
    # confirmation per run costs more than the boundary class in the scan


class Recognizer(msgspec.Struct, frozen=True):
    category: str  # a fixed name from DESIGN.md
    patterns: tuple[Pattern, ...] = ()  # broad candidates; the validator narrows
    validator: str | None = None  # key in VALIDATORS; None: the structure decides
    fhir_systems: frozenset[str] = frozenset()  # Identifier.system URIs that settle the category
    fhir_types: frozenset[str] = frozenset()  # Identifier.type codes (v2-0203)


_NUM = "0123456789-"
_PHONE = "0123456789-.()+ "
_NAME = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz '.-"
_ID = "0123456789-.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _lab(label: str, value: str, trail: str = ALNUM, chars: str = _ID) -> Pattern:
    """A label (caseless words) then a few separators then the value."""
    expr = f"(?i:{label})[ \\t]{{0,3}}[:#=]?[ \\t]{{0,3}}(?:{value})"
    return Pattern(expr, ALNUM, trail, labelled=True, value_chars=chars, span=128)


_A = "[AC-HJKMNP-RT-Y]"
_AN = "[AC-HJKMNP-RT-Y0-9]"
_MBI = f"[1-9]{_A}{_AN}[0-9]{_A}{_AN}[0-9]{_A}{{2}}[0-9]{{2}}"
_DATE = "(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})"
_PERSON = "[A-Z][a-z]+(?: [A-Z]\\.?)?(?: [A-Z][a-z'-]+){1,2}"
_STREET_SUFFIX = (
    "St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane|Blvd|Boulevard|Way|Ct|Court|Pl|Place|Ter|Terrace|"
    "Pkwy|Parkway|Hwy|Highway|Cir|Circle|Trl|Trail|Crest"
)

RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "ssn",
        (
            Pattern("[0-9]{3}-[0-9]{2}-[0-9]{4}", "[^0-9-]", "[^0-9-]"),
            _lab("ssn|social security(?: number| no\\.?)?|ss#", "[0-9]{3}-?[0-9]{2}-?[0-9]{4}", DIGIT, _NUM),
        ),
        "ssn",
        frozenset({"http://hl7.org/fhir/sid/us-ssn", "urn:oid:2.16.840.1.113883.4.1"}),
        frozenset({"SS", "SB"}),
    ),
    Recognizer(
        "npi",
        (_lab("npi|national provider (?:identifier|id|number)", "[0-9]{10}", DIGIT, _NUM),),
        "npi",
        frozenset({"http://hl7.org/fhir/sid/us-npi", "urn:oid:2.16.840.1.113883.4.6"}),
        frozenset({"NPI"}),
    ),
    Recognizer(
        "dea",
        (_lab("dea(?: registration)?(?: number| no\\.?| #)?", "[A-Z][A-Z9][0-9]{7}"),),
        "dea",
        frozenset({"urn:oid:2.16.840.1.113883.4.814", "http://hl7.org/fhir/sid/us-dea"}),
        frozenset({"DEA"}),
    ),
    Recognizer(
        "mbi",
        (
            Pattern(_MBI, ALNUM, ALNUM, in_fhir=False),
            Pattern("[1-9][A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{4}", ALNUM, ALNUM),
        ),
        "mbi",
        frozenset(
            {"http://hl7.org/fhir/sid/us-mbi", "https://bluebutton.cms.gov/resources/variables/bene_mbi_id"}
        ),
        frozenset({"MC"}),
    ),
    Recognizer(
        "payment_card",
        (
            Pattern("[2-6][0-9]{3}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,7}", in_fhir=False),
            Pattern("3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5}"),
            _lab(
                "(?:credit |debit |payment )?card(?: number| no\\.?| #)?|cc ?(?:#|number|no\\.?)|pan"
                "|visa|mastercard|amex|american express|discover",
                "[2-6][0-9 -]{11,22}[0-9]",
                DIGIT,
                "0123456789 -",
            ),
        ),
        "payment_card",
    ),
    Recognizer(
        "phone",
        (
            Pattern("\\(?[2-9][0-9]{2}\\)?[ .-]?[2-9][0-9]{2}[.-][0-9]{4}", "[^0-9-]", "[^0-9-]"),
            Pattern("\\+1[ .-]?\\(?[2-9][0-9]{2}\\)?[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}", "[^0-9+]", "[^0-9-]"),
            _lab(
                "phone|tel\\.?|telephone|mobile|cell",
                "\\(?[2-9][0-9]{2}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}",
                DIGIT,
                _PHONE,
            ),
        ),
        "phone",
    ),
    Recognizer(
        "fax",
        (_lab("fax|facsimile", "\\(?[2-9][0-9]{2}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}", DIGIT, _PHONE),),
        "fax",
    ),
    Recognizer(
        "email",
        (
            Pattern(
                "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}",
                NONE,
                _END_DOT % "A-Za-z0-9-",
                strip=".",
                span=330,
            ),
        ),
        "email",
    ),
    Recognizer(
        "ip",
        (
            Pattern(
                "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                "[^0-9.]",
                _END_DOT % "0-9",  # "from 10.1.2.3." yes, an OID "1.3.6.1.4.1" no
                strip=".",
                scan_lead=True,
            ),
            # IPv6: eight groups, or fewer around one "::" (a time "12:30:00" is neither)
            Pattern(
                "[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}", "[^0-9A-Za-z:]", "[^0-9A-Za-z:]", in_fhir=False
            ),
            Pattern("[0-9A-Fa-f:]{0,39}::[0-9A-Fa-f:]{0,39}", "[^0-9A-Za-z:]", "[^0-9A-Za-z:]"),
        ),
        "ip",
    ),
    Recognizer(
        "date",
        (
            _lab(
                "dob|d\\.o\\.b\\.?|date of birth|birth ?date|born(?: on)?|date of death|deceased|died(?: on)?"
                "|admitted(?: on)?|admission date|discharged(?: on)?|discharge date|date of service|dos",
                _DATE,
                DIGIT,
                "0123456789-/",
            ),
        ),
        "date",
    ),
    Recognizer(
        "address",
        (
            Pattern(
                f"[0-9]{{1,6}} (?:[A-Z][a-z]+ ){{1,4}}(?:{_STREET_SUFFIX})\\.?",
                ALNUM,
                "[^A-Za-z0-9]",
            ),
        ),
        "address",
    ),
    Recognizer(
        "name",
        (
            # a word label needs its separator: "Patient: Jane Doe", not "Patient Health
            # Questionnaire"; an honorific is a label by itself ("Mrs. Jane Doe")
            Pattern(
                f"(?i:patient name|patient|name)[ \\t]{{0,3}}[:#=][ \\t]{{0,3}}{_PERSON}",
                ALNUM,
                "[^A-Za-z'-]",
                labelled=True,
                value_chars=_NAME,
                span=128,
            ),
            _lab("mr\\.|mrs\\.|ms\\.|miss", _PERSON, "[^A-Za-z'-]", _NAME),
        ),
        "name",
    ),
    Recognizer(
        "mrn",
        (_lab("mrn|medical record(?: number| no\\.?| #)?", "[A-Za-z0-9][A-Za-z0-9-]{3,19}"),),
        "mrn",
        frozenset({"http://hospital.smarthealthit.org"}),
        frozenset({"MR", "MRT"}),
    ),
    Recognizer(
        "health_plan_id",
        (
            _lab(
                "member(?: id| number| no\\.?| #)|subscriber(?: id| number| no\\.?| #)"
                "|policy(?: number| no\\.?| #)",
                "[A-Za-z0-9][A-Za-z0-9-]{3,19}",
            ),
        ),
        "health_plan_id",
        frozenset({"http://hl7.org/fhir/sid/us-medicare"}),
        frozenset({"MB", "SN", "MA", "MCD", "MCR", "MI"}),
    ),
    Recognizer(
        "account",
        (
            _lab(
                "account(?: number| no\\.?| #)|acct(?: number| no\\.?| #)?", "[0-9][0-9-]{3,20}", ALNUM, _NUM
            ),
        ),
        "account",
        frozenset(),
        frozenset({"AN", "ANON", "BA", "BC"}),
    ),
    Recognizer(
        "license",
        (
            _lab(
                "driver'?s? licen[cs]e(?: number| no\\.?| #)?|passport(?: number| no\\.?| #)?",
                "[A-Z0-9]{5,15}",
            ),
        ),
        "license",
        frozenset({"http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber"}),
        frozenset({"DL", "PPN", "MD", "LN"}),
    ),
    Recognizer(
        "vehicle_id",
        (
            Pattern("[A-HJ-NPR-Z0-9]{17}", ALNUM, ALNUM, in_fhir=False),
            _lab("vin|licen[cs]e plate", "[A-Z0-9]{2,8}"),
        ),
        "vehicle_id",
    ),
    Recognizer(
        "device_id",
        (Pattern("\\(01\\)[0-9]{14}", NONE, DIGIT),),
        "device_id",
        frozenset({"urn:oid:2.16.840.1.113883.3.3719"}),
        frozenset({"UDI", "SNO"}),
    ),
    Recognizer("url", (), "url"),
    Recognizer("biometric", (), "biometric"),
    Recognizer("photo", (Pattern("data:image/[a-z+]{2,12};base64,", NONE, NONE),), "photo"),
    Recognizer(
        "other_id",
        (),
        "other_id",
        frozenset(),
        frozenset({"PI", "PT", "NI", "TAX", "PRN", "NH", "U", "PN", "JHN"}),
    ),
    Recognizer("icd10", (_lab("icd-?10(?:-cm)?", "[A-TV-Z][0-9][0-9A-Z](?:\\.[0-9A-Z]{1,4})?"),), "icd10"),
    Recognizer("loinc", (_lab("loinc", "[0-9]{1,7}-[0-9]", DIGIT, _NUM),), "loinc"),
    Recognizer("snomed", (_lab("snomed(?: ct)?|sctid", "[1-9][0-9]{5,17}", DIGIT, _NUM),), "snomed"),
    Recognizer("rxnorm", (_lab("rxnorm|rxcui", "[1-9][0-9]{0,7}", DIGIT, _NUM),), "rxnorm"),
    Recognizer(
        "credential",
        (
            Pattern(
                "eyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*",
                "[^A-Za-z0-9_.-]",
                "[^A-Za-z0-9_-]",
                span=16384,
            ),
            Pattern("A(?:KIA|SIA)[0-9A-Z]{16}", ALNUM, ALNUM),
            Pattern("gh[pousr]_[A-Za-z0-9]{36}", ALNUM, ALNUM),
            Pattern("github_pat_[A-Za-z0-9_]{22,}", ALNUM, ALNUM, span=512),
            Pattern("[sr]k_live_[A-Za-z0-9]{16,}", ALNUM, ALNUM, span=512),
            Pattern("xox[bpa]-[A-Za-z0-9-]{10,}", ALNUM, "[^A-Za-z0-9-]", span=512),
            Pattern("-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----", NONE, NONE),
        ),
        "credential",
    ),
    Recognizer("clinical"),
)

# Coding systems that name a clinical terminology (FHIR Coding.system, C-CDA codeSystem OIDs,
# HL7 v2 coding-system ids).
CODE_SYSTEMS: dict[str, str] = {
    "http://loinc.org": "loinc",
    "2.16.840.1.113883.6.1": "loinc",
    "LN": "loinc",
    "http://snomed.info/sct": "snomed",
    "2.16.840.1.113883.6.96": "snomed",
    "SCT": "snomed",
    "SNM": "snomed",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "2.16.840.1.113883.6.88": "rxnorm",
    "RXNORM": "rxnorm",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "2.16.840.1.113883.6.90": "icd10",
    "2.16.840.1.113883.6.3": "icd10",
    "I10": "icd10",
    "I10C": "icd10",
}


def _coding_patterns(category: str) -> tuple[Pattern, ...]:
    """JSON ``"system": "<uri>"`` and XML ``codeSystem="<oid>"`` markers of one terminology."""
    out = []
    for system, cat in CODE_SYSTEMS.items():
        if cat != category or not ("." in system or "/" in system):
            continue
        lit = "".join("\\" + ch if ch in ".+?*()[]{}|^$\\" else ch for ch in system)
        if system.startswith("http"):
            out.append(Pattern(f'"system"\\s*:\\s*"{lit}"', NONE, NONE, coding=True, span=160))
        else:
            out.append(Pattern(f"codeSystem\\s*=\\s*[\"']{lit}[\"']", NONE, NONE, coding=True, span=160))
    return tuple(out)


CODINGS: tuple[Recognizer, ...] = tuple(
    Recognizer(cat, _coding_patterns(cat)) for cat in ("loinc", "snomed", "rxnorm", "icd10")
)
ALL_RECOGNIZERS = RECOGNIZERS + CODINGS


def by_category() -> dict[str, Recognizer]:
    return {r.category: r for r in RECOGNIZERS}


def identifier_systems() -> dict[str, str]:
    """Identifier.system URI (or C-CDA id root, as urn:oid: or bare OID) -> category."""
    out: dict[str, str] = {}
    for r in RECOGNIZERS:
        for s in r.fhir_systems:
            out[s] = r.category
            if s.startswith("urn:oid:"):
                out[s[8:]] = r.category
    out["urn:oid:2.16.840.1.113883.4.3"] = "license"  # state driver's licence arc (+ .<FIPS>)
    return out


def identifier_types() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in RECOGNIZERS:
        for t in r.fhir_types:
            out[t] = r.category
    return out

"""Table tests for every validator: valid, bad check digit, wrong shape, look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.categories import CATEGORIES, STRUCTURE_ONLY
from phiwatch.classify.validators import Verdict, load_validators, luhn_ok, verhoeff_ok

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
VALIDATORS = load_validators()

# fmt: off
ROWS = [
    ("ssn", "123-45-6788", V, "issued area, group, serial"),
    ("ssn", "536-22-1234", V, "ordinary SSN"),
    ("ssn", "999-94-5397", U, "Synthea 9xx area: never issued, shape fits"),
    ("ssn", "000-12-3456", X, "area 000"),
    ("ssn", "666-12-3456", X, "area 666"),
    ("ssn", "536-00-1234", X, "group 00"),
    ("ssn", "536-22-0000", X, "serial 0000"),
    ("ssn", "078-05-1120", X, "Woolworth wallet placeholder"),
    ("ssn", "123-45 6788", X, "mixed delimiters"),
    ("ssn", "12-345-6788", X, "dashes in the wrong places"),
    ("ssn", "111-11-1111", X, "all one digit"),
    ("npi", "1234567893", V, "CMS worked example"),
    ("npi", "1234567890", X, "bad check digit"),
    ("npi", "9999908392", U, "Synthea: Luhn ok, first digit 9"),
    ("npi", "123456789", X, "nine digits"),
    ("dea", "AP5836727", V, "valid check digit"),
    ("dea", "F91234563", V, "second letter 9"),
    ("dea", "AP5836728", X, "bad check digit"),
    ("dea", "ZP5836727", X, "unknown registrant type"),
    ("mbi", "1EG4TE5MK73", V, "CMS example"),
    ("mbi", "1EG4-TE5-MK73", V, "card formatting"),
    ("mbi", "1SG4TE5MK73", X, "S is excluded"),
    ("mbi", "0EG4TE5MK73", X, "first digit 0"),
    ("payment_card", "4111 1111 1111 1111", V, "Visa test PAN"),
    ("payment_card", "5555555555554444", V, "Mastercard test PAN"),
    ("payment_card", "378282246310005", V, "Amex test PAN"),
    ("payment_card", "4111111111111112", X, "bad Luhn"),
    ("payment_card", "1442431887503330", X, "no issuer starts with 1"),
    ("payment_card", "4444444444444444", X, "one repeated digit"),
    ("loinc", "8867-4", V, "heart rate"),
    ("loinc", "2339-0", V, "glucose"),
    ("loinc", "11491-6", X, "deprecated code with a wrong check digit"),
    ("loinc", "8867-5", X, "bad check digit"),
    ("loinc", "2021-10", X, "a date fragment"),
    ("snomed", "44054006", V, "diabetes type 2"),
    ("snomed", "1290023401004", V, "extension concept"),
    ("snomed", "44054007", X, "bad Verhoeff digit"),
    ("snomed", "0044054006", X, "leading zero"),
    ("snomed", "12345", X, "too short"),
    ("icd10", "E11.9", U, "well-formed code"),
    ("icd10", "U07.1", U, "COVID-19 special code"),
    ("icd10", "U99.1", X, "reserved U range"),
    ("icd10", "11.9", X, "no letter"),
    ("rxnorm", "197361", U, "RXCUI"),
    ("rxnorm", "0197361", X, "leading zero"),
    ("phone", "(617) 555-0100", V, "formatted NANP"),
    ("phone", "+1 617 555 0100", V, "international form"),
    ("phone", "6175550100", U, "bare ten digits: could be anything"),
    ("phone", "117-555-0100", X, "area code starts with 1"),
    ("phone", "617-155-0100", X, "exchange starts with 1"),
    ("fax", "617-555-0199", V, "same rules as phone"),
    ("email", "jane.doe@mail.example.net", V, "plain address"),
    ("email", "mailto:a@b.io", V, "mailto form"),
    ("email", "jane@localhost", X, "no dot in domain"),
    ("email", "jane..doe@mail.com", X, "double dot"),
    ("ip", "10.1.2.3", V, "private v4"),
    ("ip", "2001:db8::1", V, "v6"),
    ("ip", "1.2.3", X, "three parts"),
    ("ip", "1.02.3.4", X, "leading zero: a version string"),
    ("ip", "256.1.1.1", X, "octet out of range"),
    ("ip", "127.0.0.1", X, "loopback"),
    ("ip", "12:30:45", X, "a clock time"),
    ("url", "https://janedoe.blog/about", U, "personal site"),
    ("url", "http://loinc.org", X, "terminology host"),
    ("url", "ftp://x.org", X, "not http"),
    ("date", "1927-05-21", U, "ISO date"),
    ("date", "05/21/1927", U, "US date"),
    ("date", "19620910", U, "HL7 compact"),
    ("date", "1927-13-21", X, "month 13"),
    ("date", "1927", X, "year alone is allowed by Safe Harbor"),
    ("address", "260 Goodwin Crest Drive", V, "street line"),
    ("address", "02139", U, "ZIP needs context"),
    ("address", "12345", U, "ZIP-shaped"),
    ("address", "1234", X, "no letters, not a ZIP"),
    ("name", "Sumiko254 Larue605 Medhurst46", U, "Synthea name with digits"),
    ("name", "Jane O'Neil-Smith", U, "apostrophe and hyphen"),
    ("name", "null", X, "placeholder"),
    ("name", "Order #1234", X, "not letters"),
    ("mrn", "A123456", U, "alphanumeric id"),
    ("mrn", "abc", X, "too short"),
    ("mrn", "ABCDEFG", X, "no digit"),
    ("account", "0105I30001", U, "HL7 account"),
    ("health_plan_id", "W123456789", U, "member id"),
    ("license", "S99940903", U, "Synthea driver's licence"),
    ("other_id", "129c6ac7-8d06", U, "opaque id"),
    ("vehicle_id", "1M8GDM9AXKP042788", V, "VIN with check digit"),
    ("vehicle_id", "1M8GDM9A1KP042788", U, "VIN-shaped, check digit differs"),
    ("vehicle_id", "7ABC123", U, "plate"),
    ("vehicle_id", "ABCDEFGHJKLMNPRST", X, "no digit"),
    ("device_id", "(01)00844588003288", V, "GS1 UDI with GTIN check"),
    ("device_id", "(01)00844588003289", X, "bad GTIN check"),
    ("device_id", "SN-4432-11", U, "serial by context"),
    ("credential", "AKIAIOSFODNN7EXAMPLE", V, "AWS key id shape"),
    ("credential", "password", X, "the word itself"),
    ("credential", "hunter2hunter2", U, "a value under a password key"),
    ("photo", "data:image/png;base64,iVBORw0KGgo=", V, "data URI"),
    ("photo", "https://x.org/p.jpg", U, "URL under a photo key"),
    ("photo", "smile", X, "not an image"),
    ("biometric", "a1b2c3d4e5f6", U, "template bytes"),
]
# fmt: on


@pytest.mark.parametrize(("category", "value", "expected", "why"), ROWS, ids=[f"{r[0]}:{r[3]}" for r in ROWS])
def test_validator(category: str, value: str, expected: Verdict, why: str) -> None:
    assert VALIDATORS.get(category)(value) is expected, why


def test_jwt_is_a_credential() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    assert VALIDATORS.get("credential")(token) is V


def test_every_category_has_a_validator_or_is_structure_only() -> None:
    missing = [c for c in CATEGORIES if c not in VALIDATORS and c not in STRUCTURE_ONLY]
    assert missing == []


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("79927398713", True), ("79927398710", False), ("4111111111111111", True), ("12a", False)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(("digits", "ok"), [("2363", True), ("2364", False), ("44054006", True)])
def test_verhoeff(digits: str, ok: bool) -> None:
    assert verhoeff_ok(digits) is ok

"""Names the checks recognise: path words, parameters, hosts, scopes. Plain data, on short
strings only (path segments, parameter names, host labels)."""

from __future__ import annotations

from functools import lru_cache

ADMIN_SEGMENTS = frozenset(
    {
        "admin",
        "administrator",
        "management",
        "manage",
        "actuator",
        "console",
        "sysadmin",
        "superuser",
        "_admin",
        "backoffice",
        "internal-admin",
    }
)
AUTH_FLOW_WORDS = (
    "login",
    "signin",
    "sign-in",
    "logon",
    "register",
    "signup",
    "sign-up",
    "password",
    "reset",
    "forgot",
    "otp",
    "mfa",
    "2fa",
    "verify-code",
    "one-time",
    "passcode",
)
PAGE_PARAMS = frozenset(
    {
        "_count",
        "count",
        "limit",
        "page_size",
        "pagesize",
        "per_page",
        "perpage",
        "size",
        "max_results",
        "maxresults",
        "$top",
        "top",
        "page[size]",
    }
)
URL_PARAMS = frozenset(
    {
        "url",
        "uri",
        "callback",
        "callback_url",
        "callbackurl",
        "webhook",
        "webhook_url",
        "redirect",
        "redirect_uri",
        "redirect_url",
        "return_url",
        "returnurl",
        "return_to",
        "next_url",
        "target",
        "dest",
        "destination",
        "feed",
        "image_url",
        "imageurl",
        "proxy",
        "fetch",
        "link",
        "endpoint",
    }
)
# CMS Provider Directory API resources: public by rule (42 CFR 422.120), never "missing auth".
DIRECTORY_TYPES = frozenset(
    {
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "HealthcareService",
        "Endpoint",
        "InsurancePlan",
        "OrganizationAffiliation",
        "Network",
    }
)
# FHIR resources a Patient Access API serves (patient compartment and claims data).
PATIENT_ACCESS_TYPES = frozenset(
    {
        "Patient",
        "Observation",
        "Condition",
        "MedicationRequest",
        "MedicationStatement",
        "Encounter",
        "AllergyIntolerance",
        "Procedure",
        "Immunization",
        "DiagnosticReport",
        "DocumentReference",
        "CarePlan",
        "CareTeam",
        "Goal",
        "Coverage",
        "ExplanationOfBenefit",
        "Claim",
        "ClaimResponse",
        "ServiceRequest",
        "Device",
        "Provenance",
        "MedicationDispense",
        "QuestionnaireResponse",
    }
)
NONPROD_LABELS = frozenset(
    {
        "dev",
        "develop",
        "development",
        "test",
        "testing",
        "qa",
        "uat",
        "stage",
        "staging",
        "stg",
        "sandbox",
        "preprod",
        "pre-prod",
        "sit",
        "demo",
    }
)
# Tracking, analytics and marketing hosts (HHS OCR online-tracking guidance, 2022/2024).
TRACKER_DOMAINS = frozenset(
    {
        "google-analytics.com",
        "googletagmanager.com",
        "doubleclick.net",
        "googleadservices.com",
        "facebook.com",
        "facebook.net",
        "tiktok.com",
        "bing.com",
        "hotjar.com",
        "segment.io",
        "segment.com",
        "mixpanel.com",
        "amplitude.com",
        "fullstory.com",
        "linkedin.com",
        "licdn.com",
        "twitter.com",
        "ads-twitter.com",
        "pinterest.com",
        "snapchat.com",
        "quantserve.com",
        "clarity.ms",
        "heap.io",
        "heapanalytics.com",
        "newrelic.com",
        "nr-data.net",
        "criteo.com",
        "taboola.com",
        "outbrain.com",
    }
)
SMART_SCOPE_PREFIXES = ("patient/", "user/", "system/", "launch")
# Multi-label public suffixes seen in practice; enough for a "registrable domain" guess.
_TWO_LABEL_SUFFIXES = frozenset({"co.uk", "org.uk", "nhs.uk", "com.au", "gov.au", "co.nz", "com.br", "co.jp"})


@lru_cache(maxsize=65_536)  # few distinct hosts and templates; checks ask often
def base_domain(host: str) -> str:
    """Registrable domain guess: the last two labels (three under a known two-label suffix)."""
    labels = host.rstrip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


@lru_cache(maxsize=65_536)  # few distinct hosts and templates; checks ask often
def fhir_type(path: str) -> str | None:
    """The first segment that looks like a FHIR resource type (``Patient``), if any."""
    for seg in segments(path):
        if seg[:1].isupper() and seg.isalpha() and len(seg) > 2:
            return seg
    return None


def is_admin_path(path: str) -> bool:
    return any(s.lower() in ADMIN_SEGMENTS for s in segments(path))


def is_auth_flow(path: str) -> bool:
    low = path.lower()
    return any(w in low for w in AUTH_FLOW_WORDS)


def is_directory(path: str) -> bool:
    return fhir_type(path) in DIRECTORY_TYPES


@lru_cache(maxsize=65_536)  # few distinct hosts and templates; checks ask often
def is_nonprod_host(host: str) -> bool:
    name = host.split(":", 1)[0]
    for label in name.split("."):
        if label in NONPROD_LABELS or any(part in NONPROD_LABELS for part in label.split("-")):
            return True
    return False


@lru_cache(maxsize=65_536)  # few distinct hosts and templates; checks ask often
def is_tracker(host: str) -> bool:
    return base_domain(host) in TRACKER_DOMAINS


def is_smart_scope(scope: str) -> bool:
    return scope.startswith(SMART_SCOPE_PREFIXES)

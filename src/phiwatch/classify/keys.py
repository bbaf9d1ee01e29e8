"""Key-name context: which PHI category a JSON key, form field, CSV column or XML element names.

Keys are normalised (lower case, without ``_ - . space``) so ``date_of_birth``, ``dateOfBirth``
and ``Date-Of-Birth`` are one entry. Generic words ("name", "id", "code", "url") are left out
on purpose: they name products and resources as often as people.
"""

from __future__ import annotations

_TABLE: dict[str, tuple[str, ...]] = {
    "ssn": ("ssn", "socialsecuritynumber", "socialsecurity", "socsecnum", "ssnumber", "patientssn", "usssn"),
    "date": (
        "dob",
        "dateofbirth",
        "birthdate",
        "birthday",
        "birthdt",
        "patientdob",
        "dod",
        "dateofdeath",
        "deathdate",
        "deceaseddatetime",
        "deceaseddate",
        "admitdate",
        "admissiondate",
        "admitdatetime",
        "dischargedate",
        "dischargedatetime",
        "servicedate",
        "dateofservice",
        "dos",
        "encounterdate",
        "visitdate",
    ),
    "mrn": (
        "mrn",
        "medicalrecordnumber",
        "medicalrecordno",
        "medrecnum",
        "chartnumber",
        "patientmrn",
        "mrnumber",
    ),
    "name": (
        "firstname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "surname",
        "middlename",
        "patientname",
        "membername",
        "subscribername",
        "guarantorname",
        "mothersmaidenname",
        "maidenname",
        "nextofkin",
        "emergencycontactname",
        "fname",
        "lname",
        # the person an account, policy or card belongs to
        "holder",
        "holdername",
        "accountholder",
        "accountholdername",
        "policyholder",
        "policyholdername",
        "cardholder",
        "cardholdername",
        "guarantor",
        "insuredname",
    ),
    "address": (
        "address",
        "streetaddress",
        "street",
        "addressline",
        "addressline1",
        "addressline2",
        "address1",
        "address2",
        "homeaddress",
        "mailingaddress",
        "zip",
        "zipcode",
        "postalcode",
        "postcode",
    ),
    "phone": (
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "mobilephone",
        "cell",
        "cellphone",
        "homephone",
    ),
    "fax": ("fax", "faxnumber", "faxno"),
    "email": ("email", "emailaddress", "mail", "e-mail", "patientemail"),
    "health_plan_id": (
        "memberid",
        "membernumber",
        "subscriberid",
        "subscribernumber",
        "policynumber",
        "policyid",
        "insuranceid",
        "healthplanid",
        "beneficiaryid",
        "medicaidid",
        "medicaidnumber",
        "medicareid",
        "medicarenumber",
        "groupnumber",
        "hicn",
    ),
    "mbi": ("mbi", "medicarebeneficiaryidentifier", "medicarebeneficiaryid"),
    "account": (
        "accountnumber",
        "accountno",
        "acctno",
        "acctnumber",
        "bankaccount",
        "patientaccount",
        "patientaccountnumber",
        "accountid",
        "acct",
        "acctid",
        "iban",
    ),
    "license": (
        "driverslicense",
        "driverlicense",
        "driverslicensenumber",
        "dlnumber",
        "licensenumber",
        "licenceno",
        "licensenumber",
        "passport",
        "passportnumber",
        "passportno",
        "medicallicense",
    ),
    "vehicle_id": ("vin", "vehicleid", "licenseplate", "plate", "platenumber"),
    "device_id": ("udi", "udicarrier", "deviceidentifier", "serialnumber", "deviceserial", "imei", "udidi"),
    "url": ("website", "homepage", "personalurl", "profileurl", "blog"),
    "ip": ("ip", "ipaddress", "clientip", "remoteaddr", "remoteip", "sourceip", "xforwardedfor"),
    "biometric": ("fingerprinttemplate", "voiceprint", "retinascan", "irisscan", "faceprint", "biometric"),
    "photo": ("photo", "avatar", "portrait", "selfie", "facephoto", "profilephoto", "headshot"),
    "npi": ("npi", "nationalproviderid", "nationalprovideridentifier", "providernpi"),
    "dea": ("dea", "deanumber", "deano"),
    "icd10": ("icd10", "icd10code", "icd10cm", "diagnosiscode", "dxcode", "icd"),
    "loinc": ("loinc", "loinccode"),
    "snomed": ("snomed", "snomedcode", "sctid", "snomedct"),
    "rxnorm": ("rxnorm", "rxcui", "rxnormcode"),
    "payment_card": ("cardnumber", "creditcard", "creditcardnumber", "ccnumber", "pan", "cardno"),
    "credential": (
        "password",
        "passwd",
        "secret",
        "clientsecret",
        "apikey",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "privatekey",
        "authorization",
        "apitoken",
        "authtoken",
    ),
    "other_id": ("nationalid", "taxid", "itin", "tin", "patientinternalid", "personid", "citizenid"),
}

KEY_CATEGORY: dict[str, str] = {key: cat for cat, keys in _TABLE.items() for key in keys}

# Objects that describe one person: under them the generic words "name", "given", "family" name
# that person ({"patient": {"name": "Jane Doe"}}), while elsewhere they name products and codes.
PERSON_PARENTS = frozenset(
    {
        "patient",
        "patients",
        "member",
        "members",
        "subscriber",
        "beneficiary",
        "insured",
        "holder",
        "accountholder",
        "policyholder",
        "cardholder",
        "guarantor",
        "guardian",
        "responsibleparty",
        "nextofkin",
        "emergencycontact",
    }
)
PERSON_NAME_KEYS = frozenset({"name", "given", "family", "first", "last", "display"})


def normalise_key(key: str) -> str:
    out = key.lower()
    for ch in "_-. ":
        if ch in out:
            out = out.replace(ch, "")
    if ":" in out:  # XML prefixes (hl7:given)
        out = out.rpartition(":")[2]
    return out


def key_category(key: str) -> str | None:
    return KEY_CATEGORY.get(normalise_key(key))

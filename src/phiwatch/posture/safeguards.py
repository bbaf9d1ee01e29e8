"""The HIPAA technical safeguards (45 CFR 164.312, plus the related administrative and privacy
sections our checks cite) and CMS interoperability rules, for the readiness section."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from phiwatch.model import Finding


class Safeguard(msgspec.Struct, frozen=True):
    id: str  # "164.312(a)(1)" or a CMS rule name
    title: str
    framework: str  # "HIPAA" | "CMS"


SAFEGUARDS: tuple[Safeguard, ...] = (
    Safeguard("164.312(a)(1)", "Access control", "HIPAA"),
    Safeguard("164.312(a)(2)(iii)", "Automatic logoff (session and token lifetime)", "HIPAA"),
    Safeguard("164.312(a)(2)(iv)", "Encryption and decryption", "HIPAA"),
    Safeguard("164.312(b)", "Audit controls", "HIPAA"),
    Safeguard("164.312(c)(1)", "Integrity", "HIPAA"),
    Safeguard("164.312(d)", "Person or entity authentication", "HIPAA"),
    Safeguard("164.312(e)(1)", "Transmission security", "HIPAA"),
    Safeguard("164.312(e)(2)(ii)", "Transmission encryption", "HIPAA"),
    Safeguard("164.308(a)(1)(ii)(A)", "Risk analysis (asset inventory)", "HIPAA"),
    Safeguard("164.308(a)(1)(ii)(B)", "Risk management", "HIPAA"),
    Safeguard("164.308(a)(4)", "Information access management", "HIPAA"),
    Safeguard("164.308(a)(5)(ii)(C)", "Log-in monitoring", "HIPAA"),
    Safeguard("164.308(b)(1)", "Business associate contracts", "HIPAA"),
    Safeguard("164.502(a)", "Permitted uses and disclosures", "HIPAA"),
    Safeguard("164.502(b)", "Minimum necessary", "HIPAA"),
    Safeguard("CMS-9115-F Patient Access API", "CMS Interoperability: Patient Access API", "CMS"),
    Safeguard("SMART App Launch", "SMART App Launch authorization (HL7)", "CMS"),
    Safeguard("FHIR Bulk Data Access", "FHIR Bulk Data Access (system scopes)", "CMS"),
    Safeguard("Provider Directory API", "Provider Directory API (public by rule)", "CMS"),
)


def readiness(
    findings: Sequence[Finding], cms_of: dict[str, tuple[str, ...]]
) -> list[tuple[Safeguard, list[Finding]]]:
    """Each safeguard with the findings that bear on it (``cms_of``: check id -> CMS rules)."""
    out = []
    for sg in SAFEGUARDS:
        if sg.framework == "HIPAA":
            hits = [f for f in findings if sg.id in f.hipaa]
        else:
            hits = [f for f in findings if sg.id in cms_of.get(f.check, ())]
        out.append((sg, hits))
    return out

"""Full-face photo or comparable image: FHIR Patient.photo (Attachment), image data: URIs, or
base64 image bytes under a photo key. An image signature (JPEG/PNG/GIF/WebP, raw or base64) is
VALID; a URL under a photo key is UNKNOWN."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict

_B64_IMAGE = ("/9j/", "iVBORw0KGgo", "R0lGOD", "UklGR")


@VALIDATORS.register("photo")
def validate(value: str) -> Verdict:
    v = value.strip()
    if v.startswith("data:image/"):
        return Verdict.VALID
    if v.startswith(_B64_IMAGE) and len(v) >= 64:
        return Verdict.VALID
    if v.lower().startswith(("http://", "https://")):
        return Verdict.UNKNOWN
    return Verdict.INVALID

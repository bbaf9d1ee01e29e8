"""PHI classification: which exchanges carry which patient data, and to whom it flows.

    classifier = Classifier(ClassifyOptions(), fingerprint=Fingerprinter(key))
    stages = [..., discovery, ClassifyStage(classifier), PhiAggregator(classify_stage), ...]

``Classifier.classify(event)`` returns ``PhiHit``s (masked values only) for the path, query,
request headers and both bodies; ``Classifier.skipped`` counts every body not fully scanned.
``PhiAggregator`` gives ``endpoint_phi()`` (``endpoints[].phi``/``phi_in_url``) and
``flows()`` (``data_flows[]``), and persists with ``to_bytes``/``from_bytes``.
"""

from __future__ import annotations

from phiwatch.classify.aggregate import DataFlow, EndpointPhi, PhiAggregator
from phiwatch.classify.categories import CATEGORIES
from phiwatch.classify.classifier import Classification, Classifier
from phiwatch.classify.options import ClassifyOptions
from phiwatch.classify.stage import ClassifyStage

__all__ = [
    "CATEGORIES",
    "Classification",
    "Classifier",
    "ClassifyOptions",
    "ClassifyStage",
    "DataFlow",
    "EndpointPhi",
    "PhiAggregator",
]

from __future__ import annotations

import pytest

from phiwatch.classify import Classifier, ClassifyOptions
from phiwatch.identity import Fingerprinter

KEY = b"test-installation-key-0123456789"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier(ClassifyOptions(), Fingerprinter(KEY))

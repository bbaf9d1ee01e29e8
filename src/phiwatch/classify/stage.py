"""The ``classify`` pipeline stage: sets ``event.phi`` and keeps the last exchange's patient
keys and record count for the ``phi_flows`` aggregator that runs after it."""

from __future__ import annotations

from typing import Any

from phiwatch.classify.classifier import Classification, Classifier
from phiwatch.model import Event


class ClassifyStage:
    name = "classify"

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        self._last: tuple[Event, Classification] | None = None

    def process(self, event: Event) -> None:
        result = self.classifier.classify_detail(event)
        event.phi = result.hits
        self._last = (event, result)

    def detail(self, event: Event) -> Classification | None:
        """This event's patients and records, when it was the last one classified."""
        if self._last is not None and self._last[0] is event:
            return self._last[1]
        return None

    def json_doc(self, body: bytes) -> Any:
        """This exchange's body as generic JSON when classify already decoded it (for the
        posture observe stage, which runs after it on the same event), else None."""
        return self.classifier.json_doc(body)

"""Metadata extraction against ../shared/corpus/catalog.jsonl, on the fields the text states
(rules in corpus/metadata_eval.py). Run with -s to see the table."""
from __future__ import annotations

from pathlib import Path

import pytest

from corpus.metadata_eval import accuracy, evaluate, table

from tests.paths import SHARED_CORPUS as CORPUS
MIN_ACCURACY = 0.9

pytestmark = pytest.mark.shared


def test_metadata_accuracy_on_shared_corpus():
    if not (CORPUS / "catalog.jsonl").exists():
        pytest.skip(f"{CORPUS} is absent")
    results = evaluate(CORPUS)
    print(table(results))
    correct, stated = accuracy(results)
    assert stated >= 60, "most catalogue fields should be stated by the texts"
    assert correct / stated >= MIN_ACCURACY, table(results)

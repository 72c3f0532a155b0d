"""Shared fixtures. Tests that read ../shared/corpus skip when it is absent."""
from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingest import ingest_paths
from corpus.store import Store
from graph import jobs

from tests.paths import EXAMPLES, SHARED, SHARED_CORPUS  # noqa: F401  (SHARED is imported by tests)

pytest_plugins = ["tests.neo4j_fixture"]


def require_shared() -> Path:
    if not (SHARED_CORPUS / "catalog.jsonl").exists():
        pytest.skip(f"{SHARED_CORPUS} is absent: tests on the real corpus need ../shared")
    return SHARED_CORPUS


def _built_store(db: Path, folder: Path) -> Path:
    """Ingest + mine ``folder`` into a new store at ``db``; every file must ingest."""
    with Store(db) as store:
        failed = [o for o in ingest_paths(store, [folder]) if o.status == "failed"]
        assert not failed, failed
        jobs.mine(store)
    return db


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory) -> Path:
    """A store built from the bundled example documents."""
    return _built_store(tmp_path_factory.mktemp("examples") / "examples.db", EXAMPLES)


@pytest.fixture(scope="session")
def shared_db(tmp_path_factory) -> Path:
    """A store built from ../shared/corpus (skips when absent)."""
    corpus = require_shared()
    return _built_store(tmp_path_factory.mktemp("shared") / "shared.db", corpus)

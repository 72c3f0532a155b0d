"""Where the tests find the repository and the real corpus (../shared, or env POLICYKG_SHARED)."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYKG_SHARED", REPO.parent / "shared"))
SHARED_CORPUS = SHARED / "corpus"
EXAMPLES = REPO / "corpus" / "examples"

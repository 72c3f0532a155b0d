"""The verifier's report: one CitationResult per citation, each with its Checks and their Evidence.

``VerificationReport.to_dict()`` is the JSON contract of issue 4.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mining.manuscript import Manuscript


KINDS = ("exists", "title", "year", "issuer", "doc_number", "quote", "first_appearance", "region")
STATUSES = ("ok", "mismatch", "not_found", "uncertain")
PROBLEMS = ("mismatch", "not_found")


@dataclass
class Evidence:
    doc_id: str
    clause: str          # clause id ("" when the fact is not located in a clause)
    start: int           # offsets into the document's stored text
    end: int

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "clause": self.clause, "start": self.start, "end": self.end}


@dataclass
class Check:
    kind: str
    status: str
    claimed: object
    found: dict           # always carries a human-readable "note"
    evidence: Evidence | None = None

    @property
    def note(self) -> str:
        return self.found.get("note", "") if isinstance(self.found, dict) else ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "status": self.status, "claimed": self.claimed, "found": self.found,
                "evidence": self.evidence.to_dict() if self.evidence else None}


@dataclass
class DocumentRef:
    id: str
    title: str
    date: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date}


@dataclass
class CitationResult:
    id: int
    sentence: str
    cited: str
    document: DocumentRef | None
    checks: list[Check]
    # not in the JSON contract: where the citation is in the manuscript (for the reports)
    start: int = 0
    end: int = 0
    source: str = "title"          # title (《》) / name (informal) / reference (GB/T 7714 entry)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status in PROBLEMS]

    def statuses(self) -> dict[str, list[str]]:
        """kind → the statuses of its checks, in order (a citation may carry two quotes)."""
        out: dict[str, list[str]] = {}
        for check in self.checks:
            out.setdefault(check.kind, []).append(check.status)
        return out

    def to_dict(self) -> dict:
        return {"id": self.id, "sentence": self.sentence, "cited": self.cited,
                "document": self.document.to_dict() if self.document else None,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass
class VerificationReport:
    manuscript: str
    citations: list[CitationResult]
    text: str = ""                  # the manuscript text the offsets refer to
    coverage: dict = field(default_factory=dict)
    source: Manuscript | None = None

    def to_dict(self) -> dict:
        return {"manuscript": self.manuscript, "citations": [c.to_dict() for c in self.citations]}

    def counts(self) -> dict[str, int]:
        return dict(Counter(c.status for r in self.citations for c in r.checks))

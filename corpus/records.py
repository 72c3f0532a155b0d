"""Typed records shared by every stage (corpus → mining → graph → app).

Offsets are character offsets into ``Document.text`` (the normalised text that is stored),
end-exclusive, so ``text[start:end]`` is always the evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("central", "ministry", "provincial", "city", "county")


@dataclass
class DocumentMeta:
    """Metadata of one policy document, from the text, a sidecar catalogue or the project catalogue."""

    title: str | None = None
    doc_number: str | None = None          # 文号, brackets normalised to 〔〕
    issuers: list[str] = field(default_factory=list)   # canonical body names
    date: str | None = None                 # YYYY-MM-DD (成文日期 when the text states it)
    level: str | None = None                # one of LEVELS
    region: str | None = None               # "全国" or a gazetteer full name, e.g. "浙江省温州市"
    doc_type: str | None = None             # 通知 / 意见 / 规划 / 决定 / 法律 / 报告 …
    short_titles: list[str] = field(default_factory=list)
    attachment_title: str | None = None     # X in 《…关于印发X的通知》
    catalog_id: str | None = None           # id in a catalogue, when one matched
    url: str | None = None


@dataclass
class ClauseSpan:
    """One numbered clause: 一、 / （一） / 1. / （1） / 第X条, or an unnumbered paragraph."""

    number: str            # the numbering as written ("一、", "（三）", "第十二条", "" for none)
    level: int             # 0 preamble/paragraph, 1 一、/第X章, 2 （一）/第X条, 3 1., 4 （1）
    start: int
    end: int
    heading: str = ""      # the clause's first sentence when it reads as a heading


@dataclass
class Document:
    id: str
    path: str
    sha256: str
    text: str
    meta: DocumentMeta
    fmt: str               # txt / docx / pdf / html
    encoding: str | None = None
    parent_id: str | None = None   # wrapper notice that carries this document as an attachment


@dataclass
class Clause:
    id: str                # f"{doc_id}:{ordinal}"
    doc_id: str
    ordinal: int
    number: str
    level: int
    start: int
    end: int
    text: str


@dataclass
class Tag:
    """A code assigned to a span of a clause, with what produced it."""

    clause_id: str
    doc_id: str
    kind: str              # instrument / actor / region / term / disease / group
    label: str             # canonical name from the codebook (regions: gazetteer full name)
    matched: str           # the words in the text
    start: int             # document offsets
    end: int
    source: str            # "dict:<pattern>", "regex:<pattern>", "model:<name>"
    score: float = 1.0
    category: str = ""     # instrument side / actor type / region level


@dataclass
class IngestOutcome:
    path: str
    status: str            # ingested / duplicate / failed
    doc_id: str | None = None
    reason: str = ""

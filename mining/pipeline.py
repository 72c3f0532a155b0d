"""The spaCy pipeline: ``spacy.blank("zh")`` with a jieba segmenter and a codebook entity ruler.

Codebook terms are matched on the raw text (an Aho–Corasick automaton plus the codebooks' regex
patterns), not on tokens: a term the segmenter split differently would otherwise be missed. Matches
are mapped to tokens with ``doc.char_span(..., alignment_mode="expand")``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

import corpus.bodies
import corpus.gazetteer
import corpus.wordfinder
from corpus.bodies import DEFAULT_PATH as BODIES_YAML, find_bodies
from corpus.gazetteer import CSV_PATH as GAZETTEER_CSV, load_gazetteer
from corpus.text import phrase_span
from corpus.wordfinder import WordFinder
from mining import codebook
from mining.segment import Segmenter, default_segmenter

SPAN_KEY = "policykg"


# Hashable by value like a frozen dataclass, but built as fast as a plain one with slots: a frozen
# dataclass sets each field through object.__setattr__, ten times slower, and a bench round makes
# tens of thousands of matches. Nothing assigns to a match's fields.
@dataclass(unsafe_hash=True, slots=True)
class Match:
    kind: str        # instrument / practice / actor / region / term / disease / group
    label: str       # canonical name
    category: str    # instrument side, actor type, region level, …
    start: int       # offsets into the text given to the matcher
    end: int
    matched: str
    source: str      # dict:<surface> / regex:<pattern> / gazetteer:<version> / bodies / model:<name>
    score: float = 1.0
    weak: bool = False   # a weak codebook hit: kept only when the classifier agrees


@dataclass(frozen=True)
class _Entry:
    kind: str
    label: str
    category: str
    weak: bool = False


class CodebookMatcher:
    """Dictionary and pattern matching of every codebook over raw text."""

    def __init__(self, entries: dict[str, list[_Entry]], pattern_instruments: list[codebook.Instrument],
                 with_regions: bool = True, with_bodies: bool = True,
                 excluding: dict[str, codebook.Instrument] | None = None):
        self.excluding = excluding or {}     # instrument name -> the instrument, when it has `exclude`
        self.automaton = WordFinder((surface, tuple(targets)) for surface, targets in entries.items())
        self.pattern_instruments = pattern_instruments
        self.with_regions = with_regions
        self.with_bodies = with_bodies

    @classmethod
    def from_codebooks(cls) -> CodebookMatcher:
        entries: dict[str, list[_Entry]] = {}

        def add(surface: str, entry: _Entry) -> None:
            if surface and entry not in entries.setdefault(surface, []):
                entries[surface].append(entry)

        for inst in codebook.load_instruments():
            for surface in (inst.name, *inst.synonyms):
                add(surface, _Entry("instrument", inst.name, inst.side, surface in inst.weak))
        for actor in codebook.load_actors():
            for surface in (actor.name, *actor.aliases):
                add(surface, _Entry("actor", actor.name, actor.type))
        for item in codebook.load_diseases():
            for surface in (item.name, *item.aliases):
                add(surface, _Entry(item.kind, item.name, item.kind))
        for term in codebook.load_terms():
            for surface in (term.name, *term.forms):
                add(surface, _Entry("term", term.name, "term"))
        instruments = codebook.load_instruments()
        return cls(entries, [i for i in instruments if i.patterns],
                   excluding={i.name: i for i in instruments if i.exclude})

    def __call__(self, text: str) -> list[Match]:
        found = self._dictionary(text) + self._patterns(text)
        gazetteer = load_gazetteer()
        places = gazetteer.find_in_text(text) if self.with_bodies or self.with_regions else []
        if self.with_bodies:
            found += [Match("actor", name, "党政机关", s, e, text[s:e], "bodies")
                      for s, e, name in find_bodies(text, places)]
        if self.with_regions:
            for m in places:
                if m.status == "ok" and m.division is not None:
                    found.append(Match("region", m.division.full_name, m.division.level, m.start, m.end, m.text,
                                       f"gazetteer:{gazetteer.version}"))
        return _longest_per_kind(found)

    def _dictionary(self, text: str) -> list[Match]:
        out = []
        for start, end, surface, targets in self.automaton.iter(text):
            out += [Match(t.kind, t.label, t.category, start, end, surface, f"dict:{surface}", weak=t.weak)
                    for t in targets
                    if not (t.kind == "instrument" and t.label in self.excluding
                            and self.excluding[t.label].excluded(text, start, end))]
        return out

    def _patterns(self, text: str) -> list[Match]:
        return [Match("instrument", inst.name, inst.side, start, end, matched, f"regex:{pattern}",
                      weak=pattern in inst.weak)
                for inst in self.pattern_instruments for start, end, matched, pattern in inst.pattern_hits(text)]


NO_MEASURE_CONTEXTS = ("penalty", "title", "definition")   # clauses that code no instrument at all
MIN_MODEL_CHARS = 8      # the model tags no clause with fewer characters (item number and punctuation left out)
_ITEM_NUMBER = re.compile(r"\A\s*(?:第[一二三四五六七八九十百零〇\d]+[章节篇编条]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])?")
_NOT_CONTENT = re.compile(r"[\s\W_]")


def _content_chars(text: str) -> int:
    """Characters of a clause that can carry meaning: without its item number, spaces and punctuation."""
    return len(_NOT_CONTENT.sub("", _ITEM_NUMBER.sub("", text, count=1)))


@dataclass
class ClauseVerdict:
    """What a clause's context allows (DomainFilter.verdict)."""
    silent: bool = False                                  # no instrument at all
    past: bool = False                                    # silent because it tells what was done
    looked_back: list[tuple[int, int]] = field(default_factory=list)   # spans of sentences telling the past

    def looked_back_at(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.looked_back)


class DomainFilter:
    """Per clause, drops instrument hits the clause's field does not support (codebook `generic`,
    `veto` and `context:`; see instruments.yaml):
    - a penalty clause, a title, a definition or a look-back (context `penalty:`, `title:`,
      `definition:`, `retrospective:`) codes no instrument; nor do the look-back sentences of a
      clause that also announces something (verdict);
    - in a clause out of the health domain (names another field and no health word), every
      instrument hit is dropped; in a clause that names another field besides health, so is one
      whose own sentence has no health word (judgement rule 2 of mining/gold/README.md: in general
      documents an instrument counts where it serves health). The specific health instruments
      (家庭医生签约服务, 疾控监督员, 健康积分) carry a health word themselves, so they always stay;
    - in a clause matching one of an instrument's `veto` regexes (a law's penalty clause: 责令改正，
      通报批评), that instrument's weak and generic hits are dropped."""

    def __init__(self) -> None:
        self.context = codebook.load_domain_context()
        self.no_measure = [p for p in map(_context_pattern, NO_MEASURE_CONTEXTS) if p is not None]
        self.retrospective = _context_pattern("retrospective")
        self.prospective = _context_pattern("prospective")
        self.retrospective_section = _context_pattern("retrospective_section")
        self.generic: dict[str, set[str]] = {}
        self.veto: dict[str, re.Pattern] = {}
        self.excluding: dict[str, codebook.Instrument] = {}   # instruments with `exclude` regexes
        for inst in codebook.load_instruments():
            if inst.exclude:
                self.excluding[inst.name] = inst
            self.generic[inst.name] = set(inst.generic) | set(inst.weak)
            if inst.veto:
                self.veto[inst.name] = re.compile("|".join(inst.veto))

    def soft(self, m: Match) -> bool:
        """A hit the clause's field can overrule: weak or generic for its instrument."""
        return m.weak or _rule_of(m) in self.generic.get(m.label, ())

    def verdict(self, text: str) -> ClauseVerdict:
        """What the clause's context allows (one pass of the context rules, shared by the rule hits
        and the model's tags):
        - a penalty clause, a title, a definition or a purpose article (`penalty:`, `title:`,
          `definition:`) names instruments without setting any up: silent;
        - a clause telling what was done (截至2023年底已建成…, 2019年以来累计…: a `retrospective:`
          cue) and announcing nothing to do (no `prospective:` cue): silent;
        - a clause with both (a work report's paragraph, 过去五年…。今年要…): its sentences from
          one with a look-back cue and no forward-looking one, up to the next with a
          forward-looking cue, are looked back on."""
        if any(p.search(text) for p in self.no_measure):
            return ClauseVerdict(silent=True)
        if self.retrospective is None or self.retrospective.search(text) is None:
            return ClauseVerdict()
        if self.prospective is None or self.prospective.search(text) is None:
            return ClauseVerdict(silent=True, past=True)
        spans, back = [], False
        for sentence in _SENTENCE.finditer(text):
            if self.prospective.search(sentence.group()):
                back = False
            elif self.retrospective.search(sentence.group()):
                back = True
            if back:
                spans.append(sentence.span())
        return ClauseVerdict(looked_back=spans)

    def heads_a_look_back(self, heading: str) -> bool:
        """Is this the heading of a section that looks back as a whole (`retrospective_section:`)?"""
        return self.retrospective_section is not None and self.retrospective_section.search(heading) is not None

    def off_field(self, text: str, offset: int | None = None) -> bool:
        """A hit at offset is of another field: the clause names one and no health word; or it names
        one besides health and the hit's own sentence has no health word (a work report's paragraph
        from 金融 to 医保). offset None: judge the clause as a whole."""
        if not self.context.names_other_field(text):
            return False
        if not self.context.names_health(text):
            return True
        return offset is not None and not self.context.names_health(_sentence_at(text, offset))

    def screen_model_tags(self, text: str, matches: list[Match], verdict: ClauseVerdict | None = None) -> list[Match]:
        """Drop the model's tags where the rules' would be dropped: in a silent clause or a sentence
        looked back on (judged at the evidence words when they are narrower than the clause), of
        another field, or under the instrument's `veto`; and all of them in a clause too short to
        describe a measure (a table cell: 医务人员, 省疾控局; a heading: 四、考核程序). A tag whose evidence
        words the codebook excludes for its instrument (监测 of a patient's vital signs) is dropped too."""
        model = [m for m in matches if m.source.startswith("model:")]
        if not model:
            return matches
        if _content_chars(text) < MIN_MODEL_CHARS:
            return [m for m in matches if m not in model]
        verdict = verdict or self.verdict(text)

        def out(m: Match) -> bool:
            narrow = (m.start, m.end) != (0, len(text))
            veto = self.veto.get(m.label)
            return (verdict.silent or self.off_field(text, m.start if narrow else None)
                    or (narrow and (verdict.looked_back_at(m.start) or _negated(text, m.start)
                                    or (m.label in self.excluding and self.excluding[m.label].excluded(text, m.start, m.end))))
                    or (veto is not None and veto.search(text) is not None))
        drop = {m for m in model if out(m)}
        return [m for m in matches if m not in drop] if drop else matches

    @staticmethod
    def told_as_done(coded: list[Match], verdict: ClauseVerdict) -> list[Match]:
        """Of a clause's instruments coded as if it announced them (`coded`: rules and model under a
        neutral verdict), those its look-back tells as done (温州市建立了疾控监督员制度), as kind
        "practice": the document sets none of them up, but each is a practice of a region the clause
        names (the graph's mention level)."""
        return [Match("practice", m.label, m.category, m.start, m.end, m.matched, m.source, m.score)
                for m in coded if m.kind == "instrument" and (verdict.past or verdict.looked_back_at(m.start))]

    def __call__(self, text: str, matches: list[Match], verdict: ClauseVerdict | None = None) -> list[Match]:
        verdict = verdict or self.verdict(text)
        if verdict.silent:
            return [m for m in matches if m.kind != "instrument"]
        instruments = [m for m in matches if m.kind == "instrument"]
        if not instruments:
            return matches
        other_field = self.context.names_other_field(text)     # searched once, not per hit
        gap = _NEGATION.search(text) is not None               # likewise
        drop = {m for m in instruments if (other_field and self.off_field(text, m.start)) or verdict.looked_back_at(m.start)
                or (gap and _negated(text, m.start))}
        for m in instruments:
            veto = self.veto.get(m.label)
            if veto is not None and self.soft(m) and veto.search(text):
                drop.add(m)
        return [m for m in matches if m not in drop] if drop else matches


# 信息系统尚未实现互联互通 / 缺乏专项资金: a gap the text reports, not a measure; in 对尚未签约的居民 the
# negation names whom a measure is for
_NEGATION = re.compile(r"(?:尚未|仍未|未能|没有|尚无|缺乏|缺少)(?![^，。；！？\n]*的)")
def _negated(text: str, offset: int) -> bool:
    """Does the phrase of the hit at offset report a gap?"""
    return _NEGATION.search(text, *phrase_span(text, offset)) is not None


def _context_pattern(key: str) -> re.Pattern | None:
    """The `key:` regexes of the codebook's `context:` block (penalty, title, definition, retrospective,
    prospective) as one pattern (multiline: an item marker counts at the start of any line of a clause)."""
    block = codebook._read_yaml(codebook.codebook_path(codebook.INSTRUMENTS_FILE)).get("context") or {}
    rules = [str(r) for r in (block.get(key) or [])]
    return re.compile("|".join(f"(?:{r})" for r in rules), re.M) if rules else None


_SENTENCE_END = re.compile(r"[。；！？\n]")
_SENTENCE = re.compile(r"[^。！？\n]+[。！？\n]?")     # for look-backs: one runs over ；


def _sentence_at(text: str, offset: int) -> str:
    """The sentence of text around offset (between sentence-ending marks)."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, offset)), default=0)
    end = _SENTENCE_END.search(text, offset)
    return text[start:end.start() if end else len(text)]


def _rule_of(m: Match) -> str:
    """The synonym or pattern behind a codebook match (its source without dict:/regex:)."""
    return m.source.split(":", 1)[1] if ":" in m.source else m.source


def _longest_per_kind(matches: list[Match]) -> list[Match]:
    """Within one kind, drop a match covered by a longer one of the same label (or by one of the same
    label on the same words, found by another rule), or by a longer name of another label
    (健康教育处方, a 处方工具, over 健康教育); across kinds, overlaps stay (家庭医生 is also an actor). A pattern's match is a phrase, not a name: it covers only its own label's
    matches (…医疗联合体建设试点, a 试点示范, leaves 医疗联合体 to 医联体医共体). Matches of one kind
    are visited by start, longest first, so a covering match is always seen before what it covers."""
    kept: list[Match] = []
    by_kind: dict[str, list[Match]] = {}
    for m in dict.fromkeys(matches):
        by_kind.setdefault(m.kind, []).append(m)
    for group in by_kind.values():
        group.sort(key=lambda m: (m.start, -(m.end - m.start)))
        names = (-1, -1)                        # (end, start): the furthest any name of this kind reaches
        labels: dict[str, tuple[int, int]] = {}  # the same for every match of each label
        for m in group:
            own = labels.get(m.label, (-1, -1))
            if not (_covers(names, m) or _covers(own, m) or own == (m.end, m.start)):   # or the same words again
                kept.append(m)
            if m.end > own[0]:
                labels[m.label] = (m.end, m.start)
            if m.end > names[0] and not m.source.startswith("regex:"):
                names = (m.end, m.start)
    return sorted(kept, key=lambda m: (m.start, m.kind, m.label))


def _covers(reach: tuple[int, int], m: Match) -> bool:
    """Does a match reaching (end, start) cover m: it ends later, or as late from further left?"""
    return reach[0] > m.end or (reach[0] == m.end and reach[1] < m.start)


class SegmenterTokenizer:
    """spaCy tokenizer that delegates to our Segmenter (jieba/rjieba with the domain dictionary, HMM off)."""

    def __init__(self, vocab, segmenter: Segmenter):
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        words = [w for w in self.segmenter.cut(text) if w]
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


if not Doc.has_extension("matches"):
    Doc.set_extension("matches", default=None)


@Language.factory("policykg_codebook")
def make_codebook_component(nlp: Language, name: str):
    matcher = CodebookMatcher.from_codebooks()

    def codebook_component(doc: Doc) -> Doc:
        matches = matcher(doc.text)
        doc._.matches = matches
        spans = []
        for m in matches:
            span = doc.char_span(m.start, m.end, label=f"{m.kind}:{m.label}", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPAN_KEY] = spans
        doc.ents = filter_spans(spans)
        return doc

    return codebook_component


@lru_cache(maxsize=2)
def load_pipeline(backend: str = "rjieba") -> Language:
    nlp = spacy.blank("zh")
    nlp.tokenizer = SegmenterTokenizer(nlp.vocab, default_segmenter(backend))
    nlp.add_pipe("policykg_codebook")
    return nlp


MINING_DIR = Path(__file__).resolve().parent
CODE_FILES = ("pipeline.py", "segment.py", "tagging.py", "classifier.py", "codebook.py")
CORPUS_CODE = (corpus.bodies, corpus.gazetteer, corpus.wordfinder)   # they find the actors and regions
TRAINING_FILES = ("gold/train.tsv", "gold/corpus_refs.jsonl", "models/instruments.npz")


def codebook_files() -> list[Path]:
    """Every data file the tags depend on (codebooks, bodies, gazetteer, classifier training data)."""
    names = (codebook.INSTRUMENTS_FILE, codebook.ACTORS_FILE, codebook.DISEASES_FILE, codebook.TERMS_FILE)
    return ([codebook.codebook_path(n) for n in names] + [BODIES_YAML, GAZETTEER_CSV]
            + [MINING_DIR / f for f in TRAINING_FILES if (MINING_DIR / f).exists()])


def pipeline_version(backend: str = "rjieba") -> str:
    """Changes whenever a codebook, the training data or the mining code changes, so re-mining knows
    to redo work."""
    digest = hashlib.sha256(backend.encode())
    for path in codebook_files() + [MINING_DIR / f for f in CODE_FILES] + [Path(m.__file__) for m in CORPUS_CODE]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]

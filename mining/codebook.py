"""Loader and checker of the codebooks researchers edit (mining/codebooks/*.yaml).

Each loader takes an optional path; without one it reads the file of that name from the
directory in the environment variable POLICYKG_CODEBOOKS when the file is there, else the
project's default in mining/codebooks/. Results are cached per file path.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from corpus.bodies import load_bodies
from corpus.gazetteer import load_gazetteer

ENV_VAR = "POLICYKG_CODEBOOKS"
DEFAULT_DIR = Path(__file__).resolve().parent / "codebooks"
INSTRUMENTS_FILE = "instruments.yaml"
ACTORS_FILE = "actors.yaml"
DISEASES_FILE = "diseases.yaml"
TERMS_FILE = "terms.yaml"
STAGES_FILE = "stages.yaml"

SIDES = ("供给型", "环境型", "需求型")
DISEASE_KINDS = ("disease", "group")
GOVERNMENT_ACTOR_TYPE = "党政机关"
EXCLUDE_WINDOW = 4   # characters either side of a synonym or pattern match searched by `exclude`
SCOPES = ("core", "extended")


@dataclass(frozen=True)
class Instrument:
    name: str
    side: str
    subcategory: str
    synonyms: tuple[str, ...]
    patterns: tuple[str, ...]
    exclude: tuple[str, ...]
    description: str
    weak: tuple[str, ...] = ()     # synonyms / patterns that count only when the classifier agrees
    scope: str = "core"            # core: coded everywhere; extended: store and graph only
    generic: tuple[str, ...] = ()  # synonyms / patterns that say little on their own (dropped with weak ones by veto)
    veto: tuple[str, ...] = ()     # clause regexes under which this instrument's weak/generic hits are dropped

    def pattern_matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, matched) of every pattern match that no `exclude` hit overlaps.

        Exclusions are searched within EXCLUDE_WINDOW characters around the match and count only
        when they overlap it: 开具处方 and 处方药 drop 具处方 / 处方药, but 运动处方，处方药 keeps 运动处方."""
        return sorted((start, end, matched) for start, end, matched, _ in self.pattern_hits(text))

    def pattern_hits(self, text: str) -> list[tuple[int, int, str, str]]:
        """pattern_matches() with the pattern that produced each match."""
        found = []
        for pattern in self.patterns:
            for match in re.finditer(pattern, text):
                if not self.excluded(text, match.start(), match.end()):
                    found.append((match.start(), match.end(), match.group(0), pattern))
        return sorted(found)

    def excluded(self, text: str, start: int, end: int) -> bool:
        """Does an `exclude` hit near text[start:end] overlap it (a synonym's or a pattern's match)?"""
        offset = max(0, start - EXCLUDE_WINDOW)
        window = text[offset: end + EXCLUDE_WINDOW]
        for ex in self.exclude:
            for hit in re.finditer(ex, window):
                if hit.start() + offset < end and start < hit.end() + offset:
                    return True
        return False


@dataclass(frozen=True)
class Actor:
    name: str
    type: str
    aliases: tuple[str, ...]
    source: str          # file the actor comes from (actors.yaml, or bodies.yaml for 党政机关)


@dataclass(frozen=True)
class Disease:
    name: str
    kind: str            # disease / group
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    name: str
    forms: tuple[str, ...]       # counted as the term (always includes the name)
    variants: tuple[str, ...]    # near-variants, reported but not counted
    description: str


@dataclass(frozen=True)
class Stage:
    name: str
    start: int
    end: int | None              # inclusive; None = to date
    description: str


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{where}: {self.message}"


# ---- paths and raw YAML ------------------------------------------------------------------

def codebook_path(filename: str, path: Path | str | None = None) -> Path:
    """The file to read: `path` when given, else POLICYKG_CODEBOOKS/filename if present, else default."""
    if path is not None:
        return Path(path).resolve()
    override = os.environ.get(ENV_VAR)
    if override and (Path(override) / filename).is_file():
        return (Path(override) / filename).resolve()
    return DEFAULT_DIR / filename


@lru_cache(maxsize=64)
def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


# ---- loaders -----------------------------------------------------------------------------

def load_instruments(path: Path | str | None = None) -> list[Instrument]:
    return list(_load_instruments(codebook_path(INSTRUMENTS_FILE, path)))


@lru_cache(maxsize=16)
def _load_instruments(path: Path) -> tuple[Instrument, ...]:
    return tuple(
        Instrument(
            name=entry["name"],
            side=entry["side"],
            subcategory=entry.get("subcategory") or "",
            synonyms=_strings(entry.get("synonyms")),
            patterns=_strings(entry.get("patterns")),
            exclude=_strings(entry.get("exclude")),
            description=entry.get("description") or "",
            weak=_strings(entry.get("weak")),
            scope=entry.get("scope") or "core",
            generic=_strings(entry.get("generic")),
            veto=_strings(entry.get("veto")),
        )
        for entry in _read_yaml(path).get("instruments", [])
    )


@dataclass(frozen=True)
class DomainContext:
    """The `context:` block of instruments.yaml: words that show a clause is about health, and words
    that show it is about another field (交警, 一带一路, 超市 …). A clause naming another field and no
    health word is out of domain: no instrument is coded there (see pipeline.DomainFilter)."""
    health: re.Pattern | None
    other: re.Pattern | None

    def names_other_field(self, text: str) -> bool:
        return self.other is not None and self.other.search(text) is not None

    def names_health(self, text: str) -> bool:
        return self.health is not None and self.health.search(text) is not None


def load_domain_context(path: Path | str | None = None) -> DomainContext:
    return _load_domain_context(codebook_path(INSTRUMENTS_FILE, path))


@lru_cache(maxsize=16)
def _load_domain_context(path: Path) -> DomainContext:
    block = _read_yaml(path).get("context") or {}

    def compiled(key: str) -> re.Pattern | None:
        words = _strings(block.get(key))
        return re.compile("|".join(sorted(words, key=len, reverse=True))) if words else None

    return DomainContext(compiled("health"), compiled("other"))


def core_instruments(path: Path | str | None = None) -> list[Instrument]:
    """The instruments of scope core: those `policykg tag` reports and the classifier learns."""
    return [i for i in load_instruments(path) if i.scope == "core"]


def load_actors(path: Path | str | None = None) -> list[Actor]:
    """Actors of actors.yaml plus every body of corpus/data/bodies.yaml as type 党政机关."""
    return list(_load_actors(codebook_path(ACTORS_FILE, path)))


@lru_cache(maxsize=16)
def _load_actors(path: Path) -> tuple[Actor, ...]:
    actors = [
        Actor(entry["name"], entry["type"], _strings(entry.get("aliases")), path.name)
        for entry in _read_yaml(path).get("actors", [])
    ]
    for body in load_bodies().values():
        actors.append(Actor(body.name, GOVERNMENT_ACTOR_TYPE, body.aliases, "bodies.yaml"))
    return tuple(actors)


def actor_types(path: Path | str | None = None) -> list[str]:
    types = _strings(_read_yaml(codebook_path(ACTORS_FILE, path)).get("types"))
    return list(types) if GOVERNMENT_ACTOR_TYPE in types else [GOVERNMENT_ACTOR_TYPE, *types]


def load_diseases(path: Path | str | None = None) -> list[Disease]:
    return list(_load_diseases(codebook_path(DISEASES_FILE, path)))


@lru_cache(maxsize=16)
def _load_diseases(path: Path) -> tuple[Disease, ...]:
    return tuple(
        Disease(entry["name"], entry["kind"], _strings(entry.get("aliases")))
        for entry in _read_yaml(path).get("entries", [])
    )


def load_terms(path: Path | str | None = None) -> list[Term]:
    return list(_load_terms(codebook_path(TERMS_FILE, path)))


@lru_cache(maxsize=16)
def _load_terms(path: Path) -> tuple[Term, ...]:
    terms = []
    for entry in _read_yaml(path).get("terms", []):
        forms = _strings(entry.get("forms"))
        if entry["name"] not in forms:
            forms = (entry["name"], *forms)
        terms.append(Term(entry["name"], forms, _strings(entry.get("variants")),
                          entry.get("description") or ""))
    return tuple(terms)


def load_stages(path: Path | str | None = None) -> list[Stage]:
    return list(_load_stages(codebook_path(STAGES_FILE, path)))


@lru_cache(maxsize=16)
def _load_stages(path: Path) -> tuple[Stage, ...]:
    stages = [
        Stage(entry["name"], int(entry["start"]),
              None if entry.get("end") is None else int(entry["end"]),
              entry.get("description") or "")
        for entry in _read_yaml(path).get("stages", [])
    ]
    return tuple(sorted(stages, key=lambda s: s.start))


def stage_of(year: int, path: Path | str | None = None) -> str:
    """Name of the stage holding `year`; on a shared boundary year the later stage; "" if none."""
    name = ""
    for stage in load_stages(path):   # sorted by start, so the last hit is the later stage
        if stage.start <= year and (stage.end is None or year <= stage.end):
            name = stage.name
    return name


def user_dictionary_words() -> list[str]:
    """Every multi-character synonym, alias, term and region name, for jieba's user dictionary.

    Region names are those the gazetteer tags in running text on their own; county short names
    and two-character names (市中, 和县) are left out, as they would split ordinary words."""
    words: set[str] = set()
    for instrument in load_instruments():
        words.update(instrument.synonyms)
    for actor in load_actors():
        words.add(actor.name)
        words.update(actor.aliases)
    for disease in load_diseases():
        words.add(disease.name)
        words.update(disease.aliases)
    for term in load_terms():
        words.update(term.forms)
        words.update(term.variants)
    words.update(load_gazetteer().standalone_names)
    return sorted(w for w in words if len(w) >= 2 and not any(ch.isspace() for ch in w))


# ---- validation --------------------------------------------------------------------------

def validate(directory: Path | str | None = None) -> list[Problem]:
    """Problems in the codebooks (of `directory`, or those the loaders would read), with file and entry."""
    def path_of(filename: str) -> Path:
        return Path(directory) / filename if directory is not None else codebook_path(filename)

    problems: list[Problem] = []
    checks = [
        (INSTRUMENTS_FILE, _check_instruments),
        (ACTORS_FILE, _check_actors),
        (DISEASES_FILE, _check_diseases),
        (TERMS_FILE, _check_terms),
        (STAGES_FILE, _check_stages),
    ]
    for filename, check in checks:
        path = path_of(filename)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            problems.append(Problem(filename, "", f"cannot read: {exc}"))
            continue
        problems.extend(check(filename, data))
    return problems


def _check_names(filename: str, entries: list[dict], required: tuple[str, ...]) -> list[Problem]:
    problems, seen = [], set()
    for i, entry in enumerate(entries):
        label = str(entry.get("name") or f"#{i + 1}")
        for key in required:
            if not entry.get(key):
                problems.append(Problem(filename, label, f"missing '{key}'"))
        if entry.get("name") in seen:
            problems.append(Problem(filename, label, "name used twice"))
        seen.add(entry.get("name"))
    return problems


def _check_unique_strings(filename: str, entries: list[dict], key: str) -> list[Problem]:
    """Each string of `key` belongs to one entry only, and is at least two characters long."""
    problems, owner = [], {}
    for entry in entries:
        label = str(entry.get("name"))
        for text in _strings(entry.get(key)):
            if len(text) < 2:
                problems.append(Problem(filename, label, f"{key} '{text}' is a single character"))
            if text in owner and owner[text] != label:
                problems.append(Problem(filename, label, f"{key} '{text}' also belongs to {owner[text]}"))
            owner.setdefault(text, label)
    return problems


def _check_regexes(filename: str, label: str, key: str, regexes: tuple[str, ...]) -> list[Problem]:
    problems = []
    for regex in regexes:
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            problems.append(Problem(filename, label, f"{key} '{regex}' is not a valid regex: {exc}"))
            continue
        if compiled.fullmatch(""):
            problems.append(Problem(filename, label, f"{key} '{regex}' matches the empty string"))
    return problems


def _check_instruments(filename: str, data: dict) -> list[Problem]:
    entries = data.get("instruments") or []
    problems = _check_names(filename, entries, ("name", "side", "subcategory"))
    problems += _check_unique_strings(filename, entries, "synonyms")
    for entry in entries:
        label = str(entry.get("name"))
        if entry.get("side") not in SIDES:
            problems.append(Problem(filename, label, f"unknown side '{entry.get('side')}' (use {', '.join(SIDES)})"))
        if not entry.get("synonyms") and not entry.get("patterns"):
            problems.append(Problem(filename, label, "neither synonyms nor patterns"))
        if (entry.get("scope") or "core") not in SCOPES:
            problems.append(Problem(filename, label, f"unknown scope '{entry.get('scope')}' (use {', '.join(SCOPES)})"))
        known = set(_strings(entry.get("synonyms"))) | set(_strings(entry.get("patterns")))
        for key in ("weak", "generic"):
            for item in _strings(entry.get(key)):
                if item not in known:
                    problems.append(Problem(filename, label, f"{key} '{item}' is neither a synonym nor a pattern"))
        problems += _check_regexes(filename, label, "veto", _strings(entry.get("veto")))
        problems += _check_regexes(filename, label, "pattern", _strings(entry.get("patterns")))
        problems += _check_regexes(filename, label, "exclude", _strings(entry.get("exclude")))
    context = data.get("context") or {}
    for key in ("health", "other"):
        problems += _check_regexes(filename, "context", key, _strings(context.get(key)))
    return problems


def _check_actors(filename: str, data: dict) -> list[Problem]:
    entries = data.get("actors") or []
    types = set(_strings(data.get("types")))
    problems = _check_names(filename, entries, ("name", "type"))
    problems += _check_unique_strings(filename, entries, "aliases")
    body_aliases = {a: b.name for b in load_bodies().values() for a in (b.name, *b.aliases)}
    for entry in entries:
        label = str(entry.get("name"))
        if entry.get("type") not in types:
            problems.append(Problem(filename, label, f"unknown type '{entry.get('type')}'"))
        if entry.get("type") == GOVERNMENT_ACTOR_TYPE:
            problems.append(Problem(filename, label, "government bodies belong in corpus/data/bodies.yaml"))
        for alias in _strings(entry.get("aliases")):
            if alias in body_aliases:
                problems.append(Problem(filename, label, f"alias '{alias}' is a body in bodies.yaml ({body_aliases[alias]})"))
    return problems


def _check_diseases(filename: str, data: dict) -> list[Problem]:
    entries = data.get("entries") or []
    problems = _check_names(filename, entries, ("name", "kind"))
    problems += _check_unique_strings(filename, entries, "aliases")
    for entry in entries:
        if entry.get("kind") not in DISEASE_KINDS:
            problems.append(Problem(filename, str(entry.get("name")), f"unknown kind '{entry.get('kind')}'"))
    return problems


def _check_terms(filename: str, data: dict) -> list[Problem]:
    entries = data.get("terms") or []
    problems = _check_names(filename, entries, ("name",))
    problems += _check_unique_strings(filename, entries, "forms")
    for entry in entries:
        label = str(entry.get("name"))
        forms = set(_strings(entry.get("forms"))) | {label}
        for variant in _strings(entry.get("variants")):
            if variant in forms:
                problems.append(Problem(filename, label, f"'{variant}' is both a form and a variant"))
    return problems


def _check_stages(filename: str, data: dict) -> list[Problem]:
    entries = data.get("stages") or []
    problems = _check_names(filename, entries, ("name", "start"))
    spans = []
    for entry in entries:
        label = str(entry.get("name"))
        start, end = entry.get("start"), entry.get("end")
        if not isinstance(start, int) or (end is not None and not isinstance(end, int)):
            problems.append(Problem(filename, label, "start and end must be years (end may be null)"))
            continue
        if end is not None and end < start:
            problems.append(Problem(filename, label, f"ends ({end}) before it starts ({start})"))
        spans.append((start, end, label))
    spans.sort()
    for (s1, e1, l1), (s2, _e2, l2) in zip(spans, spans[1:]):
        if e1 is None or e1 > s2:
            problems.append(Problem(filename, l2, f"overlaps {l1} by more than a boundary year"))
    return problems

"""Statistical multi-label clause classifier for the core (canonical) instruments, and how its
probabilities are combined with the codebook rules.

Model: TF-IDF over the segmenter's words, word pairs (the domain user dictionary keeps
家庭医生签约服务 whole) and character pairs, hashed into N_FEATURES columns, one-vs-rest logistic
regression, and a decision threshold per label tuned by 5-fold cross-validation on the training
clauses (pooled over three shuffles of the folds). The character pairs raised the written
evaluation sets (macro-F1 / side accuracy: blind 0.905/0.899 → 0.931/0.940, heldout_written_analysis
0.912/0.905 → 0.942/0.948) and left the real clauses about where they were (side accuracy:
corpus_refs_eval 0.812 both, corpus_refs_heldout_analysis 0.779 → 0.770); hashed with numpy from
code points, they cost a few % of mining time (bench/mining.py).

Training data: mining/gold/train.tsv (written for the project) and the clauses of ../shared/corpus
labelled by reference in mining/gold/corpus_refs.jsonl. The corpus text may not enter the
repository, so the trained model ships instead (mining/models/instruments.npz: hashed column
numbers, idf and weights, no word of any text): every machine tags with the model trained on the
real clauses, with or without ../shared. `policykg train-classifier` rebuilds it; a test fails
when the training files or the instrument codebook changed since. A researcher who edits them
without ../shared gets a model retrained here on what is available (cached under
~/.cache/policykg, with a warning that the real clauses are missing). The development and
evaluation gold files are never read here.

Combination with the rules (combine()):
- a strong codebook hit is kept as it is (score 1.0);
- a weak hit (the codebook's `weak:` list: 试点, 监测, X处方 …) is kept only when the model gives its
  instrument at least CONFIRM; its score is then the model's probability;
- an instrument the rules did not find is added when the model's probability reaches the label's
  threshold, with source "model:<name>", the probability as score, and as evidence the words that
  weigh most for the label in that clause.
The probability of a long clause of several sentences is, per label, the highest of the clause's and
its sentences' (ClauseClassifier.score), and the evidence is sought in the sentence that gave it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from mining import codebook
from mining.pipeline import Match

log = logging.getLogger(__name__)

GOLD_DIR = Path(__file__).resolve().parent / "gold"
TRAIN_FILE = GOLD_DIR / "train.tsv"
CORPUS_REFS_FILE = GOLD_DIR / "corpus_refs.jsonl"
# ../shared beside the repository, or $POLICYKG_SHARED (as for the tests and benchmarks)
SHARED_CORPUS = Path(os.environ.get("POLICYKG_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "corpus"
MODEL_FILE = Path(__file__).resolve().parent / "models" / "instruments.npz"
CACHE_ENV = "POLICYKG_CACHE"
MODEL_NAME = "tfidf-lr"
MODEL_VERSION = "hashed-tfidf-lr-8"   # part of training_key(): bump when training changes
N_FEATURES = 2 ** 20                  # hashed feature columns
CONFIRM = 0.3                     # a weak rule hit needs at least this probability
MIN_POSITIVES = 3                 # labels with fewer training clauses get no model
INVERSE_REGULARISATION = 60.0    # C of the logistic regressions (best: 10 at 1,800 training clauses, 30 at 2,300, 60 at 2,800)
CV_REPEATS = 3                    # shuffles of the 5 folds whose held-out probabilities set the thresholds
# Model-only tags need at least 0.6: the training folds favour the floor of the grid, but on the
# independent gold sets the model-only tags scoring 0.5-0.6 were right 11 times of 37.
THRESHOLD_GRID = np.round(np.arange(0.6, 0.91, 0.05), 2)
LONG_CLAUSE_CHARS = 90            # a clause this long is also judged sentence by sentence (ClauseClassifier.score)
MIN_SENTENCE_CHARS = 8            # shorter sentences (a heading number, 一是) are not judged alone
EVIDENCE_CANDIDATES = 5           # heaviest features looked at for a model tag's evidence words
_SENTENCE_END_TOKENS = frozenset("。；！？;!?")
_SENTENCE_END_CODES = np.array(sorted(map(ord, _SENTENCE_END_TOKENS)))


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    origin: str                   # train.tsv:<line> or corpus:<file>:<start>-<end>

    @property
    def from_corpus(self) -> bool:
        return self.origin.startswith("corpus:")


# ---- training data -----------------------------------------------------------------------

def read_train_tsv(path: Path | None = None) -> list[Example]:
    """Lines "label,label<TAB>clause" ("-" for none); blank lines and lines starting with # skipped."""
    path = path or TRAIN_FILE
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, text = line.split("\t", 1)
        names = tuple(sorted({n.strip() for n in labels.split(",") if n.strip() and n.strip() != "-"}))
        examples.append(Example(text.strip(), names, f"{path.name}:{number}"))
    return examples


def corpus_text(file: str, corpus: Path = SHARED_CORPUS) -> str | None:
    """The normalised text of a corpus file as the store has it (corpus.readers.read_file(path).text),
    which is what reference offsets point into; None when the file is absent."""
    return _corpus_text(str(Path(corpus).resolve() / file))


@lru_cache(maxsize=64)
def _corpus_text(path: str) -> str | None:
    from corpus.readers import ReadError, read_file

    try:
        return read_file(Path(path)).text
    except ReadError:
        return None


def resolve_corpus_ref(ref: dict, corpus: Path = SHARED_CORPUS) -> str | None:
    """The clause a reference {"file", "start", "end", "sha1"?} points at, or None when the corpus
    file is absent or changed (its sha1 no longer matches)."""
    text = corpus_text(ref["file"], corpus)
    if text is None:
        return None
    clause = text[ref["start"]:ref["end"]]
    if ref.get("sha1") and hashlib.sha1(clause.encode()).hexdigest()[:10] != ref["sha1"]:
        return None
    return clause


def read_corpus_refs(path: Path | None = None, corpus: Path = SHARED_CORPUS) -> list[Example]:
    """Clauses of the shared corpus labelled by reference: {"file", "start", "end", "sha1",
    "instruments"} with offsets into the file's normalised text (corpus.readers.read_file(path).text,
    the document text the store keeps); skipped when the corpus is absent or the file changed.
    Only the training half lives in corpus_refs.jsonl; the evaluation half (corpus_refs_eval.jsonl,
    other documents) is never read here."""
    path = path or CORPUS_REFS_FILE
    if not path.exists() or not Path(corpus).is_dir():
        return []
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        ref = json.loads(line)
        clause = resolve_corpus_ref(ref, corpus)
        if clause is None:
            continue
        examples.append(Example(clause, tuple(sorted(ref["instruments"])),
                                f"corpus:{ref['file']}:{ref['start']}-{ref['end']}"))
    return examples


def training_examples() -> list[Example]:
    return read_train_tsv() + read_corpus_refs()


# ---- the model ---------------------------------------------------------------------------

def _word_features(tokens: Sequence[str]) -> list[str]:
    """Words, word pairs (a|b) and character pairs (#ab) of the clause's tokens. The character pairs
    see inside words the segmenter keeps whole (医防融合办公室 shares 办公 with 公共卫生办公室) and
    across its splits. This is the definition; _hashed_counts computes the same counts faster."""
    words = _words(tokens)
    text = "".join(words)
    return (words + [a + "|" + b for a, b in zip(words, words[1:])]
            + ["#" + text[i:i + 2] for i in range(len(text) - 1)])


def _words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t and not t.isspace()]


def _hashed_counts(tokens: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Counts of each text's features (_word_features) in N_FEATURES hashed columns."""
    rows, columns = _hashed_entries(tokens)
    return sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(tokens), N_FEATURES))


def _hashed_entries(tokens: Sequence[Sequence[str]], sentences: bool = False) -> tuple:
    """Row and hashed column of every feature of a batch of texts, computed for the whole batch at
    once. Hashing keeps the shipped model free of any word of the corpus: it holds column numbers
    and weights only. A word's column is the murmurhash of the word (memoised); a pair's, word pair
    or character pair, is computed with numpy from the columns or code points of its two halves:
    building the pairs as strings took longer than the rest of the classifier. With `sentences`, a
    third item tells the sentence of every entry (_Sentences)."""
    words = [_words(t) for t in tokens]
    flat = [w for ws in words for w in ws]
    word_columns = np.array(_word_columns(flat), dtype=np.int64)
    word_rows, word_pairs = _rows_and_pairs([len(ws) for ws in words])
    texts = ["".join(ws) for ws in words]
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    char_rows, char_pairs = _rows_and_pairs([len(t) for t in texts])
    rows = np.concatenate([word_rows, word_rows[word_pairs], char_rows[char_pairs]])
    columns = np.concatenate([word_columns,
                              _pair_columns(word_columns[word_pairs], word_columns[word_pairs + 1], _WORD_PAIR),
                              _pair_columns(codes[char_pairs], codes[char_pairs + 1], _CHAR_PAIR)])
    if not sentences:
        return rows, columns
    return rows, columns, _entry_sentences(flat, codes, word_rows, word_pairs, char_pairs)


class _Sentences(NamedTuple):
    of_entry: np.ndarray     # each entry's sentence, numbered across the batch; -1 for a pair spanning two
    chars: np.ndarray        # each sentence's characters (whitespace left out)
    row: np.ndarray          # each sentence's clause


def _entry_sentences(flat: list[str], codes: np.ndarray, word_rows: np.ndarray, word_pairs: np.ndarray,
                     char_pairs: np.ndarray) -> _Sentences:
    """Sentences end after 。；！？ (vectorised: a sentence starts at a clause's first word and after
    every word that is one of those marks; `codes` are the code points of the words laid end to end)."""
    lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    first_char = np.cumsum(lengths) - lengths
    ends = (lengths == 1) & np.isin(codes[first_char], _SENTENCE_END_CODES)
    starts = np.ones(len(flat), dtype=bool)
    starts[1:] = ends[:-1] | (word_rows[1:] != word_rows[:-1])
    word_sentence = np.cumsum(starts) - 1
    char_sentence = np.repeat(word_sentence, lengths)

    def of_pairs(sentence: np.ndarray, first: np.ndarray) -> np.ndarray:
        return np.where(sentence[first] == sentence[first + 1], sentence[first], -1)

    of_entry = np.concatenate([word_sentence, of_pairs(word_sentence, word_pairs), of_pairs(char_sentence, char_pairs)])
    return _Sentences(of_entry, np.bincount(word_sentence, weights=lengths).astype(np.int64), word_rows[starts])


def _sentences_judged_alone(sentences: _Sentences, n_clauses: int) -> tuple[np.ndarray, np.ndarray]:
    """Which sentences ClauseClassifier.score judges alone: those of MIN_SENTENCE_CHARS or more
    in a clause of LONG_CLAUSE_CHARS or more that has two of them at least. Returns each sentence's
    row among the judged ones (-1 if not judged) and each judged row's clause."""
    clause_chars = np.bincount(sentences.row, weights=sentences.chars, minlength=n_clauses)
    candidate = (sentences.chars >= MIN_SENTENCE_CHARS) & (clause_chars[sentences.row] >= LONG_CLAUSE_CHARS)
    per_clause = np.bincount(sentences.row[candidate], minlength=n_clauses)
    judged = candidate & (per_clause[sentences.row] >= 2)
    index = np.full(len(judged), -1, dtype=np.int64)
    index[judged] = np.arange(int(judged.sum()))
    return index, sentences.row[judged]


def _rows_and_pairs(lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """For items laid end to end in rows of these lengths: each item's row, and the positions where a
    pair starts (every item but the last of its row)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.ones(len(rows), dtype=bool)
    starts[np.cumsum(lengths)[lengths > 0] - 1] = False
    return rows, np.flatnonzero(starts)


_WORD_COLUMNS: dict[str, int] = {}     # memo: word -> its column
WORD_MEMO_LIMIT = 1_000_000            # words; emptied beyond (numbers and names make the vocabulary open)


def _word_columns(words: list[str]) -> list[int]:
    """Each word's column: the one scikit-learn's FeatureHasher gives it (murmurhash3), memoised."""
    known = _WORD_COLUMNS.get
    columns = list(map(known, words))
    if None in columns:
        if len(_WORD_COLUMNS) > WORD_MEMO_LIMIT:
            _WORD_COLUMNS.clear()
        new = sorted(set(words) - _WORD_COLUMNS.keys())
        hashed = _hasher().transform([w] for w in new)          # one column per row, in order
        _WORD_COLUMNS.update(zip(new, hashed.indices.tolist()))
        columns = list(map(known, words))
    return columns


@lru_cache(maxsize=1)
def _hasher():
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)


_WORD_PAIR, _CHAR_PAIR = 1, 2     # kinds of pair, so that the two kinds fall in different columns


def _pair_columns(first: np.ndarray, second: np.ndarray, kind: int) -> np.ndarray:
    """Columns of pairs of word columns or of code points (both < 2**21): the pair as one number,
    mixed by splitmix64's finaliser, its top bits."""
    x = (np.uint64(kind) << np.uint64(42)) | (first.astype(np.uint64) << np.uint64(21)) | second.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    bits = N_FEATURES.bit_length() - 1                 # N_FEATURES is a power of two
    return (x >> np.uint64(64 - bits)).astype(np.int64)


def _feature_at(tokens: Sequence[str], index: int) -> str:
    """The feature (_word_features notation) of one clause's entry `index` of _hashed_entries, which
    lists them in _word_features order (words, word pairs, character pairs): computed alone, as
    the evidence needs one feature of a long clause."""
    words = _words(tokens)
    if index < len(words):
        return words[index]
    index -= len(words)
    if index < len(words) - 1:
        return words[index] + "|" + words[index + 1]
    index -= len(words) - 1
    return "#" + "".join(words)[index:index + 2]


def _preload_sklearn() -> None:
    """Called when a model is loaded (read_model), so that forked mining workers inherit scikit-learn
    already imported (by the FeatureHasher) instead of each importing it (about a second) on its
    first clause."""
    _hasher()


class _Entries(NamedTuple):
    """Hashed feature entries of a batch (_hashed_entries): each entry's row and column."""
    rows: np.ndarray
    hashed: np.ndarray

    def of_row(self, row: int) -> np.ndarray:
        """The columns of one row's entries, in _word_features order (as _hashed_entries of its tokens alone)."""
        return self.hashed[self.rows == row]


@dataclass
class BatchScores:
    """The classifier's view of a batch of clauses (ClauseClassifier.score)."""
    probs: np.ndarray                                   # (clauses, labels)
    features: sp.csr_matrix | None = None               # a row per clause
    sentence_features: sp.csr_matrix | None = None      # a row per sentence judged alone
    sentence_number: np.ndarray | None = None           # each such sentence's number within its clause
    source: np.ndarray | None = None                    # (clauses, labels): the sentence behind the probability, -1: the clause
    entries: _Entries | None = None                     # the hashed features behind `features`, for the evidence
    sentence_entries: _Entries | None = None            # the same behind `sentence_features`


def _take_higher(scores: BatchScores, owner: np.ndarray, sentence_probs: np.ndarray) -> None:
    """Raise each clause's probabilities to the highest of its sentences' (owner: each sentence's
    clause, non-decreasing) and note in scores.source which sentence gave them."""
    starts_group = np.r_[True, owner[1:] != owner[:-1]]
    first, group = np.flatnonzero(starts_group), np.cumsum(starts_group) - 1
    best = np.maximum.reduceat(sentence_probs, first, axis=0)
    rows = np.arange(len(owner))[:, None]
    best_row = np.minimum.reduceat(np.where(sentence_probs == best[group], rows, len(owner)), first, axis=0)
    clauses = owner[first]
    higher = best > scores.probs[clauses]
    scores.probs[clauses] = np.where(higher, best, scores.probs[clauses])
    scores.source[clauses] = np.where(higher, best_row, -1)


@dataclass
class ClauseClassifier:
    name: str
    labels: list[str]
    thresholds: dict[str, float]
    columns: np.ndarray = field(repr=False)     # sorted hashed columns seen in training
    idf: np.ndarray = field(repr=False)         # their inverse document frequencies
    weights: np.ndarray = field(repr=False)     # (len(columns), n_labels): every label's coefficients
    intercepts: np.ndarray = field(repr=False)
    training_key: str = ""                      # training_key() of the data it was trained on
    real_clauses: int = 0                       # corpus clauses (by reference) among its training data

    def features(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Sublinear TF-IDF over the training columns, rows L2-normalised (TfidfVectorizer's
        transform with sublinear_tf=True; words never seen in training are left out)."""
        rows, hashed = _hashed_entries(tokens)
        return self._tfidf_rows(rows, hashed, len(tokens))

    def _tfidf_rows(self, rows: np.ndarray, hashed: np.ndarray, n_rows: int) -> sp.csr_matrix:
        columns = self.column_index[hashed]
        seen = columns >= 0
        counts = sp.csr_matrix((np.ones(int(seen.sum())), (rows[seen], columns[seen])),
                               shape=(n_rows, len(self.columns)))
        return _tfidf(counts, self.idf)

    @cached_property
    def column_index(self) -> np.ndarray:
        return _column_index(self.columns)

    @cached_property
    def label_index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    @cached_property
    def threshold_vector(self) -> np.ndarray:
        return np.array([self.thresholds[label] for label in self.labels])

    def predict_proba(self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        """(n_texts, n_labels) probabilities; one vectorised call for the whole batch."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        if tokens is None:
            tokens = segment_all(texts)
        return self.proba(self.features(texts, tokens))

    def score(self, tokens: Sequence[Sequence[str]]) -> BatchScores:
        """Probabilities of each clause, where a long clause of several sentences (a work report's
        paragraph, a law article) gets for each label the highest of its own probability and its
        sentences': the training clauses are mostly one sentence, and in a paragraph of ten the
        words of one measure are drowned (corpus_refs_heldout_analysis macro-F1 0.548 → 0.613,
        written_long 0.915 → 0.937; short clauses are unchanged). One hashing pass serves both."""
        rows, hashed, sentences = _hashed_entries(tokens, sentences=True)
        features = self._tfidf_rows(rows, hashed, len(tokens))
        probs = self.proba(features)
        scores = BatchScores(probs, features, source=np.full(probs.shape, -1, dtype=np.int64),
                             entries=_Entries(rows, hashed))
        judged, owner = _sentences_judged_alone(sentences, len(tokens))
        if len(owner):
            keep = sentences.of_entry >= 0
            keep[keep] = judged[sentences.of_entry[keep]] >= 0
            scores.sentence_entries = _Entries(judged[sentences.of_entry[keep]], hashed[keep])
            scores.sentence_features = self._tfidf_rows(*scores.sentence_entries, len(owner))
            # a sentence's number within its clause: its index less that of its clause's first sentence
            number = np.arange(len(sentences.row)) - np.searchsorted(sentences.row, sentences.row)
            scores.sentence_number = number[judged >= 0]
            _take_higher(scores, owner, self.proba(scores.sentence_features))
        return scores

    def proba(self, features: sp.csr_matrix) -> np.ndarray:
        """The one-vs-rest logistic probabilities as one sparse product."""
        scores = np.asarray(features @ self.weights) + self.intercepts
        return 1.0 / (1.0 + np.exp(-scores))

    def evidence(self, features: sp.csr_matrix, row: int, label_index: int, tokens: Sequence[str],
                 entries: _Entries | None = None) -> str:
        """The word (or word pair) of the clause that weighs most for the label; a one-character
        word (将, 对, 为) shows a reader nothing, so the next heaviest feature of two characters or
        more is taken when one of the EVIDENCE_CANDIDATES heaviest is. `entries`, the batch's hashed
        entries, spare hashing the clause's tokens again."""
        start, end = features.indptr[row], features.indptr[row + 1]
        columns, values = features.indices[start:end], features.data[start:end]
        if not len(columns):
            return ""
        contributions = values * self.weights[columns, label_index]
        hashed = _hashed_entries([tokens])[1] if entries is None else entries.of_row(row)
        first = ""
        for i in np.argsort(-contributions, kind="stable")[:EVIDENCE_CANDIDATES]:
            if contributions[i] <= 0:
                break
            at = np.flatnonzero(hashed == self.columns[columns[i]])
            if not len(at):
                continue
            cue = _feature_at(tokens, int(at[0])).replace("|", "").lstrip("#")
            if len(cue) >= 2:
                return cue
            first = first or cue
        return first


def _keep_columns(counts: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
    """counts restricted to `columns` (sorted), renumbered 0..len(columns)-1."""
    at = np.searchsorted(columns, counts.indices)
    known = at < len(columns)
    known[known] = columns[at[known]] == counts.indices[known]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    return sp.csr_matrix((counts.data[known], (rows[known], at[known])), shape=(counts.shape[0], len(columns)))


def _column_index(columns: np.ndarray) -> np.ndarray:
    """For each of the N_FEATURES hashed columns: its number among `columns` (sorted), or -1."""
    index = np.full(N_FEATURES, -1, dtype=np.int32)
    index[columns] = np.arange(len(columns), dtype=np.int32)
    return index


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF, rows L2-normalised (sklearn's normalize, without its checks: it is called
    on every batch)."""
    x = counts.astype(np.float64)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    x.data /= np.sqrt(np.bincount(rows, weights=x.data ** 2, minlength=x.shape[0]))[rows]
    return x


def segment_all(texts: Sequence[str]) -> list[list[str]]:
    from mining.segment import default_segmenter

    segmenter = default_segmenter()
    return [segmenter.cut(t) for t in texts]


def train(examples: list[Example], labels: list[str], key: str = "") -> ClauseClassifier:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    texts = [e.text for e in examples]
    y_all = np.array([[label in e.labels for label in labels] for e in examples], dtype=int)
    known = [i for i, _ in enumerate(labels) if y_all[:, i].sum() >= MIN_POSITIVES]
    labels, y = [labels[i] for i in known], y_all[:, known]

    counts = _hashed_counts(segment_all(texts))
    columns = np.unique(counts.indices)
    counts = _keep_columns(counts, columns)
    document_frequency = np.bincount(counts.indices, minlength=len(columns))
    idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0       # TfidfVectorizer's smooth idf
    x = _tfidf(counts, idf)

    def estimator():
        return OneVsRestClassifier(LogisticRegression(C=INVERSE_REGULARISATION, class_weight="balanced", max_iter=2000,
                                                      solver="liblinear"))

    # Thresholds from held-out probabilities pooled over CV_REPEATS shuffles of the folds: one split
    # alone moved the written evaluation sets by up to 0.01 macro-F1 from seed to seed.
    held_out = np.vstack([cross_val_predict(estimator(), x, y, method="predict_proba",
                                            cv=KFold(n_splits=5, shuffle=True, random_state=seed))
                          for seed in range(CV_REPEATS)])
    strong, weak = (np.vstack([hits] * CV_REPEATS) for hits in _rule_hits(texts, labels))
    truth = np.vstack([y] * CV_REPEATS)
    thresholds = {label: _best_threshold(truth[:, i], held_out[:, i], strong[:, i], weak[:, i])
                  for i, label in enumerate(labels)}
    model = estimator().fit(x, y)
    weights = np.column_stack([e.coef_.ravel() for e in model.estimators_])
    intercepts = np.array([e.intercept_[0] for e in model.estimators_])
    real = sum(e.from_corpus for e in examples)
    return _as_stored(ClauseClassifier(f"{MODEL_NAME}@{key[:8]}", labels, thresholds, columns, idf, weights,
                                       intercepts, key, real))


def _rule_hits(texts: list[str], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text and label: does a strong codebook hit fire; does a weak one."""
    from mining.pipeline import CodebookMatcher, DomainFilter

    entries, pattern_instruments, excluding = _instrument_entries()
    matcher = CodebookMatcher(entries, pattern_instruments, with_regions=False, with_bodies=False, excluding=excluding)
    domain = DomainFilter()
    index = {label: i for i, label in enumerate(labels)}
    strong = np.zeros((len(texts), len(labels)), dtype=bool)
    weak = np.zeros_like(strong)
    for row, text in enumerate(texts):
        for m in domain(text, matcher(text)):
            if m.label in index:
                (weak if m.weak else strong)[row, index[m.label]] = True
    return strong, weak


def _instrument_entries():
    from mining.pipeline import CodebookMatcher

    full = CodebookMatcher.from_codebooks()
    entries = {}
    for surface, targets in full.automaton.items():
        kept = [t for t in targets if t.kind == "instrument"]
        if kept:
            entries[surface] = kept
    return entries, full.pattern_instruments, full.excluding


def _best_threshold(truth: np.ndarray, probs: np.ndarray, strong: np.ndarray, weak: np.ndarray) -> float:
    """The threshold with the best F1 of the combination (rules + model, as in combine()) on
    held-out folds. When several thresholds tie (common: the rules already find most training
    positives), the middle of the tied range, so the model neither floods nor falls silent."""
    base = strong | (weak & (probs >= CONFIRM))
    scores = []
    for t in THRESHOLD_GRID:
        predicted = base | (probs >= t)
        tp = int((predicted & (truth == 1)).sum())
        denominator = int(predicted.sum()) + int(truth.sum())
        scores.append(2 * tp / denominator if denominator else 0.0)
    best = max(scores)
    tied = [float(t) for t, f1 in zip(THRESHOLD_GRID, scores) if f1 >= best - 1e-9]
    return round(float(np.median(tied)), 2)


# ---- the shipped model, and the cache -----------------------------------------------------------

def training_key() -> str:
    """Names the training data: the labelled files, the codebook (its rules set the thresholds) and
    MODEL_VERSION (bump it when training changes). Computed from the files themselves, so it is the
    same with or without ../shared, and with either line ending (a Windows checkout may turn LF
    into CRLF)."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for path in (TRAIN_FILE, CORPUS_REFS_FILE, codebook.codebook_path(codebook.INSTRUMENTS_FILE)):
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") if path.exists() else b"")
    return digest.hexdigest()


def _as_stored(model: ClauseClassifier) -> ClauseClassifier:
    """The model as the .npz file keeps it (weights in float16), so that a model trained here and
    the same model read back from a file give the same tags. In memory the weights are float64, the
    features' type: a float32 matrix would be copied to float64 by every product (a few ms each)."""
    model.columns = model.columns.astype(np.int32)
    model.idf = model.idf.astype(np.float32)
    model.weights = model.weights.astype(np.float16).astype(np.float64)
    model.intercepts = model.intercepts.astype(np.float32)
    return model


def save_model(model: ClauseClassifier, path: Path) -> None:
    meta = {"name": model.name, "labels": model.labels, "thresholds": model.thresholds,
            "training_key": model.training_key, "real_clauses": model.real_clauses, "n_features": N_FEATURES}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, columns=model.columns, idf=model.idf, weights=model.weights.astype(np.float16),
                        intercepts=model.intercepts, meta=np.array(json.dumps(meta, ensure_ascii=False)))
    tmp.replace(path)


def read_model(path: Path) -> ClauseClassifier:
    _preload_sklearn()
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta["n_features"] != N_FEATURES:
            raise ValueError(f"{path}: hashed into {meta['n_features']} columns, this code uses {N_FEATURES}")
        return ClauseClassifier(meta["name"], meta["labels"], meta["thresholds"], data["columns"], data["idf"],
                                data["weights"].astype(np.float64), data["intercepts"], meta["training_key"],
                                meta["real_clauses"])


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "policykg")


@lru_cache(maxsize=1)
def load_classifier() -> ClauseClassifier:
    """The shipped model (mining/models/) when it was trained on the training data as it is now;
    otherwise (a researcher edited train.tsv or the codebook) a model trained here on what is
    available, cached under ~/.cache/policykg. Without ../shared that retraining cannot read the
    real clauses of corpus_refs.jsonl and says so."""
    key = training_key()
    if MODEL_FILE.exists():
        shipped = read_model(MODEL_FILE)
        if shipped.training_key == key:
            return shipped
    examples = training_examples()
    real = sum(e.from_corpus for e in examples)
    path = cache_dir() / f"classifier-{key[:16]}-{real}.npz"
    if path.exists():
        try:
            return read_model(path)
        except (OSError, ValueError, KeyError):     # a corrupt or foreign cache file is simply rebuilt
            path.unlink(missing_ok=True)
    missing = _corpus_ref_count() - real
    if missing:
        log.warning("training the clause classifier without %d real clauses of corpus_refs.jsonl: %s is absent "
                    "or changed (the shipped model, trained with them, no longer matches the training files)",
                    missing, SHARED_CORPUS)
    model = train(examples, [i.name for i in codebook.core_instruments()], key)
    save_model(model, path)
    return model


def _corpus_ref_count() -> int:
    """Clauses labelled by reference in corpus_refs.jsonl, readable here or not."""
    if not CORPUS_REFS_FILE.exists():
        return 0
    return sum(1 for line in CORPUS_REFS_FILE.read_text(encoding="utf-8").splitlines() if line.strip())


def _unresolved_refs() -> int:
    return _corpus_ref_count() - len(read_corpus_refs())


def write_shipped_model(path: Path = MODEL_FILE) -> ClauseClassifier:
    """Train on all the training data and write the model that ships with the project. Refuses when a
    real clause cannot be read: the shipped model must carry every labelled clause."""
    missing = _unresolved_refs()
    if missing:
        raise FileNotFoundError(f"{missing} clauses of {CORPUS_REFS_FILE.name} cannot be read from {SHARED_CORPUS} "
                                "(set POLICYKG_SHARED to the directory holding corpus/)")
    model = train(training_examples(), [i.name for i in codebook.core_instruments()], training_key())
    save_model(model, path)
    load_classifier.cache_clear()
    return model


# ---- combination with the rules --------------------------------------------------------------

def combine(text: str, tokens: Sequence[str], matches: list[Match], scores: BatchScores | None,
            classifier: ClauseClassifier | None, row: int = 0) -> list[Match]:
    """Rule matches of one clause plus the model's view of it (see the module docstring); `row` is
    the clause's row in the batch's scores."""
    if classifier is None or scores is None:       # the codebook alone: every hit counts
        return matches
    probs = scores.probs[row]
    kept, found = [], set()
    for m in matches:
        if m.kind != "instrument":
            kept.append(m)
        elif not m.weak:
            kept.append(m)
            found.add(m.label)
        else:
            index = classifier.label_index.get(m.label)
            if index is None or probs[index] >= CONFIRM:
                kept.append(_with_score(m, 1.0 if index is None else float(probs[index])))
                found.add(m.label)
    for index in np.flatnonzero(probs >= classifier.threshold_vector):
        label = classifier.labels[index]
        if label in found:
            continue
        start, end = _model_evidence(text, tokens, classifier, scores, row, index)
        side = next((i.side for i in codebook.load_instruments() if i.name == label), "")
        kept.append(Match("instrument", label, side, start, end, text[start:end],
                          f"model:{classifier.name}", round(float(probs[index]), 4)))
    return sorted(kept, key=lambda m: (m.start, m.kind, m.label))


def _model_evidence(text: str, tokens: Sequence[str], classifier: ClauseClassifier, scores: BatchScores,
                    row: int, label_index: int) -> tuple[int, int]:
    """Span of the words that weigh most for the label, in the sentence its probability came from
    (or the clause); the whole sentence (or clause) when no word weighs for it."""
    sentence = -1 if scores.source is None else int(scores.source[row, label_index])
    if sentence < 0:
        cue = (classifier.evidence(scores.features, row, label_index, tokens, scores.entries)
               if scores.features is not None else "")
        return _evidence_span(text, tokens, cue)
    sentence_tokens, offset = _sentence_tokens(tokens, int(scores.sentence_number[sentence]))
    cue = classifier.evidence(scores.sentence_features, sentence, label_index, sentence_tokens, scores.sentence_entries)
    start, end = _evidence_span(text[offset:offset + sum(map(len, sentence_tokens))], sentence_tokens, cue)
    return start + offset, end + offset


def _sentence_tokens(tokens: Sequence[str], number: int) -> tuple[list[str], int]:
    """The tokens of a clause's sentence `number` as _entry_sentences counts them (a sentence starts
    at the first word and after a word that ends one; whitespace starts nothing), and where it starts."""
    found, offset, at, starting = -1, 0, 0, True
    out: list[str] = []
    for token in tokens:
        if token and not token.isspace():          # a word, as _words counts them
            if starting:
                found += 1
                starting = False
                if found == number:
                    offset = at
                elif found > number:
                    break
            starting = token in _SENTENCE_END_TOKENS
        if found == number:
            out.append(token)
        at += len(token)
    return out, offset


def _with_score(m: Match, score: float) -> Match:
    return Match(m.kind, m.label, m.category, m.start, m.end, m.matched, m.source, round(score, 4), m.weak)


def _evidence_span(text: str, tokens: Sequence[str], cue: str) -> tuple[int, int]:
    """The cue's first occurrence widened to whole tokens (like spaCy's alignment_mode="expand");
    the whole clause when there is no cue."""
    at = text.find(cue) if cue else -1
    if at < 0:
        return 0, len(text)
    start, end, offset = at, at + len(cue), 0
    for token in tokens:
        token_end = offset + len(token)
        if offset <= at < token_end:
            start = offset
        if offset < at + len(cue) <= token_end:
            end = token_end
            break
        offset = token_end
    return start, end

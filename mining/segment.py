"""Word segmentation: jieba (reference) or rjieba (jieba-rs: same algorithm and dictionary, compiled),
both loaded with the domain user dictionary generated from the codebooks.

Pitfalls handled here:
- a user-dictionary entry *replaces* the built-in frequency, so every domain word gets at least the
  frequency that keeps it whole (``suggest_freq``) and a floor high enough to beat its neighbours;
- HMM new-word guessing is off: with a good dictionary it lowers accuracy;
- jieba's ``enable_parallel`` is never used (it would silently ignore the user dictionary).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

MIN_FREQ = 2000
BACKENDS = ("rjieba", "jieba")


class Segmenter:
    def __init__(self, words: Iterable[str], backend: str = "rjieba"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown segmenter backend {backend!r}; choose one of {BACKENDS}")
        self.backend = backend
        self.words = sorted({w for w in words if len(w) >= 2})
        self._impl = _load_rjieba(self.words) if backend == "rjieba" else _load_jieba(self.words)

    def cut(self, text: str) -> list[str]:
        if self.backend == "rjieba":
            return self._impl.cut(text, False)
        return self._impl.lcut(text, HMM=False)


def _load_jieba(words: list[str]):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word, freq=max(tokenizer.suggest_freq(word, False), MIN_FREQ))
    return tokenizer


def _load_rjieba(words: list[str]):
    import rjieba

    tokenizer = rjieba.Jieba()
    for word in words:
        tokenizer.add_word(word, max(tokenizer.suggest_freq(word), MIN_FREQ), None)
    return tokenizer


@lru_cache(maxsize=4)
def default_segmenter(backend: str = "rjieba") -> Segmenter:
    from mining.codebook import user_dictionary_words

    return Segmenter(user_dictionary_words(), backend)


def token_agreement(texts: Iterable[str], words: Iterable[str] | None = None) -> tuple[float, int]:
    """Share of jieba's tokens (as character spans) that rjieba produces too, both with the same
    user dictionary (the codebooks' by default) and HMM off; and jieba's token count."""
    if words is None:
        from mining.codebook import user_dictionary_words
        words = user_dictionary_words()
    words = list(words)
    reference, compiled = Segmenter(words, "jieba"), Segmenter(words, "rjieba")
    same = total = 0
    for text in texts:
        want = _spans(reference.cut(text))
        same += len(want & _spans(compiled.cut(text)))
        total += len(want)
    return (same / total if total else 1.0), total


def _spans(tokens: list[str]) -> set[tuple[int, int]]:
    out, at = set(), 0
    for token in tokens:
        out.add((at, at + len(token)))
        at += len(token)
    return out

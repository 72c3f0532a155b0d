"""Finding many fixed words in Chinese text at once: an Aho–Corasick automaton (pyahocorasick) that
reads the text as UTF-32 code units.

pyahocorasick looks up a node's children one by one, so the automaton slows down with the number of
distinct characters a node branches on: over the gazetteer's place names (881 first characters) it
read about 4 MB of text per second. Keys and text are therefore spelled in UTF-32 (big-endian, each
byte as one latin-1 character): four steps per character, each among at most 256 children, which
read the same text about five times faster with the same matches.

A match must start on a character boundary. Every key is a whole number of characters, so a match
whose end is on a boundary starts on one; the others are dropped. A match off the boundaries would
need the text to hold U+0000 or plain ASCII letters spelling a key made only of characters such as
一 (U+4E00) whose low byte is zero, and iter_long could then hide a real match behind it; keys made
only of such characters are refused.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import ahocorasick

V = TypeVar("V")
WIDTH = 4      # UTF-32: four code units (bytes) per character


def _spell(text: str) -> str:
    return text.encode("utf-32-be").decode("latin-1")


class WordFinder(Generic[V]):
    """Words mapped to values; finds them in a text with offsets in characters."""

    def __init__(self, items: Iterable[tuple[str, V]]):
        self._automaton = ahocorasick.Automaton()
        self._words: dict[str, V] = {}
        for word, value in items:
            if not word:
                continue
            if all(ord(c) & 0xFF == 0 for c in word):
                raise ValueError(f"{word!r}: a word made only of characters whose low byte is zero cannot be "
                                 "found reliably (see corpus/wordfinder.py)")
            self._words[word] = value
            self._automaton.add_word(_spell(word), word)
        if self._words:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def items(self) -> Iterable[tuple[str, V]]:
        return self._words.items()

    def iter(self, text: str) -> Iterator[tuple[int, int, str, V]]:
        """Every occurrence of every word, overlaps included: (start, end, word, value), by end."""
        return self._found(text, longest=False)

    def iter_long(self, text: str) -> Iterator[tuple[int, int, str, V]]:
        """Left to right, the longest word at each place, without overlaps (pyahocorasick's iter_long)."""
        return self._found(text, longest=True)

    def _found(self, text: str, longest: bool) -> Iterator[tuple[int, int, str, V]]:
        if not self._words:
            return
        spelled = _spell(text)
        hits = self._automaton.iter_long(spelled) if longest else self._automaton.iter(spelled)
        for last, word in hits:
            if (last + 1) % WIDTH == 0:
                end = (last + 1) // WIDTH
                yield end - len(word), end, word, self._words[word]

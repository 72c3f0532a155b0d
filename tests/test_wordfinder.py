import ahocorasick
import pytest

from corpus.wordfinder import WordFinder

WORDS = ["温州", "温州市", "浙江省", "州市", "广东", "医共体", "县域医共体", "AB", "😀健康", "一二"]
# an example text mixing CJK, ASCII, a non-BMP character and U+4E00 (一), whose low byte is zero
TEXT = "浙江省温州市推进县域医共体建设。AB😀健康一二三；广东路不是广东省，温州。"


def plain(words: list[str], longest: bool) -> list[tuple[int, int, str]]:
    automaton = ahocorasick.Automaton()
    for w in words:
        automaton.add_word(w, w)
    automaton.make_automaton()
    hits = automaton.iter_long(TEXT) if longest else automaton.iter(TEXT)
    return [(last - len(w) + 1, last + 1, w) for last, w in hits]


@pytest.mark.parametrize("longest", [False, True])
def test_same_matches_as_pyahocorasick_on_the_plain_text(longest):
    finder = WordFinder((w, w.upper()) for w in WORDS)
    found = list(finder.iter_long(TEXT) if longest else finder.iter(TEXT))
    assert [(s, e, w) for s, e, w, _ in found] == plain(WORDS, longest)
    assert all(TEXT[s:e] == w and value == w.upper() for s, e, w, value in found)
    assert ("浙江省" in finder, "江苏省" in finder, len(finder)) == (True, False, len(WORDS))


def test_an_empty_finder_finds_nothing_and_a_zero_low_byte_word_is_refused():
    assert list(WordFinder([]).iter(TEXT)) == [] and len(WordFinder([("", 1)])) == 0
    with pytest.raises(ValueError, match="low byte"):
        WordFinder([("一", 1)])

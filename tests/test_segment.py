"""Segmentation pitfalls: user-dictionary words stay whole, HMM is off, no enable_parallel, and the
compiled segmenter (rjieba) agrees with jieba."""
from __future__ import annotations

import inspect
import logging
from pathlib import Path

import jieba
import pytest

from mining import segment
from mining.codebook import user_dictionary_words
from mining.segment import Segmenter, default_segmenter, token_agreement

BACKENDS = ("jieba", "rjieba")


def plain_jieba() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text, word", [
    ("推进医防融合工作", "医防融合"),              # plain jieba: 医 / 防 / 融合
    ("提供个性化服务包", "个性化服务包"),          # plain jieba: 个性化 / 服务 / 包
    ("开具健康教育处方", "健康教育处方"),
    ("建设县域医共体", "县域医共体"),
    ("实行疾控监督员制度", "疾控监督员制度"),
    ("国家卫健委印发通知", "国家卫健委"),
])
def test_user_dictionary_words_stay_whole_next_to_frequent_words(backend, text, word):
    assert word in default_segmenter(backend).cut(text)


def test_plain_jieba_would_split_them():
    """Shows why the frequencies are raised: without the domain dictionary the terms fall apart."""
    tokenizer = plain_jieba()
    assert "医防融合" not in tokenizer.lcut("推进医防融合工作", HMM=False)
    assert "个性化服务包" not in tokenizer.lcut("提供个性化服务包", HMM=False)


def test_added_word_gets_at_least_its_suggested_frequency():
    tokenizer = segment._load_jieba(["医防融合"])
    assert tokenizer.FREQ["医防融合"] >= segment.MIN_FREQ


@pytest.mark.parametrize("backend", BACKENDS)
def test_hmm_is_off(backend):
    text = "他来到了网易杭研大厦"
    with_hmm = plain_jieba().lcut(text, HMM=True)
    assert "杭研" in with_hmm                        # HMM guesses a new word
    assert "杭研" not in default_segmenter(backend).cut(text)


def test_enable_parallel_is_never_used():
    """jieba.enable_parallel before loading a user dictionary silently ignores the dictionary."""
    for module in ("mining/segment.py", "mining/pipeline.py", "mining/tagging.py", "mining/classifier.py"):
        code = (Path(__file__).resolve().parents[1] / module).read_text(encoding="utf-8")
        assert "enable_parallel(" not in code, module


def test_unknown_backend():
    with pytest.raises(ValueError):
        Segmenter(["医防融合"], "thulac")


def test_rjieba_agrees_with_jieba():
    examples = Path(__file__).resolve().parents[1] / "corpus" / "examples"
    texts = [p.read_bytes().decode("utf-8", errors="ignore") for p in sorted(examples.rglob("*.txt"))]
    texts += ["推进医防融合，建立健康积分兑换机制，开具运动处方，实行疾控监督员制度。"]
    agreement, tokens = token_agreement(texts)
    assert tokens > 100
    assert agreement >= 0.99


def test_user_dictionary_comes_from_the_codebooks():
    words = set(default_segmenter("jieba").words)
    assert words == {w for w in user_dictionary_words() if len(w) >= 2}
    assert inspect.signature(Segmenter.cut)

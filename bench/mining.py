"""Mining speed on ../shared/corpus: raw `jieba.lcut` against the full mining pipeline.

    python bench/mining.py [CORPUS_DIR] [--workers N]

From one run over the same text it prints:
- raw jieba: `jieba.lcut(text)` (default dictionary, default settings) over every file;
- the pipeline: `mine_store` on a fresh SQLite store holding the ingested corpus — segmentation
  (rjieba + domain dictionary, HMM off), codebook matching on the raw text, the clause classifier,
  the rules/model combination and storing the tags — timed from the call to the commit of the last
  document's tags; ingest (reading, clause splitting) is timed separately, as it is not mining;
- their ratio (pipeline MB/s ÷ jieba MB/s), the target being ≥ 1.5;
- token agreement of rjieba with jieba, both with the same user dictionary and HMM off: the share
  of jieba's tokens (as character spans) that rjieba produces too;
- a second `mine_store` on the unchanged store, which must do no work.
Models and dictionaries are loaded before the clocks start (load times are printed too). The
machine may be shared and its speed drifts, so the timings come from --repeat rounds (default 5),
each timing jieba and then the pipeline (whose later rounds re-mine the same fresh store with
force=True, which redoes all the work); each side's best round counts, and every round's own ratio
is printed too.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--workers", type=int, default=None, help="mining processes (default: every core)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (jieba, then the pipeline); best of each")
    args = parser.parse_args()

    import jieba

    from corpus.ingest import ingest_paths
    from corpus.store import Store
    from mining.segment import token_agreement
    from mining.tagging import get_tagger, mine_store

    files = sorted(p for p in Path(args.corpus).glob("*.txt"))
    if not files:
        sys.exit(f"bench/mining.py: no .txt files in {args.corpus} (give the corpus folder as the argument)")
    texts = [p.read_text(encoding="utf-8") for p in files]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(files)} files, {megabytes:.3f} MB (UTF-8), {sum(map(len, texts))} characters")

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    get_tagger()
    print(f"load pipeline:      {time.perf_counter() - started:7.3f} s  (segmenter, codebooks, classifier; not timed below)")

    def time_jieba() -> float:
        started = time.perf_counter()
        for text in texts:
            jieba.lcut(text)
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Store(db) as store:
            started = time.perf_counter()
            ingest_paths(store, [args.corpus])
            print(f"ingest (untimed):   {time.perf_counter() - started:7.3f} s  ({store.document_count()} documents)")
            # Rounds alternate jieba and the pipeline, so that a slow spell of the (shared) machine
            # falls on both sides rather than on one.
            rounds = []
            for run in range(args.repeat):
                jieba_round = time_jieba()
                started = time.perf_counter()
                report = mine_store(store, force=run > 0, workers=args.workers)
                rounds.append((jieba_round, time.perf_counter() - started))
            mined_chars = sum(len(d.text) for d in store.documents())
            started = time.perf_counter()
            again = mine_store(store, workers=args.workers)
            again_seconds = time.perf_counter() - started
    jieba_seconds = min(j for j, _ in rounds)
    mine_seconds = min(m for _, m in rounds)
    jieba_rate = megabytes / jieba_seconds
    print(f"raw jieba.lcut:     {jieba_seconds:7.3f} s  {jieba_rate:6.2f} MB/s")
    stored_mb = megabytes  # the same files; stored text differs from the files only by normalisation
    pipeline_rate = stored_mb / mine_seconds
    print(f"pipeline (mine):    {mine_seconds:7.3f} s  {pipeline_rate:6.2f} MB/s  "
          f"({report.mined} documents, {mined_chars} stored characters, {report.tags} tags)")
    print(f"ratio pipeline/jieba: {pipeline_rate / jieba_rate:.2f}  (target >= 1.5; best of each side over "
          f"{len(rounds)} alternating rounds, whose own ratios were {', '.join(f'{j / m:.2f}' for j, m in rounds)})")
    print(f"re-mine unchanged:  {again_seconds:7.3f} s  mined {again.mined}, skipped {again.skipped}")
    agreement, tokens = token_agreement(texts)
    print(f"rjieba token agreement with jieba (same user dictionary, HMM off): {agreement:.4%} of {tokens} tokens")


if __name__ == "__main__":
    main()

"""Bench for issue 4 §9: verify a 30,000-character manuscript against ../shared/corpus and against
that corpus replicated 100× (targets: < 1 s and < 3 s). Prints the timings and the ratio.

    python bench/verify.py [--corpus ../shared/corpus] [--copies 100] [--work DIR] [--keep]

The replicated store is built by ingesting modified copies (each file with a unique suffix line,
so its hash differs; the folder's catalog.jsonl is copied beside them) into a temporary database.
With --work DIR --keep the stores are kept and reused by the next run.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.ingest import ingest_paths  # noqa: E402
from corpus.store import Store  # noqa: E402
from mining.verify import verify_text  # noqa: E402

GOLD = REPO / "tests" / "gold" / "verify"
FILLER = ("医防融合是深化医药卫生体制改革的重要方向。已有研究从协同治理、政策工具和服务整合等角度讨论了"
          "医疗机构与公共卫生机构之间的关系，但对政策文本本身的演进关注不足。本文在梳理相关政策的基础上，"
          "分析基层实践中的组织结构、激励机制与信息系统建设，并讨论其对家庭医生签约服务和慢性病管理的影响。")


def manuscript(chars: int = 30000) -> str:
    """Gold passages (citations of every kind, with their claims) interleaved with discussion
    prose, up to ``chars`` characters."""
    passages = [p.read_text(encoding="utf-8").strip() for p in sorted(GOLD.glob("*.txt"))]
    body = [p for p in passages]
    out, i = [], 0
    while sum(len(x) + 1 for x in out) < chars:
        out.append(body[i % len(body)])
        out.append(FILLER)
        i += 1
    text = "\n".join(out)
    return text[:chars]


def build(store_path: Path, corpus: Path, copies: int, work: Path) -> float:
    """Ingest ``corpus`` (copies == 1) or ``copies`` modified copies of it; returns seconds."""
    started = time.perf_counter()
    with Store(store_path) as store:
        if copies == 1:
            paths = [corpus]
        else:
            root = work / "copies"
            paths = []
            for k in range(copies):
                folder = root / f"copy-{k:03d}"
                if not folder.exists():
                    folder.mkdir(parents=True)
                    for f in corpus.iterdir():
                        if f.name == "catalog.jsonl":
                            shutil.copy(f, folder / f.name)
                        elif f.suffix == ".txt":
                            (folder / f.name).write_text(f.read_text(encoding="utf-8") + f"\n（副本{k}）\n",
                                                         encoding="utf-8")
                paths.append(folder)
        outcomes = ingest_paths(store, paths)
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            print(f"warning: {len(failed)} files failed, e.g. {failed[0].path}: {failed[0].reason}")
    return time.perf_counter() - started


def timed_verify(store_path: Path, text: str, runs: int = 3) -> tuple[float, float, int]:
    """(first run incl. loading the store's metadata, best of the later runs, citations)."""
    with Store(store_path) as store:
        started = time.perf_counter()
        report = verify_text(text, store, "bench")
        first = time.perf_counter() - started
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            verify_text(text, store, "bench")
            best = min(best, time.perf_counter() - started)
    return first, best, len(report.citations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--chars", type=int, default=30000)
    parser.add_argument("--work", default=None, help="folder for the stores (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep --work for the next run")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "catalog.jsonl").exists():
        sys.exit(f"{corpus} is not a corpus folder (no catalog.jsonl)")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    text = manuscript(args.chars)
    try:
        single, replicated = work / "single.db", work / f"x{args.copies}.db"
        for path, copies in ((single, 1), (replicated, args.copies)):
            if path.exists() and args.keep:
                print(f"reusing {path}")
                continue
            path.unlink(missing_ok=True)
            seconds = build(path, corpus, copies, work)
            print(f"built {path.name}: {copies}× corpus in {seconds:.1f} s")
        results = {}
        for label, path in (("1×", single), (f"{args.copies}×", replicated)):
            with Store(path) as store:
                docs = store.document_count()
                chars = store.conn.execute("SELECT sum(chars) FROM documents").fetchone()[0]
            first, best, citations = timed_verify(path, text)
            results[label] = best
            print(f"{label:>5} corpus ({docs} documents, {chars:,} chars): manuscript of {len(text):,} chars, "
                  f"{citations} citations: first run {first:.3f} s, best warm run {best:.3f} s")
        one, many = results["1×"], results[f"{args.copies}×"]
        print(f"ratio {args.copies}× / 1× = {many / one:.2f}")
        print(f"targets: 1× < 1 s: {'PASS' if one < 1 else 'FAIL'}; {args.copies}× < 3 s: {'PASS' if many < 3 else 'FAIL'}")
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

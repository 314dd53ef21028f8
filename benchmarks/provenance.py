"""Image-registry lookups at a million registered PDQ hashes: multi-index hashing (Lanterne's
index) beside a brute-force numpy scan of the same hashes in the same run, and a BK-tree (the
other index the issue names) on a sample, to say why it was not kept.

The registered hashes are random 256-bit words (PDQ's bits are thresholded at the median, so
a real hash has about as many ones as zeros) plus families of near-duplicates (10 % of the
hashes are copies of others with 1 to 20 bits flipped: the recompressions and resizes a real
registry holds). Queries: registered hashes with 0 to 31 bits flipped (each must be found) and
fresh random hashes (none must be). Every answer of the index is checked against the scan's.

    PYTHONPATH=src python benchmarks/provenance.py [--n 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _energy import Energy
from lanterne.provenance import MAX_DISTANCE, MultiIndex, brute_force


def flip(rng: np.random.Generator, word: np.ndarray, k: int) -> np.ndarray:
    bits = np.unpackbits(word.astype(">u8").view(np.uint8))
    bits[rng.choice(256, k, replace=False)] ^= 1
    return np.packbits(bits).view(">u8").astype(np.uint64)


def registered(n: int, rng: np.random.Generator) -> np.ndarray:
    words = rng.integers(0, 2**64, (n, 4), dtype=np.uint64)
    copies = n // 10
    sources = rng.integers(0, n - copies, copies)
    for i, s in enumerate(sources):
        words[n - copies + i] = flip(rng, words[s], int(rng.integers(1, 21)))
    return words


class BKTree:
    """A Burkhard-Keller tree under Hamming distance (pure Python over 256-bit integers)."""

    def __init__(self) -> None:
        self.root: tuple[int, int, dict[int, object]] | None = None

    def add(self, value: int, row: int) -> None:
        if self.root is None:
            self.root = (value, row, {})
            return
        node = self.root
        while True:
            d = (value ^ node[0]).bit_count()
            child = node[2].get(d)
            if child is None:
                node[2][d] = (value, row, {})
                return
            node = child  # type: ignore[assignment]

    def search(self, value: int, radius: int) -> list[int]:
        found, stack = [], [self.root] if self.root else []
        while stack:
            node = stack.pop()
            d = (value ^ node[0]).bit_count()
            if d <= radius:
                found.append(node[1])
            for k, child in node[2].items():
                if d - radius <= k <= d + radius:
                    stack.append(child)
        return sorted(found)


def as_int(word: np.ndarray) -> int:
    return int.from_bytes(word.astype(">u8").tobytes(), "big")


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--bk-sample", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    words = registered(args.n, rng)
    queries = [
        flip(rng, words[rng.integers(0, args.n)], int(rng.integers(0, MAX_DISTANCE + 1)))
        for _ in range(args.queries // 2)
    ]
    queries += [
        rng.integers(0, 2**64, 4, dtype=np.uint64) for _ in range(args.queries - len(queries))
    ]

    began = time.perf_counter()
    index = MultiIndex(words)
    built = time.perf_counter() - began

    mih, scan = [], []
    # Interleaved lookups: each side's blocks added up (benchmarks/_energy.py).
    mih_energy, scan_energy = Energy(len(queries)), Energy(len(queries))
    found = 0
    for q in queries:
        t = time.perf_counter()
        with mih_energy:
            rows, dists = index.search(q, MAX_DISTANCE)
        mih.append(time.perf_counter() - t)
        t = time.perf_counter()
        with scan_energy:
            want_rows, want_dists = brute_force(words, q.reshape(1, 4), MAX_DISTANCE)
        scan.append(time.perf_counter() - t)
        assert rows.tolist() == want_rows.tolist() and dists.tolist() == want_dists.tolist()
        found += len(rows) > 0
    m50, m95 = percentiles(mih)
    s50, s95 = percentiles(scan)
    print(
        f"{args.n:,} registered PDQ hashes, {len(queries):,} lookups within {MAX_DISTANCE} bits "
        f"({found:,} found something; every answer equal to the scan's)"
    )
    print(
        f"  multi-index hashing (16 × 16 bits): build {built:.1f} s, "
        f"p50 {m50:.2f} ms, p95 {m95:.2f} ms, {mih_energy.rate().text('en', 'lookups')}"
    )
    print(
        f"  brute-force numpy scan            : p50 {s50:.2f} ms, p95 {s95:.2f} ms, "
        f"{scan_energy.rate().text('en', 'lookups')}"
    )
    print(f"  ratio scan / index                : p50 × {s50 / m50:.1f}, p95 × {s95 / m95:.1f}")

    sample = min(args.bk_sample, args.n)
    tree = BKTree()
    began = time.perf_counter()
    for row in range(sample):
        tree.add(as_int(words[row]), row)
    bk_built = time.perf_counter() - began
    small = MultiIndex(words[:sample])
    bk, mih_small = [], []
    asked = queries[: min(200, len(queries))]
    bk_energy, small_energy = Energy(len(asked)), Energy(len(asked))
    for q in asked:
        t = time.perf_counter()
        with bk_energy:
            got = tree.search(as_int(q), MAX_DISTANCE)
        bk.append(time.perf_counter() - t)
        t = time.perf_counter()
        with small_energy:
            rows, _ = small.search(q, MAX_DISTANCE)
        mih_small.append(time.perf_counter() - t)
        assert got == rows.tolist()
    b50, b95 = percentiles(bk)
    ms50, ms95 = percentiles(mih_small)
    print(
        f"  at {sample:,} hashes, BK-tree (pure Python): build {bk_built:.1f} s, "
        f"p50 {b50:.1f} ms, p95 {b95:.1f} ms, {bk_energy.rate().text('en', 'lookups')}; "
        f"multi-index p50 {ms50:.2f} ms, p95 {ms95:.2f} ms, "
        f"{small_energy.rate().text('en', 'lookups')}"
    )
    print("  (energy: estimated, docs/footprint.md, this process; both sides run in it)")


if __name__ == "__main__":
    main()

"""Construction and certification time against T (issue #4), with a peer for the certificate.

Run:  python benchmarks/construct_bench.py [--quick] [--max-T 2047] [--out docs/benchmarks-construct.md]

For each size (shared context, d_h = n, T = H(n − 1) + 1 at full capacity) it times

- construct: :func:`memproof.construction.construct_memorizing_mha` (float64, S1–S8);
- enclose: the arb enclosure of the real-number feature matrix Z (T × Hd);
- certify: the verified full-row-rank certificate of that enclosure (rank Z = T, rigorous);
- peer (exact): python-flint's exact rank of the *stored float* Z taken as rationals — a statement
  about a different object (the rounded matrix), measured side by side as the natural alternative;
  skipped above --peer-max-T because it grows much faster.

BLAS is pinned to one thread before numpy is imported.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from memproof.arith import exact  # noqa: E402
from memproof.arith.rigorous import certify_full_row_rank  # noqa: E402
from memproof.construction import construct_memorizing_mha, feature_enclosure  # noqa: E402

SIZES = [(4, 8, 8), (8, 16, 14), (16, 32, 20), (32, 64, 33), (32, 64, 66)]  # (n, d, H) → T = H(n−1)+1
QUICK = [(4, 8, 8), (8, 16, 14)]


def run(n: int, d: int, H: int, peer: bool, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    T = H * (n - 1) + 1
    Q, C, Y = rng.normal(size=(T, d)), rng.normal(size=(n, d)), rng.normal(size=(T, 1))
    t0 = time.perf_counter()
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=n, seed=seed)
    t1 = time.perf_counter()
    Zb = feature_enclosure(built.weights, Q, C)
    t2 = time.perf_counter()
    cert = certify_full_row_rank(Zb, prec=106)
    t3 = time.perf_counter()
    row = {"n": n, "d": d, "H": H, "T": T, "Hd": H * d, "construct_s": t1 - t0, "enclose_s": t2 - t1, "certify_s": t3 - t2,
           "status": cert.status, "max_abs_error": built.max_abs_error, "max_c": max(t.c for t in built.trace)}
    if peer:
        t4 = time.perf_counter()
        row["peer_exact_rank"] = exact.rank(built.Z)
        row["peer_s"] = time.perf_counter() - t4
    return row


def table(rows: list[dict]) -> str:
    lines = ["| n | d | H | T | construct (s) | enclose (s) | certify (s) | rank Z = T | float readout error | max c | "
             "peer: exact rank of float Z (s) | peer / (enclose + certify) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ours = r["enclose_s"] + r["certify_s"]
        peer = f"{r['peer_s']:.2f} (rank {r['peer_exact_rank']})" if "peer_s" in r else "skipped"
        ratio = f"{r['peer_s'] / ours:.2g}×" if "peer_s" in r else "—"
        lines.append(f"| {r['n']} | {r['d']} | {r['H']} | {r['T']} | {r['construct_s']:.2f} | {r['enclose_s']:.2f} | "
                     f"{r['certify_s']:.2f} | {r['status']} | {r['max_abs_error']:.1e} | {r['max_c']:.3g} | {peer} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes only")
    parser.add_argument("--max-T", type=int, default=2047)
    parser.add_argument("--peer-max-T", type=int, default=400)
    parser.add_argument("--out", help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    rows = []
    for n, d, H in QUICK if args.quick else SIZES:
        if H * (n - 1) + 1 > args.max_T:
            continue
        rows.append(run(n, d, H, peer=H * (n - 1) + 1 <= args.peer_max_T))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = (f"Construction and certification against T (shared context, d_h = n, 1 BLAS thread) on "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores.\n\n" + table(rows))
    print("\n" + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("# Benchmark: construction and certification\n\nCommand: `python benchmarks/construct_bench.py"
                    f"{' --quick' if args.quick else ''}`\n\n" + text + "\n")
    return 0 if all(r["status"] == "proved" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Construction and certification time against T (issues #4, #14), with peers for both.

Run:  python benchmarks/construct_bench.py [--quick] [--min-T 0] [--max-T 2047] [--no-certify] [--out docs/benchmarks-construct.md]

For each size (shared context, d_h = n, T = H(n − 1) + 1 at full capacity) it times

- construct: :func:`memproof.construction.construct_memorizing_mha` (float64, S1–S8, with the exact
  A1/A2 checks it runs first);
- lstsq (peer of construct): one dense least-squares solve ``numpy.linalg.lstsq`` of a matrix of Z's
  shape (the stored Z against the labels) in the same run; the table gives construct / lstsq;
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

SIZES = [(4, 8, 8), (8, 16, 14), (16, 32, 20), (32, 64, 33), (32, 64, 66), (64, 128, 64)]  # (n, d, H) → T = H(n−1)+1
QUICK = [(4, 8, 8), (8, 16, 14)]


def run(n: int, d: int, H: int, peer: bool, certify: bool = True, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    T = H * (n - 1) + 1
    Q, C, Y = rng.normal(size=(T, d)), rng.normal(size=(n, d)), rng.normal(size=(T, 1))
    t0 = time.perf_counter()
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=n, seed=seed)
    t1 = time.perf_counter()
    np.linalg.lstsq(built.Z, Y, rcond=None)
    lstsq_s = time.perf_counter() - t1
    row = {"n": n, "d": d, "H": H, "T": T, "Hd": H * d, "construct_s": t1 - t0, "lstsq_s": lstsq_s,
           "max_abs_error": built.max_abs_error, "max_c": max(t.c for t in built.trace), "status": "not run"}
    if certify:
        t1 = time.perf_counter()
        Zb = feature_enclosure(built.weights, Q, C)
        t2 = time.perf_counter()
        cert = certify_full_row_rank(Zb, prec=106)
        t3 = time.perf_counter()
        row.update(enclose_s=t2 - t1, certify_s=t3 - t2, status=cert.status)
    if peer:
        t4 = time.perf_counter()
        row["peer_exact_rank"] = exact.rank(built.Z)
        row["peer_s"] = time.perf_counter() - t4
    return row


def table(rows: list[dict]) -> str:
    lines = [("| n | d | H | T | construct (s) | lstsq of Z's shape (s) | construct / lstsq | enclose (s) | certify (s) | "
              "rank Z = T | float readout error | max c | peer: exact rank of float Z (s) | peer / (enclose + certify) |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        certified = "certify_s" in r
        peer = f"{r['peer_s']:.2f} (rank {r['peer_exact_rank']})" if "peer_s" in r else "skipped"
        ratio = f"{r['peer_s'] / (r['enclose_s'] + r['certify_s']):.2g}×" if "peer_s" in r and certified else "—"
        enc, cer = (f"{r['enclose_s']:.2f}", f"{r['certify_s']:.2f}") if certified else ("—", "—")
        lines.append(f"| {r['n']} | {r['d']} | {r['H']} | {r['T']} | {r['construct_s']:.2f} | {r['lstsq_s']:.2f} | "
                     f"{r['construct_s'] / r['lstsq_s']:.2g}× | {enc} | {cer} | {r['status']} | {r['max_abs_error']:.1e} | "
                     f"{r['max_c']:.3g} | {peer} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes only")
    parser.add_argument("--min-T", type=int, default=0, help="skip the sizes below this T")
    parser.add_argument("--max-T", type=int, default=2047)
    parser.add_argument("--peer-max-T", type=int, default=400)
    parser.add_argument("--no-certify", action="store_true", help="time construction and lstsq only")
    parser.add_argument("--out", help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    rows = []
    for n, d, H in QUICK if args.quick else SIZES:
        if not args.min_T <= H * (n - 1) + 1 <= args.max_T:
            continue
        rows.append(run(n, d, H, peer=H * (n - 1) + 1 <= args.peer_max_T, certify=not args.no_certify))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = (f"Construction and certification against T (shared context, d_h = n, 1 BLAS thread) on "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the end.\n\n"
            + table(rows))
    print("\n" + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("# Benchmark: construction and certification\n\nCommand: `python benchmarks/construct_bench.py"
                    f"{' --quick' if args.quick else ''}{' --no-certify' if args.no_certify else ''}"
                    f"{f' --min-T {args.min_T}' if args.min_T else ''}{f' --max-T {args.max_T}' if args.max_T != 2047 else ''}`\n\n" + text + "\n")
    return 0 if all(r["status"] in ("proved", "not run") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Kruskal-rank benchmark: memproof against named peers, side by side (docs/benchmarks-kruskal.md).

    python benchmarks/kruskal_bench.py [--quick] [--md docs/benchmarks-kruskal.md]

Peers (same machine, same run, BLAS pinned to one thread):
  P1  itertools.combinations + numpy.linalg.matrix_rank per subset (float64, numerical);
  P2  sympy exact per subset: DomainMatrix(...).rank() over QQ/ZZ (not Matrix.rank);
  P3  the paper's sampler: random k-subsets + float32 numpy.linalg.matrix_rank.
P1/P2 are timed on a random subsample of the final level's k-subsets and extrapolated to all
C(N, k) of them (marked "~"): a *lower bound* on what either needs to certify the answer.
Start-up: fresh processes of ``memproof kruskal`` on a tiny matrix with an empty numba cache (cold)
and a filled one (warm), against the peer ``python -c "import memproof"``.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from memproof.kruskal import VectorFamily, kernel, kruskal_rank, numerical_kruskal_rank, sample_subsets  # noqa: E402
from memproof.kruskal.sampling import random_subsets  # noqa: E402
from memproof.positional import sinusoidal_encoding  # noqa: E402


# ------------------------------------------------------------------------------------------ families
def gaussian(N, d, seed=0):
    return np.random.default_rng(seed).standard_normal((N, d))


def pm1(N, d, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], (N, d))


def sparse3(N, d, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 0.0, 0.0, 1.0], (N, d))


def planted(N, d, size, where, seed=0):
    """Integer matrix with one exact circuit of ``size`` rows placed at the start or the end."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-9, 10, (N, d)).astype(float)
    idx = list(range(size)) if where == "start" else list(range(N - size, N))
    coef = rng.choice([-2, -1, 1, 2, 3], size - 1)
    a[idx[-1]] = sum(c * a[i] for c, i in zip(coef, idx[:-1]))
    return a


def dup_zero(N, d, seed=0):
    a = gaussian(N, d, seed)
    a[N - 1] = a[3]
    a[N // 2] = 0.0
    return a


def vandermonde(N, d):
    x = np.arange(1, N + 1, dtype=float)
    return x[:, None] ** np.arange(d)[None, :]


def cauchy_identity(d):
    """Columns of [I | C], C_ij = 1/(x_i + y_j): every d columns independent (as rows: transpose)."""
    x = np.arange(1, d + 1, dtype=float)
    y = np.arange(d + 1, 2 * d + 1, dtype=float)
    c = 1.0 / (x[:, None] + y[None, :])
    return np.hstack([np.eye(d), c])


sinusoidal = sinusoidal_encoding


def vit_like(N, d, rank=4, noise=1e-3, seed=0, cls_rows=(0,)):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((N, rank)) @ rng.standard_normal((rank, d)) + noise * rng.standard_normal((N, d))
    a = a.astype(np.float32).astype(np.float64)
    for i in cls_rows[1:]:
        a[i] = a[cls_rows[0]]
    return a


# ------------------------------------------------------------------------------------------ peers
def p1_time(a, axis, k, subsets):
    """Per-subset time of numpy.linalg.matrix_rank, and how many subsets are numerically deficient."""
    v = a if axis == "rows" else a.T
    t = time.perf_counter()
    deficient = sum(1 for s in subsets if np.linalg.matrix_rank(v[list(s)]) < k)
    return (time.perf_counter() - t) / len(subsets), deficient


def p2_time(a, axis, k, subsets):
    from sympy import QQ, ZZ
    from sympy.polys.matrices import DomainMatrix

    v = a if axis == "rows" else a.T
    integer = bool(np.all(v == np.round(v)))
    dom = ZZ if integer else QQ
    rows = [[ZZ(int(x)) if integer else QQ(*float(x).as_integer_ratio()) for x in r] for r in v]
    t = time.perf_counter()
    dependent = 0
    for s in subsets:
        m = DomainMatrix([rows[i] for i in s], (k, v.shape[1]), dom)
        dependent += m.rank() < k
    return (time.perf_counter() - t) / len(subsets), dependent


def level_subsets(N, k, count, seed=0):
    total = math.comb(N, k)
    if total <= count:
        return [tuple(s) for s in itertools.combinations(range(N), k)], True
    return [tuple(s) for s in random_subsets(N, k, count, seed)], False


def fmt_t(t, extrapolated=False):
    if t is None:
        return "-"
    s = f"{t:.3g} s" if t >= 0.01 else f"{t * 1e3:.3g} ms"
    return ("~" + s) if extrapolated else s


# ------------------------------------------------------------------------------------------ runs
def exact_row(name, a, axis="rows", budget=None, p1_n=2000, p2_n=60, note=""):
    kruskal_rank(gaussian(8, 4, seed=99), numerical=False)  # load the compiled kernels outside the timing
    t = time.perf_counter()
    r = kruskal_rank(a, axis, mode="exact", budget=budget, numerical=False, samples=0)
    t_mem = time.perf_counter() - t
    num = numerical_kruskal_rank(a, axis)  # empirical comparison, not timed
    ok_cert = r.verify(a)
    N = r.n_vectors
    k = r.lower if r.exact else r.upper
    row = {"family": name, "shape": f"{a.shape[0]}x{a.shape[1]} ({axis})", "result": (f"{r.lower}" if r.exact else f"[{r.lower}, {r.upper}]"),
           "status": r.status, "memproof": t_mem, "subsets": math.comb(N, k) if k else 0, "certified": ok_cert,
           "numerical": num.kruskal_rank if num.kruskal_rank is not None else f"<={num.kruskal_rank_upper}",
           "note": note, "estimate": r.estimate}
    if k >= 1:
        subs, full = level_subsets(N, k, p1_n)
        t1, defic = p1_time(a, axis, k, subs)
        row["P1"] = t1 * math.comb(N, k)
        row["P1_extrap"] = not full
        row["P1_agrees"] = (defic == 0) == (r.lower >= k)
        subs2, full2 = level_subsets(N, k, p2_n, seed=1)
        t2, dep = p2_time(a, axis, k, subs2)
        row["P2"] = t2 * math.comb(N, k)
        row["P2_extrap"] = not full2
        row["P2_agrees"] = (dep == 0) == (r.lower >= k)
    return row, r


def sampling_row(name, a, k, samples, p3_samples):
    fam = VectorFamily.from_matrix(a)
    sample_subsets(VectorFamily.from_matrix(a[:k + 5]), k, 2, seed=0)  # warm-up
    t = time.perf_counter()
    ev = sample_subsets(fam, k, samples, seed=1)
    t_mem = time.perf_counter() - t
    a32 = a.astype(np.float32)
    rng = np.random.default_rng(2)
    t = time.perf_counter()
    full = 0
    for _ in range(p3_samples):
        s = rng.choice(a.shape[0], k, replace=False)
        full += np.linalg.matrix_rank(a32[s]) == k
    t_p3 = (time.perf_counter() - t) * samples / p3_samples
    return {"family": name, "shape": f"{a.shape[0]}x{a.shape[1]}", "k": k, "samples": samples, "memproof": t_mem,
            "P3": t_p3, "P3_extrap": p3_samples != samples, "ratio": t_p3 / t_mem,
            "exact_fraction": ev.fraction_independent, "P3_fraction": full / p3_samples,
            "dependent": ev.dependent, "witnesses": [list(w.indices) for w in ev.witnesses[:3]],
            "bound": ev.dependent_fraction_upper}


def startup_rows(repeats=5, root=ROOT):
    """Start-up of fresh processes: the peer ``python -c "import memproof"``, the light commands, and
    ``memproof kruskal`` on an 8×4 matrix with an empty ``NUMBA_CACHE_DIR`` (cold: the kernels are
    compiled), with the filled one (warm: loaded from the cache) and with the numpy kernels (no numba).

    Each row is ``(name, (wall-clock, CPU seconds user + system))``, both the minimum over ``repeats``
    runs: start-up is a fixed cost, and the minimum is the least disturbed by other jobs."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))

    def best(args, cache=None, **extra):
        runs = []
        for i in range(repeats):
            if cache == "fresh":
                extra["NUMBA_CACHE_DIR"] = str(Path(tmp) / f"cold{i}")
            c0, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, env={**env, **extra}, cwd=root)
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs.append((time.perf_counter() - t, (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)))
        return min(w for w, _ in runs), min(c for _, c in runs)

    with tempfile.TemporaryDirectory() as tmp:
        m = Path(tmp) / "q.npy"
        np.save(m, gaussian(8, 4))
        kr = ["-m", "memproof", "kruskal", str(m)]
        cold = best(kr, cache="fresh")
        return [('`python -c "import memproof"` (peer)', best(["-c", "import memproof"])),
                ("`memproof --help`", best(["-m", "memproof", "--help"])),
                ("`memproof list`", best(["-m", "memproof", "list"])),
                ("start-up cold: `memproof kruskal` 8x4, empty NUMBA_CACHE_DIR", cold),
                ("start-up warm: `memproof kruskal` 8x4, cache filled", best(kr, NUMBA_CACHE_DIR=str(Path(tmp) / "cold0"))),
                ("`memproof kruskal` 8x4, MEMPROOF_NO_NUMBA=1 (numpy kernels)", best(kr, MEMPROOF_NO_NUMBA="1"))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes and fewer P3 samples (about a minute)")
    ap.add_argument("--md", default=None, help="also write the markdown tables to this file")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up table (about 20 s)")
    args = ap.parse_args(argv)
    q = args.quick
    lines = []

    def out(s=""):
        print(s, flush=True)
        lines.append(s)

    cmd = "python benchmarks/kruskal_bench.py" + (" --quick" if q else "") + (" --startup-only" if args.startup_only else "")
    out(f"Command: `{cmd}`  ")
    out(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, kernel backend {'numba' if kernel.HAVE_NUMBA else 'numpy'}; BLAS pinned to 1 thread; single process.")
    out()
    out("## Start-up: fresh processes (best of 5) vs the peer `python -c \"import memproof\"`")
    out()
    out("| command | wall-clock | / peer | CPU (user + sys) | / peer |")
    out("|---|---|---|---|---|")
    rows = startup_rows()
    (w0, c0) = rows[0][1]
    for name, (w, c) in rows:
        out(f"| {name} | {fmt_t(w)} | {w / w0:.3g}x | {fmt_t(c)} | {c / c0:.3g}x |")
    out()
    if args.startup_only:
        return 0
    fams = [
        ("gaussian (full spark)", gaussian(24, 12), "rows", None, "target ≥ 500x P1"),
        ("gaussian (full spark)", gaussian(32 if not q else 28, 16 if not q else 14), "rows", None, "target < 30 s"),
        ("random ±1", pm1(20, 10), "rows", None, ""),
        ("sparse {-1,0,1}", sparse3(20, 10), "rows", None, ""),
        ("planted circuit s=3, start", planted(24, 12, 3, "start"), "rows", None, ""),
        ("planted circuit s=6, end", planted(24, 12, 6, "end"), "rows", None, ""),
        ("planted circuit s=9, end", planted(24, 12, 9, "end"), "rows", None, ""),
        ("duplicate + zero rows", dup_zero(24, 12), "rows", None, ""),
        ("integer Vandermonde", vandermonde(24, 12), "rows", None, "float-degenerate"),
        ("Cauchy [I | C] (columns)", cauchy_identity(12), "cols", None, "float-degenerate"),
        ("sinusoidal PE", sinusoidal(24, 12), "rows", None, ""),
        ("ViT-like (rank 4 + noise, CLS rows)", vit_like(24, 12, cls_rows=(0, 12)), "rows", None, "identical CLS rows"),
        ("ViT-like (rank 4 + noise)", vit_like(24, 12, cls_rows=(0,)), "rows", None, "no duplicates"),
        ("gaussian stretch", gaussian(40, 20), "rows", 15.0 if q else 120.0, "stretch; budget-limited"),
    ]
    out("## Exact Kruskal rank: memproof vs P1 (numpy per subset) and P2 (sympy exact per subset)")
    out()
    out("| family | matrix | exact k-rank | memproof | certified | P1 numpy | P1/memproof | P2 sympy | P2/memproof | numerical k-rank (P1 agrees?) | note |")
    out("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, a, axis, budget, note in fams:
        row, r = exact_row(name, a, axis, budget, p1_n=2000 if not q else 500, p2_n=60 if not q else 20, note=note)
        decided = row["status"] == "exact"
        if not decided:
            est = row["estimate"]
            rate = r.subsets_checked / max(row["memproof"], 1e-9)
            row["note"] = (note + f"; estimated {est['seconds']:.3g} s before starting for {est['subsets']:.3g} subsets; "
                           f"stopped at the budget after {r.subsets_checked:.3g} subsets ({rate * 1e-6:.3g} M subsets/s "
                           f"→ full sweep ≈ {est['subsets'] / rate:.3g} s); certified interval [{r.lower}, {r.upper}]")
        p1 = row.get("P1")
        p2 = row.get("P2")
        ratio1 = f"{p1 / row['memproof']:.3g}x" if p1 and decided else "-"
        ratio2 = f"{p2 / row['memproof']:.3g}x" if p2 and decided else "-"
        agree = ("yes" if row.get("P1_agrees", True) else "**no**") if decided else "n/a"
        out(f"| {name} | {row['shape']} | {row['result']} | {fmt_t(row['memproof'])} | {'yes' if row['certified'] else 'NO'} | "
            f"{fmt_t(p1, row.get('P1_extrap'))} | {ratio1} | {fmt_t(p2, row.get('P2_extrap'))} | {ratio2} | "
            f"{row['numerical']} ({agree}) | {row['note']} |")
    out()
    out("`~` = extrapolated: the peer was timed on a random subsample of the final level's k-subsets "
        f"({2000 if not q else 500} for P1, {60 if not q else 20} for P2) and scaled to all C(N, k) of them — the least "
        "work either needs to certify the answer. \"P1 agrees?\" compares P1's numerical verdict on those subsets with the exact answer.")
    out()
    out("## Sampling: memproof exact sampler vs P3 (the paper's float32 sampler), equal sample count")
    out()
    out("| matrix | k | samples | memproof | P3 float32 | P3/memproof | exact fraction independent | P3 fraction full rank | exact witnesses | 99% bound on dependent fraction |")
    out("|---|---|---|---|---|---|---|---|---|---|")
    samples = 5000 if not q else 500
    p3n = 5000 if not q else 200
    cases = [("gaussian", gaussian(2000, 768).astype(np.float32).astype(np.float64)),
             ("ViT-like, 2 identical CLS rows", vit_like(2000, 768, rank=300, noise=1e-2, cls_rows=(0, 1000)))]
    for name, a in cases:
        row = sampling_row(name, a, 197, samples, p3n)
        out(f"| {name} {row['shape']} | {row['k']} | {row['samples']} | {fmt_t(row['memproof'])} | {fmt_t(row['P3'], row['P3_extrap'])} | "
            f"{row['ratio']:.3g}x | {row['exact_fraction']:.4f} | {row['P3_fraction']:.4f} | {row['dependent']} dependent, e.g. {row['witnesses'][:1]} | {row['bound']:.3g} |")
    out()
    if args.md:
        Path(args.md).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

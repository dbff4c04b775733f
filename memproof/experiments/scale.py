"""The construction at scale with the torch path, and its agreement with the numpy constructor.

- ``agreement`` cells: small instances built by both constructors with the same seed; the weights'
  largest relative difference, both interpolation errors, the per-head rank decisions (S1/S5), and the
  rigorous checker :func:`memproof.construction.check_memorizes` run on the *torch* weights.
- ``scale`` cells: d = 128, n = 64 (d_h = 64) with H heads at capacity ``T = 63H + 1`` (H = 64:
  T = 4033, Z is 4033 × 8192), shared and distinct contexts, float64 and float32: construction time by
  phase, max interpolation error, numerical rank of Z (float SVD), device/dtype/TF32 record.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "scale"
TITLE = "Torch construction at scale (T in the thousands) and agreement with numpy + rigorous checks"
CONFIGS = {
    "tiny": {"agree": [(3, 5, 2, 3, True, 1), (4, 6, 3, 2, False, 2)],
             "scale": [(16, 8, 4, 8, False, "float64"), (16, 8, 4, 8, False, "float32")]},
    "quick": {"agree": [(3, 5, 3, 3, True, 1), (4, 6, 3, 2, False, 3), (5, 8, 4, 5, False, 1), (4, 7, 4, 4, True, 2),
                        (6, 9, 3, 3, True, 1), (6, 10, 4, 6, False, 1)],
              "scale": [(128, 64, 4, 64, False, "float64"), (128, 64, 16, 64, False, "float64"), (128, 64, 16, 64, True, "float64"),
                        (128, 64, 16, 64, False, "float32")]},
    "full": {"agree": [(3, 5, 3, 3, True, 1), (4, 6, 3, 2, False, 3), (5, 8, 4, 5, False, 1), (4, 7, 4, 4, True, 2),
                       (6, 9, 3, 3, True, 1), (6, 10, 4, 6, False, 1), (8, 12, 4, 8, False, 1), (8, 12, 5, 4, True, 1)],
             "scale": [(128, 64, 16, 64, False, "float64"), (128, 64, 32, 64, False, "float64"), (128, 64, 64, 64, False, "float64"),
                       (128, 64, 64, 64, True, "float64"), (128, 64, 64, 64, False, "float32")]},
}


def agreement(n: int, d: int, H: int, d_h: int, shared: bool, d_o: int, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Both constructors on one instance: weight difference, errors, rank decisions, rigorous check of the torch weights."""
    from ..construction import check_memorizes, construct_memorizing_mha
    from ..torchpath import construct_memorizing_mha_torch

    rng = np.random.default_rng([seed, n, d, H, d_h, int(shared), d_o])
    T = H * (min(n, d_h) - 1) + 1
    Q = rng.normal(size=(T, d))
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    Y = rng.normal(size=(T, d_o))
    a = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=seed)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=H, d_h=d_h, seed=seed, device=device)
    wb = b.to_numpy_weights()
    diff = {k: float(np.abs(getattr(a.weights, k) - getattr(wb, k)).max() / max(1.0, float(np.abs(getattr(a.weights, k)).max())))
            for k in ("W_Q", "W_K", "W_V", "W_O")}
    from ..construction.heads import RTOL

    dec_np = [t.sigma_k_D_star > 0 and t.rank_margin > RTOL for t in a.trace]
    dec_t = [tr.rank_decision and (math.isnan(tr.rank_margin) or tr.rank_margin > RTOL) for tr in b.trace]
    cert = check_memorizes(wb, Q, C, Y, for_all_labels=True)
    return {"T": T, "max_rel_weight_diff": max(diff.values()), "weight_diff": diff, "numpy_max_error": a.max_abs_error,
            "torch_max_error": b.max_abs_error, "rank_decisions_numpy": dec_np, "rank_decisions_torch": dec_t,
            "rank_decisions_agree": dec_np == dec_t, "c_numpy": [t.c for t in a.trace], "c_torch": [t.c for t in b.trace],
            "rigorous_outcome": cert.outcome.value, "rigorous_level": cert.level.label if cert.level else None,
            "env": b.env, "timings": b.timings}


def at_scale(d: int, n: int, H: int, d_h: int, shared: bool, dtype: str, seed: int, device: str = "cpu") -> dict[str, Any]:
    from ..torchpath import construct_memorizing_mha_torch
    from ..torchpath.build import numerical_rank

    rng = np.random.default_rng([seed, d, n, H, d_h, int(shared)])
    T = H * (min(n, d_h) - 1) + 1
    Q = rng.normal(size=(T, d))
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    Y = rng.normal(size=(T, 1))
    b = construct_memorizing_mha_torch(Q, C, Y, heads=H, d_h=d_h, seed=seed, device=device, dtype=dtype, track_margins=False)
    import time

    t0 = time.perf_counter()
    rk = numerical_rank(b.Z)
    return {"T": T, "Z_shape": list(b.Z.shape), "max_abs_error": b.max_abs_error, "interpolates_1e-8": b.max_abs_error <= 1e-8,
            "numerical_rank": rk["rank"], "full_row_rank": rk["full_row_rank"], "sigma_ratio": rk["sigma_ratio"],
            "rank_seconds": time.perf_counter() - t0, "timings": b.timings, "env": b.env,
            "min_c": min((t.c for t in b.trace[1:]), default=0.0), "max_c": max((t.c for t in b.trace), default=0.0)}


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    counter: dict[str, int] = {}
    acells = [{"kind": "agreement", "n": n, "d": d, "H": H, "d_h": dh, "shared": sh, "d_o": do, "seed": ctx.seed}
              for n, d, H, dh, sh, do in cfg["agree"]]
    scells = [{"kind": "scale", "d": d, "n": n, "H": H, "d_h": dh, "shared": sh, "dtype": dt, "seed": ctx.seed, "device": ctx.device}
              for d, n, H, dh, sh, dt in cfg["scale"]]
    agree = run_cells(ctx, NAME, acells, lambda c: agreement(c["n"], c["d"], c["H"], c["d_h"], c["shared"], c["d_o"], ctx.seed,
                                                             ctx.device), counter=counter)
    scale = run_cells(ctx, NAME, scells, lambda c: at_scale(c["d"], c["n"], c["H"], c["d_h"], c["shared"], c["dtype"], ctx.seed,
                                                            ctx.device), counter=counter)
    files = write_table(ctx, NAME, agree, "agreement") + write_table(ctx, NAME, scale, "scale")
    if ctx.figures and scale:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.3))
        for key, mk in (("float64", "o-"), ("float32", "s--")):
            for sh in (False, True):
                rs = sorted([r for r in scale if r["cell"]["dtype"] == key and r["cell"]["shared"] == sh], key=lambda r: r["T"])
                if rs:
                    ax.loglog([r["T"] for r in rs], [r["timings"]["total"] for r in rs], mk,
                              label=f"{key}, {'shared' if sh else 'distinct'}")
        ax.set_xlabel("T (examples at capacity)")
        ax.set_ylabel("construction seconds")
        ax.set_title(f"torch construction, d=128, n=64, device {ctx.device}", fontsize=9)
        ax.legend(fontsize=7)
        files += save_figure(ctx, NAME, fig, "scale_timings")
    scope = Scope.instance(f"Gaussian data, seed {ctx.seed}, device {ctx.device}, mode {ctx.mode}")
    ok = all(r["rank_decisions_agree"] and r["max_rel_weight_diff"] < 1e-6 for r in agree)
    certified = sum(r["rigorous_outcome"] == "proved" for r in agree)
    findings = [
        (Result.proved if ok else Result.refuted)(
            "TORCH.agree", f"torch and numpy constructions agree on {len(agree)} instances (same weights up to rounding, "
            f"same rank decisions); rank Z = T certified rigorously for the torch weights on {certified} of {len(agree)}",
            Level.EMPIRICAL, scope, **({} if ok else {"counterexample": {"records": agree}}),
            evidence={"max_rel_weight_diff": max(r["max_rel_weight_diff"] for r in agree), "certified": certified}),
        Result.proved("TORCH.scale", "; ".join(
            f"T={r['T']} ({'shared' if r['cell']['shared'] else 'distinct'}, {r['cell']['dtype']}): {r['timings']['total']:.1f} s, "
            f"max error {r['max_abs_error']:.2g}, numerical rank {'= T' if r['full_row_rank'] else str(r['numerical_rank'])}"
            for r in scale), Level.EMPIRICAL, scope, evidence={"cells": [{k: r[k] for k in ("T", "max_abs_error", "numerical_rank")}
                                                                            for r in scale]}),
    ]
    files.append(write_findings(ctx, NAME, findings))
    return ExperimentOutput(NAME, agree + scale, findings, files, {"agree_ok": ok, "certified": certified},
                            counter.get("computed", 0), counter.get("reused", 0))

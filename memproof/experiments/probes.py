"""Tightness probes: where the theorem is not tight (findings the paper does not state).

1. **Rank of Z for d_h < n** (theorem.md §7.3): numerical rank of the feature matrix reached by random
   heads and by optimized heads (Adam on ``Σ log σ_i(Z)``, a smooth surrogate of the rank), for shared and
   distinct contexts, against the theorem's ``H(n̄ − 1) + 1`` and the P2 ceiling ``H(n − 1) + 1``
   (shared) or ``min(T, Hd)`` (distinct).
2. **Largest T memorized**: by the constructor (its range is ``T ≤ H(n̄ − 1) + 1``; run at capacity and
   checked to error ≤ 1e-8) versus training (the theorem's layer, Adam, authors' recipe; largest T on a
   grid reaching max error ≤ ``TRAIN_TOL``) as a function of H, n, d_h, with scalar (d_o = 1, d_v = 1) and
   vector (d_o = d_v = ``VECTOR_DIM``) labels.

Ranks are numerical (float64, numpy's tolerance rule) — evidence, recorded with σ_min/σ_max.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "probes"
TITLE = "Tightness probes: rank of Z for d_h < n (random/optimized heads) and the largest T memorized (construct vs train)"
TRAIN_TOL = 1e-4
VECTOR_DIM = 4
CONFIGS = {
    "tiny": {"rank": {"n": 4, "d": 8, "H": 2, "d_hs": [1, 4], "opt_steps": 30},
             "largest": {"sizes": [(3, 6, 2, 2)], "factors": [1.0, 2.0], "steps": 300}},
    "quick": {"rank": {"n": 6, "d": 12, "H": 3, "d_hs": [1, 2, 3, 5, 6], "opt_steps": 150},
              "largest": {"sizes": [(4, 8, 2, 2), (4, 8, 2, 4), (4, 8, 4, 4)], "factors": [0.5, 1.0, 1.5, 2.0, 3.0], "steps": 3000}},
    "full": {"rank": {"n": 16, "d": 32, "H": 8, "d_hs": [1, 2, 4, 8, 12, 16], "opt_steps": 1000},
             "largest": {"sizes": [(8, 16, 4, 2), (8, 16, 4, 4), (8, 16, 4, 8), (8, 16, 8, 8), (16, 32, 4, 16)],
                         "factors": [0.5, 1.0, 1.5, 2.0, 3.0, 4.0], "steps": 50_000}},
}


def _rank_cell(ctx: RunContext, cfg: dict[str, Any]):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        import torch

        from ..torchpath import model as tm
        from ..torchpath.build import numerical_rank

        n, d, H, d_h, shared = cell["n"], cell["d"], cell["H"], cell["d_h"], cell["shared"]
        rng = np.random.default_rng([ctx.seed, n, d, H, d_h, int(shared)])
        T = H * d + 4
        Q = torch.as_tensor(rng.normal(size=(T, d)), dtype=torch.float64)
        C = torch.as_tensor(rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d)), dtype=torch.float64)
        Wq = torch.as_tensor(rng.normal(size=(H, d, d_h)) / np.sqrt(d), dtype=torch.float64)
        Wk = torch.as_tensor(rng.normal(size=(H, d, d_h)) / np.sqrt(d), dtype=torch.float64)
        r_rand = numerical_rank(tm.feature_matrix(Wq, Wk, C, Q))
        Wq, Wk = Wq.clone().requires_grad_(True), Wk.clone().requires_grad_(True)
        opt = torch.optim.Adam([Wq, Wk], lr=0.05)
        for _ in range(cfg["opt_steps"]):
            s = torch.linalg.svdvals(tm.feature_matrix(Wq, Wk, C, Q))
            loss = -torch.log(s + 1e-12).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            r_opt = numerical_rank(tm.feature_matrix(Wq, Wk, C, Q))
        n_bar = min(n, d_h)
        ceiling = H * (n - 1) + 1 if shared else min(T, H * d)
        return {"T": T, "rank_random": r_rand["rank"], "sigma_ratio_random": r_rand["sigma_ratio"], "rank_optimized": r_opt["rank"],
                "sigma_ratio_optimized": r_opt["sigma_ratio"], "theorem": H * (n_bar - 1) + 1, "ceiling": ceiling,
                "p2_ceiling": H * (n - 1) + 1}
    return fn


def _largest_cell(ctx: RunContext, cfg: dict[str, Any]):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        import torch

        from ..torchpath import construct_memorizing_mha_torch
        from .training import make_model, train

        n, d, H, d_h, d_o = cell["n"], cell["d"], cell["H"], cell["d_h"], cell["d_o"]
        cap = H * (min(n, d_h) - 1) + 1
        rng = np.random.default_rng([ctx.seed, n, d, H, d_h, d_o])
        Tmax = int(max(cfg["factors"]) * cap) + 1
        Qa, Ca, Ya = rng.normal(size=(Tmax, d)), rng.normal(size=(Tmax, n, d)), rng.normal(size=(Tmax, d_o))
        built = construct_memorizing_mha_torch(Qa[:cap], Ca[:cap], Ya[:cap], heads=H, d_h=d_h, seed=ctx.seed, device=ctx.device)
        trials = []
        for f in cfg["factors"]:
            T = max(1, int(round(f * cap)))
            model = make_model("theorem", d, d_o, H, d_h, seed=ctx.seed, device=ctx.device, dtype=torch.float64, d_v=min(d, d_o))
            res = train(model, {"queries": Qa[:T], "contexts": Ca[:T], "labels": Ya[:T]}, steps=cfg["steps"], task="regression",
                        target_error=TRAIN_TOL, seed=ctx.seed, device=ctx.device, eval_every=max(cfg["steps"] // 20, 1))
            trials.append({"T": T, "best_max_error": res["best"]["max_error"], "fitted": res["best"]["max_error"] <= TRAIN_TOL})
        fitted = [t["T"] for t in trials if t["fitted"]]
        return {"capacity": cap, "p2_ceiling": H * (n - 1) + 1, "construct_T": cap if built.max_abs_error <= 1e-8 else 0,
                "construct_max_error": built.max_abs_error, "train_largest_T": max(fitted) if fitted else 0, "train_trials": trials,
                "param_count": H * (2 * d * d_h + d * min(d, d_o) + min(d, d_o) * d_o)}
    return fn


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    counter: dict[str, int] = {}
    rc = cfg["rank"]
    rcells = [{"probe": "rank", "n": rc["n"], "d": rc["d"], "H": rc["H"], "d_h": dh, "shared": sh, "seed": ctx.seed}
              for sh in (True, False) for dh in rc["d_hs"]]
    lc = cfg["largest"]
    lcells = [{"probe": "largest_T", "n": n, "d": d, "H": H, "d_h": dh, "d_o": do, "seed": ctx.seed, "steps": lc["steps"]}
              for n, d, H, dh in lc["sizes"] for do in (1, VECTOR_DIM)]
    ranks = run_cells(ctx, NAME, rcells, _rank_cell(ctx, rc), counter=counter)
    largest = run_cells(ctx, NAME, lcells, _largest_cell(ctx, lc), counter=counter)
    files = write_table(ctx, NAME, ranks, "rank_probe") + write_table(ctx, NAME, largest, "largest_T")
    if ctx.figures:
        plt = pyplot()
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.3))
        for ax, sh in zip(axes[:2], (True, False)):
            rs = sorted([r for r in ranks if r["cell"]["shared"] == sh], key=lambda r: r["cell"]["d_h"])
            x = [r["cell"]["d_h"] for r in rs]
            ax.plot(x, [r["rank_random"] for r in rs], "o-", label="random heads")
            ax.plot(x, [r["rank_optimized"] for r in rs], "s--", label="optimized heads")
            ax.plot(x, [r["theorem"] for r in rs], "k:", label="H(n̄−1)+1")
            ax.plot(x, [r["ceiling"] for r in rs], "r-.", lw=1, label="H(n−1)+1 (P2)" if sh else "min(T, Hd)")
            ax.set_xlabel("d_h")
            ax.set_ylabel("rank Z (numerical)")
            ax.set_title(f"{'shared' if sh else 'distinct'} context, n={rc['n']}, H={rc['H']}", fontsize=9)
            ax.legend(fontsize=7)
        ax = axes[2]
        labels = [f"H{r['cell']['H']} dh{r['cell']['d_h']} do{r['cell']['d_o']}" for r in largest]
        xs = np.arange(len(largest))
        ax.bar(xs - 0.2, [r["construct_T"] for r in largest], 0.4, label="constructor (certifiable range)")
        ax.bar(xs + 0.2, [r["train_largest_T"] for r in largest], 0.4, label=f"training (err ≤ {TRAIN_TOL:g})")
        ax.set_xticks(xs, labels, rotation=60, fontsize=6)
        ax.set_ylabel("largest T memorized")
        ax.legend(fontsize=7)
        files += save_figure(ctx, NAME, fig, "probes")
    scope = Scope.instance(f"Gaussian data, mode {ctx.mode}, seed {ctx.seed}; numerical ranks (float64) and float training")
    gap = [(r["cell"]["d_h"], r["cell"]["shared"], r["rank_random"], r["rank_optimized"], r["theorem"], r["ceiling"]) for r in ranks]
    below = [g for g in gap if g[0] < rc["n"]]
    reach = all(max(g[2], g[3]) >= g[5] for g in below)
    findings = [
        Result.proved("PROBE.rank", ("for d_h < n the rank of Z reached by random/optimized heads "
                                     + ("equals the ceiling (H(n−1)+1 shared, min(T, Hd) distinct) in every cell: the theorem's "
                                        "H(n̄−1)+1 is not tight in d_h" if reach else "falls short of the ceiling in some cells")),
                      Level.EMPIRICAL, scope, evidence={"(d_h, shared, rank_random, rank_optimized, theorem, ceiling)": gap}),
        Result.proved("PROBE.largest_T", "largest T memorized: " + "; ".join(
            f"H={r['cell']['H']}, n={r['cell']['n']}, d_h={r['cell']['d_h']}, d_o={r['cell']['d_o']}: constructor {r['construct_T']}, "
            f"training {r['train_largest_T']} (P2 ceiling {r['p2_ceiling']})" for r in largest), Level.EMPIRICAL, scope,
            evidence={"cells": [{k: r[k] for k in ("capacity", "construct_T", "train_largest_T", "p2_ceiling")} for r in largest]}),
    ]
    files.append(write_findings(ctx, NAME, findings))
    return ExperimentOutput(NAME, ranks + largest, findings, files, {"rank": gap}, counter.get("computed", 0), counter.get("reused", 0))

"""E1 — memorization sweeps with the authors' model and recipe (paper Figure 2, Appendix A).

Sweeps: number of heads H, context size n, head size d_h (shared context), the heads sweep with
distinct ("random") contexts, and regression labels. Memorization = number of training examples
fitted (classification: argmax correct; regression: |error| ≤ 0.05, the authors define no regression
accuracy) after training with early stop at 100 %. The theorem's ``H(n̄ − 1) + 1`` (n̄ = min(n, d_h))
is drawn for comparison; note it is a *guarantee for exact interpolation of arbitrary real labels*
by some weights, not a prediction of what Adam finds for classification.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, linear_fit, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "e1"
TITLE = "E1: memorization sweeps (heads, context size, head size; shared/distinct; classification/regression)"


def _grid(d: int, heads: list[int], ns: list[int], dhs: list[int], n0: int, H0: int, H_dh: int, T: dict[str, int],
          classes: int) -> list[dict[str, Any]]:
    cells = []
    for H in heads:
        cells.append({"sweep": "heads", "H": H, "n": n0, "d_h": d, "shared": True, "task": "classification", "T": T["heads"]})
    for n in ns:
        cells.append({"sweep": "context", "H": H0, "n": n, "d_h": d, "shared": True, "task": "classification", "T": T["context"]})
    for dh in dhs:
        cells.append({"sweep": "head_size", "H": H_dh, "n": n0, "d_h": dh, "shared": True, "task": "classification", "T": T["head_size"]})
    for H in heads:
        cells.append({"sweep": "heads_distinct", "H": H, "n": n0, "d_h": d, "shared": False, "task": "classification", "T": T["distinct"]})
    for H in heads:
        cells.append({"sweep": "heads_regression", "H": H, "n": n0, "d_h": d, "shared": True, "task": "regression", "T": T["regression"]})
    for c in cells:
        c.update(d=d, classes=classes if c["task"] == "classification" else 1)
    return cells


CONFIGS = {
    "tiny": {"cells": _grid(8, [1, 2], [2, 4], [2, 8], 4, 2, 2, {"heads": 48, "context": 48, "head_size": 48, "distinct": 48,
                                                                  "regression": 24}, 10), "steps": 150, "eval_every": 50},
    "quick": {"cells": _grid(16, [1, 2, 4, 8], [2, 4, 8], [2, 4, 8, 16], 8, 4, 4,
                             {"heads": 400, "context": 400, "head_size": 400, "distinct": 400, "regression": 200}, 100),
              "steps": 2000, "eval_every": 250},
    "full": {"cells": _grid(64, [1, 5, 10, 20, 30, 40, 50, 60], [1, 5, 10, 20, 30, 40, 50, 60], list(range(10, 61, 5)) + [64],
                            32, 20, 30, {"heads": 40_000, "context": 18_000, "head_size": 30_000, "distinct": 130_000,
                                         "regression": 10_000}, 100),
             "steps": None, "eval_every": 500},
}


def steps_for(T: int, sweep: str, cfg_steps: int | None) -> int:
    """The authors' step count max(⌊500·T/256⌋, 50 000) (≥ 300 000 for the d_h sweep) unless the mode fixes it."""
    if cfg_steps is not None:
        return cfg_steps
    base = max(500 * T // 256, 50_000)
    return max(base, 300_000) if sweep == "head_size" else base


def _cell(ctx: RunContext, cfg: dict[str, Any]):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        from .training import make_model, synthetic_task, train

        cls = cell["task"] == "classification"
        data = synthetic_task(cell["T"], cell["n"], cell["d"], shared=cell["shared"], classes=cell["classes"] if cls else None,
                              seed=ctx.seed)
        model = make_model("authors", cell["d"], cell["classes"], cell["H"], cell["d_h"], seed=ctx.seed, device=ctx.device)
        res = train(model, data, steps=steps_for(cell["T"], cell["sweep"], cfg["steps"]), task=cell["task"], seed=ctx.seed,
                    device=ctx.device, eval_every=cfg["eval_every"])
        acc = res["best"]["acc"] if cls else res["final"]["acc"]
        n_bar = min(cell["n"], cell["d_h"])
        return {"accuracy": acc, "memorized": int(round(acc * cell["T"])), "theorem_T": cell["H"] * (n_bar - 1) + 1,
                "p2_ceiling": cell["H"] * (cell["n"] - 1) + 1, "final_loss": res["final"]["loss"], "steps_run": res["steps_run"],
                "stopped": res["stopped"], "train_seconds": res["seconds"], "env": res["env"]}
    return fn


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    counter: dict[str, int] = {}
    cells = [{**c, "seed": ctx.seed, "steps": cfg["steps"]} for c in cfg["cells"]]
    records = run_cells(ctx, NAME, cells, _cell(ctx, cfg), counter=counter)
    files = write_table(ctx, NAME, records)
    sweeps: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        sweeps.setdefault(r["cell"]["sweep"], []).append(r)
    xkey = {"heads": "H", "context": "n", "head_size": "d_h", "heads_distinct": "H", "heads_regression": "H"}
    fits, trends = {}, {}
    for s, rs in sweeps.items():
        xs = [r["cell"][xkey[s]] for r in rs]
        ys = [r["memorized"] for r in rs]
        fits[s] = linear_fit(xs, ys)
        order = np.argsort(xs)
        trends[s] = bool(np.all(np.diff(np.asarray(ys)[order]) >= -1e-9))
    if ctx.figures:
        plt = pyplot()
        fig, axes = plt.subplots(1, len(sweeps), figsize=(3.3 * len(sweeps), 3.2), squeeze=False)
        for ax, (s, rs) in zip(axes[0], sweeps.items()):
            rs = sorted(rs, key=lambda r: r["cell"][xkey[s]])
            xs = [r["cell"][xkey[s]] for r in rs]
            ax.plot(xs, [r["memorized"] for r in rs], "o-", label=f"trained (T={rs[0]['cell']['T']})")
            ax.plot(xs, [r["theorem_T"] for r in rs], "k--", lw=1, label="H(n̄−1)+1")
            if s in ("heads", "heads_distinct", "heads_regression"):
                f = fits[s]
                ax.plot(xs, [f["slope"] * x + f["intercept"] for x in xs], ":", color="C3", label=f"fit R²={f['r2']:.3f}")
            ax.set_xlabel(xkey[s])
            ax.set_ylabel("examples memorized")
            ax.set_title(s.replace("_", " "), fontsize=9)
            ax.legend(fontsize=7)
        files += save_figure(ctx, NAME, fig, "e1_sweeps")
    scope = Scope.instance(f"authors' model and recipe, mode {ctx.mode} (d={cells[0]['d']}), seed {ctx.seed}, device {ctx.device}; "
                           "one seed, one dataset size per sweep")
    findings = [
        Result.proved("E1.heads", f"memorized examples vs H (shared context): linear fit R² = {fits.get('heads', {}).get('r2', float('nan')):.4f}, "
                      f"slope {fits.get('heads', {}).get('slope', float('nan')):.3g} per head; monotone: {trends.get('heads')}",
                      Level.EMPIRICAL, scope, evidence={"fits": fits, "monotone": trends}),
        Result.proved("E1.context", f"memorized examples monotone in n: {trends.get('context')}; in d_h: {trends.get('head_size')} "
                      "(paper: grows with d_h only up to d_h ≈ n)", Level.EMPIRICAL, scope,
                      evidence={"context": [(r['cell']['n'], r['memorized']) for r in sweeps.get('context', [])],
                                "head_size": [(r['cell']['d_h'], r['memorized']) for r in sweeps.get('head_size', [])]}),
    ]
    files.append(write_findings(ctx, NAME, findings))
    return ExperimentOutput(NAME, records, findings, files, {"fits": fits, "monotone": trends}, counter.get("computed", 0),
                            counter.get("reused", 0))

"""Construction versus training: time to interpolate the same dataset to max error ≤ 1e-8.

Datasets: Gaussian queries and distinct Gaussian contexts at the theorem's capacity
``T = H(n̄ − 1) + 1``, scalar labels. Both sides use exactly the architecture of Theorem 1 with
``d_v = d_o = 1`` (the authors' ``d_v = 1`` per head) in float64:

- constructor: :func:`memproof.torchpath.construct_memorizing_mha_torch` (time includes the readout and
  the final evaluation; the median of ``repeats`` runs after one warm-up run, since a construction takes
  milliseconds at the quick sizes), and the numpy constructor for reference;
- training: :class:`~memproof.experiments.training.TheoremMHA`, Xavier init, Adam with the authors'
  recipe (lr 1e-3, batch 256, warm-up + cosine), evaluated every ``eval_every`` steps; stops when the
  max error reaches the target, or at the step/time budget (then its best error is reported and the
  ratio is a lower bound, marked ``≥``).

Headline: ``ratio = training seconds / construction seconds`` of the faster constructor on the device
(``ratio_against``: on a CPU usually the numpy one, whose least squares are LAPACK and a batched QR where
torch uses ``torch.linalg.pinv``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "construct_vs_train"
TITLE = "Construction versus training: seconds to reach max interpolation error ≤ 1e-8 (ratio)"
TARGET = 1e-8
CONFIGS = {
    "tiny": {"sizes": [(3, 6, 2, 3)], "steps": 300, "time_budget": 10.0, "eval_every": 50, "repeats": 2},
    "quick": {"sizes": [(4, 8, 4, 4), (8, 16, 4, 8), (8, 16, 8, 8)], "steps": 20_000, "time_budget": 60.0, "eval_every": 100,
              "repeats": 7},
    "full": {"sizes": [(8, 16, 8, 8), (16, 32, 16, 16), (32, 64, 16, 32), (32, 64, 64, 32)], "steps": 300_000,
             "time_budget": 1800.0, "eval_every": 500, "repeats": 3},
}


def dataset(n: int, d: int, H: int, d_h: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, n, d, H, d_h])
    T = H * (min(n, d_h) - 1) + 1
    return {"queries": rng.normal(size=(T, d)), "contexts": rng.normal(size=(T, n, d)), "labels": rng.normal(size=T)}


def _cell(ctx: RunContext, cfg: dict[str, Any]):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        import time

        import torch

        from ..construction import construct_memorizing_mha
        from ..torchpath import construct_memorizing_mha_torch
        from .training import make_model, train

        n, d, H, d_h = cell["n"], cell["d"], cell["H"], cell["d_h"]
        data = dataset(n, d, H, d_h, ctx.seed)
        T = len(data["labels"])
        runs = []
        for _ in range(cfg["repeats"] + 1):  # the first run is a warm-up (first-call costs), then the median of the rest
            built = construct_memorizing_mha_torch(data["queries"], data["contexts"], data["labels"], heads=H, d_h=d_h,
                                                   seed=ctx.seed, device=ctx.device)
            runs.append(built.timings["total"])
        t0 = time.perf_counter()
        ref = construct_memorizing_mha(data["queries"], data["contexts"], data["labels"], heads=H, d_h=d_h, seed=ctx.seed,
                                       check_assumptions=False)
        t_np = time.perf_counter() - t0
        model = make_model("theorem", d, 1, H, d_h, seed=ctx.seed, device=ctx.device, dtype=torch.float64)
        res = train(model, data, steps=cfg["steps"], task="regression", target_error=TARGET, seed=ctx.seed,
                    device=ctx.device, eval_every=cfg["eval_every"], time_budget=cfg["time_budget"])
        reached = res["final"]["max_error"] <= TARGET
        t_c = float(np.median(runs[1:]))
        fastest = "torch" if t_c <= t_np else "numpy"  # the ratio is against the faster constructor on this device
        return {"T": T, "construct_seconds": t_c, "construct_seconds_runs": runs[1:], "construct_numpy_seconds": t_np,
                "construct_max_error": built.max_abs_error,
                "construct_numpy_max_error": ref.max_abs_error, "train_reached": reached, "train_seconds": res["seconds"],
                "train_steps": res["steps_run"], "train_stopped": res["stopped"], "train_best_max_error": res["best"]["max_error"],
                "train_final_mse": res["final"]["loss"], "ratio": res["seconds"] / min(t_c, t_np), "ratio_against": fastest,
                "ratio_is_lower_bound": not reached,
                "env": built.env, "history": [(h["step"], h["max_error"]) for h in res["history"]]}
    return fn


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    counter: dict[str, int] = {}
    cells = [{"n": n, "d": d, "H": H, "d_h": dh, "seed": ctx.seed, "steps": cfg["steps"], "budget": cfg["time_budget"],
              "repeats": cfg["repeats"]}
             for n, d, H, dh in cfg["sizes"]]
    records = run_cells(ctx, NAME, cells, _cell(ctx, cfg), counter=counter)
    files = write_table(ctx, NAME, records)
    if ctx.figures:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.4))
        for r in records:
            c = r["cell"]
            hist = np.asarray(r["history"], float)
            ax.semilogy(hist[:, 0], hist[:, 1],
                        label=f"train T={r['T']} (H={c['H']}, n={c['n']})")
            ax.axhline(max(r["construct_max_error"], 1e-16), ls=":", color=ax.lines[-1].get_color())
        ax.axhline(TARGET, color="k", lw=0.8, label="target 1e-8")
        ax.set_xlabel("Adam steps")
        ax.set_ylabel("max |output − label|")
        ax.set_title("training (lines) vs construction (dotted)", fontsize=9)
        ax.legend(fontsize=7)
        files += save_figure(ctx, NAME, fig, "construct_vs_train")
    scope = Scope.instance(f"Gaussian data at capacity, distinct contexts, scalar labels, float64, device {ctx.device}, "
                           f"mode {ctx.mode}, seed {ctx.seed}; training budget {cfg['steps']} steps / {cfg['time_budget']} s")
    ratios = [(r["T"], r["ratio"], r["ratio_is_lower_bound"]) for r in records]
    text = ", ".join(f"T={T}: {'≥ ' if lb else ''}{ratio:.3g}×" for T, ratio, lb in ratios)
    findings = [Result.proved("CVT", f"training / construction time to max error ≤ 1e-8: {text}", Level.EMPIRICAL, scope,
                              evidence={"ratios": ratios, "train_best": [r["train_best_max_error"] for r in records],
                                        "construct_errors": [r["construct_max_error"] for r in records]})]
    files.append(write_findings(ctx, NAME, findings))
    return ExperimentOutput(NAME, records, findings, files, {"ratios": ratios}, counter.get("computed", 0), counter.get("reused", 0))

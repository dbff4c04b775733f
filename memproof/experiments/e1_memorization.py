"""E1 — memorization sweeps with the authors' model and recipe (paper Figure 2, Appendix A).

Sweeps: number of heads H, context size n, head size d_h (shared context), the heads sweep with
distinct ("random") contexts, and regression labels. Memorization = number of training examples
fitted (classification: argmax correct; regression: |error| ≤ 0.05, the authors define no regression
accuracy) after training with early stop at 100 %. The theorem's ``H(n̄ − 1) + 1`` (n̄ = min(n, d_h))
is drawn for comparison; note it is a *guarantee for exact interpolation of arbitrary real labels*
by some weights, not a prediction of what Adam finds for classification.

Each cell trains ``seeds`` independent runs (seeds ``seed, seed + 1, …``: data, initialisation and batch
order) side by side as one ensemble (:func:`memproof.experiments.training.train`); the table holds every
run and the mean with its standard error. The paper's trends are judged on the means: linear in H
(R² ≥ 0.98), monotone in n and growth in d_h up to ``d_h ≈ n`` then flat, each within 2 standard errors
(:func:`grows_monotonically`, :func:`flat_beyond`); each becomes an empirical finding, reproduced
(proved) or not (refuted, with the numbers). Mode keys can be overridden from the command line, e.g.
``memproof experiment e1 --set steps=16000 --set seeds=8 --set 'sweeps=["context","head_size"]'``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, linear_fit, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "e1"
TITLE = "E1: memorization sweeps (heads, context size, head size; shared/distinct; classification/regression)"


SWEEPS = ["heads", "context", "head_size", "heads_distinct", "heads_regression"]


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
    "tiny": {"cells": _grid(8, [1, 2], [1, 4], [2, 8], 4, 2, 2, {"heads": 48, "context": 48, "head_size": 48, "distinct": 48,
                                                                  "regression": 24}, 10), "steps": 150, "eval_every": 50,
             "seeds": 2, "sweeps": SWEEPS},
    "quick": {"cells": _grid(16, [1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8, 16], 8, 4, 4,
                             {"heads": 400, "context": 300, "head_size": 300, "distinct": 400, "regression": 200}, 100),
              "steps": 2000, "eval_every": 250, "seeds": 4, "sweeps": SWEEPS},
    "full": {"cells": _grid(64, [1, 5, 10, 20, 30, 40, 50, 60], [1, 5, 10, 20, 30, 40, 50, 60], list(range(10, 61, 5)) + [64],
                            32, 20, 30, {"heads": 40_000, "context": 18_000, "head_size": 30_000, "distinct": 130_000,
                                         "regression": 10_000}, 100),
             "steps": None, "eval_every": 500, "seeds": 6, "sweeps": SWEEPS},
}
XKEY = {"heads": "H", "context": "n", "head_size": "d_h", "heads_distinct": "H", "heads_regression": "H"}


def steps_for(T: int, sweep: str, cfg_steps: int | None) -> int:
    """The authors' step count max(⌊500·T/256⌋, 50 000) (≥ 300 000 for the d_h sweep) unless the mode fixes it."""
    if cfg_steps is not None:
        return cfg_steps
    base = max(500 * T // 256, 50_000)
    return max(base, 300_000) if sweep == "head_size" else base


def member_seeds(seed: int, count: int) -> list[int]:
    """Seeds of a cell's ensemble: ``seed, seed + 1, …`` (the first is the authors' 42 by default)."""
    return [seed + k for k in range(count)]


def _cell(ctx: RunContext, cfg: dict[str, Any]):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        from .training import make_model, synthetic_task, train

        cls = cell["task"] == "classification"
        seeds = member_seeds(ctx.seed, cell["seeds"])
        datas = [synthetic_task(cell["T"], cell["n"], cell["d"], shared=cell["shared"], classes=cell["classes"] if cls else None,
                                seed=s) for s in seeds]
        models = [make_model("authors", cell["d"], cell["classes"], cell["H"], cell["d_h"], seed=s, device=ctx.device)
                  for s in seeds]
        res = train(models, datas, steps=steps_for(cell["T"], cell["sweep"], cfg["steps"]), task=cell["task"], seed=seeds,
                    device=ctx.device, eval_every=cfg["eval_every"], checkpoint=ctx.checkpoint(NAME, cell),
                    progress=ctx.progress)
        accs = [(m["best"] if cls else m["final"])["acc"] for m in res["members"]]
        memorized = [int(round(a * cell["T"])) for a in accs]
        n_bar = min(cell["n"], cell["d_h"])
        return {"seeds": seeds, "memorized_per_seed": memorized, "memorized": float(np.mean(memorized)),
                "memorized_se": standard_error(memorized), "accuracy": float(np.mean(accs)),
                "majority_label_count": [int(np.bincount(np.asarray(x["labels"])).max()) if cls else None for x in datas],
                "theorem_T": cell["H"] * (n_bar - 1) + 1, "p2_ceiling": cell["H"] * (cell["n"] - 1) + 1,
                "final_loss": [m["final"]["loss"] for m in res["members"]], "steps_run": res["steps_run"],
                "stopped": [m["stopped"] for m in res["members"]], "train_seconds": res["seconds"], "env": res["env"]}
    return fn


def standard_error(values: list[float]) -> float:
    """Standard error of the mean (0.0 for a single value).

    >>> standard_error([1, 3]), standard_error([5])
    (1.0, 0.0)
    """
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def _sorted(rs: list[dict[str, Any]], x: str) -> list[dict[str, Any]]:
    return sorted(rs, key=lambda r: r["cell"][x])


def _points(rs: list[dict[str, Any]], x: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rs = _sorted(rs, x)
    return (np.array([r["cell"][x] for r in rs], float), np.array([r["memorized"] for r in rs], float),
            np.array([r["memorized_se"] for r in rs], float))


def _z(ys: np.ndarray, se: np.ndarray, i: int, j: int) -> float:
    """``ys[j] − ys[i]`` in combined standard errors."""
    return float((ys[j] - ys[i]) / max(np.hypot(se[i], se[j]), 1e-12))


def grows_monotonically(xs: np.ndarray, ys: np.ndarray, se: np.ndarray, z: float = 2.0) -> dict[str, Any]:
    """The paper's "grows monotonically": no step down by more than ``z`` combined standard errors, and the
    last point above the first by more than ``z`` of them.

    >>> grows_monotonically(np.array([1, 2, 3]), np.array([5., 9, 8.5]), np.array([1., 1, 1]))["holds"]
    True
    >>> grows_monotonically(np.array([1, 2, 3]), np.array([5., 9, 5.]), np.array([1., 1, 1]))["holds"]
    False
    """
    steps = [(float(xs[i]), float(xs[i + 1]), _z(ys, se, i, i + 1)) for i in range(len(xs) - 1)]
    gain = _z(ys, se, 0, len(ys) - 1)
    worst = min((s[2] for s in steps), default=0.0)
    return {"holds": bool(worst >= -z and gain > z), "worst_step_z": worst, "overall_gain_z": gain, "steps_z": steps}


def flat_beyond(xs: np.ndarray, ys: np.ndarray, se: np.ndarray, knee: float, z: float = 2.0) -> dict[str, Any]:
    """The paper's "grows with d_h only up to d_h ≈ n": monotone growth (:func:`grows_monotonically`) from the
    smallest x to ``knee`` and no change beyond it by more than ``z`` combined standard errors.

    >>> flat_beyond(np.array([1, 4, 8]), np.array([10., 30, 31]), np.array([1., 1, 1]), knee=4)["holds"]
    True
    >>> flat_beyond(np.array([1, 4, 8]), np.array([10., 30, 45]), np.array([1., 1, 1]), knee=4)["holds"]
    False
    >>> flat_beyond(np.array([1, 2, 4, 8]), np.array([10., 40, 20, 21]), np.array([1., 1, 1, 1]), knee=4)["holds"]
    False
    """
    k = int(np.argmin(np.abs(xs - knee)))
    up_to = grows_monotonically(xs[:k + 1], ys[:k + 1], se[:k + 1], z)
    beyond = [_z(ys, se, k, j) for j in range(k + 1, len(xs))]
    flat = all(abs(b) <= z for b in beyond)
    return {"holds": bool(up_to["holds"] and flat), "growth_to_knee_z": up_to["overall_gain_z"],
            "worst_step_to_knee_z": up_to["worst_step_z"], "steps_to_knee_z": up_to["steps_z"],
            "beyond_knee_z": beyond, "knee": float(xs[k])}


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    unknown = sorted(set(cfg["sweeps"]) - set(SWEEPS))
    if unknown:
        raise InvalidArgumentError("sweeps", ", ".join(unknown), f"a subset of {', '.join(SWEEPS)}")
    counter: dict[str, int] = {}
    cells = [{**c, "seeds": cfg["seeds"], "steps": cfg["steps"], "seed": ctx.seed} for c in cfg["cells"] if c["sweep"] in cfg["sweeps"]]
    records = run_cells(ctx, NAME, cells, _cell(ctx, cfg), counter=counter)
    files = write_table(ctx, NAME, records)
    sweeps: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        sweeps.setdefault(r["cell"]["sweep"], []).append(r)
    fits = {s: linear_fit(*_points(rs, XKEY[s])[:2]) for s, rs in sweeps.items() if XKEY[s] == "H"}
    steps = "the authors' step counts" if cfg["steps"] is None else f"{cfg['steps']} steps"
    if ctx.figures:
        title = f"E1, authors' model and recipe, d = {cells[0]['d']}, {steps}, {cfg['seeds']} seeds (mean ± SE)"
        files += save_figure(ctx, NAME, _figure(sweeps, fits, title), "e1_sweeps")
    scope = Scope.instance(f"authors' model and recipe, mode {ctx.mode} (d={cells[0]['d']}), {steps}, {cfg['seeds']} seeds from "
                           f"{ctx.seed}, device {ctx.device}; one dataset size per sweep; trends judged on seed means "
                           "within 2 standard errors")
    findings = _findings(sweeps, fits, scope)
    files.append(write_findings(ctx, NAME, findings))
    summary = {"fits": fits, **{f.claim: f.outcome.value for f in findings}}
    return ExperimentOutput(NAME, records, findings, files, summary, counter.get("computed", 0), counter.get("reused", 0))


def _findings(sweeps: dict[str, list[dict[str, Any]]], fits: dict[str, dict[str, float]], scope: Scope) -> list[Result]:
    """One empirical finding per reported trend present in the run: reproduced (proved) or not (refuted, with the numbers)."""
    findings = []

    def verdict(claim: str, holds: bool, statement: str, evidence: dict[str, Any]) -> Result:
        if holds:
            return Result.proved(claim, statement, Level.EMPIRICAL, scope, evidence=evidence)
        return Result.refuted(claim, statement, Level.EMPIRICAL, scope, counterexample=evidence)

    for s in ("heads", "heads_distinct", "heads_regression"):
        if s in sweeps:
            f = fits[s]
            findings.append(verdict(f"E1.{s}", f["r2"] >= 0.98 and f["slope"] > 0,
                                    f"{s.replace('_', ' ')}: memorized examples grow linearly in H (paper: R² ≥ 0.98); "
                                    f"fit R² = {f['r2']:.4f}, slope {f['slope']:.3g} per head", {"fit": f, "points": _pairs(sweeps[s], "H")}))
    if "context" in sweeps:
        m = grows_monotonically(*_points(sweeps["context"], "n"))
        findings.append(verdict("E1.context", m["holds"], "memorized examples grow monotonically with the context size n "
                                f"(paper); worst step {m['worst_step_z']:+.1f} SE, overall gain {m['overall_gain_z']:+.1f} SE",
                                {**m, "points": _pairs(sweeps["context"], "n")}))
    if "head_size" in sweeps:
        knee = sweeps["head_size"][0]["cell"]["n"]
        f = flat_beyond(*_points(sweeps["head_size"], "d_h"), knee=knee)
        findings.append(verdict("E1.head_size", f["holds"], f"memorized examples grow with d_h only up to d_h ≈ n = {knee} "
                                f"(paper); growth to the knee {f['growth_to_knee_z']:+.1f} SE (worst step {f['worst_step_to_knee_z']:+.1f}), beyond it "
                                f"{', '.join(f'{b:+.1f}' for b in f['beyond_knee_z']) or 'no points'} SE",
                                {**f, "points": _pairs(sweeps["head_size"], "d_h")}))
    return findings


def _pairs(rs: list[dict[str, Any]], x: str) -> list[list[float]]:
    return [[r["cell"][x], r["memorized"], r["memorized_se"]] for r in _sorted(rs, x)]


def _figure(sweeps: dict[str, list[dict[str, Any]]], fits: dict[str, dict[str, float]], title: str) -> Any:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(sweeps), figsize=(max(3.3 * len(sweeps), 6.6), 3.4), squeeze=False)
    fig.suptitle(title, fontsize=9)
    for ax, (s, rs) in zip(axes[0], sweeps.items()):
        xs, ys, se = _points(rs, XKEY[s])
        ordered = _sorted(rs, XKEY[s])
        runs = [(x, m) for x, r in zip(xs, ordered) for m in r["memorized_per_seed"]]
        ax.plot(*zip(*runs), ".", color="C0", alpha=0.3, ms=4, label="each seed")
        ax.errorbar(xs, ys, yerr=se, fmt="o-", capsize=3, label=f"trained, T={rs[0]['cell']['T']}")
        theorem = [r["theorem_T"] for r in ordered]
        ax.plot(xs, theorem, "k--", lw=1, label="H(n̄−1)+1")
        if s in fits:
            f = fits[s]
            ax.plot(xs, f["slope"] * xs + f["intercept"], ":", color="C3", label=f"fit R²={f['r2']:.3f}")
        if s in ("context", "head_size"):  # powers of two
            ax.set_xscale("log", base=2)
            ax.set_xticks(xs, [f"{x:g}" for x in xs])
        ax.set_xlabel(XKEY[s])
        ax.set_ylabel("examples memorized")
        ax.set_title(s.replace("_", " "), fontsize=9)
        ax.legend(fontsize=7)
    return fig

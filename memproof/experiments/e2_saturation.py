"""E2 — softmax saturation: trained weights versus the constructed ones.

Trained: the authors' model and recipe (shared context, no early stop; the paper: H = 4, T = 550 and
H = 8, T = 1300, n = 32, 300 000 steps); for every example and head, the query's attention over the n
context tokens; a head is *saturated* on an example when its largest weight exceeds 0.99. Output: the
histogram of saturated heads per example.

Constructed: :func:`memproof.construction.construct_memorizing_mha` at capacity. The proof predicts
exactly which heads saturate where: head h ≥ 2 saturates on every *old* example t ∈ R_{h−1} (S4), on
the token ``i_t`` recorded in its trace. We measure all (example, head) pairs by category — old
(t ∈ R_{h−1}, predicted), new (t ∈ N_h, shaped by random logits: not predicted to saturate) and later
(t ∈ N_g, g > h: not constrained by the proof) — and check the prediction pair by pair.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..results import Level, Result, Scope
from .runner import ExperimentOutput, RunContext, pyplot, run_cells, save_figure, write_findings, write_table

NAME = "e2"
TITLE = "E2: softmax saturation, trained (authors' recipe) and constructed (predicted heads)"
THRESHOLD = 0.99
CONFIGS = {
    "tiny": {"train": [{"H": 2, "T": 24, "d": 8, "n": 4, "classes": 10, "steps": 200}],
             "construct": [{"H": 3, "n": 4, "d": 8, "d_h": 4}]},
    "quick": {"train": [{"H": 4, "T": 120, "d": 16, "n": 8, "classes": 100, "steps": 3000},
                        {"H": 8, "T": 280, "d": 16, "n": 8, "classes": 100, "steps": 3000}],
              "construct": [{"H": 4, "n": 8, "d": 16, "d_h": 8}, {"H": 8, "n": 8, "d": 16, "d_h": 8}]},
    "full": {"train": [{"H": 4, "T": 550, "d": 64, "n": 32, "classes": 100, "steps": 300_000},
                       {"H": 8, "T": 1300, "d": 64, "n": 32, "classes": 100, "steps": 300_000}],
             "construct": [{"H": 4, "n": 32, "d": 64, "d_h": 32}, {"H": 8, "n": 32, "d": 64, "d_h": 32}]},
}


def saturation_table(att: np.ndarray, threshold: float = THRESHOLD) -> dict[str, Any]:
    """From attention (T, H, n): saturated mask (T, H) and the histogram of saturated heads per example."""
    sat = att.max(axis=2) > threshold
    per = sat.sum(axis=1)
    hist = np.bincount(per, minlength=att.shape[1] + 1)
    return {"saturated": sat, "histogram": hist.tolist(), "mean_saturated_heads": float(per.mean()),
            "fraction_saturated_pairs": float(sat.mean())}


def constructed_saturation(H: int, n: int, d: int, d_h: int, seed: int, threshold: float = THRESHOLD) -> dict[str, Any]:
    """Construct at capacity on a shared-context dataset and compare saturation with the proof's prediction."""
    from ..construction import construct_memorizing_mha
    from ..model import attention_batch

    rng = np.random.default_rng([seed, 2])
    n_bar = min(n, d_h)
    T = H * (n_bar - 1) + 1
    Q, E, Y = rng.normal(size=(T, d)), rng.normal(size=(n, d)), rng.normal(size=T)
    built = construct_memorizing_mha(Q, E, Y, heads=H, d_h=d_h, seed=seed, check_assumptions=False)
    att = attention_batch(built.weights, E, Q)  # (T, H, n)
    st = saturation_table(att, threshold)
    sat = st["saturated"]
    group_of = np.empty(T, dtype=int)
    for h, g in enumerate(built.partition):
        group_of[list(g)] = h
    cats = {"old": [], "new": [], "later": []}
    predicted_ok, argmax_ok, predicted = 0, 0, 0
    for tr in built.trace:
        h = tr.head
        for t, i_t in zip(tr.old_examples, tr.saturation_argmax):
            predicted += 1
            predicted_ok += bool(sat[t, h])
            argmax_ok += int(att[t, h].argmax()) == int(i_t)
    for t in range(T):
        for h in range(H):
            g = group_of[t]
            cats["old" if g < h else ("new" if g == h else "later")].append(bool(sat[t, h]))
    return {"T": T, "histogram": st["histogram"], "mean_saturated_heads": st["mean_saturated_heads"],
            "predicted_pairs": predicted, "predicted_saturated": predicted_ok, "predicted_argmax_match": argmax_ok,
            "fraction_saturated_old": float(np.mean(cats["old"])) if cats["old"] else None,
            "fraction_saturated_new": float(np.mean(cats["new"])) if cats["new"] else None,
            "fraction_saturated_later": float(np.mean(cats["later"])) if cats["later"] else None,
            "min_max_attention_old": float(min((att[t, tr.head].max() for tr in built.trace for t in tr.old_examples), default=1.0)),
            "max_abs_error": built.max_abs_error}


def _train_cell(ctx: RunContext):
    def fn(cell: dict[str, Any]) -> dict[str, Any]:
        import torch

        from .training import make_model, synthetic_task, train

        data = synthetic_task(cell["T"], cell["n"], cell["d"], shared=True, classes=cell["classes"], seed=ctx.seed)
        model = make_model("authors", cell["d"], cell["classes"], cell["H"], cell["d"], seed=ctx.seed, device=ctx.device)
        res = train(model, data, steps=cell["steps"], early_stop=False, seed=ctx.seed, device=ctx.device,
                    eval_every=max(cell["steps"] // 10, 1), checkpoint=ctx.checkpoint(NAME, cell),
                    progress=ctx.progress)
        with torch.no_grad():
            q = torch.as_tensor(data["queries"], device=ctx.device)
            c = torch.as_tensor(data["contexts"], device=ctx.device).expand(len(q), cell["n"], cell["d"])
            att = model(q, c)[1].cpu().numpy()
        st = saturation_table(att)
        return {"train_accuracy": res["final"]["acc"], "steps_run": res["steps_run"], "train_seconds": res["seconds"],
                "histogram": st["histogram"], "mean_saturated_heads": st["mean_saturated_heads"],
                "fraction_saturated_pairs": st["fraction_saturated_pairs"], "env": res["env"]}
    return fn


def run(ctx: RunContext) -> ExperimentOutput:
    cfg = ctx.pick(CONFIGS)
    counter: dict[str, int] = {}
    tcells = [{"kind": "trained", **c, "seed": ctx.seed} for c in cfg["train"]]
    ccells = [{"kind": "constructed", **c, "seed": ctx.seed} for c in cfg["construct"]]
    trained = run_cells(ctx, NAME, tcells, _train_cell(ctx), counter=counter)
    constructed = run_cells(ctx, NAME, ccells, lambda c: constructed_saturation(c["H"], c["n"], c["d"], c["d_h"], ctx.seed),
                            counter=counter)
    records = trained + constructed
    files = write_table(ctx, NAME, records)
    if ctx.figures:
        plt = pyplot()
        fig, axes = plt.subplots(1, len(records), figsize=(3.2 * len(records), 3), squeeze=False)
        for ax, r in zip(axes[0], records):
            c, hist = r["cell"], r["histogram"]
            ax.bar(range(len(hist)), np.asarray(hist) / max(sum(hist), 1), color="C0" if c["kind"] == "trained" else "C1")
            ax.set_title(f"{c['kind']}: H={c['H']}, T={c.get('T', r.get('T'))}", fontsize=9)
            ax.set_xlabel("saturated heads per example (max attn > 0.99)", fontsize=8)
            ax.set_ylabel("fraction of examples", fontsize=8)
        files += save_figure(ctx, NAME, fig, "e2_saturation_histograms")
    scope = Scope.instance(f"mode {ctx.mode}, seed {ctx.seed}; constructed: shared context, Gaussian data at capacity; "
                           "trained: the authors' model and recipe on uniform data")
    ok = all(r["predicted_saturated"] == r["predicted_pairs"] and r["predicted_argmax_match"] == r["predicted_pairs"] for r in constructed)
    findings = [
        (Result.proved if ok else Result.refuted)(
            "E2.S4", "constructed weights: head h saturates (max attention > 0.99) on every old example t ∈ R_{h−1}, on the "
            "predicted token i_t", Level.EMPIRICAL, scope,
            **({} if ok else {"counterexample": {"records": constructed}}),
            evidence={"constructed": [{k: r[k] for k in ("T", "predicted_pairs", "predicted_saturated", "fraction_saturated_new",
                                                           "fraction_saturated_later", "min_max_attention_old")} for r in constructed]}),
        Result.proved("E2.trained", "trained weights: mean saturated heads per example "
                      + ", ".join(f"H={r['cell']['H']}: {r['mean_saturated_heads']:.2f} (train acc {r['train_accuracy']:.3f})" for r in trained),
                      Level.EMPIRICAL, scope, evidence={"trained": [{"H": r["cell"]["H"], "histogram": r["histogram"]} for r in trained]}),
    ]
    files.append(write_findings(ctx, NAME, findings))
    return ExperimentOutput(NAME, records, findings, files, {"trained": trained, "constructed": constructed},
                            counter.get("computed", 0), counter.get("reused", 0))

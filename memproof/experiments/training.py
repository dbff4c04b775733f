"""The authors' synthetic data, model and training recipe (docs/experiments.md, E1), in torch.

- :func:`synthetic_task` — queries i.i.d. U[0,1]^d, context tokens i.i.d. U[0,1] (shared or per example),
  labels: ``classes`` random classes or U[0,1] reals (regression).
- :class:`AuthorsModel` — linear embedding d→d, sinusoidal positional encoding on all n+1 tokens
  (query at position 0), one attention layer with H heads, ``W_Q, W_K ∈ R^{d×d_h}``, ``d_v = 1`` per head,
  ``W_O ∈ R^{H×d}``, logits scaled by ``1/√d`` (``1/√64`` at the paper's d = 64), the query masked as a
  key, a linear decoder read at the query position; Xavier-uniform init. Only the query position is
  computed (the decoder reads nothing else; the result is identical).
- :class:`TheoremMHA` — the layer of Theorem 1 itself (theorem.md §1: no embedding, no scale), for
  construction-versus-training comparisons on exactly the constructed architecture.
- :func:`train` — Adam (lr 1e-3), batch 256, linear warm-up from 0.01·lr over the first 5 % of the
  steps then cosine to 0, evaluation on the full training set every ``eval_every`` steps, early stop at
  100 % train accuracy (classification) or at a target max error (regression), seed 42 by default.
"""
from __future__ import annotations

import copy
import functools
import math
import os
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InvalidArgumentError
from ..positional import sinusoidal_encoding

from ..torchpath.env import require_torch, resolve_device, torch_info
from .runner import progress_bar


def synthetic_task(T: int, n: int, d: int, *, shared: bool, classes: int | None, seed: int) -> dict[str, np.ndarray]:
    """``{"queries" (T,d), "contexts" (n,d) or (T,n,d), "labels" (T,) int or (T,) float}`` (float32 inputs)."""
    rng = np.random.default_rng(seed)
    q = rng.random((T, d), dtype=np.float32)
    c = rng.random((n, d) if shared else (T, n, d), dtype=np.float32)
    y = rng.integers(0, classes, size=T) if classes else rng.random(T).astype(np.float32)
    return {"queries": q, "contexts": c, "labels": y}


@functools.lru_cache(maxsize=None)
def _modules():
    torch = require_torch()
    nn = torch.nn

    class AuthorsModel(nn.Module):
        """The authors' BaselineAttention, evaluated at the query position only."""

        def __init__(self, d: int, n_out: int, heads: int, d_h: int, max_len: int = 1024):
            super().__init__()
            self.d, self.heads = d, heads
            self.embedding = nn.Linear(d, d)
            self.Wq = nn.Parameter(torch.empty(heads, d, d_h))
            self.Wk = nn.Parameter(torch.empty(heads, d, d_h))
            self.Wv = nn.Parameter(torch.empty(heads, d, 1))
            self.Wo = nn.Parameter(torch.empty(heads, d))
            for h in range(heads):
                nn.init.xavier_uniform_(self.Wq[h])
                nn.init.xavier_uniform_(self.Wk[h])
                nn.init.xavier_uniform_(self.Wv[h])
            nn.init.xavier_uniform_(self.Wo)
            self.decoder = nn.Linear(d, n_out)
            self.register_buffer("pe", torch.as_tensor(sinusoidal_encoding(max_len, d), dtype=torch.float32))

        def forward(self, q: Any, ctx: Any) -> tuple[Any, Any]:
            """``q`` (b, d), ``ctx`` (b, n, d), or (n, d) for a shared context → (outputs (b, n_out), attention (b, H, n)).

            A shared context is embedded once and its keys and values are computed once (the same
            numbers as broadcasting it to every example).
            """
            x0 = self.embedding(q) + self.pe[0]
            xs = self.embedding(ctx) + self.pe[1:ctx.shape[-2] + 1]
            per = "b" if ctx.dim() == 3 else ""
            Qh = torch.einsum("bd,hde->bhe", x0, self.Wq)
            Kh = torch.einsum(f"{per}nd,hde->{per}hne", xs, self.Wk)
            att = torch.softmax(torch.einsum(f"bhe,{per}hne->bhn", Qh, Kh) / math.sqrt(self.d), dim=-1)
            Vh = torch.einsum(f"{per}nd,hdv->{per}hnv", xs, self.Wv)[..., 0]  # (b, H, n) or (H, n)
            out = (att * Vh).sum(-1) @ self.Wo  # (b, d)
            return self.decoder(out), att

    class TheoremMHA(nn.Module):
        """``Σ_h W_O^h W_V^hᵀ E_tᵀ softmax(E_t W_K^h W_Q^hᵀ e_t)`` (theorem.md §1), Xavier-uniform init."""

        def __init__(self, d: int, d_o: int, heads: int, d_h: int, d_v: int = 1):
            super().__init__()
            self.Wq = nn.Parameter(torch.empty(heads, d, d_h))
            self.Wk = nn.Parameter(torch.empty(heads, d, d_h))
            self.Wv = nn.Parameter(torch.empty(heads, d, d_v))
            self.Wo = nn.Parameter(torch.empty(heads, d_o, d_v))
            for p in (self.Wq, self.Wk, self.Wv, self.Wo):
                for h in range(heads):
                    nn.init.xavier_uniform_(p[h])

        def forward(self, q: Any, ctx: Any) -> tuple[Any, Any]:
            from ..torchpath import model as tm

            return tm.mha_batch(self.Wq, self.Wk, self.Wv, self.Wo, ctx, q, with_attention=True)

    return AuthorsModel, TheoremMHA


def make_model(kind: str, d: int, n_out: int, heads: int, d_h: int, *, seed: int, device: Any, dtype: Any = None,
               d_v: int = 1) -> Any:
    """``kind="authors"`` (:class:`AuthorsModel`) or ``"theorem"`` (:class:`TheoremMHA`), seeded."""
    torch = require_torch()
    torch.manual_seed(seed)
    AuthorsModel, TheoremMHA = _modules()
    m = AuthorsModel(d, n_out, heads, d_h) if kind == "authors" else TheoremMHA(d, n_out, heads, d_h, d_v)
    return m.to(device=device, dtype=dtype or torch.float32)


def lr_factor(step: int, steps: int) -> float:
    """The authors' schedule: linear warm-up 0.01 → 1 over ``steps // 20`` steps, then cosine to 0.

    >>> lr_factor(0, 100), lr_factor(5, 100), round(lr_factor(100, 100), 12)
    (0.01, 1.0, 0.0)
    """
    warm = steps // 20
    if step < warm:
        return 0.01 + (1 - 0.01) * step / warm
    rest = max(steps - warm, 1)
    return 0.5 * (1 + math.cos(math.pi * min(step - warm, rest) / rest))


def train(model: Any, data: Any, *, steps: int, task: str = "classification", lr: float = 1e-3,
          batch: int = 256, eval_every: int = 500, early_stop: bool = True, target_error: float | None = None,
          seed: int | Sequence[int] = 42, device: Any = "cpu", time_budget: float | None = None,
          checkpoint: str | Path | None = None, checkpoint_every: float = 60.0, progress: bool = False) -> dict[str, Any]:
    """Train with the authors' recipe; returns the history and the final full-set metrics.

    ``task="classification"``: cross-entropy, accuracy, early stop at 100 %. ``task="regression"``:
    MSE; "fitted" means ``|output − y| ≤ target_error`` (default 0.05 — the authors define no
    regression accuracy), early stop when every example is fitted. ``time_budget`` (seconds) stops
    training early too (recorded).

    **Ensembles.** ``model`` may be a list of same-shaped models, ``data`` a list of same-sized datasets
    and ``seed`` a list of seeds (one each): the members train side by side in one vectorised step
    (``torch.func.vmap`` over stacked parameters) — member ``e`` follows exactly the run of its own model,
    data and seed (each member's loss is its own mean; Adam acts elementwise), up to float rounding. On a
    small model the step cost is dominated by overhead, so 10 seeds cost about twice one (a lone model is
    called directly, without vmap). Training stops
    when every member has stopped; the trained parameters are written back into the given models. The
    return value is then ``{"members": [per-member results], "seconds", "env", "steps_run"}``.

    **Interruption.** With ``checkpoint`` (a file path) the whole training state — weights, Adam and
    schedule state, batch order and generators, history — is saved there at an evaluation step at most
    every ``checkpoint_every`` seconds (atomically); a later call with the same arguments resumes from
    it and ends with the weights an uninterrupted run would have. The file is removed when training
    ends; one written for other settings is ignored. ``progress`` shows a step bar (tqdm, on stderr) with
    the members' mean accuracy at each evaluation.
    """
    torch = require_torch()
    from torch.func import functional_call, stack_module_state, vmap

    single = not isinstance(model, (list, tuple))
    models = [model] if single else list(model)
    datas = [data] * len(models) if isinstance(data, dict) else list(data)
    seeds = [seed] * len(models) if isinstance(seed, int) else list(seed)
    if not (len(models) == len(datas) == len(seeds)):
        raise InvalidArgumentError("model/data/seed", f"{len(models)}/{len(datas)}/{len(seeds)}", "lists of the same length")
    dev = resolve_device(device)
    dt = next(models[0].parameters()).dtype
    E, cls = len(models), task == "classification"
    Q = torch.stack([torch.as_tensor(x["queries"], dtype=dt) for x in datas]).to(dev)
    C = torch.stack([torch.as_tensor(x["contexts"], dtype=dt) for x in datas]).to(dev)
    Y = torch.stack([torch.as_tensor(x["labels"]) for x in datas]).to(dev)
    Y = Y.long() if cls else Y.to(dt).reshape(E, Q.shape[1], -1)
    T, shared = Q.shape[1], C.dim() == 3
    tol = 0.05 if target_error is None else target_error
    if E == 1:  # called directly: vmap's overhead would slow a lone model down about twofold
        weights = list(models[0].parameters())

        def forward(q, c):
            return models[0](q[0], c[0])[0][None]
    else:
        params, buffers = stack_module_state(models)
        weights = list(params.values())
        base = copy.deepcopy(models[0]).to("meta")
        stacked = vmap(lambda p, b, q, c: functional_call(base, (p, b), (q, c))[0])

        def forward(q, c):
            return stacked(params, buffers, q, c)
    opt = torch.optim.Adam(weights, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, steps))
    rows = torch.arange(E, device=dev)[:, None]

    def batch_of(idx):
        """Inputs of the examples ``idx`` (E, b), member by member."""
        return Q[rows, idx], (C if shared else C[rows, idx]), Y[rows, idx]

    def member_loss(out, y):
        if cls:
            per = torch.nn.functional.cross_entropy(out.flatten(0, 1), y.flatten(), reduction="none").reshape(y.shape)
            return per.mean(1)
        return ((out - y) ** 2).flatten(1).mean(1)

    @torch.no_grad()
    def evaluate() -> list[dict[str, float]]:
        outs = []
        for i in range(0, T, 4096):
            idx = torch.arange(i, min(T, i + 4096), device=dev).expand(E, -1)
            q, c, _ = batch_of(idx)
            outs.append(forward(q, c))
        out = torch.cat(outs, dim=1)
        loss = member_loss(out, Y)
        if cls:
            acc = (out.argmax(-1) == Y).float().mean(1)
            return [{"loss": float(loss[e]), "acc": float(acc[e])} for e in range(E)]
        err = (out - Y).abs().amax(dim=-1)
        acc = (err <= tol).float().mean(1)
        return [{"loss": float(loss[e]), "acc": float(acc[e]), "max_error": float(err[e].max())} for e in range(E)]

    def better(m, best):
        return best is None or m.get("max_error", -m["acc"]) < best.get("max_error", -best["acc"])

    gens = [torch.Generator().manual_seed(s) for s in seeds]
    new_perm = lambda: torch.stack([torch.randperm(T, generator=g) for g in gens]).to(dev)  # noqa: E731
    runs = [{"history": [], "best": None, "steps_run": steps, "stopped": "steps"} for _ in range(E)]
    perm, pos, start, elapsed = new_perm(), 0, 0, 0.0
    fingerprint = {"steps": steps, "lr": lr, "batch": batch, "eval_every": eval_every, "seeds": seeds, "task": task,
                   "T": T, "shapes": [list(w.shape) for w in weights]}
    saved = _load_checkpoint(checkpoint, fingerprint)
    if saved is not None:
        with torch.no_grad():
            for w, v in zip(weights, saved["weights"]):
                w.copy_(v.to(dev))
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        for g, state in zip(gens, saved["gens"]):
            g.set_state(state)
        perm, pos, start, elapsed, runs = saved["perm"].to(dev), saved["pos"], saved["step"], saved["elapsed"], saved["runs"]
    t0 = time.perf_counter() - elapsed
    last_save, step = time.perf_counter(), start
    bar = progress_bar(progress, total=steps, initial=start, desc="steps", unit="step")
    for step in range(start + 1, steps + 1):
        if pos + min(batch, T) > T:
            perm, pos = new_perm(), 0
        q, c, y = batch_of(perm[:, pos:pos + batch])
        pos += batch
        loss = member_loss(forward(q, c), y).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % eval_every == 0 or step == steps:
            seconds = time.perf_counter() - t0
            metrics = evaluate()
            if bar is not None:
                bar.update(step - bar.n)
                bar.set_postfix(acc=f"{np.mean([m['acc'] for m in metrics]):.3f}")
            for run, m in zip(runs, metrics):
                if run["stopped"] != "steps":
                    continue
                m.update(step=step, seconds=seconds)
                run["history"].append(m)
                run["best"] = m if better(m, run["best"]) else run["best"]
                if early_stop and m["acc"] >= 1.0:
                    run.update(stopped="early_stop", steps_run=step)
            over = time_budget is not None and seconds > time_budget
            if over:
                for run in runs:
                    if run["stopped"] == "steps":
                        run.update(stopped="time_budget", steps_run=step)
            if over or all(run["stopped"] != "steps" for run in runs):
                break
            if checkpoint is not None and time.perf_counter() - last_save >= checkpoint_every:
                _save_checkpoint(checkpoint, {"fingerprint": fingerprint, "weights": [w.detach().cpu() for w in weights],
                                              "opt": opt.state_dict(), "sched": sched.state_dict(),
                                              "gens": [g.get_state() for g in gens], "perm": perm.cpu(), "pos": pos,
                                              "step": step, "elapsed": time.perf_counter() - t0, "runs": runs})
                last_save = time.perf_counter()
    if E > 1:
        with torch.no_grad():
            for e, m in enumerate(models):
                for name, p in m.named_parameters():
                    p.copy_(params[name][e])
    if bar is not None:
        bar.close()
    for run in runs:
        run["final"] = run["history"][-1]
    if checkpoint is not None:
        Path(checkpoint).unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    env = torch_info(dev, dt)
    if single:
        return {**runs[0], "seconds": seconds, "env": env}
    return {"members": runs, "seconds": seconds, "env": env, "steps_run": step}


def _save_checkpoint(path: str | Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``path`` atomically (a torn write never replaces a good checkpoint)."""
    torch = require_torch()
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _load_checkpoint(path: str | Path | None, fingerprint: dict[str, Any]) -> dict[str, Any] | None:
    """The saved state at ``path`` if it exists and was written for the same settings, else ``None``."""
    if path is None or not Path(path).exists():
        return None
    state = require_torch().load(path, weights_only=True)
    return state if state.get("fingerprint") == fingerprint else None

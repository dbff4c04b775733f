"""The authors' synthetic data, model and training recipe (shared/spec/experiments.md, E1), in torch.

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

import math
import time
from typing import Any

import numpy as np

from ..positional import sinusoidal_encoding

from ..torchpath.env import require_torch, resolve_device, torch_info


def synthetic_task(T: int, n: int, d: int, *, shared: bool, classes: int | None, seed: int) -> dict[str, np.ndarray]:
    """``{"queries" (T,d), "contexts" (n,d) or (T,n,d), "labels" (T,) int or (T,) float}`` (float32 inputs)."""
    rng = np.random.default_rng(seed)
    q = rng.random((T, d), dtype=np.float32)
    c = rng.random((n, d) if shared else (T, n, d), dtype=np.float32)
    y = rng.integers(0, classes, size=T) if classes else rng.random(T).astype(np.float32)
    return {"queries": q, "contexts": c, "labels": y}


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
            """``q`` (b, d), ``ctx`` (b, n, d) → (outputs (b, n_out), attention (b, H, n))."""
            x0 = self.embedding(q) + self.pe[0]
            xs = self.embedding(ctx) + self.pe[1:ctx.shape[1] + 1]
            Qh = torch.einsum("bd,hde->bhe", x0, self.Wq)
            Kh = torch.einsum("bnd,hde->bhne", xs, self.Wk)
            att = torch.softmax(torch.einsum("bhe,bhne->bhn", Qh, Kh) / math.sqrt(self.d), dim=-1)
            Vh = torch.einsum("bnd,hdv->bhnv", xs, self.Wv)[..., 0]  # (b, H, n)
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

            att = tm.attention(self.Wq, self.Wk, ctx, q)
            z = torch.einsum("thn,tnd->thd", att, ctx)
            out = torch.einsum("thv,hov->to", torch.einsum("thd,hdv->thv", z, self.Wv), self.Wo)
            return out, att

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


def train(model: Any, data: dict[str, Any], *, steps: int, task: str = "classification", lr: float = 1e-3,
          batch: int = 256, eval_every: int = 500, early_stop: bool = True, target_error: float | None = None,
          seed: int = 42, device: Any = "cpu", time_budget: float | None = None) -> dict[str, Any]:
    """Train with the authors' recipe; returns the history and the final full-set metrics.

    ``task="classification"``: cross-entropy, accuracy, early stop at 100 %. ``task="regression"``:
    MSE; "fitted" means ``|output − y| ≤ target_error`` (default 0.05 — the authors define no
    regression accuracy), early stop when every example is fitted. ``time_budget`` (seconds) stops
    training early too (recorded).
    """
    torch = require_torch()
    dev = resolve_device(device)
    dt = next(model.parameters()).dtype
    g = torch.Generator().manual_seed(seed)
    Q = torch.as_tensor(data["queries"], dtype=dt, device=dev)
    C = torch.as_tensor(data["contexts"], dtype=dt, device=dev)
    cls = task == "classification"
    Y = torch.as_tensor(data["labels"], device=dev)
    Y = Y.long() if cls else Y.to(dt).reshape(len(Q), -1)
    T = len(Q)
    shared = C.dim() == 2
    tol = 0.05 if target_error is None else target_error
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, steps))

    def ctx_of(idx):
        return C.expand(len(idx), *C.shape) if shared else C[idx]

    @torch.no_grad()
    def evaluate() -> dict[str, float]:
        outs = []
        for i in range(0, T, 4096):
            idx = torch.arange(i, min(T, i + 4096), device=dev)
            outs.append(model(Q[idx], ctx_of(idx))[0])
        out = torch.cat(outs)
        if cls:
            return {"loss": float(torch.nn.functional.cross_entropy(out, Y)), "acc": float((out.argmax(1) == Y).float().mean())}
        err = (out - Y).abs().amax(dim=1)
        return {"loss": float(((out - Y) ** 2).mean()), "acc": float((err <= tol).float().mean()), "max_error": float(err.max())}

    history = []
    t0 = time.perf_counter()
    perm = torch.randperm(T, generator=g).to(dev)
    pos, step, stopped = 0, 0, "steps"
    best = None
    for step in range(1, steps + 1):
        if pos + min(batch, T) > T:
            perm, pos = torch.randperm(T, generator=g).to(dev), 0
        idx = perm[pos:pos + batch]
        pos += batch
        model.train()
        out = model(Q[idx], ctx_of(idx))[0]
        loss = torch.nn.functional.cross_entropy(out, Y[idx]) if cls else torch.nn.functional.mse_loss(out, Y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % eval_every == 0 or step == steps:
            m = evaluate()
            m.update(step=step, seconds=time.perf_counter() - t0)
            history.append(m)
            key = m.get("max_error", -m["acc"])
            best = m if best is None or key < best.get("max_error", -best["acc"]) else best
            if early_stop and m["acc"] >= 1.0:
                stopped = "early_stop"
                break
            if time_budget is not None and m["seconds"] > time_budget:
                stopped = "time_budget"
                break
    final = history[-1]
    return {"final": final, "best": best, "history": history, "steps_run": step, "stopped": stopped,
            "seconds": time.perf_counter() - t0, "env": torch_info(dev, dt)}

"""The construction of Theorem 1 (theorem.md §6, S1–S8) batched in torch: :func:`construct_memorizing_mha_torch`.

A step-by-step mirror of :mod:`memproof.construction.heads` and :mod:`memproof.construction.construct`:

- S1: draws of logits for ``N_1``; keep the draw with the largest ``σ_k`` of the simplex points (L5b);
  realise them with ``W* = w Bᵀ`` (L3).
- S2–S6 for head ``h ≥ 2``: draws of the suppression pair ``(u, ν)`` (S3: 3a re-orthogonalised, 3b with a
  rounding-error bound, 3c distinct maximum; keep the largest gap ``γ``), the saturated rows ``A*`` (S4),
  ``G = V U⁺`` (S2), draws of new logits with ``D* = C − G A*`` numerically of full row rank (S5), the
  explicit scale ``c*`` (S6) and ``c = max(2c*, c* + 1, 1)``.
- S8: the minimum-norm readout ``M = Yᵀ(ZZᵀ)⁻¹Z`` and its factorisation (L2).

**Seed convention.** Every random draw comes from ``numpy.random.default_rng(seed)`` in the same order and
with the same shapes as the numpy constructor, so the choices are identical and the weights agree up to
rounding. The linear algebra runs in torch on ``device`` in ``dtype``: least squares by QR
(``G``: QR of ``Uᵀ``; ``W*``: QR of ``Q_Nᵀ`` and of each ``E_jᵀ``; readout: QR of ``Zᵀ``), which needs no
LAPACK driver that CUDA lacks. Results are empirical (float64 or float32); certify with
:func:`memproof.construction.check_memorizes` on ``to_numpy_weights()``.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..construction.construct import construction_problem
from ..construction.heads import RTOL, exactly_orthogonal, scale_c_star, scale_from_c_star
from ..construction.trace import NumericalConstructionError
from ..model import MHAWeights
from ..validation import positive_int
from . import model as tm
from .env import require_torch, resolve_device, resolve_dtype, timer, torch_info

__all__ = ["construct_memorizing_mha_torch", "TorchConstruction", "TorchHeadTrace", "numerical_rank"]


@dataclasses.dataclass(frozen=True)
class TorchHeadTrace:
    """The float quantities of one head (0-based ``head``), as in :class:`memproof.construction.HeadTrace`."""

    head: int
    group: tuple[int, ...]
    old_examples: tuple[int, ...]
    saturation_argmax: tuple[int, ...]  # i_t for t in old_examples (S4): the token head h saturates on
    gamma: float
    beta: float
    G_norm: float
    sigma_k_D_star: float
    sigma_1_D_star: float
    c_star: float
    c: float
    rank_margin: float | None  # σ_min/σ_max of Z[R_h, heads 1..h] (None when not tracked)

    @property
    def rank_decision(self) -> bool:
        """The numerical full-rank decision of S1/S5: ``σ_k(D*) > RTOL · σ_1(D*)``."""
        return self.sigma_k_D_star > RTOL * max(self.sigma_1_D_star, 1e-300)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["rank_decision"] = self.rank_decision
        return out


@dataclasses.dataclass(frozen=True, eq=False)
class TorchConstruction:
    """Result of :func:`construct_memorizing_mha_torch` (tensors stay on their device)."""

    W_Q: Any
    W_K: Any
    W_V: Any
    W_O: Any
    Z: Any
    partition: tuple[tuple[int, ...], ...]
    trace: tuple[TorchHeadTrace, ...]
    max_abs_error: float
    n_bar: int
    capacity: int
    seed: int | None
    timings: dict[str, float]
    env: dict[str, Any]
    warnings: tuple[str, ...] = ()

    def to_numpy_weights(self, n: int | None = None) -> MHAWeights:
        """The weights as a float64 :class:`~memproof.model.MHAWeights` (for the rigorous checker)."""
        arrs = [t.detach().to("cpu", dtype=require_torch().float64).numpy() for t in (self.W_Q, self.W_K, self.W_V, self.W_O)]
        w = MHAWeights(*arrs)
        return w if n is None else w.with_spec(w.spec_for(n))

    def summary(self) -> dict[str, Any]:
        """JSON-ready record: sizes, error, timings, environment, per-head traces."""
        return {"T": int(self.Z.shape[0]), "H": int(self.W_Q.shape[0]), "d": int(self.W_Q.shape[1]),
                "d_h": int(self.W_Q.shape[2]), "n_bar": self.n_bar, "capacity": self.capacity, "seed": self.seed,
                "max_abs_error": self.max_abs_error, "timings": dict(self.timings), "env": dict(self.env),
                "warnings": list(self.warnings), "trace": [t.to_dict() for t in self.trace]}


def numerical_rank(Z: Any, rtol: float | None = None) -> dict[str, Any]:
    """Numerical rank of a (T × m) tensor: singular values above ``rtol · σ_max`` (default
    ``max(T, m) · eps``, numpy's rule), with ``σ_min/σ_max`` of the first ``min(T, m)`` values. Empirical."""
    torch = require_torch()
    s = torch.linalg.svdvals(Z)
    eps = float(torch.finfo(Z.dtype).eps)
    tol = (max(Z.shape) * eps if rtol is None else rtol) * float(s[0]) if s.numel() else 0.0
    rank = int((s > tol).sum())
    return {"rank": rank, "rows": int(Z.shape[0]), "full_row_rank": rank == Z.shape[0],
            "sigma_max": float(s[0]) if s.numel() else 0.0, "sigma_min": float(s[-1]) if s.numel() else 0.0,
            "sigma_ratio": float(s[-1] / s[0]) if s.numel() and float(s[0]) > 0 else 0.0, "tolerance": tol}


# ------------------------------------------------------------------------------------- helpers
def _sigma_k(P: Any) -> tuple[float, float]:
    torch = require_torch()
    s = torch.linalg.svdvals(P)
    return (float(s[-1]) if s.numel() >= P.shape[0] else 0.0), (float(s[0]) if s.numel() else 0.0)


def _simplex_points(ctxN: Any, a: Any, offsets: Any = None) -> Any:
    """``E_tᵀ softmax(a_t) − g_t``: (k, d)."""
    torch = require_torch()
    v = torch.einsum("tn,tnd->td", torch.softmax(a, dim=1), ctxN)
    return v if offsets is None else v - offsets


def _min_norm_right(A: Any) -> Any:
    """``B = Aᵀ(AAᵀ)⁻¹`` for a full-row-rank A (k × d), by QR of Aᵀ: (d × k)."""
    torch = require_torch()
    Q, R = torch.linalg.qr(A.transpose(-1, -2))
    I = torch.eye(A.shape[-2], dtype=A.dtype, device=A.device).expand(*A.shape[:-2], A.shape[-2], A.shape[-2])
    return Q @ torch.linalg.solve_triangular(R.transpose(-1, -2), I, upper=False)


def _factors_L3(qN: Any, ctxN: Any, a: Any) -> tuple[Any, Any]:
    """``(w, B)``: ``B = Q_Nᵀ(Q_N Q_Nᵀ)⁻¹`` and ``w_j = E_jᵀ(E_jE_jᵀ)⁻¹ a_j`` (columns), ``W* = w Bᵀ`` (L3)."""
    torch = require_torch()
    B = _min_norm_right(qN)  # (d, k)
    Q, R = torch.linalg.qr(ctxN.transpose(1, 2))  # E_jᵀ = Q_j R_j: (k, d, n), (k, n, n)
    y = torch.linalg.solve_triangular(R.transpose(1, 2), a.unsqueeze(-1), upper=False)  # R_jᵀ y = a_j
    w = (Q @ y).squeeze(-1).T  # (d, k)
    return w, B


def _suppression(Q: Any, C: Any, old: list[int], qN: Any, rng: np.random.Generator, draws: int):
    """S3 (same draws and rules as :func:`memproof.construction.heads._suppression`)."""
    torch = require_torch()
    d = Q.shape[1]
    Qo, _ = torch.linalg.qr(qN.T)
    Qold, Cold = Q[old], C[old]
    U = float(torch.finfo(Q.dtype).eps) / 2
    gam_d = d * U / (1 - d * U)
    best = None
    tried = 0
    near: set[int] = set()
    for _ in range(draws):
        tried += 1
        xi = torch.as_tensor(rng.normal(size=d), dtype=Q.dtype, device=Q.device)
        nu = xi - Qo @ (Qo.T @ xi)
        nu = nu - Qo @ (Qo.T @ nu)
        norm = float(torch.linalg.vector_norm(nu))
        if norm == 0.0:
            continue
        nu = nu / norm
        if Q.dtype == torch.float64:  # 3a exactly for the stored floats, as in the numpy path
            nu_exact = exactly_orthogonal(qN.cpu().numpy(), nu.cpu().numpy())
            nu = nu if nu_exact is None else torch.as_tensor(nu_exact, dtype=Q.dtype, device=Q.device)
        u = torch.as_tensor(rng.normal(size=d), dtype=Q.dtype, device=Q.device)
        u = u / torch.linalg.vector_norm(u)
        dots = Qold @ nu
        ok_3b = dots.abs() > 2.0 * gam_d * (Qold.abs() @ nu.abs()) * (1 + 1e-6)
        if not bool(ok_3b.all()):
            near.update(old[i] for i in torch.nonzero(~ok_3b).flatten().tolist())
            continue
        g = dots[:, None] * (Cold @ u)  # (r, n)
        if g.shape[1] > 1:
            top = torch.topk(g, 2, dim=1).values
            gaps = top[:, 0] - top[:, 1]
        else:
            gaps = torch.full((g.shape[0],), math.inf, dtype=g.dtype, device=g.device)
        scale = g.abs().amax(dim=1)
        if not bool((gaps > 1e-9 * scale).all()):
            continue
        if best is None or float(gaps.min()) > float(best[3].min()):
            best = (u, nu, g, gaps)
    if best is None:
        hint = f" Old queries {sorted(near)[:8]} lie numerically in the span of this group's queries." if near else ""
        raise NumericalConstructionError(
            f"S3: none of {tried} draws of (u, ξ) gave ν·e_t ≠ 0 for all old queries and a distinct maximum of every "
            "g_t in this dtype; try another seed or more draws." + hint)
    u, nu, g, gaps = best
    return u, nu, torch.argmax(g, dim=1), gaps


# ----------------------------------------------------------------------------------- constructor
def construct_memorizing_mha_torch(
    queries: Any, contexts: Any, labels: Any, *, heads: int, d_h: int, d_v: int | None = None,
    seed: int | None = None, partition: Any = None, draws: int = 4, device: Any = None, dtype: Any = None,
    track_margins: bool | None = None, check_assumptions: bool = False,
) -> TorchConstruction:
    """Build an MHA layer that memorizes ``(E_t, e_t) ↦ y_t`` (S1–S8) with torch on ``device`` in ``dtype``.

    Parameters are those of :func:`memproof.construction.construct_memorizing_mha` plus

    device : str or torch.device, optional
        ``"cpu"`` (default) or ``"cuda"``.
    dtype : torch.float64 (default) or torch.float32 (or their names)
    track_margins : bool, optional
        Compute ``σ_min/σ_max`` of ``Z[R_h, heads 1..h]`` after every head (one SVD per head; the
        default does it only while ``T·H·d ≤ 4e6``).
    check_assumptions : bool
        Decide A1 (on the subsets used) and A2 exactly first, with the numpy checker (slow at scale;
        default False here — the numerical checks of every step still run).

    Inputs may be numpy arrays or tensors. Returns a :class:`TorchConstruction`.
    """
    torch = require_torch()
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    timings: dict[str, float] = {}
    with timer(timings, "total", dev):
        as_np = lambda x: x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x  # noqa: E731
        ds, spec, groups = construction_problem(as_np(queries), as_np(contexts), as_np(labels), heads=heads, d_h=d_h,
                                                d_v=d_v, seed=seed, partition=partition)
        draws = positive_int(draws, "draws")
        H, T, n, d, d_h, n_bar, Yn = spec.heads, ds.T, ds.n, ds.d, spec.d_h, spec.n_bar, ds.labels
        d_o, d_v = spec.d_o, spec.d_v
        if check_assumptions:
            from ..assumptions import require_used_assumptions

            with timer(timings, "assumptions", dev):
                require_used_assumptions(ds, groups)
        if track_margins is None:
            track_margins = T * H * d <= 4_000_000
        rng = np.random.default_rng(seed)
        Q = torch.as_tensor(ds.queries, dtype=dt, device=dev)
        Cs = torch.as_tensor(ds.contexts, dtype=dt, device=dev)  # (n, d) or (T, n, d)
        Call = Cs.expand(T, n, d) if Cs.dim() == 2 else Cs
        Y = torch.as_tensor(Yn, dtype=dt, device=dev)
        W_K = torch.zeros((H, d, d_h), dtype=dt, device=dev)
        W_Q = torch.zeros((H, d, d_h), dtype=dt, device=dev)
        Z = torch.zeros((T, H * d), dtype=dt, device=dev)
        traces: list[TorchHeadTrace] = []
        warnings: list[str] = []
        old: list[int] = []
        for h, group in enumerate(groups):
            group = list(group)
            if group:
                with timer(timings, "heads", dev):
                    tr = _head(h, Q, Call, old, group, Z, W_K, W_Q, rng, draws, n, d, d_h)
            with timer(timings, "features", dev):
                Z[:, h * d:(h + 1) * d] = tm.head_features(W_Q[h:h + 1], W_K[h:h + 1], Cs, Q)[:, 0]
            if group:
                margin = None
                if track_margins:
                    with timer(timings, "margins", dev):
                        rows = old + group
                        margin = numerical_rank(Z[rows, :(h + 1) * d])["sigma_ratio"]
                    if margin <= RTOL:
                        warnings.append(f"head {h}: σ_min/σ_max of Z[R_h] = {margin:.3g}: the dtype cannot confirm Inv(h)")
                traces.append(dataclasses.replace(tr, rank_margin=margin))
                old = old + group
        with timer(timings, "readout", dev):
            Mt = _min_norm_right(Z) @ Y  # (Hd, d_o) = Mᵀ, minimum-norm M Zᵀ = Yᵀ
            M = Mt.T
            W_V = torch.zeros((H, d, d_v), dtype=dt, device=dev)
            W_O = torch.zeros((H, d_o, d_v), dtype=dt, device=dev)
            for h in range(H):
                Mh = M[:, h * d:(h + 1) * d]
                if d <= d_o:
                    W_V[h, :, :d] = torch.eye(d, dtype=dt, device=dev)
                    W_O[h, :, :d] = Mh
                else:
                    W_O[h, :, :d_o] = torch.eye(d_o, dtype=dt, device=dev)
                    W_V[h, :, :d_o] = Mh.T
        with timer(timings, "evaluate", dev):
            Z = tm.feature_matrix(W_Q, W_K, Cs, Q)
            err = float((tm.mha_batch(W_Q, W_K, W_V, W_O, Cs, Q) - Y).abs().max())
    env = torch_info(dev, dt)
    return TorchConstruction(W_Q, W_K, W_V, W_O, Z, groups, tuple(traces), err, n_bar, spec.capacity, seed,
                             timings, env, tuple(warnings))


def _head(h: int, Q: Any, C: Any, old: list[int], group: list[int], Z: Any, W_K: Any, W_Q: Any,
          rng: np.random.Generator, draws: int, n: int, d: int, d_h: int) -> TorchHeadTrace:
    """One head: S1 (no old examples) or S2–S6; writes ``W_K[h], W_Q[h]`` (factored, L8)."""
    torch = require_torch()
    dt, dev = Q.dtype, Q.device
    qN, ctxN = Q[group], C[group]
    k = len(group)
    if not old:  # S1
        best = None
        for _ in range(draws):
            a = torch.as_tensor(rng.normal(size=(k, n)), dtype=dt, device=dev)
            sk, s1 = _sigma_k(_simplex_points(ctxN, a))
            if best is None or sk > best[0]:
                best = (sk, s1, a)
        sk, s1, a = best
        if not sk > RTOL * max(s1, 1e-300):
            raise NumericalConstructionError(f"S1: no draw of {draws} gave numerically independent feature rows for N_1 "
                                             f"(σ_k/σ_1 = {sk / s1 if s1 else 0:.3g}); try another seed or more draws")
        w, B = _factors_L3(qN, ctxN, a)
        W_K[h, :, :k], W_Q[h, :, :k] = w, B
        return TorchHeadTrace(h, tuple(group), (), (), math.inf, 0.0, 0.0, sk, s1, 0.0, 0.0, None)
    r = len(old)
    u, nu, i_t, gaps = _suppression(Q, C, old, qN, rng, draws)
    Cold = C[old]
    A_star = Cold[torch.arange(r, device=dev), i_t]  # S4: (r, d)
    cols = Z.shape[1] if False else None  # noqa: F841 (documentation: heads 1..h−1 only)
    Zp = Z[:, : h * d]
    U, V = Zp[old], Zp[group]
    Qr, Rr = torch.linalg.qr(U.T)  # Uᵀ = Q R (r ≤ (h−1)d)
    G = torch.linalg.solve_triangular(Rr, Qr.T @ V.T, upper=True).T  # S2: G U = V, G = V U⁺ (k × r)
    G_norm = float(torch.linalg.matrix_norm(G, 2)) if G.numel() else 0.0
    offsets = G @ A_star
    X_max = float(torch.linalg.vector_norm(Cold, dim=2).max())
    gamma = float(gaps.min())
    best = None
    for _ in range(draws):
        a = torch.as_tensor(rng.normal(size=(k, n)), dtype=dt, device=dev)
        sk, s1 = _sigma_k(_simplex_points(ctxN, a, offsets))
        if not sk > RTOL * max(s1, 1e-300):
            continue
        w, B = _factors_L3(qN, ctxN, a)
        p = Q[old] @ B  # Bᵀ e_t (r, k)
        b = torch.einsum("rnd,rd->rn", Cold, p @ w.T)  # E_t W* e_t (r, n)
        beta = float(b.abs().amax())
        c_star = scale_c_star(gamma, beta, n, r, X_max, G_norm, sk)
        if best is None or c_star < best[0]:
            best = (c_star, sk, s1, w, B, beta)
    if best is None:
        raise NumericalConstructionError(f"S5: none of {draws} draws of new logits gave D* = C − G A* of numerically full "
                                         f"row rank k = {k} (‖G‖₂ = {G_norm:.3g}); try another seed or more draws")
    c_star, sk, s1, w, B, beta = best
    c = scale_from_c_star(c_star)
    W_K[h, :, :k], W_Q[h, :, :k] = w, B
    W_K[h, :, k], W_Q[h, :, k] = c * u, nu
    return TorchHeadTrace(h, tuple(group), tuple(old), tuple(int(i) for i in i_t.tolist()), gamma, beta, G_norm,
                          sk, s1, c_star, c, None)

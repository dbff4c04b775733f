"""One head of the construction (theorem.md §6, S1–S6), in the construction's array library.

Head 1 (S1): random logits for the examples of ``N_1`` whose simplex points ``E_jᵀ softmax(a_j)`` are
(numerically) independent (L5b), realised by ``W¹ = W*`` (L3).

Head ``h ≥ 2`` (S2–S6): ``W^h = W* + c W⁺`` with the suppression matrix ``W⁺ = u νᵀ``,
``ν = (I − P_N) ξ`` (S3; stored exactly orthogonal to the new queries where
:func:`exactly_orthogonal` finds a float vector in their exact null space), the saturated limit ``A*`` of the old rows (S4), new logits chosen so that
``D* = C − G A*`` has full row rank (S5, L5a) and realised by ``W*`` (L3), and the explicit scale
``c* = (1/γ)(2β + log(2(n−1)·√r·X_max·‖G‖₂/σ_k(D*)))`` of S6.

The key–query matrix is stored factored through ``k + 1 ≤ n̄ ≤ d_h`` columns (L8):
``W_K^h = [w_1 … w_k, c·u, 0 …]``, ``W_Q^h = [b_1 … b_k, ν, 0 …]``, where ``W* = Σ_j w_j b_jᵀ`` is the
matrix of L3 (:func:`~memproof.lemmas.prescribed_logits.prescribed_logits_matrix`) and
``[w_1 … w_k] = W* Q_Nᵀ`` (because ``Q_N [b_1 … b_k] = I``). Keeping ``c·u`` in its own column
means the huge scale never absorbs the bits of ``W*`` (no SVD of ``W* + cW⁺`` is needed).

``tune=True`` (used when the layer is built for a low-precision dtype) keeps every step of the proof
but chooses within it for margin: with a shared context ``u = E⁺(e_i − e_j)/‖·‖`` (``i, j`` the largest
and smallest entries of ``E u`` for the drawn ``u``) makes ``E u`` a two-spike vector, so every old
logit direction ``g_t = (ν·e_t) E u`` has its top gap equal to its largest entry (3c holds with the
largest gap a direction of that size allows); draws are compared by that relative gap; the new logits
are centred (``a_j − (max + min)/2``: the same softmax, a smaller ``β``); and the scale is
``c = c*(1 + 2⁻²⁰)``, the smallest the S6 bound allows, instead of ``max(2c*, c* + 1, 1)``.
(Moving ν to the max-margin direction for its sign pattern was measured too: it raised c but made Z
worse conditioned at the authors' size, so it is not done.)
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .backend import Backend
from .trace import RTOL, NumericalConstructionError

__all__ = ["HeadChoice", "context_rows", "context_times", "first_head", "head_logits", "later_head", "scale_c_star",
           "scale_from_c_star", "RTOL"]

#: largest d for which S3 searches a float ν exactly orthogonal to the new queries (an LLL reduction)
EXACT_NU_MAX_D = 32


@dataclasses.dataclass(frozen=True)
class HeadChoice:
    """The stored factors of one head and the quantities S3–S6 computed on the way (arrays of the
    construction's library, :class:`~.backend.Backend`)."""

    W_K: Any  # (d, d_h)
    W_Q: Any  # (d, d_h)
    logits_new: Any  # (k, n) prescribed logits of N_h
    argmax_old: Any  # (r,) i_t
    gaps_old: Any  # (r,) γ_t
    beta_old: Any  # (r,) ‖E_t W* e_t‖_∞
    nu: Any | None
    u: Any | None
    G: Any | None  # (k, r)
    A_star: Any | None  # (r, d)
    gamma: float
    beta: float
    G_norm: float
    sigma_k_D_star: float
    c_star: float
    c: float
    draws: int
    sigma_1_D_star: float = math.nan


def context_rows(bk: Backend, contexts: Any, idx: list[int]) -> Any:
    """``E_t`` for ``t`` in ``idx``, (len(idx), n, d): a read-only broadcast view when ``contexts`` is one
    shared (n, d) context (nothing is copied), else the rows ``idx`` of ``contexts``."""
    if contexts.ndim == 2:
        return bk.xp.broadcast_to(contexts, (len(idx), *contexts.shape))
    return bk.take(contexts, idx)


def context_times(bk: Backend, contexts: Any, idx: list[int], M: Any) -> Any:
    """``E_t M`` for ``t`` in ``idx``, (len(idx), n, …); computed once (and broadcast) for a shared context."""
    if contexts.ndim == 2:
        EM = contexts @ M
        return bk.xp.broadcast_to(EM, (len(idx), *EM.shape))
    return bk.take(contexts, idx) @ M


def head_logits(bk: Backend, contexts: Any, idx: list[int], W_K: Any, q: Any) -> Any:
    """Logits ``E_t W_K q_t`` (len(idx), n) for ``t`` in ``idx``, ``q`` (len(idx), c) the projected queries
    (``W_Qᵀ e_t``); ``W_K`` (d, c)."""
    if contexts.ndim == 2:
        return q @ (contexts @ W_K).T
    return (bk.take(contexts, idx) @ (q @ W_K.T)[:, :, None])[:, :, 0]  # E_t (W_K q_t): O(n d) per example


def _simplex_points(bk: Backend, contexts: Any, group: list[int], a: Any, offsets: Any = None) -> Any:
    """``v_t = E_tᵀ softmax(a_t) − g_t`` (k, d) for ``t`` in ``group`` (L5; :func:`memproof.lemmas.simplex_points.simplex_points`)."""
    s = bk.xp.exp(bk.log_softmax(a, axis=1))
    v = s @ contexts if contexts.ndim == 2 else (s[:, None, :] @ bk.take(contexts, group))[:, 0, :]
    return v if offsets is None else v - offsets


def _factors_L3(bk: Backend, qN: Any, contexts: Any, group: list[int], logits: Any) -> tuple[Any, Any]:
    """``(w, B)`` with ``W* = w Bᵀ`` the L3 matrix (:func:`memproof.lemmas.prescribed_logits.prescribed_logits_matrix`):
    ``B = Q_Nᵀ(Q_N Q_Nᵀ)⁻¹``, ``W* = Σ_j w⁰_j b_jᵀ`` with ``E_j w⁰_j = a_j`` (minimum norm), and ``w = W* Q_Nᵀ``."""
    xp = bk.xp
    B = bk.lstsq(qN, xp.eye(qN.shape[0], dtype=bk.dtype, device=bk.device))  # Q_N B = I (min-norm)
    if contexts.ndim == 2:  # one shared context: all E w_j = a_j in one solve
        w0 = bk.lstsq(contexts, logits.T)
    else:
        w0 = bk.lstsq(bk.take(contexts, group), logits[:, :, None])[:, :, 0].T  # E_j w_j = a_j
    W_star = w0 @ B.T
    return W_star @ qN.T, B


def _pack(bk: Backend, d: int, d_h: int, K: Any | None, Q: Any | None) -> tuple[Any, Any]:
    """``W_K = [K | 0]``, ``W_Q = [Q | 0]`` (d × d_h) from the nonzero factor columns (L8)."""
    xp = bk.xp
    W_K = xp.zeros((d, d_h), dtype=bk.dtype, device=bk.device)
    W_Q = xp.zeros((d, d_h), dtype=bk.dtype, device=bk.device)
    if K is not None:
        W_K[:, : K.shape[1]], W_Q[:, : Q.shape[1]] = K, Q
    return W_K, W_Q


def _sigma_k(bk: Backend, P: Any) -> tuple[float, float]:
    s = bk.xp.linalg.svdvals(P)
    return float(s[-1]) if s.shape[0] >= P.shape[0] else 0.0, float(s[0]) if s.shape[0] else 0.0


def first_head(bk: Backend, queries: Any, contexts: Any, group: list[int], d_h: int,
               rng: np.random.Generator, draws: int) -> HeadChoice:
    """S1: head 1 shapes the attention of ``N_1`` so its feature rows are independent (L5b, L3).

    ``contexts`` here and in :func:`later_head` is (T, n, d) or one shared (n, d) context, an array of
    ``bk``'s library; the draws come from ``rng`` (numpy) whatever the library."""
    xp = bk.xp
    d = queries.shape[1]
    qN = bk.take(queries, group)
    k, n = len(group), contexts.shape[-2]
    best = None
    for _ in range(draws):
        a = bk.asarray(rng.normal(size=(k, n)))
        sk, s1 = _sigma_k(bk, _simplex_points(bk, contexts, group, a))
        if best is None or sk > best[0]:
            best = (sk, s1, a)
    sk, s1, a = best
    if not sk > RTOL * max(s1, 1e-300):
        raise NumericalConstructionError(
            f"S1: no draw of {draws} gave numerically independent feature rows for N_1 (σ_k/σ_1 = {sk / s1 if s1 else 0:.3g}); "
            "try another seed, more draws, or fewer examples in the first head")
    w, B = _factors_L3(bk, qN, contexts, group, a)
    W_K, W_Q = _pack(bk, d, d_h, w, B)
    empty = xp.zeros(0, dtype=bk.dtype, device=bk.device)
    return HeadChoice(W_K, W_Q, a, xp.zeros(0, dtype=xp.int64, device=bk.device), empty, empty, None, None, None, None,
                      math.inf, 0.0, 0.0, sk, 0.0, 0.0, draws, s1)


def scale_c_star(gamma: float, beta: float, n: int, r: int, X_max: float, G_norm: float, sigma_k: float) -> float:
    """S6: ``c* = (1/γ)(2β + log(2(n−1)·√r·X_max·‖G‖₂/σ_k(D*)))``; ``0`` when ``G = 0`` or no old rows.

    >>> round(scale_c_star(0.5, 1.0, 3, 4, 1.0, 1.0, 8.0), 12)    # (2 + log(4·2/8)) / 0.5
    4.0
    """
    if r == 0 or G_norm == 0.0 or n == 1:
        return 0.0
    return (2.0 * beta + math.log(2.0 * (n - 1) * math.sqrt(r) * X_max * G_norm / sigma_k)) / gamma


def scale_from_c_star(c_star: float, tight: bool = False) -> float:
    """The scale used: ``max(2c*, c* + 1, 1)`` — strictly above ``c*``; ``tight``: ``c*(1 + 2⁻²⁰)`` (``≥ 2⁻²⁰``).

    >>> scale_from_c_star(-3.0), scale_from_c_star(0.5), scale_from_c_star(10.0)
    (1.0, 1.5, 20.0)
    >>> scale_from_c_star(10.0, tight=True) > 10.0
    True
    """
    if tight:
        return max(c_star * (1.0 + 2.0**-20), 2.0**-20)
    return max(2.0 * c_star, c_star + 1.0, 1.0)


def _two_spike_u(bk: Backend, E: Any, u: Any) -> Any:
    """``u = E⁺ v`` with ``v = e_i − e_j`` (i, j the largest and smallest entries of ``E u``): gap 1 at both ends."""
    xp = bk.xp
    g = E @ u
    v = xp.zeros_like(g)
    v[int(xp.argmax(g))], v[int(xp.argmin(g))] = 1.0, -1.0
    w = bk.lstsq(E, v[:, None])[:, 0]
    return w / xp.linalg.vector_norm(w)


def exact_kernel(qN: np.ndarray) -> list[list[int]] | None:
    """LLL-reduced integer vectors spanning the exact (rational) null space of the rows of ``qN``, or
    ``None`` when ``d > EXACT_NU_MAX_D`` or a reduced vector has 50 bits or more (see :func:`exactly_orthogonal`).

    The integer kernel lattice of ``qN`` (rows scaled to integers) is LLL-reduced through the weighted
    lattice ``[I | W·Aᵀ]``; it depends only on ``qN``, so one head computes it once for all its draws."""
    from flint import fmpz_mat

    from ..arith import exact

    k, d = qN.shape
    if d > EXACT_NU_MAX_D:
        return None
    A = exact.to_integer_rows(qN)
    weight = 2 ** (64 + 60 * k)
    L = fmpz_mat([[int(i == j) for j in range(d)] + [weight * int(A[r, i]) for r in range(k)] for i in range(d)]).lll()
    kernel = [[int(x) for x in row[:d]] for row in L.tolist() if all(int(x) == 0 for x in row[d:])]
    if not kernel or max(abs(x) for v in kernel for x in v) >= 2**50:
        return None
    return kernel


def exactly_orthogonal(qN: np.ndarray, nu: np.ndarray, kernel: list[list[int]] | None = None) -> np.ndarray | None:
    """S3a for the stored floats: a float64 vector near the direction of ``nu`` with ``q·ν = 0`` *exactly*
    for every row ``q`` of ``qN`` (as rationals), or ``None`` when none is found.

    ``ν`` is rounded to an integer combination of the reduced kernel vectors (:func:`exact_kernel` of
    ``qN``, or ``kernel`` when already computed) whose entries stay below 2⁵³ (so every entry is a
    float) and rescaled by a power of two (exact). Typical for d ≥ 2|N|; for d close to |N| the kernel
    vectors are too long and the float rounding of (I − P_N)ξ is kept (its leak is then reported by S3).
    """
    kernel = exact_kernel(qN) if kernel is None else kernel
    if kernel is None:
        return None
    d = qN.shape[1]
    B = np.array(kernel, dtype=float)  # exact: entries below 2⁵⁰
    a = np.linalg.lstsq(B.T, nu, rcond=None)[0]
    a_int = np.round(a * (2.0**52 / max((np.abs(a) @ np.abs(B)).max(), 1e-300))).astype(object)
    v = [sum(int(c) * row[j] for c, row in zip(a_int, kernel)) for j in range(d)]
    if not any(v) or max(abs(x) for x in v) >= 2**53:
        return None
    out = np.array([float(x) for x in v])
    return out / 2.0 ** int(np.round(np.log2(np.linalg.norm(out))))


def _suppression(bk: Backend, queries: Any, contexts: Any, old: list[int], qN: Any,
                 rng: np.random.Generator, draws: int, tune: bool = False, shared: bool = False):
    """S3: draws of ``(u, ν)``; keeps the one with the largest gap ``γ`` satisfying 3a–3c in ``bk.dtype``."""
    xp = bk.xp
    d = queries.shape[1]
    Qo = xp.linalg.qr(qN.T)[0]  # orthonormal basis of span(new queries)
    Qold = bk.take(queries, old)
    exact_nu = bk.eps == 2.0**-52  # 3a exactly for the stored floats: float64 only
    unit = bk.eps / 2
    gam_d = d * unit / (1 - d * unit)
    best = None
    tried = 0
    near: set[int] = set()
    kernel: list[list[int]] | None | bool = False  # the exact kernel of qN, computed on first use
    for _ in range(draws):
        tried += 1
        xi = bk.asarray(rng.normal(size=d))
        nu = xi - Qo @ (Qo.T @ xi)
        nu = nu - Qo @ (Qo.T @ nu)  # re-orthogonalise: 3a to float accuracy
        norm = float(xp.linalg.vector_norm(nu))
        if norm == 0.0:
            continue
        nu = nu / norm
        if exact_nu:  # 3a exactly for the stored floats, where possible (flint, on numpy copies)
            if kernel is False:
                kernel = exact_kernel(bk.to_numpy(qN))
            nu_exact = None if kernel is None else exactly_orthogonal(bk.to_numpy(qN), bk.to_numpy(nu), kernel)
            nu = nu if nu_exact is None else bk.asarray(nu_exact)
        u = bk.asarray(rng.normal(size=d))
        u = u / xp.linalg.vector_norm(u)
        if tune and shared:
            u = _two_spike_u(bk, contexts, u)
        dots = Qold @ nu
        # 3b, rigorous for the float ν: |fl(ν·e) − ν·e| ≤ γ_d Σ|ν_i e_i| (any summation order)
        ok_3b = xp.abs(dots) > 2.0 * gam_d * (xp.abs(Qold) @ xp.abs(nu)) * (1 + 1e-6)
        if not bool(xp.all(ok_3b)):
            near.update(old[i] for i in bk.indices(~ok_3b))
            continue
        g = dots[:, None] * context_times(bk, contexts, old, u)  # (r, n): g_t = (ν·e_t) E_t u
        if g.shape[1] > 1:
            top = xp.sort(g, axis=1)
            gaps = top[:, -1] - top[:, -2]
        else:
            gaps = xp.full((g.shape[0],), math.inf, dtype=bk.dtype, device=bk.device)
        scale = xp.max(xp.abs(g), axis=1)
        if not bool(xp.all(gaps > 1e-9 * scale)):  # 3c: distinct maximum (A2 makes ties non-generic)
            continue
        if best is None or _gap_key(bk, gaps, g, tune) > _gap_key(bk, best[3], best[2], tune):
            best = (u, nu, g, gaps)
    if best is None:
        hint = ""
        if near:
            hint = (f" Old queries {sorted(near)[:8]} lie numerically in the span of this group's queries: A1 holds "
                    "exactly for the stored floats, but only through rounding, so float64 cannot separate them "
                    "(perturb the data, or pass a partition that puts them in other groups).")
        raise NumericalConstructionError(
            f"S3: none of {tried} draws of (u, ξ) gave ν·e_t ≠ 0 for all old queries and a distinct maximum of every "
            f"g_t = (ν·e_t) E_t u in {bk.dtype_name}; try another seed or more draws." + hint)
    u, nu, g, gaps = best
    return u, nu, xp.argmax(g, axis=1), gaps, tried


def _gap_key(bk: Backend, gaps: Any, g: Any, tune: bool) -> float:
    """Draws are compared by ``γ`` (default) or, tuned, by ``γ`` relative to the largest logit entry
    (what float rounding of the saturating logits is proportional to)."""
    xp = bk.xp
    return float(xp.min(gaps) / (xp.max(xp.abs(g)) if tune else 1.0))


def later_head(bk: Backend, queries: Any, contexts: Any, old: list[int], group: list[int], G: Any,
               d_h: int, rng: np.random.Generator, draws: int, tune: bool = False, shared: bool = False) -> HeadChoice:
    """S2–S6 for head ``h ≥ 2``: ``W^h = W* + cW⁺`` stored as factors (L8); ``G = V U⁺`` (k × r) is the
    projection of S2 of the new rows on the old ones (heads 1..h−1), from :class:`~.rowspace.RowSpace`."""
    xp = bk.xp
    d = queries.shape[1]
    qN = bk.take(queries, group)
    k, n = len(group), contexts.shape[-2]
    r = len(old)
    u, nu, i_t, gaps, tried = _suppression(bk, queries, contexts, old, qN, rng, draws, tune, shared)
    if contexts.ndim == 2:  # S4: row t = x_{t, i_t}
        A_star = xp.take(contexts, i_t, axis=0)
        X_max = float(xp.max(xp.linalg.vector_norm(contexts, axis=-1)))
    else:
        Cold = bk.take(contexts, old)
        A_star = xp.take(xp.reshape(Cold, (r * n, d)), xp.arange(r, device=bk.device) * n + i_t, axis=0)
        X_max = float(xp.max(xp.linalg.vector_norm(Cold, axis=-1)))
    G_norm = float(xp.linalg.matrix_norm(G, ord=2)) if G.shape[0] * G.shape[1] else 0.0
    offsets = G @ A_star
    gamma = float(xp.min(gaps))
    Qold = bk.take(queries, old)
    best = None
    for _ in range(draws):
        a = bk.asarray(rng.normal(size=(k, n)))
        if tune:  # same softmax, smaller |logits| on the old rows (β)
            a = a - 0.5 * (xp.max(a, axis=1, keepdims=True) + xp.min(a, axis=1, keepdims=True))
        sk, s1 = _sigma_k(bk, _simplex_points(bk, contexts, group, a, offsets))  # rows of D* = C − G A*
        if not sk > RTOL * max(s1, 1e-300):
            continue
        w, B = _factors_L3(bk, qN, contexts, group, a)
        b = head_logits(bk, contexts, old, w, Qold @ B)  # E_t W* e_t, old t (S4)
        beta_t = xp.max(xp.abs(b), axis=1)
        beta = float(xp.max(beta_t))
        c_star = scale_c_star(gamma, beta, n, r, X_max, G_norm, sk)
        if best is None or c_star < best[0]:
            best = (c_star, sk, s1, a, w, B, beta_t, beta)
        tried += 1
    if best is None:
        raise NumericalConstructionError(
            f"S5: none of {draws} draws of new logits gave D* = C − G A* of numerically full row rank k = {k} "
            f"(‖G‖₂ = {G_norm:.3g}); try another seed, more draws, or fewer examples per head")
    c_star, sk, s1, a, w, B, beta_t, beta = best
    c = scale_from_c_star(c_star, tight=tune)
    W_K, W_Q = _pack(bk, d, d_h, xp.concat([w, (c * u)[:, None]], axis=1), xp.concat([B, nu[:, None]], axis=1))
    return HeadChoice(W_K, W_Q, a, i_t, gaps, beta_t, nu, u, G, A_star, gamma, beta, G_norm, sk, c_star, c, tried, s1)

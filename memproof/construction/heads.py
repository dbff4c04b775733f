"""One head of the construction (theorem.md §6, S1–S6), in float64.

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

import numpy as np

from ..lemmas.prescribed_logits import prescribed_logits_matrix
from ..lemmas.simplex_points import simplex_points
from .trace import NumericalConstructionError

__all__ = ["HeadChoice", "context_rows", "context_times", "first_head", "head_logits", "later_head", "scale_c_star",
           "scale_from_c_star"]

_U = 2.0**-53
#: largest d for which S3 searches a float ν exactly orthogonal to the new queries (an LLL reduction)
EXACT_NU_MAX_D = 32
#: relative size below which a float quantity is treated as numerically zero
RTOL = 1e-12


@dataclasses.dataclass(frozen=True)
class HeadChoice:
    """The stored factors of one head and the quantities S3–S6 computed on the way (float64)."""

    W_K: np.ndarray  # (d, d_h)
    W_Q: np.ndarray  # (d, d_h)
    logits_new: np.ndarray  # (k, n) prescribed logits of N_h
    argmax_old: np.ndarray  # (r,) i_t
    gaps_old: np.ndarray  # (r,) γ_t
    beta_old: np.ndarray  # (r,) ‖E_t W* e_t‖_∞
    nu: np.ndarray | None
    u: np.ndarray | None
    G: np.ndarray | None  # (k, r)
    A_star: np.ndarray | None  # (r, d)
    gamma: float
    beta: float
    G_norm: float
    sigma_k_D_star: float
    c_star: float
    c: float
    draws: int


def context_rows(contexts: np.ndarray, idx: list[int]) -> np.ndarray:
    """``E_t`` for ``t`` in ``idx``, (len(idx), n, d): a read-only broadcast view when ``contexts`` is one
    shared (n, d) context (nothing is copied), else ``contexts[idx]``."""
    return np.broadcast_to(contexts, (len(idx), *contexts.shape)) if contexts.ndim == 2 else contexts[idx]


def context_times(contexts: np.ndarray, idx: list[int], M: np.ndarray) -> np.ndarray:
    """``E_t M`` for ``t`` in ``idx``, (len(idx), n, …); computed once (and broadcast) for a shared context."""
    if contexts.ndim == 2:
        EM = contexts @ M
        return np.broadcast_to(EM, (len(idx), *EM.shape))
    return contexts[idx] @ M


def head_logits(contexts: np.ndarray, idx: list[int], W_K: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Logits ``E_t W_K q_t`` (len(idx), n) for ``t`` in ``idx``, ``q`` (len(idx), c) the projected queries
    (``W_Qᵀ e_t``); ``W_K`` (d, c)."""
    if contexts.ndim == 2:
        return q @ (contexts @ W_K).T
    return np.matmul(contexts[idx], (q @ W_K.T)[:, :, None])[:, :, 0]  # E_t (W_K q_t): O(n d) per example


def _factors_L3(qN: np.ndarray, ctxN: np.ndarray, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(w, B)`` with ``W* = w Bᵀ`` the L3 matrix: ``B = Q_Nᵀ(Q_N Q_Nᵀ)⁻¹`` and ``w = W* Q_Nᵀ``."""
    W_star = prescribed_logits_matrix(qN, ctxN, logits)
    B = np.linalg.lstsq(qN, np.eye(len(qN)), rcond=None)[0]
    return W_star @ qN.T, B


def _pack(d: int, d_h: int, cols_K: list[np.ndarray], cols_Q: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    W_K, W_Q = np.zeros((d, d_h)), np.zeros((d, d_h))
    if cols_K:
        K, Q = np.column_stack(cols_K), np.column_stack(cols_Q)
        W_K[:, : K.shape[1]], W_Q[:, : Q.shape[1]] = K, Q
    return W_K, W_Q


def _sigma_k(P: np.ndarray) -> tuple[float, float]:
    s = np.linalg.svd(P, compute_uv=False)
    return float(s[-1]) if len(s) >= P.shape[0] else 0.0, float(s[0]) if s.size else 0.0


def first_head(queries: np.ndarray, contexts: np.ndarray, group: list[int], d_h: int,
               rng: np.random.Generator, draws: int) -> HeadChoice:
    """S1: head 1 shapes the attention of ``N_1`` so its feature rows are independent (L5b, L3).

    ``contexts`` here and in :func:`later_head` is (T, n, d) or one shared (n, d) context."""
    d = queries.shape[1]
    qN, ctxN = queries[group], context_rows(contexts, group)
    k, n = len(group), ctxN.shape[1]
    best = None
    for _ in range(draws):
        a = rng.normal(size=(k, n))
        sk, s1 = _sigma_k(simplex_points(ctxN, a))
        if best is None or sk > best[0]:
            best = (sk, s1, a)
    sk, s1, a = best
    if not sk > RTOL * max(s1, 1e-300):
        raise NumericalConstructionError(
            f"S1: no draw of {draws} gave numerically independent feature rows for N_1 (σ_k/σ_1 = {sk / s1 if s1 else 0:.3g}); "
            "try another seed, more draws, or fewer examples in the first head")
    w, B = _factors_L3(qN, ctxN, a)
    W_K, W_Q = _pack(d, d_h, list(w.T), list(B.T))
    empty = np.zeros(0)
    return HeadChoice(W_K, W_Q, a, empty.astype(int), empty, empty, None, None, None, None,
                      math.inf, 0.0, 0.0, sk, 0.0, 0.0, draws)


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


def _two_spike_u(E: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``u = E⁺ v`` with ``v = e_i − e_j`` (i, j the largest and smallest entries of ``E u``): gap 1 at both ends."""
    g = E @ u
    v = np.zeros_like(g)
    v[int(np.argmax(g))], v[int(np.argmin(g))] = 1.0, -1.0
    w = np.linalg.lstsq(E, v, rcond=None)[0]
    return w / np.linalg.norm(w)


def exactly_orthogonal(qN: np.ndarray, nu: np.ndarray) -> np.ndarray | None:
    """S3a for the stored floats: a float64 vector near the direction of ``nu`` with ``q·ν = 0`` *exactly*
    for every row ``q`` of ``qN`` (as rationals), or ``None`` when none is found.

    The integer kernel lattice of ``qN`` (rows scaled to integers) is LLL-reduced through the
    weighted lattice ``[I | W·Aᵀ]``; when its reduced vectors have at most 50 bits, ``ν`` is rounded
    to an integer combination of them whose entries stay below 2⁵³ (so every entry is a float) and
    rescaled by a power of two (exact). Typical for d ≥ 2|N|; for d close to |N| the kernel vectors
    are too long and the float rounding of (I − P_N)ξ is kept (its leak is then reported by S3).
    """
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
    B = np.array(kernel, dtype=float)  # exact: entries below 2⁵⁰
    a = np.linalg.lstsq(B.T, nu, rcond=None)[0]
    a_int = np.round(a * (2.0**52 / max((np.abs(a) @ np.abs(B)).max(), 1e-300))).astype(object)
    v = [sum(int(c) * row[j] for c, row in zip(a_int, kernel)) for j in range(d)]
    if not any(v) or max(abs(x) for x in v) >= 2**53:
        return None
    out = np.array([float(x) for x in v])
    return out / 2.0 ** int(np.round(np.log2(np.linalg.norm(out))))


def _suppression(queries: np.ndarray, contexts: np.ndarray, old: list[int], qN: np.ndarray,
                 rng: np.random.Generator, draws: int, tune: bool = False, shared: bool = False):
    """S3: draws of ``(u, ν)``; keeps the one with the largest gap ``γ`` satisfying 3a–3c in float64."""
    d = queries.shape[1]
    Qo, _ = np.linalg.qr(qN.T)  # orthonormal basis of span(new queries)
    Qold = queries[old]
    best = None
    tried = 0
    near: set[int] = set()
    for _ in range(draws):
        tried += 1
        xi = rng.normal(size=d)
        nu = xi - Qo @ (Qo.T @ xi)
        nu -= Qo @ (Qo.T @ nu)  # re-orthogonalise: 3a to float accuracy
        norm = np.linalg.norm(nu)
        if norm == 0.0:
            continue
        nu /= norm
        nu_exact = exactly_orthogonal(qN, nu)  # 3a exactly for the stored floats, where possible
        nu = nu if nu_exact is None else nu_exact
        u = rng.normal(size=d)
        u /= np.linalg.norm(u)
        if tune and shared:
            u = _two_spike_u(context_rows(contexts, old[:1])[0], u)
        dots = Qold @ nu
        # 3b, rigorous for the float ν: |fl(ν·e) − ν·e| ≤ γ_d Σ|ν_i e_i| (any summation order)
        gam_d = d * _U / (1 - d * _U)
        ok_3b = np.abs(dots) > 2.0 * gam_d * (np.abs(Qold) @ np.abs(nu)) * (1 + 1e-6)
        if not ok_3b.all():
            near.update(old[i] for i in np.flatnonzero(~ok_3b))
            continue
        g = dots[:, None] * context_times(contexts, old, u)  # (r, n): g_t = (ν·e_t) E_t u
        part = np.partition(g, -2, axis=1) if g.shape[1] > 1 else np.concatenate([g, np.full_like(g, -np.inf)], axis=1)
        gaps = part[:, -1] - part[:, -2]
        scale = np.abs(g).max(axis=1)
        if not (gaps > 1e-9 * scale).all():  # 3c: distinct maximum (A2 makes ties non-generic)
            continue
        if best is None or _gap_key(gaps, g, tune) > _gap_key(best[3], best[2], tune):
            best = (u, nu, g, gaps)
    if best is None:
        hint = ""
        if near:
            hint = (f" Old queries {sorted(near)[:8]} lie numerically in the span of this group's queries: A1 holds "
                    "exactly for the stored floats, but only through rounding, so float64 cannot separate them "
                    "(perturb the data, or pass a partition that puts them in other groups).")
        raise NumericalConstructionError(
            f"S3: none of {tried} draws of (u, ξ) gave ν·e_t ≠ 0 for all old queries and a distinct maximum of every "
            "g_t = (ν·e_t) E_t u in float64; try another seed or more draws." + hint)
    u, nu, g, gaps = best
    return u, nu, np.argmax(g, axis=1), gaps, tried


def _gap_key(gaps: np.ndarray, g: np.ndarray, tune: bool) -> float:
    """Draws are compared by ``γ`` (default) or, tuned, by ``γ`` relative to the largest logit entry
    (what float rounding of the saturating logits is proportional to)."""
    return float(gaps.min() / (np.abs(g).max() if tune else 1.0))


def later_head(queries: np.ndarray, contexts: np.ndarray, old: list[int], group: list[int], G: np.ndarray,
               d_h: int, rng: np.random.Generator, draws: int, tune: bool = False, shared: bool = False) -> HeadChoice:
    """S2–S6 for head ``h ≥ 2``: ``W^h = W* + cW⁺`` stored as factors (L8); ``G = V U⁺`` (k × r) is the
    projection of S2 of the new rows on the old ones (heads 1..h−1), from :class:`~.rowspace.RowSpace`."""
    d = queries.shape[1]
    qN, ctxN = queries[group], context_rows(contexts, group)
    k, n = len(group), ctxN.shape[1]
    r = len(old)
    u, nu, i_t, gaps, tried = _suppression(queries, contexts, old, qN, rng, draws, tune, shared)
    A_star = contexts[i_t] if contexts.ndim == 2 else contexts[old, i_t]  # S4: row t = x_{t, i_t}
    G_norm = float(np.linalg.norm(G, 2)) if G.size else 0.0
    offsets = G @ A_star
    X_max = float(np.linalg.norm(contexts if contexts.ndim == 2 else contexts[old], axis=-1).max())
    gamma = float(gaps.min())
    best = None
    for _ in range(draws):
        a = rng.normal(size=(k, n))
        if tune:  # same softmax, smaller |logits| on the old rows (β)
            a = a - 0.5 * (a.max(axis=1, keepdims=True) + a.min(axis=1, keepdims=True))
        sk, s1 = _sigma_k(simplex_points(ctxN, a, offsets))  # rows of D* = C − G A*
        if not sk > RTOL * max(s1, 1e-300):
            continue
        w, B = _factors_L3(qN, ctxN, a)
        b = head_logits(contexts, old, w, queries[old] @ B)  # E_t W* e_t, old t (S4)
        beta_t = np.abs(b).max(axis=1)
        beta = float(beta_t.max())
        c_star = scale_c_star(gamma, beta, n, r, X_max, G_norm, sk)
        if best is None or c_star < best[0]:
            best = (c_star, sk, a, w, B, beta_t, beta)
        tried += 1
    if best is None:
        raise NumericalConstructionError(
            f"S5: none of {draws} draws of new logits gave D* = C − G A* of numerically full row rank k = {k} "
            f"(‖G‖₂ = {G_norm:.3g}); try another seed, more draws, or fewer examples per head")
    c_star, sk, a, w, B, beta_t, beta = best
    c = scale_from_c_star(c_star, tight=tune)
    W_K, W_Q = _pack(d, d_h, list(w.T) + [c * u], list(B.T) + [nu])
    return HeadChoice(W_K, W_Q, a, i_t, gaps, beta_t, nu, u, G, A_star, gamma, beta, G_norm, sk, c_star, c, tried)

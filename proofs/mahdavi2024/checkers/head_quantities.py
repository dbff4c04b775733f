"""Exact and ball quantities of one later head h ≥ 2 of a constructed instance (S2–S6), computed
from the stored float64 weights and data (each at its exact value) and the ball enclosure of Z —
never from the float trace (trust.md rule 2: floats may choose, never decide).

- :func:`elimination` — G = V U⁺ = V Uᵀ(U Uᵀ)⁻¹ enclosed in balls from the enclosure of Z (S2, S5);
- :func:`logit_directions` — the exact rationals c·g_t = (ν·e_t) E_t (c u) and b_t = E_t W* e_t (S3, S4);
- :func:`top_two` — exact maximizers and gap of a list of rationals;
- :func:`sigma_k_lower`, :func:`spectral_upper` — rigorous bounds σ_k(D) ≥ σ and ‖G‖₂ ≤ ρ of ball matrices (S6);
- :func:`frobenius` — a ball of the Frobenius norm.
"""
from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, fmpq

from memproof.arith import exact
from memproof.arith.rigorous import to_arb_mat

from .instances import Instance


def rows(inst: Instance, h: int) -> tuple[list[int], list[int]]:
    """(old rows R_{h−1}, new rows N_h) for 0-based head h."""
    groups = inst.built.partition
    return [t for g in groups[:h] for t in g], list(groups[h])


def elimination(inst: Instance, h: int) -> tuple[arb_mat | None, arb_mat, arb_mat]:
    """(G, C, A(c)): G ⊇ V U⁺ (balls; ``None`` if U Uᵀ cannot be proved invertible), C = new rows and
    A(c) = old rows of Z in head h (balls). U, V are the old and new rows of Z on heads 1..h−1: G is the
    real-number V U⁺ of the stored weights, not a float least-squares solution. Call at working precision."""
    old, new = rows(inst, h)
    U, V = inst.block(old, range(h)), inst.block(new, range(h))
    try:
        Gt = (U * U.transpose()).solve(U * V.transpose())  # (U Uᵀ) Gᵀ = U Vᵀ
    except ZeroDivisionError:
        Gt = None
    return (None if Gt is None else Gt.transpose()), inst.block(new, range(h, h + 1)), inst.block(old, range(h, h + 1))


def suppression_factors(inst: Instance, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The stored (c·u, ν): column k = |N_h| of W_K^h and W_Q^h (heads.py stores [w | c·u | 0], [B | ν | 0])."""
    k = len(inst.built.partition[h])
    return inst.built.weights.W_K[h][:, k], inst.built.weights.W_Q[h][:, k]


def _column(x: np.ndarray):
    return exact.to_fmpq_mat(np.ascontiguousarray(x).reshape(-1, 1))


def logit_directions(inst: Instance, h: int, examples: list[int]) -> tuple[list[fmpq], list[list[fmpq]], list[list[fmpq]]]:
    """Exact rationals, per example t: ν·e_t, c·g_t = (ν·e_t) E_t (c u) and b_t = E_t W* e_t, with
    W* = W_K^h W_Q^hᵀ − (c u) νᵀ the stored factors without column k (the L3 part; any other column
    counts too), so the logits E_t W_K^h W_Q^hᵀ e_t are b_t + c·g_t exactly."""
    k = len(inst.built.partition[h])
    w = inst.built.weights
    cu, nu = suppression_factors(inst, h)
    cu_q, nu_q = _column(cu), _column(nu).transpose()
    rest_K, rest_Q = np.delete(w.W_K[h], k, axis=1), np.delete(w.W_Q[h], k, axis=1)
    WK, WQt = exact.to_fmpq_mat(rest_K), exact.to_fmpq_mat(np.ascontiguousarray(rest_Q.T))
    dots, gs, bs = [], [], []
    for t in examples:
        E, e = exact.to_fmpq_mat(inst.context(t)), _column(inst.queries[t])
        dot = (nu_q * e)[0, 0]
        dots.append(dot)
        gs.append([dot * x for x in (E * cu_q).entries()])
        bs.append(list((E * (WK * (WQt * e))).entries()))
    return dots, gs, bs


def top_two(g: list[fmpq]) -> tuple[list[int], fmpq | None]:
    """(maximizers, gap) of exact rationals: gap = max − second largest value (``None`` if all equal)."""
    top = max(g)
    rest = [x for x in g if x != top]
    return [i for i, x in enumerate(g) if x == top], (top - max(rest)) if rest else None


def frobenius(M: arb_mat) -> arb:
    """Ball of ‖M‖_F."""
    return sum((x * x for x in M.entries()), arb(0)).sqrt()


def _mid_sym(M: arb_mat) -> np.ndarray:
    """Float midpoints of a symmetric ball matrix (a heuristic input: chooses μ, never decides)."""
    mid = np.array([[float(M[i, j].mid()) for j in range(M.ncols())] for i in range(M.nrows())])
    return (mid + mid.T) / 2


def _positive_definite(S: arb_mat) -> bool:
    """Every symmetric matrix in the balls is positive definite: leading principal minors > 0 (Sylvester)."""
    return all(arb_mat([[S[i, j] for j in range(m)] for i in range(m)]).det() > 0 for m in range(1, S.nrows() + 1))


def sigma_k_lower(D: arb_mat) -> arb | None:
    """A rigorous lower bound σ ≤ σ_k(D) for every D in the ball matrix (k rows), or ``None``: a float
    estimate chooses μ = (1 − 10⁻³) λ_min(mid(D Dᵀ)), then D Dᵀ − μ I is proved positive definite, so
    σ_k(D)² = λ_min(D Dᵀ) > μ and σ = √μ."""
    M = D * D.transpose()
    mu = float(np.linalg.eigvalsh(_mid_sym(M))[0]) * (1 - 1e-3)
    return arb(mu).sqrt() if mu > 0 and _positive_definite(M - to_arb_mat(np.eye(M.nrows()) * mu)) else None


def spectral_upper(G: arb_mat) -> arb | None:
    """A rigorous upper bound of ‖G‖₂ for every G in the ball matrix, or ``None``: a float estimate
    chooses μ ≥ λ_max(mid(G Gᵀ)), then μ I − G Gᵀ is proved positive definite (Sylvester)."""
    M = G * G.transpose()
    mu = float(np.linalg.eigvalsh(_mid_sym(M))[-1]) * (1 + 1e-6) + 1e-300
    return arb(mu).sqrt() if _positive_definite(to_arb_mat(np.eye(M.nrows()) * mu) - M) else None

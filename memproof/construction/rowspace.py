"""The row space of the feature rows handled so far, factored once and updated head by head (S2, Inv(h)).

The construction (theorem.md §6) needs, at head ``h``, the projection ``G = V U⁺`` of the new rows
``V = Z[N_h, heads 1..h−1]`` onto the old rows ``U = Z[R_{h−1}, heads 1..h−1]`` (S2), and after the
head the margin of ``Inv(h)``: ``σ_min/σ_max`` of ``Z[R_h, heads 1..h]``. Refactoring ``U`` at every
head costs ``O(r² · hd)`` per head (``O(H⁴)`` in all). :class:`RowSpace` keeps instead the
lower-triangular ``L`` of the LQ factorisation ``Z[R, :m] = L W`` (``W`` with orthonormal rows, never
formed; ``L Lᵀ = U Uᵀ``) and updates it when

- a head's ``d`` feature columns arrive for the old rows (:meth:`RowSpace.add_columns`): ``[L W, a] =
  [L, a] · diag(W, I)``, so the new ``L`` is the LQ factor of ``[L, a]`` — a triangular–pentagonal QR
  (LAPACK ``dtpqrt``, ``O(d r²)``);
- the head's rows ``X`` join (:meth:`RowSpace.add_rows`): ``X = G' U + X_⊥`` with ``G' = X U⁺`` and
  ``X_⊥`` orthogonal to the old rows, so ``L ← [[L, 0], [G' L, R₂ᵀ]]`` with ``X_⊥ᵀ = Q₂ R₂``.

Projections use the semi-normal equations ``G = (V Uᵀ) L⁻ᵀ L⁻¹`` with one step of correction
(``G += ((V − G U) Uᵀ) L⁻ᵀ L⁻¹``), as accurate as a QR solve while ``κ(U)² · 2⁻⁵³ < 1``; a numerically
singular ``L`` falls back to a minimum-norm least-squares solve. It runs in the construction's array
library (:class:`~.backend.Backend`: numpy, or torch on CPU or CUDA; the two library-specific steps,
the pentagonal QR and the triangular solves, are :meth:`~.backend.Backend.qr_append_rows` and
:meth:`~.backend.Backend.solve_triangular`) and is *empirical*; the rigorous statements are made by
the checkers on the stored weights.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import solve_triangular

from .backend import Backend
from .heads import RTOL

__all__ = ["RowSpace", "triangular_sigma_ratio"]

#: triangular factors up to this many rows get an exact SVD for their σ_min/σ_max; larger ones an iteration
EXACT_SVD_MAX = 512
#: relative tolerance of the Lanczos estimates of σ_max² and 1/σ_min²
SIGMA_RTOL = 1e-10
#: :meth:`RowSpace.min_norm_solve` gives up (least squares instead) above this residual, relative to max(1, max |B|)
SOLVE_RTOL = 1e-9


class RowSpace:
    """``L`` with ``Z[R, :m] = L W`` (``W`` orthonormal rows): the rows ``R`` seen so far, ``m`` columns.

    ``bk`` is the array library of the rows (:class:`~.backend.Backend`; numpy float64 by default);
    ``L`` is an array of that library on its device.

    >>> rng = np.random.default_rng(0)
    >>> Z = rng.normal(size=(5, 8))
    >>> rs = RowSpace(); rs.add_columns(np.zeros((0, 4))); rs.add_rows(Z[:3, :4], Z[:0, :4])
    >>> rs.add_columns(Z[:3, 4:]); rs.add_rows(Z[3:], Z[:3])
    >>> bool(np.allclose(rs.L @ rs.L.T, Z @ Z.T))
    True
    >>> bool(np.allclose(rs.project(Z[3:], Z), np.eye(5)[3:]))   # rows 3, 4 of Z are rows 3, 4 of Z
    True
    >>> X = rs.min_norm_solve(Z, np.ones((5, 1)))                     # the readout of S8: Z X = 1, X in the row space
    >>> bool(np.allclose(Z @ X, 1) and np.allclose(X, np.linalg.lstsq(Z, np.ones((5, 1)), rcond=None)[0]))
    True
    """

    def __init__(self, bk: Backend | None = None) -> None:
        self.bk = Backend.numpy() if bk is None else bk
        self.L = self.bk.xp.zeros((0, 0), dtype=self.bk.dtype, device=self.bk.device)

    @property
    def rows(self) -> int:
        return self.L.shape[0]

    def _singular(self) -> bool:
        xp = self.bk.xp
        diag = xp.abs(xp.linalg.diagonal(self.L))
        return diag.shape[0] > 0 and not float(xp.min(diag)) > RTOL * float(xp.max(diag))

    def project(self, V: Any, U: Any) -> Any:
        """``G = V U⁺`` (k × r) for the rows ``U`` this factor describes (``U = L W``, given explicitly)."""
        xp = self.bk.xp
        if self.rows == 0:
            return xp.zeros((V.shape[0], 0), dtype=self.bk.dtype, device=self.bk.device)
        if self._singular():
            return self.bk.lstsq(U.T, V.T).T
        G = self._gram_solve(V @ U.T)
        return G + self._gram_solve((V - G @ U) @ U.T)

    def _gram_solve(self, B: Any) -> Any:
        """``B (U Uᵀ)⁻¹ = B L⁻ᵀ L⁻¹`` for B (k × r)."""
        Y = self.bk.solve_triangular(self.L, B.T, lower=True)  # L Y = Bᵀ
        return self.bk.solve_triangular(self.L.T, Y, lower=False).T  # Lᵀ Xᵀ = Y

    def min_norm_solve(self, U: Any, B: Any) -> Any:
        """The minimum-norm ``X`` of ``U X = B`` (``X = Uᵀ (U Uᵀ)⁻¹ B``) for the rows ``U`` (r × m) this factor
        describes and ``B`` (r × c): two triangular solves and one product, refined once with the residual
        (S8's readout ``M = Yᵀ(ZZᵀ)⁻¹Z`` without refactoring ``Z``). ``None`` when the factor is numerically
        singular or the refined residual exceeds :data:`SOLVE_RTOL` ``· max(1, max |B|)``: solve by least squares then."""
        xp = self.bk.xp
        if self.rows != U.shape[0] or self.rows == 0 or self._singular():
            return None
        X = (self._gram_solve(B.T) @ U).T
        X = X + (self._gram_solve((B - U @ X).T) @ U).T
        scale = max(1.0, float(xp.max(xp.abs(B)))) if B.shape[0] * B.shape[1] else 1.0
        return X if float(xp.max(xp.abs(U @ X - B))) <= SOLVE_RTOL * scale else None

    def add_columns(self, a: Any) -> None:
        """Append columns ``a`` (r × c) to the rows: ``Z[R, :m] → [Z[R, :m], a]``."""
        if self.rows == 0 or a.shape[1] == 0:
            return
        self.L = self.bk.qr_append_rows(self.L.T, a.T).T

    def add_rows(self, X: Any, U: Any) -> None:
        """Append rows ``X`` (k × m) below the rows ``U`` (r × m) this factor describes."""
        xp = self.bk.xp
        Gp = self.project(X, U)
        X_perp = X - Gp @ U if self.rows else X
        R2 = xp.linalg.qr(X_perp.T)[1][: X.shape[0]]
        k, r = X.shape[0], self.rows
        L = xp.zeros((r + k, r + k), dtype=self.bk.dtype, device=self.bk.device)
        L[:r, :r], L[r:, :r], L[r:, r:] = self.L, Gp @ self.L, R2.T
        self.L = L

    def sigma_ratio(self) -> float:
        """``σ_min/σ_max`` of the rows (= of ``L``), see :func:`triangular_sigma_ratio` (on a float64 numpy copy)."""
        return triangular_sigma_ratio(self.bk.to_numpy(self.L))


def triangular_sigma_ratio(L: np.ndarray) -> float:
    """``σ_min(L)/σ_max(L)`` of a lower-triangular ``L``: exact SVD up to :data:`EXACT_SVD_MAX` rows, else
    the largest eigenvalues of ``LᵀL`` and of ``(LLᵀ)⁻¹`` (triangular solves) by Lanczos
    (``scipy.sparse.linalg.eigsh``, relative tolerance :data:`SIGMA_RTOL`). Empirical; ``0`` for a singular factor.

    >>> L = np.tril(np.random.default_rng(1).normal(size=(600, 600))) + 30 * np.eye(600)
    >>> s = np.linalg.svd(L, compute_uv=False)
    >>> bool(abs(triangular_sigma_ratio(L) / (s[-1] / s[0]) - 1) < 1e-6)
    True
    """
    r = L.shape[0]
    if r == 0:
        return float("nan")
    diag = np.abs(np.diag(L))
    if not diag.min() > 0:
        return 0.0
    if r <= EXACT_SVD_MAX:
        s = np.linalg.svd(L, compute_uv=False)
        return float(s[-1] / s[0])
    from scipy.sparse.linalg import LinearOperator, eigsh

    def largest(apply) -> float:
        op = LinearOperator((r, r), matvec=apply, dtype=float)
        v0 = np.random.default_rng(0).normal(size=r)
        return float(eigsh(op, k=1, which="LM", tol=SIGMA_RTOL, v0=v0, return_eigenvectors=False)[0])

    s_max2 = largest(lambda x: L.T @ (L @ x))  # σ_max²
    inv2 = largest(lambda x: solve_triangular(L.T, solve_triangular(L, x, lower=True, check_finite=False), lower=False,
                                                          check_finite=False))  # 1/σ_min²
    if not (np.isfinite(inv2) and inv2 > 0):
        return 0.0
    return float(np.sqrt(1.0 / (inv2 * s_max2)))

"""Empirical tier: numpy float64 — evidence, never a proof.

Softmax is always evaluated in log-sum-exp form (``x - max x`` first), so logits of size ``1e300``
neither overflow nor produce NaN. Ranks here are *numerical* ranks: the number of singular values
above a tolerance, which is reported with the rank because the answer depends on it (a matrix that is
exactly full rank can be numerically rank deficient, and vice versa; see the exact and rigorous tiers).

>>> softmax([0.0, 0.0])
array([0.5, 0.5])
>>> softmax([1e300, 0.0])
array([1., 0.])
>>> numerical_rank([[1.0, 2.0], [2.0, 4.0]]).rank
1
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import InvalidArgumentError
from ..validation import as_float_array, describe

__all__ = ["log_softmax", "softmax", "singular_values", "NumericalRank", "numerical_rank", "min_norm_solve"]


def _axis(arr: np.ndarray, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -arr.ndim <= int(axis) < arr.ndim:
        raise InvalidArgumentError("axis", describe(axis), f"an integer axis in [-{arr.ndim}, {arr.ndim})")
    return int(axis)


def log_softmax(x: Any, axis: int = -1) -> np.ndarray:
    """``log softmax(x)`` along ``axis`` as ``(x - m) - log Σ exp(x - m)`` with ``m = max x``.

    Entries far below the maximum give ``-inf`` only when ``x - m`` itself overflows (a spread of more
    than ``~1.8e308``); never NaN for finite input.

    >>> log_softmax([0.0, 0.0])
    array([-0.69314718, -0.69314718])
    >>> log_softmax([1e300, -1e300])
    array([ 0.e+000, -2.e+300])
    """
    arr = as_float_array(x, "x", None)
    ax = _axis(arr, axis)
    with np.errstate(over="ignore"):  # x - m can overflow to -inf only for spreads beyond 1.8e308
        shifted = arr - arr.max(axis=ax, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=ax, keepdims=True))


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    """``softmax(x)`` along ``axis``, computed as ``exp(log_softmax(x))``.

    >>> softmax([[1.0, 1.0, 1.0], [0.0, 0.0, -1e6]])
    array([[0.33333333, 0.33333333, 0.33333333],
           [0.5       , 0.5       , 0.        ]])
    """
    return np.exp(log_softmax(x, axis))


def singular_values(a: Any) -> np.ndarray:
    """Singular values of a finite 2-D float matrix, in decreasing order (LAPACK, float64).

    >>> singular_values([[3.0, 0.0], [0.0, -4.0]])
    array([4., 3.])
    """
    arr = as_float_array(a, "a", 2)
    return np.linalg.svd(arr, compute_uv=False)


def sigma_ratio(a: Any) -> float:
    """σ_min/σ_max of the rows of ``a`` (0 when there are more rows than columns or ``a`` = 0; 1 for no rows):
    the float64 margin of "full row rank" reported by the constructor and the checkers.

    >>> sigma_ratio([[2.0, 0.0], [0.0, 1.0]])
    0.5
    """
    arr = np.asarray(a, dtype=np.float64)
    if arr.shape[0] == 0:
        return 1.0
    s = singular_values(arr)
    return float(s[-1] / s[0]) if s.size >= arr.shape[0] and s[0] > 0 else 0.0


class NumericalRank(NamedTuple):
    """A numerical (float64 SVD) rank and the tolerance that produced it.

    ``rank`` counts singular values ``> tol``. Numerical, not exact: see
    :func:`memproof.arith.exact.rank` and :func:`memproof.arith.rigorous.certify_full_row_rank`.
    """

    rank: int
    tol: float


def numerical_rank(a: Any, tol: float | None = None) -> NumericalRank:
    """Numerical rank of ``a``: the number of singular values above ``tol``.

    Parameters
    ----------
    a : array_like
        Finite 2-D real matrix.
    tol : float, optional
        Threshold; default ``max(shape) · eps · σ_max`` (numpy's ``matrix_rank`` default).

    Returns
    -------
    NumericalRank
        ``(rank, tol)`` — the tolerance actually used is part of the answer.

    >>> r, tol = numerical_rank([[1.0, 0.0], [0.0, 1e-20]])
    >>> r, tol == 2 * 2.0**-52
    (1, True)
    >>> numerical_rank([[1.0, 0.0], [0.0, 1e-20]], tol=0.0).rank
    2
    """
    s = singular_values(a)
    shape = np.shape(np.asarray(a, dtype=np.float64))
    if tol is None:
        used = float(s.max(initial=0.0) * max(shape) * np.finfo(np.float64).eps)
    else:
        if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not np.isfinite(tol) or tol < 0:
            raise InvalidArgumentError("tol", describe(tol), "a finite tolerance ≥ 0 (or None for the default)")
        used = float(tol)
    return NumericalRank(int((s > used).sum()), used)


def min_norm_solve(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Minimum-norm least-squares solutions ``X_j`` of ``A_j X_j ≈ B_j`` for a batch ``A`` (b, m, n), ``B`` (b, m, c).

    When every ``A_j`` is wide or square (m ≤ n) and numerically of full row rank — every diagonal entry
    of ``R_j`` in ``A_jᵀ = Q_j R_j`` above ``max(m, n)·eps·max|R_j|`` (e.g. the contexts E_j of A2 in
    L3) — the batch is solved in one batched QR, ``A_j⁺ B_j = Q_j R_j⁻ᵀ B_j``; otherwise (tall, or
    rank deficient) one by one by :func:`numpy.linalg.lstsq` (``rcond=None``), which the batched path
    equals up to rounding.

    >>> A = np.array([[[1.0, 0.0, 1.0]], [[0.0, 2.0, 0.0]]])
    >>> min_norm_solve(A, np.array([[[2.0]], [[4.0]]]))[:, :, 0].round(12).tolist()
    [[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]]
    """
    b, m, n = A.shape
    if b and m <= n:
        Q, R = np.linalg.qr(A.transpose(0, 2, 1))  # Q (b, n, m), R (b, m, m)
        cutoff = max(m, n) * np.finfo(A.dtype).eps * np.abs(R).max(axis=(1, 2))
        if (np.abs(np.diagonal(R, axis1=1, axis2=2)).min(axis=1) > cutoff).all():
            return np.matmul(Q, np.linalg.solve(R.transpose(0, 2, 1), B))
    return np.stack([np.linalg.lstsq(a, y, rcond=None)[0] for a, y in zip(A, B)]) if b else np.zeros((0, n, B.shape[2]))

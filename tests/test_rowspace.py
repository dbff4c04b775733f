"""The incrementally updated row-space factor of the constructor (issue #14): it must agree with a
refactorisation from scratch, and the constructor built on it with the dense solves it replaced."""
from __future__ import annotations

import numpy as np
import pytest

from memproof.construction import construct_memorizing_mha, rowspace
from memproof.construction.rowspace import RowSpace, triangular_sigma_ratio


def _grow(Z: np.ndarray, blocks: list[tuple[int, int]], d: int) -> RowSpace:
    """Feed Z head by head: head j brings columns j·d..(j+1)·d and then rows rows_j."""
    rs, r = RowSpace(), 0
    for j, (k, _) in enumerate(blocks):
        rs.add_columns(Z[:r, j * d:(j + 1) * d])
        cols = slice(0, (j + 1) * d)
        rs.add_rows(Z[r:r + k, cols], Z[:r, cols])
        r += k
    return rs


def test_factor_matches_gram_and_projection_matches_lstsq():
    rng = np.random.default_rng(3)
    d, blocks = 6, [(4, 0), (3, 0), (3, 0), (2, 0)]
    T = sum(k for k, _ in blocks)
    Z = rng.normal(size=(T, d * len(blocks)))
    rs = _grow(Z, blocks, d)
    assert np.allclose(np.triu(rs.L, 1), 0)  # lower triangular
    assert np.allclose(rs.L @ rs.L.T, Z @ Z.T, rtol=1e-12, atol=1e-12)
    V = rng.normal(size=(5, Z.shape[1]))
    G = rs.project(V, Z)
    assert np.allclose(G, np.linalg.lstsq(Z.T, V.T, rcond=None)[0].T, rtol=1e-10, atol=1e-12)
    s = np.linalg.svd(Z, compute_uv=False)
    assert rs.sigma_ratio() == pytest.approx(s[-1] / s[0], rel=1e-10)


def test_factor_detects_a_dependent_row():
    """A new row in the span of the old ones gives a (numerically) singular factor: margin ~ 0 and
    projections fall back to the SVD solve instead of dividing by a zero pivot."""
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(4, 10))
    Z = np.vstack([Z, Z[0] - 2 * Z[2]])
    rs = _grow(Z, [(4, 0), (1, 0)], 5)
    assert rs.sigma_ratio() < 1e-12
    V = rng.normal(size=(2, 10))
    assert np.isfinite(rs.project(V, Z)).all()


def test_iterative_sigma_ratio_matches_svd_above_the_exact_size(monkeypatch):
    monkeypatch.setattr(rowspace, "EXACT_SVD_MAX", 10)
    rng = np.random.default_rng(5)
    L = np.tril(rng.normal(size=(120, 120))) + 6 * np.eye(120)
    s = np.linalg.svd(L, compute_uv=False)
    assert triangular_sigma_ratio(L) == pytest.approx(s[-1] / s[0], rel=1e-8)
    L[50, 50] = 0.0  # exactly singular triangular factor
    assert triangular_sigma_ratio(L) == 0.0


def test_constructor_margins_are_those_of_the_feature_rows():
    """Each head's Inv(h) margin from the updated factor equals σ_min/σ_max of Z[R_h, heads 1..h]
    computed from scratch, and the readout still interpolates."""
    rng = np.random.default_rng(6)
    n, d, H = 4, 9, 6
    T = H * (n - 1) + 1
    Q, C, Y = rng.normal(size=(T, d)), rng.normal(size=(n, d)), rng.normal(size=T)
    part = [list(range(4))] + [list(range(4 + 3 * i, 7 + 3 * i)) for i in range(H - 1)]
    perm = rng.permutation(T)  # a non-consecutive partition: rows are not in head order
    part = [[int(perm[t]) for t in g] for g in part]
    res = construct_memorizing_mha(Q, C, Y, heads=H, d_h=n, seed=2, partition=part)
    rows: list[int] = []
    for tr in res.trace:
        rows += list(tr.group)
        s = np.linalg.svd(res.Z[rows, :(tr.head + 1) * d], compute_uv=False)
        assert tr.rank_margin == pytest.approx(s[-1] / s[0], rel=1e-8)
    assert res.max_abs_error < 1e-8


def test_min_norm_solve_is_the_least_squares_readout_and_refuses_what_it_cannot_solve(monkeypatch):
    """S8's readout from the factor equals numpy's minimum-norm solution; a singular factor, rows the
    factor does not describe, or a residual above SOLVE_RTOL give None (the caller solves by lstsq)."""
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(9, 24))
    rs = _grow(Z, [(3, 0), (3, 0), (3, 0)], 8)
    B = rng.normal(size=(9, 2)) * 50
    X = rs.min_norm_solve(Z, B)
    assert np.allclose(X, np.linalg.lstsq(Z, B, rcond=None)[0], rtol=1e-10, atol=1e-12)
    assert rs.min_norm_solve(Z[:8], B[:8]) is None  # not the factor's rows
    assert RowSpace().min_norm_solve(Z[:0], B[:0]) is None
    Zd = np.vstack([Z[:4], Z[0] - 2 * Z[2]])
    assert _grow(Zd, [(4, 0), (1, 0)], 12).min_norm_solve(Zd, B[:5]) is None  # singular
    monkeypatch.setattr(rowspace, "SOLVE_RTOL", 0.0)
    bad = RowSpace()
    bad.L = rs.L * (1 + 1e-3)  # a factor of other rows: the residual check notices
    assert bad.min_norm_solve(Z, B) is None


def test_constructor_readout_matches_a_dense_least_squares_solve(monkeypatch):
    """The readout M solved from the row-space factor is the minimum-norm one of a dense lstsq of Z; when
    the factor's solve gives up the constructor falls back to lstsq and gets the same M."""
    rng = np.random.default_rng(8)
    n, d, H = 4, 9, 5
    T = H * (n - 1) + 1
    Q, C, Y = rng.normal(size=(T, d)), rng.normal(size=(n, d)), rng.normal(size=(T, 2))
    res = construct_memorizing_mha(Q, C, Y, heads=H, d_h=n, seed=1)
    M = np.concatenate([res.weights.W_O[h] @ res.weights.W_V[h].T for h in range(H)], axis=1)
    assert np.allclose(M, np.linalg.lstsq(res.Z, Y, rcond=None)[0].T, rtol=1e-8, atol=1e-10)
    monkeypatch.setattr(RowSpace, "min_norm_solve", lambda self, U, B: None)
    again = construct_memorizing_mha(Q, C, Y, heads=H, d_h=n, seed=1)
    assert np.allclose(again.weights.W_V, res.weights.W_V, atol=1e-8) and again.max_abs_error < 1e-8

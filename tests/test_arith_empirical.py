"""Empirical tier (memproof.arith.empirical): stable softmax and numerical ranks."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from memproof.arith import empirical
from memproof.errors import InvalidArgumentError

HUGE = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=HUGE))
def test_softmax_is_a_probability_vector_even_for_huge_logits(x):
    s = empirical.softmax(x)
    assert np.isfinite(s).all()
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    ls = empirical.log_softmax(x, axis=-1)
    assert not np.isnan(ls).any() and (ls <= 0).all()
    # the argmax entry gets the largest probability
    rows = np.arange(x.shape[0])
    assert (s[rows, x.argmax(axis=-1)] == s.max(axis=-1)).all()


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-50, 50)), st.floats(-1e6, 1e6))
def test_softmax_is_shift_invariant(x, shift):
    # x + shift is rounded, so compare with tolerance proportional to the rounding of the shift
    np.testing.assert_allclose(empirical.softmax(x + shift), empirical.softmax(x), atol=1e-9)


def test_softmax_axis_and_known_values():
    x = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])
    np.testing.assert_allclose(empirical.softmax(x, axis=-1), [[0.5, 0.5], [0.75, 0.25]], atol=1e-15)
    np.testing.assert_allclose(empirical.softmax(x, axis=0).sum(axis=0), [1.0, 1.0])
    assert empirical.softmax([1e308, -1e308]).tolist() == [1.0, 0.0]  # spread overflows to -inf, no NaN


def test_numerical_rank_reports_its_tolerance_and_matches_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 4)) @ rng.standard_normal((4, 9))
    r, tol = empirical.numerical_rank(a)
    assert r == np.linalg.matrix_rank(a) == 4
    s = empirical.singular_values(a)
    assert tol == pytest.approx(s[0] * 9 * np.finfo(float).eps)
    assert (np.diff(s) <= 0).all()
    assert empirical.numerical_rank(a, tol=s[0] * 2).rank == 0
    assert empirical.numerical_rank(a, tol=0).tol == 0.0


@pytest.mark.parametrize("fn, bad", [
    (empirical.softmax, [1.0, np.nan]),
    (empirical.softmax, [np.inf]),
    (empirical.softmax, []),
    (empirical.softmax, ["a"]),
    (empirical.softmax, 3.0),
    (empirical.singular_values, [1.0, 2.0]),
    (empirical.singular_values, [[np.nan]]),
    (empirical.numerical_rank, np.zeros((0, 2))),
])
def test_bad_input_raises(fn, bad):
    with pytest.raises(InvalidArgumentError):
        fn(bad)


@pytest.mark.parametrize("kw", [{"tol": -1.0}, {"tol": np.nan}, {"tol": "big"}])
def test_numerical_rank_rejects_bad_tolerance(kw):
    with pytest.raises(InvalidArgumentError):
        empirical.numerical_rank([[1.0]], **kw)


def test_softmax_rejects_bad_axis():
    with pytest.raises(InvalidArgumentError):
        empirical.softmax([[1.0, 2.0]], axis=2)
    with pytest.raises(InvalidArgumentError):
        empirical.softmax([[1.0, 2.0]], axis=True)


def test_min_norm_solve_matches_lstsq_and_falls_back(monkeypatch):
    """The batched QR solve equals numpy's lstsq on wide and square full-rank systems (and does not call
    lstsq for them); a tall or a rank-deficient member sends the batch to lstsq (the min-norm
    least-squares answer, not a huge or non-finite one); an empty batch is an empty answer."""
    from memproof.arith.empirical import min_norm_solve

    def lstsq_each(A, B):
        return np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, B)])

    rng = np.random.default_rng(0)
    wide, rhs = rng.normal(size=(5, 3, 7)), rng.normal(size=(5, 3, 2))
    square, rhs_sq = rng.normal(size=(2, 4, 4)), rng.normal(size=(2, 4, 1))
    want_wide, want_sq = lstsq_each(wide, rhs), lstsq_each(square, rhs_sq)
    with monkeypatch.context() as mp:
        mp.setattr(np.linalg, "lstsq", lambda *a, **k: (_ for _ in ()).throw(AssertionError("lstsq called")))
        assert np.allclose(min_norm_solve(wide, rhs), want_wide, rtol=1e-12, atol=1e-12)
        assert np.allclose(min_norm_solve(square, rhs_sq), want_sq, rtol=1e-10, atol=1e-10)
    deficient = wide.copy()
    deficient[2, 2] = deficient[2, 0] + deficient[2, 1]  # member 2 loses rank
    got = min_norm_solve(deficient, rhs)
    assert np.isfinite(got).all() and np.allclose(got, lstsq_each(deficient, rhs), rtol=1e-9, atol=1e-9)
    tall, rhs_t = rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 6, 1))
    assert np.allclose(min_norm_solve(tall, rhs_t), lstsq_each(tall, rhs_t))
    assert min_norm_solve(np.zeros((0, 2, 3)), np.zeros((0, 2, 1))).shape == (0, 3, 1)

"""Cross-checks between arithmetic tiers: exact vs sympy, rigorous vs mpmath and float64,
certificates vs exact rank, numerical rank vs exact rank (disagreements are findings)."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from memproof.arith import empirical, exact
from memproof.arith import rigorous as rg
from memproof.arith import symbolic

EPS = np.finfo(np.float64).eps


def mp_softmax(logits, dps: int = 100) -> list[str]:
    """Reference softmax in 100-digit mpmath (floats converted exactly), as decimal strings."""
    with mpmath.workdps(dps + 20):
        xs = [mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in logits]
        c = max(xs)
        e = [mpmath.exp(x - c) for x in xs]
        total = mpmath.fsum(e)
        return [mpmath.nstr(v / total, dps + 10) for v in e]


def contains_up_to(ball: arb, ref: arb, digits: int = 100) -> bool:
    """``ball``, widened by ``|ref| · 10^-digits`` (the reference's own accuracy), contains ``ref``."""
    return (ball + arb(0, 1) * abs(ref).upper() * arb(10) ** -digits).contains(ref)


LOGITS = st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=6)


def _logit_cases():
    big = [1e6, 1e6 - 0.5, 1e6 - 30.0, -1e6]
    return st.one_of(LOGITS, st.just(big), LOGITS.map(lambda v: [x + 1e6 for x in v]))


@settings(max_examples=40, deadline=None)
@given(_logit_cases())
def test_ball_softmax_encloses_mpmath_and_float64_softmax(logits):
    balls = rg.ball_softmax(logits)
    reference = mp_softmax(logits)
    for ball, ref in zip(balls, reference):
        with rg.working_precision(400):  # parse the 110-digit reference as a tight ball
            point = arb(ref)
            assert contains_up_to(ball, point), (ball, ref)
    # float64 softmax lies in the ball widened by a few ulps (absolute: every value is in [0, 1])
    s64 = empirical.softmax(np.array(logits))
    slack = arb(0, 16 * len(logits) * EPS)
    for ball, v in zip(balls, s64):
        assert (ball + slack).contains(arb(float(v))), (ball, v)


@settings(max_examples=30, deadline=None)
@given(LOGITS)
def test_ball_logsumexp_encloses_mpmath(logits):
    ball = rg.ball_logsumexp(logits)
    with mpmath.workdps(120):
        ref = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(x) - max(logits)) for x in logits)) + max(logits)
        text = mpmath.nstr(ref, 110)
    with rg.working_precision(400):  # the reference is good to ~1e-105 relative
        ref_ball = arb(text)
        assert contains_up_to(ball, ref_ball)


@st.composite
def int_matrix(draw, max_rows: int = 5, max_cols: int = 7):
    m = draw(st.integers(1, max_rows))
    n = draw(st.integers(1, max_cols))
    k = draw(st.integers(0, min(m, n)))
    left = draw(arrays(np.int64, (m, k), elements=st.integers(-5, 5)))
    right = draw(arrays(np.int64, (k, n), elements=st.integers(-5, 5)))
    noise = draw(st.booleans())
    a = left @ right
    if noise:  # sometimes a full-rank perturbation
        a = a + draw(arrays(np.int64, (m, n), elements=st.integers(-1, 1)))
    return a.astype(np.int64)


@settings(max_examples=40, deadline=None)
@given(int_matrix(), st.sampled_from(["int", "float"]))
def test_certificate_agrees_with_exact_and_sympy_rank(a, form):
    m = a.shape[0]
    r = exact.rank(a)
    assert r == sympy.Matrix(a.tolist()).rank()
    assert exact.rank_mod_p(a) <= r
    cert = rg.certify_full_row_rank(a if form == "int" else a.astype(np.float64), max_prec=212)
    if cert.status == "proved":
        assert r == m  # soundness: a rigorous proof never contradicts the exact rank
        # the certified columns form an exactly nonsingular submatrix
        assert exact.rank(a[:, list(cert.columns)]) == m
    elif cert.status == "refuted":
        assert m > a.shape[1] and r < m
    else:
        # exact integers with full row rank are well conditioned at these sizes: always proved
        assert r < m


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(4, 6)),
              elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)))
def test_float_matrices_certificate_exact_and_sympy_agree(a):
    oracle = sympy.Matrix([[sympy.Rational(float(x)) for x in row] for row in a]).rank()
    assert exact.rank(a) == oracle
    cert = rg.certify_full_row_rank(a)
    if cert.status == "proved":
        assert oracle == a.shape[0]
    if oracle < a.shape[0]:
        assert cert.status != "proved"


def test_float_rank_lies_where_exact_and_rigorous_agree():
    # Hilbert 14×14 in float64: exactly nonsingular, numerically rank deficient (a finding, not noise)
    n = 14
    h = np.array([[1.0 / (i + j + 1) for j in range(n)] for i in range(n)])
    numerical = empirical.numerical_rank(h)
    assert numerical.rank < n
    assert exact.rank(h) == n
    cert = rg.certify_full_row_rank(h)
    assert cert.status == "proved" and cert.prec > 53


def test_float_planted_dependency_is_usually_exact_independence():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 5))
    a = np.vstack([a, a[0] + a[1]])  # dependent up to rounding
    assert empirical.numerical_rank(a).rank == 3
    assert exact.rank(a) in (3, 4)
    oracle = sympy.Matrix([[sympy.Rational(float(x)) for x in row] for row in a]).rank()
    assert exact.rank(a) == oracle


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (2, 3), elements=st.floats(-1e20, 1e20, allow_nan=False)), st.sampled_from([5, 101, 2147483647]))
def test_matrix_mod_p_float_path_agrees_with_exact_rationals(a, p):
    fast = exact.matrix_mod_p(a, p)
    for i in range(2):
        for j in range(3):
            q = Fraction(float(a[i, j]))
            assert fast[i, j] == q.numerator % p * pow(q.denominator % p, -1, p) % p


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 40), st.integers(-3, 3))
def test_symbolic_limit_matches_numeric_saturation(c, b):
    # L4: softmax(c·g + b) → e_{i*} for g = (1, 0); sympy limit vs float64 at finite c vs ball bound
    cs = sympy.Symbol("c", positive=True)
    entry = sympy.exp(cs) / (sympy.exp(cs) + sympy.exp(b))
    assert symbolic.limit_at_infinity(entry, cs) == 1
    s64 = empirical.softmax([float(c), float(b)])[0]
    ball, other = rg.ball_softmax([c, b], prec=200)  # the bound is tight to ~e^{-c}: resolve it
    assert (ball + arb(0, 4 * EPS)).contains(arb(float(s64)))
    # the L4 bound: ‖softmax − e_1‖₁ = 2·s_2 ≤ 2(n−1) exp(−(cγ − 2‖b‖∞)) with γ = 1, n = 2
    with rg.working_precision(200):
        bound = 2 * arb(-(c - 2 * abs(b))).exp()
        assert (2 * other) < bound


def test_exact_and_rigorous_agree_on_fraction_inputs():
    q = [[Fraction(1, 3), Fraction(2, 7)], [Fraction(5, 11), Fraction(-1, 9)]]
    ball = rg.to_arb_mat(np.array(q, dtype=object))
    exact_q = exact.to_fmpq_mat(q)
    assert ball.contains(exact_q)
    assert rg.certify_full_row_rank(ball).status == "proved"
    assert exact.rank(q) == 2


@pytest.mark.parametrize("n", [3, 6])
def test_exact_solve_lies_in_ball_solve(n):
    a = np.array([[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)], dtype=object)
    b = np.array([[Fraction(k + 1)] for k in range(n)], dtype=object)
    x = exact.solve(a, b)
    with rg.working_precision(200):
        xb = rg.to_arb_mat(a).solve(rg.to_arb_mat(b))
    assert xb.contains(x)
    assert not xb.contains(x + 2 * exact.to_fmpq_mat([[Fraction(1, 10**30)]] * n))  # tight

"""Rigorous tier (memproof.arith.rigorous): ball conversion, softmax, bounds, row-rank certificates."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import flint
import numpy as np
import pytest
from flint import arb, arb_mat, fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from memproof.arith import rigorous as rg
from memproof.errors import InvalidArgumentError

FINITE = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
RADII = st.floats(0, 1e3, allow_nan=False, allow_infinity=False)


# ----------------------------------------------------------------------------- precision
def test_working_precision_sets_and_restores_even_on_error():
    old = flint.ctx.prec
    with pytest.raises(RuntimeError):
        with rg.working_precision(300):
            assert flint.ctx.prec == 300
            raise RuntimeError("boom")
    assert flint.ctx.prec == old
    with rg.working_precision(200):
        narrow = (arb(1) / 3).rad()
    assert narrow < (arb(1) / 3).rad()


@pytest.mark.parametrize("bits", [1, 0, -5, 2.5, True, "53"])
def test_working_precision_rejects_bad_bits(bits):
    with pytest.raises(InvalidArgumentError):
        with rg.working_precision(bits):
            pass


# ----------------------------------------------------------------------------- conversion
@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 3)), elements=FINITE))
def test_to_arb_mat_midpoints_are_the_exact_floats(a):
    with rg.working_precision(8):  # even at low precision floats are stored exactly
        m = rg.to_arb_mat(a)
    for i, row in enumerate(a):
        for j, x in enumerate(row):
            assert m[i, j].is_exact()
            man, exp = m[i, j].mid().man_exp()
            assert Fraction(int(man)) * Fraction(2) ** int(exp) == Fraction(float(x))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (2, 2), elements=FINITE), RADII)
def test_to_arb_mat_radius_encloses_the_box(a, r):
    m = rg.to_arb_mat(a, radius=r)
    for i in range(2):
        for j in range(2):
            x = Fraction(float(a[i, j]))
            for y in (x - Fraction(r), x, x + Fraction(r)):
                with rg.working_precision(4200):  # the endpoints are exact dyadics at this precision
                    point = arb(fmpq(y.numerator, y.denominator))
                assert point.is_exact() and m[i, j].contains(point)


def test_to_arb_mat_fractions_and_flint_matrices_are_enclosed():
    m = rg.to_arb_mat(np.array([[Fraction(1, 3), 2]], dtype=object))
    assert m[0, 0].contains(fmpq(1, 3)) and not m[0, 0].is_exact()
    assert rg.to_arb_mat(fmpq_mat([[fmpq(2, 7)]]))[0, 0].contains(fmpq(2, 7))
    assert rg.to_arb_mat([1, 2, 3]).nrows() == 1  # 1-D input is one row, as in the exact tier
    big = 2**200 + 1
    assert rg.to_arb_mat(np.array([[big]], dtype=object))[0, 0].contains(big)


@pytest.mark.parametrize("bad, radius", [
    ([[1.0, float("nan")]], None),
    ([[float("inf")]], None),
    ([], None),
    (np.zeros((0, 3)), None),
    ([["x"]], None),
    (np.array([[True, False]]), None),
    (np.zeros((2, 2, 2)), None),
    ([[1.0, 2.0]], -1.0),
    ([[1.0, 2.0]], [1.0, 2.0, 3.0]),
    ([[1.0, 2.0]], float("nan")),
    (arb_mat([[arb("inf")]]), None),
])
def test_to_arb_mat_rejects_bad_input(bad, radius):
    with pytest.raises(InvalidArgumentError):
        rg.to_arb_mat(bad, radius=radius)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (2, 3), elements=FINITE), RADII, st.sampled_from([0, 5, 30]))
def test_ball_strings_reparse_to_enclosures(a, r, digits):
    m = rg.to_arb_mat(a, radius=r) / 3
    strings = rg.arb_mat_to_strings(m, digits)
    assert all(isinstance(s, str) for row in strings for s in row)
    back = rg.arb_mat_from_strings(strings)
    assert back.contains(m)


def test_ball_string_helpers_validate():
    with pytest.raises(InvalidArgumentError):
        rg.arb_mat_to_strings([[1.0]])
    with pytest.raises(InvalidArgumentError):
        rg.arb_mat_to_strings(rg.to_arb_mat([[1.0]]), -1)
    with pytest.raises(InvalidArgumentError):
        rg.arb_mat_from_strings([["not a number"]])
    with pytest.raises(InvalidArgumentError):
        rg.arb_mat_from_strings([])


# ----------------------------------------------------------------------------- float / rational bounds
@st.composite
def balls(draw):
    p = draw(st.integers(-10**30, 10**30))
    q = draw(st.integers(1, 10**20))
    r = draw(RADII)
    prec = draw(st.sampled_from([20, 53, 120]))
    with rg.working_precision(prec):
        return arb(fmpq(p, q)) + arb(0, r), Fraction(p, q)


@settings(max_examples=40, deadline=None)
@given(balls())
def test_float_and_fraction_bounds_are_outward(case):
    x, value = case
    up, lo = rg.arb_upper_float(x), rg.arb_lower_float(x)
    assert arb(up) >= x.upper() and arb(lo) <= x.lower()
    assert Fraction(lo) <= value <= Fraction(up)
    flo, fup = rg.arb_to_fraction_bounds(x)
    assert flo <= value <= fup
    assert Fraction(lo) <= flo and fup <= Fraction(up)
    # tight: at most a couple of ulps wider than the ball's own endpoints
    assert float(fup) <= math.nextafter(math.nextafter(up, math.inf), math.inf)


def test_bounds_of_unbounded_balls_are_infinite():
    assert rg.arb_upper_float(arb("nan")) == math.inf
    assert rg.arb_lower_float(arb(0, math.inf)) == -math.inf
    assert rg.arb_upper_float(arb(2) ** 5000) == math.inf
    assert rg.arb_upper_float(1.5) == 1.5 == rg.arb_lower_float(1.5)
    with pytest.raises(InvalidArgumentError):
        rg.arb_to_fraction_bounds(arb("nan"))


# ----------------------------------------------------------------------------- softmax
@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=8), st.floats(0, 1e-3))
def test_ball_softmax_sums_to_one_and_lies_in_unit_interval(logits, radius):
    balls_in = [arb(x) + arb(0, radius) for x in logits]
    s = rg.ball_softmax(balls_in)
    assert len(s) == len(logits)
    assert sum(s).contains(1)
    for si in s:  # intersected with [0, 1], up to the rounding of the ball's own endpoints
        assert si.lower() >= -1e-15 and si.upper() <= 1 + 1e-15


def test_ball_softmax_huge_logits_stay_tight():
    s = rg.ball_softmax([1e6, 1e6 - 1.0, -1e6])
    assert all(x.is_finite() and x.rad() < 1e-14 for x in s)
    assert s[2] < arb(10) ** -800000 and s[2] > 0  # exp(-2e6) is representable in arb
    lse = rg.ball_logsumexp([1e6, 1e6])
    assert lse.contains(arb(10) ** 6 + arb(2).log()) and lse.rad() < 1e-9


def test_pairwise_form_is_tighter_for_wide_balls():
    wide = [arb(0, 0.1), arb(0, 0.1)]
    s = rg.ball_softmax(wide)
    # quotient form alone gives about [0.41, 0.61]; pairwise gives [0.4502, 0.5498]
    assert s[0].lower() > 0.45 and s[0].upper() < 0.55
    assert s[0].contains(0.4503) and s[0].contains(0.5497)


def test_ball_softmax_precision_argument_and_input_kinds():
    s200 = rg.ball_softmax([Fraction(1, 3), 0, np.float64(2.0)], prec=200)
    s53 = rg.ball_softmax(np.array([1 / 3, 0.0, 2.0]))
    assert s200[0].rad() < 1e-55 < s53[0].rad()
    col = rg.ball_softmax(arb_mat([[1], [2]]))
    assert col[1] > col[0]


@pytest.mark.parametrize("bad", [[], [float("nan")], [1.0, float("inf")], "ab", [[1.0, 2.0]],
                                 np.zeros((2, 2)), [True, 1.0], arb_mat([[1, 2], [3, 4]])])
def test_ball_softmax_rejects_bad_input(bad):
    with pytest.raises(InvalidArgumentError):
        rg.ball_softmax(bad)


def test_ball_matmul_encloses_exact_product_and_checks_shapes():
    a = [[Fraction(1, 3), 2.0], [0, -1]]
    b = [[3, 1], [0.5, 7]]
    prod = rg.ball_matmul(a, b)
    exact_prod = fmpq_mat([[fmpq(1, 3), 2], [0, -1]]) * fmpq_mat([[3, 1], [fmpq(1, 2), 7]])
    assert prod.contains(exact_prod)
    with pytest.raises(InvalidArgumentError, match="rows"):
        rg.ball_matmul(a, [[1, 2, 3]])


# ----------------------------------------------------------------------------- row-rank certificates
@st.composite
def deficient_int_matrix(draw):
    """An m×N integer matrix of exact rank < m (planted as L @ R with inner dimension k < m)."""
    m = draw(st.integers(1, 5))
    n = draw(st.integers(m, 7))
    k = draw(st.integers(0, m - 1))
    left = draw(arrays(np.int64, (m, k), elements=st.integers(-6, 6)))
    right = draw(arrays(np.int64, (k, n), elements=st.integers(-6, 6)))
    return (left @ right).astype(np.int64)


@settings(max_examples=40, deadline=None)
@given(deficient_int_matrix(), st.sampled_from(["int", "float", "arb", "scaled"]))
def test_certify_never_proves_an_exactly_rank_deficient_matrix(a, form):
    if form == "float":
        a = a.astype(np.float64)
    elif form == "arb":
        a = rg.to_arb_mat(a)  # zero-radius balls
    elif form == "scaled":
        a = a.astype(np.float64) * 2.0**-40  # exact scaling keeps the rank
    cert = rg.certify_full_row_rank(a, max_prec=212)
    assert cert.status == "unknown"
    assert "≥ 1" in cert.reason or "numerically singular" in cert.reason


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(0, 8), st.integers(0, 2**32 - 1))
def test_certify_proves_random_full_rank_float_matrices(m, extra, seed):
    a = np.random.default_rng(seed).standard_normal((m, m + extra))
    cert = rg.certify_full_row_rank(a)
    assert cert.status == "proved" and cert.prec == 53
    assert len(cert.columns) == m == cert.rows and len(set(cert.columns)) == m
    assert float(cert.residual_bound) < 1
    json.dumps(cert.to_evidence())


def test_certify_ill_conditioned_needs_more_precision():
    n = 12
    hilbert = np.array([[1.0 / (i + j + 1) for j in range(n)] for i in range(n)])
    cert = rg.certify_full_row_rank(hilbert)
    assert cert.status == "proved" and cert.prec > 53
    assert cert.attempts[0][0] == 53 and float(cert.attempts[0][1]) >= 1
    low = rg.certify_full_row_rank(hilbert, max_prec=53)
    assert low.status == "unknown" and low.prec == 53 and "raise max_prec" in low.reason
    # the exact Hilbert matrix given as fractions is re-enclosed at each precision
    hq = np.array([[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)], dtype=object)
    assert rg.certify_full_row_rank(hq).status == "proved"


def test_certify_vandermonde_needs_more_precision():
    x = np.linspace(0.0, 1.0, 20)  # condition number ~1e16
    v = np.vander(x, increasing=True)
    cert = rg.certify_full_row_rank(v)
    assert cert.status == "proved" and cert.prec > 53 and len(cert.attempts) >= 2


def test_certify_refutes_more_rows_than_columns():
    cert = rg.certify_full_row_rank(np.ones((4, 3)))
    assert cert.status == "refuted" and "more rows than columns" in cert.reason
    assert rg.certify_full_row_rank(rg.to_arb_mat(np.eye(3)[:, :2])).status == "refuted"


def test_certify_enclosure_semantics():
    eps = 2.0**-20
    b = [[1.0, 1.0], [1.0, 1.0 + eps]]
    # tight enclosure: every matrix in it is nonsingular
    assert rg.certify_full_row_rank(rg.to_arb_mat(b, radius=eps / 8)).status == "proved"
    # the enclosure contains the singular [[1, 1], [1, 1]]: must not be proved at any precision
    wide = rg.certify_full_row_rank(rg.to_arb_mat(b, radius=2 * eps))
    assert wide.status == "unknown" and "tighten the enclosure" in wide.reason
    # a zero row is never full row rank
    assert rg.certify_full_row_rank([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]).status == "unknown"


def test_certify_certificate_is_frozen_and_records_attempts():
    cert = rg.certify_full_row_rank([[2, 0], [0, 3]])
    with pytest.raises(AttributeError):
        cert.status = "refuted"  # type: ignore[misc]
    assert cert.attempts == ((53, cert.residual_bound),) and cert.proved


@pytest.mark.parametrize("bad, kw", [
    ([], {}),
    (np.zeros((0, 4)), {}),
    ([[1.0, float("nan")]], {}),
    ([["a"]], {}),
    ([[1.0]], {"prec": 1}),
    ([[1.0]], {"prec": 100, "max_prec": 53}),
    ([[1.0]], {"max_prec": 12.5}),
])
def test_certify_rejects_bad_input(bad, kw):
    with pytest.raises(InvalidArgumentError):
        rg.certify_full_row_rank(bad, **kw)


def test_certify_stops_early_on_exactly_singular_exact_input():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((30, 45))
    a[-1] = a[0]  # an exact dependency
    cert = rg.certify_full_row_rank(a)
    assert cert.status == "unknown" and len(cert.attempts) == 1 and "modulo two primes" in cert.reason
    # as a zero-radius enclosure there is no shortcut: every precision is tried, none proves it
    balls = rg.certify_full_row_rank(rg.to_arb_mat(a), max_prec=212)
    assert balls.status == "unknown" and [p for p, _ in balls.attempts] == [53, 106, 212]


def test_column_choice_without_scipy_falls_back_to_numpy(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "scipy.linalg", None)  # `from scipy.linalg import qr` fails
    rng = np.random.default_rng(2)
    a = np.zeros((3, 6))
    a[:, [1, 4, 5]] = rng.standard_normal((3, 3))  # only columns 1, 4, 5 are nonzero
    assert rg._pivot_columns(a, 3) == [1, 4, 5]
    assert rg.certify_full_row_rank(a).columns == (1, 4, 5)

"""Tests written against mutants of the arithmetic tiers that the rest of the suite let survive
(docs/mutation.md): rigorous (balls), symbolic (sympy) and empirical (float64).

Each test states a mathematical property of the function (an enclosure that must contain the true
value, a rank at an exact threshold, a ratio of singular values) or the error contract of
memproof.errors (the argument's name, what was passed, what was expected).
"""
from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
from flint import arb, arb_mat

from memproof.arith import empirical, exact, rigorous, symbolic
from memproof.errors import InvalidArgumentError
from memproof.validation import describe

EPS = np.finfo(np.float64).eps


def invalid(call, name, passed=None, expected=None):
    """Run ``call``; it must raise InvalidArgumentError naming ``name`` (and ``passed`` / ``expected`` exactly)."""
    with pytest.raises(InvalidArgumentError) as info:
        call()
    err = info.value
    assert err.name == name
    if passed is not None:
        assert err.passed == passed
    if expected is not None:
        assert err.expected == expected
    return err


# ------------------------------------------------------------------------------ empirical
@pytest.mark.parametrize("axis", [2, -3, 1.0, True])
def test_softmax_axis_error_names_axis_and_range(axis):
    invalid(lambda: empirical.softmax(np.zeros((2, 3)), axis), "axis", describe(axis), "an integer axis in [-2, 2)")


def test_log_softmax_names_its_argument_x():
    invalid(lambda: empirical.log_softmax([0.0, math.nan]), "x")
    invalid(lambda: empirical.softmax([]), "x")


def test_log_softmax_overflowing_spread_is_silent_and_exact():
    # x - max x overflows to -inf for a spread beyond 1.8e308: log softmax is -inf there, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = empirical.log_softmax([1.7e308, -1.7e308])
    assert out[0] == 0.0 and out[1] == -math.inf


def test_singular_values_names_its_argument_a():
    invalid(lambda: empirical.singular_values([[1.0, math.inf]]), "a")


def test_sigma_ratio_is_smallest_over_largest_singular_value():
    assert empirical.sigma_ratio(np.diag([4.0, 2.0, 1.0])) == 0.25       # σ_min/σ_max, not σ_2/σ_1
    assert empirical.sigma_ratio([[0.5, 0.0], [0.0, 0.25]]) == 0.5        # σ_max < 1 is still a scale
    assert empirical.sigma_ratio([[3.0, 4.0]]) == 1.0                     # one row: σ_min = σ_max = 5


def test_sigma_ratio_is_zero_without_full_row_rank():
    assert empirical.sigma_ratio(np.zeros((2, 2))) == 0.0                 # a = 0
    assert empirical.sigma_ratio([[0.0, 0.0]]) == 0.0                     # one zero row
    assert empirical.sigma_ratio([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]) == 0.0   # 3 rows in R^2
    assert empirical.sigma_ratio(np.zeros((0, 3))) == 1.0                 # no rows: vacuously full rank


def test_numerical_rank_counts_values_strictly_above_the_tolerance():
    assert empirical.numerical_rank([[2.0, 0.0], [0.0, 1.0]], tol=1.0) == (1, 1.0)
    assert empirical.numerical_rank([[2.0, 0.0], [0.0, 1.0]], tol=0.999) == (2, 0.999)


def test_numerical_rank_default_tolerance_scales_with_sigma_max():
    # tol = max(shape)·eps·σ_max = 2·eps·1e-3: 1e-17 is far above it (a unit scale would call it zero)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # no deprecated numpy call on the way
        r = empirical.numerical_rank(np.diag([1e-3, 1e-17]))
    assert r.tol == 2 * EPS * 1e-3 and r.rank == 2


@pytest.mark.parametrize("tol", [-1.0, math.nan, math.inf, True, "0.1"])
def test_numerical_rank_tolerance_error(tol):
    invalid(lambda: empirical.numerical_rank(np.eye(2), tol=tol), "tol", describe(tol),
            "a finite tolerance ≥ 0 (or None for the default)")


# ------------------------------------------------------------------------------ rigorous


def _obj(rows):
    return np.array(rows, dtype=object)


def test_nearly_singular_exact_matrix_is_proved_at_higher_precision_not_given_up():
    # det B = p0·2^-100: B is nonsingular, its float midpoint [[1, 1], [1, 1]] is singular, and B is
    # singular modulo the first prime only. The early stop needs rank < m modulo *two* primes.
    eps = Fraction(exact.PRIMES[0], 2**100)
    c = rigorous.certify_full_row_rank(_obj([[Fraction(1), Fraction(1)], [Fraction(1), 1 + eps]]))
    assert c.status == "proved" and c.prec == 106 and [a[0] for a in c.attempts] == [53, 106]
    assert c.attempts[0][1] == "inf"


def test_exactly_singular_rational_columns_stop_after_one_attempt():
    # rank 1 over Q: the selected 2×2 rational submatrix is singular modulo both primes
    c = rigorous.certify_full_row_rank(_obj([[Fraction(1, 3), Fraction(2, 3), Fraction(1)],
                                             [Fraction(2, 3), Fraction(4, 3), Fraction(2)]]))
    assert c.status == "unknown" and len(c.attempts) == 1 and "stopped early" in c.reason


def test_rational_input_is_preconditioned_by_its_float_value():
    # X ≈ mid(B)⁻¹ from the rationals' float values proves a well-conditioned matrix at the first try
    c = rigorous.certify_full_row_rank(_obj([[Fraction(1, 3), Fraction(2, 7)], [Fraction(5, 3), Fraction(4, 11)]]))
    assert c.status == "proved" and c.prec == 53 and len(c.attempts) == 1


def test_rationals_with_huge_numerators_and_denominators_are_usable():
    # p, q ≈ 2^1100 overflow float(); the value ≈ 1 (or 2^-1100) is taken from a ball instead
    big = 2**1100
    c = rigorous.certify_full_row_rank(_obj([[Fraction(big + 1, big), Fraction(1, big)], [Fraction(0), Fraction(1)]]))
    assert c.status == "proved" and c.prec == 53


def test_pivot_columns_without_scipy_pick_the_dominant_columns(monkeypatch):
    import sys

    mid = [[0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 3.0, 0.0]]
    with_scipy = rigorous.certify_full_row_rank(mid)
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)          # `from scipy.linalg import qr` fails
    without = rigorous.certify_full_row_rank(mid)
    assert with_scipy.columns == without.columns == (2, 3) and without.status == "proved"
    a = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 4.0]])
    before = a.copy()
    assert rigorous.certify_full_row_rank(a).proved and np.array_equal(a, before)   # input not modified


def test_lower_float_is_the_largest_float_below_the_ball():
    # 0.1's nearest double lies above 0.1: the lower bound must step down one ulp
    with rigorous.working_precision(200):
        tenth = arb(1) / 10
        lo = rigorous.arb_lower_float(tenth)
        assert arb(lo) <= tenth.lower() and not arb(math.nextafter(lo, math.inf)) <= tenth.lower()
    assert lo == math.nextafter(0.1, 0.0)
    assert rigorous.arb_lower_float(arb(0.25)) == 0.25


def test_fraction_bounds_are_the_exact_dyadic_endpoints():
    assert rigorous.arb_to_fraction_bounds(0.75) == (Fraction(3, 4), Fraction(3, 4))     # a float, not a ball
    with rigorous.working_precision(200):
        x = arb(2**60 + 1) / 2**70                                                        # 61-bit mantissa, exact
        assert rigorous.arb_to_fraction_bounds(x) == (Fraction(2**60 + 1, 2**70),) * 2
    assert rigorous.arb_to_fraction_bounds(arb(3) * 2**80) == (Fraction(3 * 2**80),) * 2
    invalid(lambda: rigorous.arb_to_fraction_bounds(arb("inf")), "x", "a non-finite ball [+/- inf]", "a finite ball")


def test_logsumexp_honours_its_precision():
    third = Fraction(1, 3)
    narrow = rigorous.ball_logsumexp([third, third], prec=200)
    with rigorous.working_precision(300):
        exact_value = arb(1) / 3 + arb(2).log()
    assert narrow.rad() < arb(2) ** -190 and narrow.contains(exact_value)


def test_ball_strings_keep_the_digits_asked_for_and_stay_tight():
    m = arb_mat([[arb("[1.23456789 +/- 0.001]"), arb(1) / 3]])
    s = rigorous.arb_mat_to_strings(m)
    assert s[0][0] == "[1.23456789000000 +/- 1.01e-3]"            # all midpoint digits, not "[1.23 +/- 5.57e-3]"
    back = rigorous.arb_mat_from_strings(s)
    assert back.contains(m) and back[0, 0].rad() < 2 * m[0, 0].rad()
    assert rigorous.arb_mat_to_strings(m, 5)[0][1] == "[0.33333 +/- 3.34e-6]"


@pytest.mark.parametrize("call,name,passed,expected", [
    (lambda: rigorous.arb_mat_to_strings([[1.0]]), "a", describe([[1.0]]), "an arb_mat"),  # hint checked below
    (lambda: rigorous.arb_mat_to_strings(arb_mat([[1]]), True), "digits", describe(True), "an integer ≥ 0 (0 = working precision)"),
    (lambda: rigorous.arb_mat_to_strings(arb_mat([[1]]), "3"), "digits", describe("3"), "an integer ≥ 0 (0 = working precision)"),
    (lambda: rigorous.arb_mat_to_strings(arb_mat([[1]]), -1), "digits", describe(-1), "an integer ≥ 0 (0 = working precision)"),
    (lambda: rigorous.arb_mat_from_strings([["1", "2"], ["3"]]), "rows", describe([["1", "2"], ["3"]]),
     "a non-empty rectangular list of lists of ball strings"),
    (lambda: rigorous.arb_mat_from_strings([[]]), "rows", describe([[]]), "a non-empty rectangular list of lists of ball strings"),
    (lambda: rigorous.arb_mat_from_strings([["one"]]), "rows", describe([["one"]]), "strings such as '[1.5 +/- 0.25]' that arb() parses"),
    (lambda: rigorous.to_arb_mat(arb_mat([[arb("inf"), 1]])), "a", "a non-finite ball [+/- inf] at index (0, 0)", "finite balls"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0]], radius=[0.5, 0.5, 0.5]), "radius", "shape (3,)", "a scalar or shape (1, 2)"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0]], radius=[[0.0, -1.0]]), "radius", "a negative radius -1.0 at index (0, 1)", "nonnegative radii"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0]], radius=[-2.0, 0.0]), "radius", "a negative radius -2.0 at index (0, 0)", "nonnegative radii"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0]], radius=np.zeros((1, 1, 2))), "radius", None, "0 or 1 or 2 dimensions"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0]], radius=[[math.nan, 0.0]]), "radius", None, "finite real numbers"),
])
def test_rigorous_error_contract(call, name, passed, expected):
    err = invalid(call, name, passed, expected)
    if expected == "an arb_mat":
        assert err.hint == "convert with to_arb_mat first"


def test_radius_of_any_rank_up_to_two_encloses():
    for radius in (0.5, [0.5, 0.25], [[0.5, 0.25]]):
        m = rigorous.to_arb_mat([[1.0, 2.0]], radius=radius)
        assert m[0, 0].contains(1.5) and m[0, 0].contains(0.5) and not m[0, 0].contains(1.6)


def test_row_rank_evidence_is_complete():
    c = rigorous.certify_full_row_rank([[1, 0, 0], [0, 0, 5]])
    ev = c.to_evidence()
    assert ev == {"status": "proved", "rows": 2, "columns": [0, 2], "residual_bound_inf_norm": c.residual_bound,
                  "prec_bits": 53, "attempts": [[53, c.residual_bound]],
                  "method": "Krawczyk-type test: ‖I − X·B‖_∞ < 1 in arb ball arithmetic, X ≈ mid(B)⁻¹",
                  "reason": c.reason}


# ------------------------------------------------------------------------------ symbolic


X, Y = sympy.symbols("x y", real=True)


def test_counterexample_skips_probe_points_where_the_difference_is_undefined():
    # 1/(x - 1) ≠ 0 everywhere it is defined; at the first probe x = 1 it is zoo, not a counterexample
    check = symbolic.identity_holds(1 / (X - 1), 0)
    assert not check.holds and check.counterexample == {"x": "2"}
    value = (1 / (X - 1)).subs(X, sympy.Rational(check.counterexample["x"]))
    assert value.is_finite and value != 0


def test_a_constant_nonzero_matrix_difference_has_a_counterexample():
    # diff = [[1, 0]]: false everywhere; the empty substitution is a counterexample
    check = symbolic.identity_holds(sympy.Matrix([[X + 1, X]]), sympy.Matrix([[X, X]]))
    assert not check.holds and check.counterexample == {} and check.difference == "[[1, 0]]"


def test_matrix_expression_checks():
    k = sympy.Symbol("k", integer=True, positive=True)
    Q = sympy.MatrixSymbol("Q", k, k)
    check = symbolic.identity_holds(sympy.MatMul(Q, sympy.Identity(k), evaluate=False), Q)
    assert check.holds and check.difference == "0"
    wrong = symbolic.identity_holds(sympy.MatMul(Q, Q, evaluate=False), Q)
    assert not wrong.holds and "Q" in wrong.difference
    invalid(lambda: symbolic.identity_holds(Q, 1), "rhs", describe(1), "a matrix expression of shape (k, k) like lhs")
    R = sympy.MatrixSymbol("R", k, k + 1)
    invalid(lambda: symbolic.identity_holds(Q, R), "rhs", describe(R), "a matrix expression of shape (k, k) like lhs")


@pytest.mark.parametrize("call,name,passed,expected", [
    (lambda: symbolic.identity_holds("x", 1), "lhs", describe("x"), "a sympy expression, Matrix or number (strings are not parsed)"),
    (lambda: symbolic.identity_holds(1, "x"), "rhs", describe("x"), "a sympy expression, Matrix or number (strings are not parsed)"),
    (lambda: symbolic.identity_holds(X, sympy.Matrix([[X]])), "rhs", describe(sympy.Matrix([[X]])), "a scalar like lhs"),
    (lambda: symbolic.identity_holds(sympy.Matrix([[X]]), X), "rhs", describe(X), "a matrix like lhs"),
    (lambda: symbolic.identity_holds(sympy.Matrix([[X, X]]), sympy.Matrix([[X]])), "rhs", "shape (1, 1)", "shape (1, 2) like lhs"),
    (lambda: symbolic.generic_matrix("1W", 2, 2), "name", describe("1W"), "an identifier such as 'W'"),
    (lambda: symbolic.generic_matrix("W", 0, 2), "rows", None, None),
    (lambda: symbolic.generic_matrix("W", 2, 0), "cols", None, None),
    (lambda: symbolic.limit_at_infinity(X, "x"), "var", describe("x"), "a sympy Symbol"),
    (lambda: symbolic.limit_at_infinity("x", X), "expr", describe("x"), "a sympy expression, Matrix or number (strings are not parsed)"),
    (lambda: symbolic.identity_holds(b"x+1", 1), "lhs", describe(b"x+1"), "a sympy expression, Matrix or number"),
    (lambda: symbolic.identity_holds(1, object), "rhs", describe(object), "a sympy expression, Matrix or number"),
    (lambda: symbolic.identity_holds([[X, 1], [X]], 1), "lhs", describe([[X, 1], [X]]), "a rectangular nested list of expressions"),
])
def test_symbolic_error_contract(call, name, passed, expected):
    invalid(call, name, passed, expected)


def test_wide_enclosure_containing_a_singular_matrix_is_not_proved():
    # [I ± 1] contains the zero matrix: the residual bound must count the radii (‖I − X·B‖ ≥ 1 for B = 0)
    wide = rigorous.to_arb_mat(np.eye(2), radius=1.0)
    c = rigorous.certify_full_row_rank(wide)
    assert c.status == "unknown" and float(c.residual_bound) >= 1.0
    narrow = rigorous.to_arb_mat(np.eye(2), radius=0.25)
    assert rigorous.certify_full_row_rank(narrow).proved


def test_residual_bound_exactly_one_after_rounding_is_not_a_proof():
    # [I ± 1/2] contains the singular [[1/2, 1/2], [1/2, 1/2]]; its residual bound is 1 (+ radius rounding)
    c = rigorous.certify_full_row_rank(rigorous.to_arb_mat(np.eye(2), radius=0.5))
    assert c.status == "unknown" and 1.0 <= float(c.residual_bound) < 2.0
    assert [bits for bits, _ in c.attempts] == [53, 106, 212, 424]          # doubling up to max_prec = 424
    assert c.prec == 424 and c.reason.startswith(f"residual bound {c.residual_bound} ≥ 1 at 424 bits")
    assert 0.0 < c.seconds < 60.0


def test_inf_norm_bound_is_an_upper_bound_of_every_row_sum():
    # the row sum [1 ± 1e-20] may exceed 1: the bound must be ≥ its upper end, not its midpoint or lower end
    r = arb_mat([[arb("[0.5 +/- 1e-20]"), arb(-0.5)]])
    assert rigorous._inf_norm_upper(r) >= 1 and not rigorous._inf_norm_upper(r) < 1
    assert not rigorous._inf_norm_upper(arb_mat([[arb("inf"), 1]])).is_finite()
    assert rigorous._inf_norm_upper(arb_mat([[1, -2], [arb(0.5), 0]])) == 3


def test_precision_arguments_are_validated():
    assert rigorous.certify_full_row_rank(np.eye(2), prec=2, max_prec=2).proved       # 2 bits is allowed
    for bad in (1, 2.5, "53", True):
        invalid(lambda: rigorous.certify_full_row_rank(np.eye(2), prec=bad), "prec", describe(bad), "an integer precision ≥ 2 (bits)")
        invalid(lambda: rigorous.certify_full_row_rank(np.eye(2), max_prec=bad), "max_prec", describe(bad), "an integer precision ≥ 2 (bits)")
    invalid(lambda: rigorous.certify_full_row_rank(np.eye(2), prec=100, max_prec=64), "max_prec", "64", "max_prec ≥ prec = 100")


def test_refuted_and_out_of_range_certificates_record_their_precision():
    c = rigorous.certify_full_row_rank([[1.0], [2.0]], prec=60)
    assert (c.status, c.prec, c.columns, c.residual_bound, c.attempts) == ("refuted", 60, (), None, ())
    assert c.reason == "more rows than columns (m = 2 > N = 1): every 2×1 matrix has rank ≤ 1 < 2"
    huge = rigorous.certify_full_row_rank(_obj([[Fraction(2**1100), Fraction(0)], [Fraction(0), Fraction(1)]]))
    assert (huge.status, huge.prec, huge.columns, huge.residual_bound, huge.attempts) == ("unknown", 53, (), None, ())
    assert huge.reason == "midpoints exceed the float64 range; rescale rows by powers of two (rank is unchanged) and retry"


def test_early_stop_certificate_keeps_its_bound_and_precision():
    c = rigorous.certify_full_row_rank(_obj([[Fraction(1, 3), Fraction(2, 3), Fraction(1)],
                                             [Fraction(2, 3), Fraction(4, 3), Fraction(2)]]))
    assert c.prec == 53 and c.residual_bound == c.attempts[0][1] and float(c.residual_bound) >= 1
    assert c.reason.startswith(f"residual bound {c.residual_bound} ≥ 1 at 53 bits and the selected 2×2 submatrix has rank 1 < 2")
    assert c.reason.endswith("singular and no precision can help; stopped early. memproof.arith.exact.rank decides the input")


def test_proved_certificate_reason():
    c = rigorous.certify_full_row_rank([[1, 0, 0], [0, 0, 5]])
    assert c.reason == f"‖I − X·B‖_∞ ≤ {c.residual_bound} < 1 at 53 bits for columns [0, 2]: every matrix in the enclosure has full row rank"


def test_flint_matrices_are_accepted_as_exact_input():
    from flint import fmpq_mat, fmpz_mat

    assert rigorous.certify_full_row_rank(fmpq_mat([[1, 2], [3, 4]])).proved
    assert rigorous.certify_full_row_rank(fmpz_mat([[1, 2], [2, 4]])).status == "unknown"
    m = rigorous.to_arb_mat(fmpq_mat(1, 2, [__import__("flint").fmpq(1, 3), 2]))
    assert m[0, 0].contains(arb(1) / 3) and m[0, 1] == 2


def test_to_arb_keeps_every_exact_type_at_its_value():
    from flint import fmpq, fmpz

    assert rigorous.to_arb(3) == 3 and rigorous.to_arb(np.int64(-7)) == -7 and rigorous.to_arb(fmpz(5)) == 5
    third = rigorous.to_arb(Fraction(1, 3))
    assert third.contains(arb(1) / 3) and not third.contains(arb(1) / 3 + 1e-10) and third.rad() < 1e-15
    assert rigorous.to_arb(fmpq(2, 3)).contains(arb(2) / 3) and not rigorous.to_arb(fmpq(2, 3)).contains(0.6)


@pytest.mark.parametrize("call,name,passed,expected", [
    (lambda: rigorous.to_arb(True), "x", "a boolean True", "a real number (int, float, Fraction, fmpq or arb)"),
    (lambda: rigorous.to_arb("1", "y"), "y", "an entry of type str", "int, float, Fraction, fmpq or arb entries"),
    (lambda: rigorous.to_arb(arb("nan")), "x", "a non-finite ball nan", "finite real numbers or finite balls"),
    (lambda: rigorous.to_arb_mat(arb_mat(0, 3)), "a", "an empty arb_mat of shape (0, 3)", "at least one row and one column"),
    (lambda: rigorous.to_arb_mat(arb_mat(2, 0)), "a", "an empty arb_mat of shape (2, 0)", "at least one row and one column"),
    (lambda: rigorous.to_arb_mat(__import__("flint").fmpq_mat(0, 2)), "a", "an empty matrix of shape (0, 2)", "at least one row and one column"),
    (lambda: rigorous.to_arb_mat(__import__("flint").fmpq_mat(2, 0)), "a", "an empty matrix of shape (2, 0)", "at least one row and one column"),
    (lambda: rigorous.to_arb_mat(np.zeros((2, 2, 2))), "a", describe(np.zeros((2, 2, 2))), "a 2-dimensional real matrix"),
    (lambda: rigorous.to_arb_mat(np.zeros((0, 2))), "a", describe(np.zeros((0, 2))), "a non-empty matrix"),
    (lambda: rigorous.to_arb_mat(np.array([["a"]])), "a", describe(np.array([["a"]])),
     "a real numeric matrix (int, float, Fraction, fmpq or arb entries)"),
    (lambda: rigorous.to_arb_mat([[1.0, 2.0], [3.0]]), "a", describe([[1.0, 2.0], [3.0]]), "a 2-dimensional real matrix"),
    (lambda: rigorous.certify_full_row_rank([[1.0, math.nan]]), "enclosure", None, "finite real numbers"),
    (lambda: rigorous.certify_full_row_rank(_obj([[Fraction(1), "x"]])), "enclosure", None, None),
    (lambda: rigorous.certify_full_row_rank(arb_mat([[arb("inf")]])), "enclosure", None, "finite balls"),
    (lambda: rigorous.ball_softmax(arb_mat(2, 2)), "logits", "an arb_mat of shape (2, 2)", "a row or column vector"),
    (lambda: rigorous.ball_softmax(np.zeros((2, 2))), "logits", describe(np.zeros((2, 2))), "a 1-dimensional vector of logits"),
    (lambda: rigorous.ball_softmax({1: 2}), "logits", describe({1: 2}), "a vector (list, tuple, 1-D array or arb_mat) of real numbers or balls"),
    (lambda: rigorous.ball_softmax([]), "logits", "an empty vector", "at least one logit"),
    (lambda: rigorous.ball_softmax([0.0, math.inf]), "logits", "a non-finite value inf", "finite real numbers or finite balls"),
    (lambda: rigorous.ball_softmax([0.0], shift=math.nan), "shift", "a non-finite value nan", "finite real numbers or finite balls"),
])
def test_rigorous_input_error_contract(call, name, passed, expected):
    err = invalid(call, name, passed, expected)
    if expected == "a non-empty matrix":
        assert err.hint == "pass at least one row and one column"


def test_ball_arrays_of_exact_objects_are_enclosed():
    s = rigorous.ball_softmax(np.array([Fraction(1, 3), Fraction(1, 3)], dtype=object))
    assert all(x.contains(arb(1) / 2) for x in s)


def test_softmax_with_an_explicit_shift_is_the_same_enclosure():
    logits = [1e6, 1e6 + 1.0]
    s = rigorous.ball_softmax(logits, shift=1e6 + 0.5)
    with rigorous.working_precision(200):
        want = 1 / (1 + arb(-1).exp())
        other = 1 - want
    assert s[1].contains(want) and s[1].rad() < 1e-15 and s[0].contains(other)


def test_pairwise_form_is_used_up_to_its_length_and_only_then():
    wide = [arb(i % 3, 0.5) for i in range(rigorous.PAIRWISE_MAX)]
    tight = rigorous.ball_softmax(wide)
    plain = rigorous.ball_softmax(wide, pairwise=False)
    assert all(t.rad() < p.rad() for t, p in zip(tight, plain))               # length 64: pairwise applies
    # pairwise=False is exactly the shifted form ∩ [0, 1]
    c = max(x.mid() for x in wide)
    e = [(x - c).exp() for x in wide]
    total = sum(e)
    manual = [(ei / total).intersection(arb(0.5, 0.5)) for ei in e]
    assert all(a.mid() == b.mid() and a.rad() == b.rad() for a, b in zip(plain, manual))
    longer = wide + [arb(0, 0.5)]
    assert [x.rad() for x in rigorous.ball_softmax(longer)] == [x.rad() for x in rigorous.ball_softmax(longer, pairwise=False)]


def test_softmax_of_very_wide_balls_stays_in_the_unit_interval():
    wide = [arb(0, 3)] * (rigorous.PAIRWISE_MAX + 1)                          # plain form: upper end ≈ 6 > 1
    for s in rigorous.ball_softmax(wide):
        assert s.contains(1 / arb(len(wide)))
        # ⊆ [0, 1] up to the 30-bit rounding of the unit ball's radius
        assert rigorous.arb_upper_float(s) <= 1 + 1e-8 and rigorous.arb_lower_float(s) >= -1e-8


def test_nested_lists_are_matrices():
    assert symbolic.identity_holds([[X + X, 1]], sympy.Matrix([[2 * X, 1]])).holds
    wrong = symbolic.identity_holds([[X, 1]], [[X, 2]])
    assert not wrong.holds and wrong.difference == "[[0, -1]]" and wrong.counterexample == {}


def test_fallback_pivoting_projects_out_the_chosen_columns(monkeypatch):
    import sys

    # column 1 is nearly parallel to column 0: after choosing 0, column 2 is the independent one
    mid = [[3.0, 2.9, 0.0], [0.0, 0.1, 1.0]]
    assert rigorous.certify_full_row_rank(mid).columns == (0, 2)
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rigorous.certify_full_row_rank(mid).columns == (0, 2)


def test_rational_column_submatrix():
    from flint import fmpq, fmpq_mat

    src = fmpq_mat(3, 4, [fmpq(i * 4 + j, 7) for i in range(3) for j in range(4)])
    assert rigorous._fmpq_columns(src, [0, 2, 3]) == fmpq_mat(3, 3, [fmpq(i * 4 + j, 7) for i in range(3) for j in (0, 2, 3)])


def test_reasons_when_no_inverse_is_found():
    singular = _obj([[Fraction(1), Fraction(2)], [Fraction(2), Fraction(4)]])
    c = rigorous.certify_full_row_rank(singular)
    assert c.attempts == ((53, "inf"),) and c.residual_bound is None
    assert c.reason.startswith("residual bound unavailable ≥ 1 at 53 bits and the selected 2×2 submatrix has rank 1 < 2")
    eps = Fraction(exact.PRIMES[0], 2**100)
    near = rigorous.certify_full_row_rank(_obj([[Fraction(1), Fraction(1)], [Fraction(1), 1 + eps]]), max_prec=53)
    assert near.reason == ("no approximate inverse of the selected 2×2 midpoint submatrix up to 53 bits: matrix numerically "
                           "singular; raise max_prec or tighten the enclosure (the input is exact: memproof.arith.exact.rank decides it)")
    wide = rigorous.certify_full_row_rank(rigorous.to_arb_mat(np.eye(2), radius=1.0), max_prec=53)
    assert wide.reason == (f"residual bound {wide.residual_bound} ≥ 1 at 53 bits: matrix numerically singular or enclosure "
                           "too wide; raise max_prec or tighten the enclosure")


def test_proved_reason_lists_at_most_eight_columns():
    assert rigorous.certify_full_row_rank(np.eye(9)).reason == (
        "‖I − X·B‖_∞ ≤ 0.0 < 1 at 53 bits for columns [0, 1, 2, 3, 4, 5, 6, 7]…: every matrix in the enclosure has full row rank")
    assert rigorous.certify_full_row_rank(np.eye(8)).reason == (
        "‖I − X·B‖_∞ ≤ 0.0 < 1 at 53 bits for columns [0, 1, 2, 3, 4, 5, 6, 7]: every matrix in the enclosure has full row rank")

"""Exact tier (memproof.arith.exact): unit and property tests, with sympy as the oracle."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from memproof.arith import exact
from memproof.errors import InvalidArgumentError

SMALL_INT = st.integers(-4, 4)
FLOATS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def planted_int_matrix(draw, max_rows: int = 5, max_cols: int = 6):
    """An integer matrix ``L @ R`` whose rank is at most the inner dimension ``k`` (often < rows)."""
    m = draw(st.integers(1, max_rows))
    n = draw(st.integers(1, max_cols))
    k = draw(st.integers(0, min(m, n)))
    left = draw(arrays(np.int64, (m, k), elements=SMALL_INT))
    right = draw(arrays(np.int64, (k, n), elements=SMALL_INT))
    return (left @ right).astype(np.int64), k


@settings(max_examples=40, deadline=None)
@given(planted_int_matrix())
def test_rank_matches_sympy_oracle_on_integer_matrices(case):
    a, k = case
    r = exact.rank(a)
    assert r == sympy.Matrix(a.tolist()).rank()
    assert r <= k


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=FLOATS))
def test_rank_of_floats_matches_sympy_on_exact_rationals(a):
    # a float-planted dependency (row sum rounded in float64) is usually exactly independent
    if a.shape[0] >= 2:
        a = np.vstack([a, a[0] + a[1]])
    oracle = sympy.Matrix([[sympy.Rational(float(x)) for x in row] for row in a]).rank()
    assert exact.rank(a) == oracle


def test_float_values_are_taken_exactly():
    # 3 * fl(0.1) != fl(0.3) exactly, although they agree in float64 up to rounding
    assert exact.rank([[0.1, 0.3], [1.0, 3.0]]) == 2
    assert exact.rank([[0.5, 0.25], [1.0, 0.5]]) == 1  # dyadic: an exact dependency


@settings(max_examples=40, deadline=None)
@given(planted_int_matrix())
def test_nullspace_vectors_annihilate_exactly(case):
    a, _ = case
    basis = exact.nullspace(a)
    q = exact.to_fmpq_mat(a)
    assert len(basis) == q.ncols() - exact.rank(a)
    for v in basis:
        assert any(v), "a basis vector must be nonzero"
        prod = q * fmpq_mat([[x] for x in v])
        assert all(x == 0 for x in prod.entries())
        assert exact.primitive(v) == v
    left = exact.left_nullspace(a)
    assert len(left) == q.nrows() - exact.rank(a)
    for y in left:
        assert all(x == 0 for x in (fmpq_mat([y]) * q).entries())


@settings(max_examples=40, deadline=None)
@given(planted_int_matrix(), st.sampled_from([3, 5, 7, exact.PRIMES[0]]))
def test_rank_mod_p_is_a_lower_bound(case, p):
    a, _ = case
    assert exact.rank_mod_p(a, p) <= exact.rank(a)


def test_rank_mod_p_can_drop_for_a_small_prime():
    a = [[1, 0], [0, 3]]
    assert exact.rank_mod_p(a, 3) == 1 < exact.rank(a) == 2


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4)),
              elements=st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False)),
       st.sampled_from([3, 101, exact.PRIMES[1]]))
def test_matrix_mod_p_of_floats_agrees_with_fmpq_reduction(a, p):
    fast = exact.matrix_mod_p(a, p)
    as_fractions = np.array([[Fraction(float(x)) for x in row] for row in a], dtype=object)
    slow = exact.matrix_mod_p(as_fractions, p)
    assert fast.dtype == np.int64
    assert (fast == slow).all()
    assert ((0 <= fast) & (fast < p)).all()


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4)), elements=FLOATS))
def test_float_to_integer_rows_scales_each_row_by_a_power_of_two(a):
    z = exact.float_to_integer_rows(a)
    for i, row in enumerate(a):
        ratios = {Fraction(int(z[i, j])) / Fraction(float(x)) for j, x in enumerate(row) if x != 0}
        assert all(int(z[i, j]) == 0 for j, x in enumerate(row) if x == 0)
        assert len(ratios) <= 1
        for r in ratios:
            assert r > 0 and (r.numerator & (r.numerator - 1)) == 0 and r.denominator == 1


def test_solve_is_exact():
    a = [[2, 1], [1, 3]]
    b = [[Fraction(1, 3)], [0.5]]
    x = exact.solve(a, b)
    assert fmpq_mat(exact.to_fmpq_mat(a)) * x == exact.to_fmpq_mat(b)
    with pytest.raises(InvalidArgumentError, match="nonsingular"):
        exact.solve([[1, 2], [2, 4]], [[1], [1]])
    with pytest.raises(InvalidArgumentError, match="square"):
        exact.solve([[1, 2, 3], [2, 4, 5]], [[1], [1]])


def test_evidence_strings_round_trip():
    q = exact.to_fmpq_mat([[Fraction(-1, 3), 2, 0.5]])
    strings = exact.matrix_to_strings(q)
    assert strings == [["-1/3", "2", "1/2"]]
    assert fmpq_mat([[fmpq(*map(int, s.split("/"))) if "/" in s else fmpq(int(s)) for s in row] for row in strings]) == q
    assert exact.is_zero([[0, 0.0]]) and not exact.is_zero([[0, 1e-300]])


@pytest.mark.parametrize("bad", [
    [[1.0, float("nan")]],
    [[float("inf"), 1.0]],
    [],
    [[]],
    [["a", "b"]],
    [[1, object()]],
    np.zeros((2, 2, 2)),
])
def test_bad_input_raises_invalid_argument(bad):
    with pytest.raises(InvalidArgumentError):
        exact.rank(bad)


def test_bad_float_array_raises_in_integer_rows():
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        exact.float_to_integer_rows(np.array([[1.0, np.inf]]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_matrix_mod_p_rejects_nan():
    with pytest.raises(InvalidArgumentError):
        exact.matrix_mod_p(np.array([[np.nan, 1.0]]), 7)


def _refusal(call, *args, **kwargs):
    with pytest.raises(InvalidArgumentError) as err:
        call(*args, **kwargs)
    return err.value.name, err.value.passed, err.value.expected


def test_solve_and_pseudo_inverse_refusals_name_the_argument():
    assert _refusal(exact.solve, [[1, 2, 3], [2, 4, 5]], [[1], [1]]) == ("a", "shape (2, 3)", "a square matrix")
    assert _refusal(exact.solve, [[1, 2], [2, 4]], [[1], [1]]) == ("a", "a singular matrix", "a nonsingular matrix")
    assert _refusal(exact.solve, [[1.0, float("nan")], [0, 1]], [[1], [1]])[0] == "a"
    assert _refusal(exact.solve, [[1, 0], [0, 1]], [[float("inf")], [1]])[0] == "b"
    assert _refusal(exact.solve, [[1, 0], [0, 1]], [])[0] == "b"
    assert _refusal(exact.pseudo_inverse, [[1, 2], [2, 4]]) == ("a", "a 2x2 matrix of rank 1", "full row rank")
    assert _refusal(exact.pseudo_inverse, fmpq_mat([[1, 2, 3], [2, 4, 6]])) == ("a", "a 2x3 matrix of rank 1", "full row rank")


def test_pseudo_inverse_takes_an_exact_matrix_as_is():
    q = fmpq_mat([[fmpq(1, 3), 0, 2], [0, 1, 0]])
    p = exact.pseudo_inverse(q)
    assert q * p == fmpq_mat([[1, 0], [0, 1]]) and exact.pseudo_inverse([[Fraction(1, 3), 0, 2], [0, 1, 0]]) == p


def test_float64_image_is_exact_or_refused():
    arr, kind = exact.exact_array([[0.5, -3.0]])
    assert exact.float64_image(arr, kind) is arr
    arr, kind = exact.exact_array(np.array([[2**53, -7]], dtype=np.int64))
    img = exact.float64_image(arr, kind)
    assert img.dtype == np.float64 and img.tolist() == [[2.0**53, -7.0]]
    arr, kind = exact.exact_array(np.array([[2**53 + 1, 0]], dtype=np.int64))
    assert exact.float64_image(arr, kind) is None                      # 2^53 + 1 is not a float64
    arr, kind = exact.exact_array([[Fraction(3, 4), 2**70], [Fraction(-1, 2**60), 1]])
    assert kind == "rational"
    img = exact.float64_image(arr, kind)
    assert img.dtype == np.float64 and img.shape == (2, 2) and img.tolist() == [[0.75, 2.0**70], [-(2.0**-60), 1.0]]
    arr, kind = exact.exact_array([[Fraction(1, 3), 1]])
    assert exact.float64_image(arr, kind) is None                      # 1/3 is not a dyadic rational


def test_float_to_integer_rows_refusals():
    assert _refusal(exact.float_to_integer_rows, np.array([1.0, 2.0])) == \
        ("matrix", "array of shape (2,) and dtype float64", "a non-empty 2-dimensional float matrix")
    assert _refusal(exact.float_to_integer_rows, np.zeros((2, 0)), "q") == \
        ("q", "array of shape (2, 0) and dtype float64", "a non-empty 2-dimensional float matrix")
    assert _refusal(exact.float_to_integer_rows, np.array([[1.0, 2.0], [3.0, np.nan]])) == \
        ("matrix", "a non-finite value at index (1, 1)", "finite real numbers")


def test_non_finite_and_rational_refusals_say_where_and_what_to_do():
    with pytest.raises(InvalidArgumentError) as err:
        exact.exact_array(np.array([[1.0, 2.0], [np.inf, 3.0]]), "q")
    e = err.value
    assert (e.name, e.passed, e.expected, e.hint) == ("q", "a non-finite value inf at index (1, 0)", "finite real numbers",
                                                     "remove or impute NaN/inf entries first")
    arr, kind = exact.exact_array([[Fraction(1, 7), 1]])
    assert _refusal(exact.array_mod_p, arr, kind, 7) == ("matrix", "an entry 1/7 whose denominator is divisible by 7",
                                                         "denominators prime to the working primes")
    assert _refusal(exact.array_mod_p, arr, kind, 7, "q")[0] == "q"
    assert exact.array_mod_p(arr, kind, 5).tolist() == [[3, 1]]          # 1/7 ≡ 3 (mod 5)


def test_uint64_entries_are_reduced_at_their_unsigned_value():
    arr, kind = exact.exact_array(np.array([[2**64 - 1, 2**63, 5]], dtype=np.uint64))
    assert arr.dtype == np.uint64
    p = 2147483647
    got = exact.array_mod_p(arr, kind, p)
    assert got.dtype == np.int64 and got.tolist() == [[(2**64 - 1) % p, 2**63 % p, 5]]
    small, kind = exact.exact_array(np.array([[-3, 9]], dtype=np.int64))
    assert exact.array_mod_p(small, kind, 7).tolist() == [[4, 2]]


@pytest.mark.parametrize("a", [[[0.5, -0.1]], np.array([[3, -4]], dtype=np.int64)])
def test_exact_entries_are_fmpq_values(a):
    arr, kind = exact.exact_array(a)
    q = exact.exact_entries(arr, kind)
    assert all(type(x) is fmpq for x in q)
    assert q == [fmpq(*Fraction(float(x)).as_integer_ratio()) for x in np.asarray(a).ravel().tolist()]
    assert exact.to_fmpq_mat(a) == fmpq_mat([q])


def test_primitive_normalises_sign_and_content():
    assert exact.primitive([0, -2, 4]) == [0, 1, -2]
    assert exact.primitive([3, 6, -9]) == [1, 2, -3]
    assert exact.primitive([0, 0, 0]) == [0, 0, 0]


def test_to_fmpq_mat_refusals_name_the_argument():
    assert _refusal(exact.to_fmpq_mat, [[1.0, float("nan")]])[0] == "matrix"
    assert _refusal(exact.to_fmpq_mat, [[1.0, float("nan")]], "w")[0] == "w"


@pytest.mark.parametrize("x, passed, expected, hint", [
    (True, "a bool entry True", exact._ENTRY_TYPES, "pass a numpy bool array for a 0/1 matrix"),
    (np.bool_(False), "a bool entry np.False_", exact._ENTRY_TYPES, "pass a numpy bool array for a 0/1 matrix"),
    (float("nan"), "a non-finite entry nan", "finite real numbers", "remove or impute NaN/inf entries first"),
    (np.float32("-inf"), "a non-finite entry -inf", "finite real numbers", "remove or impute NaN/inf entries first"),
    (1 + 2j, "an entry (1+2j) of type complex", exact._ENTRY_TYPES, "take the real part explicitly if a complex array is real"),
    ("7", "an entry '7' of type str", exact._ENTRY_TYPES, None),
])
def test_to_fmpq_refusals_say_what_was_passed_and_what_to_do(x, passed, expected, hint):
    with pytest.raises(InvalidArgumentError) as err:
        exact.to_fmpq(x)
    e = err.value
    assert (e.name, e.passed, e.expected, e.hint or None) == ("value", passed, expected, hint)
    assert _refusal(exact.to_fmpq, x, "entry")[0] == "entry"


class _Unconvertible:
    def __array__(self, *args, **kwargs):
        raise TypeError("no array")


def test_exact_array_refuses_what_numpy_cannot_read():
    from memproof.validation import describe

    bad = _Unconvertible()
    assert _refusal(exact.exact_array, bad) == ("matrix", describe(bad), "a numeric array (int, float or Fraction entries)")
    assert _refusal(exact.exact_array, bad, "q")[0] == "q"


def test_exact_array_of_flint_matrices_keeps_every_rational():
    from flint import fmpz_mat

    arr, kind = exact.exact_array(fmpq_mat([[fmpq(1, 2), 3], [0, fmpq(-7, 3)]]))
    assert kind == "rational" and arr.dtype == object and arr.shape == (2, 2)
    assert arr.tolist() == [[fmpq(1, 2), fmpq(3)], [fmpq(0), fmpq(-7, 3)]] and all(type(x) is fmpq for x in arr.ravel())
    arr, kind = exact.exact_array(fmpz_mat([[2**70, -1]]))
    assert kind == "rational" and arr.tolist() == [[fmpq(2**70), fmpq(-1)]]


def test_mixed_python_lists_are_never_rounded_through_float64():
    arr, kind = exact.exact_array([[2**60 + 1, 0.5]])          # a float64 array would round 2^60 + 1
    assert kind == "rational" and arr.tolist() == [[fmpq(2**60 + 1), fmpq(1, 2)]]
    assert exact.rank([[2**60 + 1, 0.5], [2**60, 0.5]]) == 2


@pytest.mark.parametrize("a, kind, dtype, values", [
    (np.array([[True, False]]), "int", np.int64, [[1, 0]]),
    (np.array([[1, 2]], dtype=np.uint64), "int", np.int64, [[1, 2]]),
    (np.zeros((0, 3), dtype=np.uint8), "int", np.int64, []),
    (np.array([np.float32(0.5), np.float32(-2)], dtype=object), "float", np.float64, [0.5, -2.0]),
    (np.array([np.float64(0.1), 2.0], dtype=object), "float", np.float64, [0.1, 2.0]),
    (np.array([-2**63, 2**63 - 1, -2**63 + 1], dtype=object), "int", np.int64, [-2**63, 2**63 - 1, -2**63 + 1]),
])
def test_exact_array_picks_the_cheapest_exact_kind(a, kind, dtype, values):
    arr, k = exact.exact_array(a)
    assert (k, arr.dtype, arr.tolist()) == (kind, dtype, values)


@pytest.mark.parametrize("big", [-2**63 - 1, 2**63])
def test_object_integers_beyond_int64_are_rational(big):
    arr, kind = exact.exact_array(np.array([big, 1], dtype=object))
    assert kind == "rational" and arr.tolist() == [fmpq(big), fmpq(1)]


def test_object_entries_refusals_name_the_argument():
    e = _refusal(exact.exact_array, np.array([1.0, float("nan")], dtype=object), "q")
    assert e == ("q", "a non-finite value nan at index (1,)", "finite real numbers")
    assert _refusal(exact.exact_array, np.array([1, "x"], dtype=object), "q")[0] == "q"


def test_exact_matrix_shapes_and_refusals():
    arr, _ = exact.exact_matrix([1, 2, 3])
    assert arr.shape == (1, 3) and arr.tolist() == [[1, 2, 3]]
    assert _refusal(exact.exact_matrix, np.zeros((2, 2, 2))) == \
        ("matrix", "array of shape (2, 2, 2) and dtype float64", "a 2-dimensional matrix")
    assert _refusal(exact.exact_matrix, np.zeros((0, 2)), "q") == \
        ("q", "array of shape (0, 2) and dtype float64", "a non-empty matrix (at least one row and one column)")
    assert _refusal(exact.exact_matrix, [[1, "x"]], "q")[0] == "q"


def test_to_integer_rows_is_exact_for_every_kind():
    assert exact.to_integer_rows([[Fraction(1, 3), Fraction(1, 2)]]).tolist() == [[2, 3]]
    assert exact.to_integer_rows(np.array([[2**60 + 1, 3]], dtype=np.int64)).tolist() == [[2**60 + 1, 3]]
    assert _refusal(exact.to_integer_rows, [[1.0, float("nan")]])[0] == "matrix"
    assert _refusal(exact.to_integer_rows, [[1.0, float("nan")]], "q")[0] == "q"


@pytest.mark.parametrize("a, hint", [
    (np.array([[1 + 2j, 0]]), "take the real part explicitly if the imaginary parts are zero"),
    (np.array([["1", "2"]]), "convert strings with numpy.asarray(..., dtype=float) first"),
    (np.array([[b"1"]]), "convert strings with numpy.asarray(..., dtype=float) first"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), None),
])
def test_non_real_arrays_are_refused_with_a_hint(a, hint):
    from memproof.validation import describe

    with pytest.raises(InvalidArgumentError) as err:
        exact.exact_array(a, "q")
    e = err.value
    assert (e.name, e.passed, e.expected, e.hint or None) == ("q", describe(a), "a real numeric array (int, float, Fraction)", hint)


def test_longdouble_values_are_taken_exactly():
    half = np.array([[0.5, -3.0]], dtype=np.longdouble)
    arr, kind = exact.exact_array(half)
    assert (kind, arr.dtype, arr.tolist()) == ("float", np.float64, [[0.5, -3.0]])
    third = np.array([[np.longdouble(1) / 3, 1]], dtype=np.longdouble)
    arr, kind = exact.exact_array(third, "q")
    if np.finfo(np.longdouble).nmant > 52:                 # x86: 64-bit mantissa, 1/3 is not a float64
        num, den = third[0, 0].as_integer_ratio()
        assert kind == "rational" and arr.tolist() == [[fmpq(num, den), fmpq(1)]]
    else:                                                  # longdouble is float64 on this platform
        assert kind == "float"


@pytest.mark.parametrize("a, dtype", [
    (np.zeros((0, 2), dtype=np.uint64), np.int64),
    (np.array([2**63 - 1, 0], dtype=np.uint64), np.int64),
    (np.array([2**63, 0], dtype=np.uint64), np.uint64),
])
def test_uint64_is_cast_to_int64_exactly_when_it_fits(a, dtype):
    arr, kind = exact.exact_array(a)
    assert kind == "int" and arr.dtype == dtype and arr.tolist() == a.tolist()

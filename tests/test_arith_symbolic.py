"""Symbolic tier (memproof.arith.symbolic): identities, counterexamples, limits, generic matrices."""
from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from memproof.arith import symbolic
from memproof.errors import InvalidArgumentError

x, y = sympy.symbols("x y", real=True)


def test_true_identity_holds():
    check = symbolic.identity_holds(sympy.sin(x) ** 2 + sympy.cos(x) ** 2, 1)
    assert check.holds and bool(check) and check.difference == "0" and check.counterexample is None


def test_false_identity_fails_with_a_checked_counterexample():
    lhs, rhs = (x + y) ** 2, x**2 + y**2
    check = symbolic.identity_holds(lhs, rhs)
    assert not check.holds and check.counterexample is not None
    point = {sympy.Symbol(k, real=True): sympy.Rational(v) for k, v in check.counterexample.items()}
    assert (lhs - rhs).subs(point) != 0
    assert "x*y" in check.difference


def test_softmax_two_point_identity_l4_style():
    # softmax([a, b])_0 = 1 / (1 + exp(b - a))
    a, b = sympy.symbols("a b", real=True)
    s0 = sympy.exp(a) / (sympy.exp(a) + sympy.exp(b))
    assert symbolic.identity_holds(s0, 1 / (1 + sympy.exp(b - a))).holds
    assert not symbolic.identity_holds(s0, 1 / (1 + sympy.exp(a - b))).holds


def test_matrix_identities_entrywise():
    w = symbolic.generic_matrix("W", 2, 3)
    q = symbolic.generic_matrix("Q", 3, 2)
    assert symbolic.identity_holds((w * q).T, q.T * w.T).holds
    wrong = symbolic.identity_holds(w * q, (q * w)[:2, :2])
    assert not wrong.holds and wrong.difference.startswith("[[")
    with pytest.raises(InvalidArgumentError, match="shape"):
        symbolic.identity_holds(w, q)
    with pytest.raises(InvalidArgumentError, match="matrix"):
        symbolic.identity_holds(w, 1)


@settings(max_examples=20, deadline=None)
@given(st.integers(-5, 5), st.integers(-5, 5), st.integers(-5, 5))
def test_polynomial_identities_agree_with_coefficient_comparison(a, b, c):
    lhs = (x + a) * (x + b)
    rhs = x**2 + c * x + a * b
    assert symbolic.identity_holds(lhs, rhs).holds == (a + b == c)


def test_limits_at_infinity():
    c = sympy.Symbol("c", positive=True)
    # L4: the saturated softmax entry tends to 1 as the scale c grows
    s = sympy.exp(3 * c) / (sympy.exp(3 * c) + sympy.exp(c + 5))
    assert symbolic.limit_at_infinity(s, c) == 1
    assert symbolic.limit_at_infinity(c * sympy.exp(-c), c) == 0
    mat = symbolic.limit_at_infinity(sympy.Matrix([[1 / c, (c + 1) / c]]), c)
    assert mat == sympy.Matrix([[0, 1]])
    with pytest.raises(InvalidArgumentError):
        symbolic.limit_at_infinity(s, "c")


def test_generic_matrix_symbols_are_real_and_distinct():
    m = symbolic.generic_matrix("E", 3, 2)
    assert m.shape == (3, 2)
    assert len(m.free_symbols) == 6 and all(s.is_real for s in m.free_symbols)
    for bad in [("E", 0, 2), ("E", 2, 1.5), ("1x", 2, 2), ("", 1, 1)]:
        with pytest.raises(InvalidArgumentError):
            symbolic.generic_matrix(*bad)


@pytest.mark.parametrize("bad", ["x + 1", object(), [[1, 2], [3]]])
def test_identity_rejects_non_expressions(bad):
    with pytest.raises(InvalidArgumentError):
        symbolic.identity_holds(bad, 1)


def test_identity_of_matrix_expressions_of_symbolic_size():
    import sympy

    from memproof.arith.symbolic import identity_holds

    k, d = sympy.symbols("k d", integer=True, positive=True)
    Q = sympy.MatrixSymbol("Q", k, d)
    B = Q.T * (Q * Q.T).I
    assert identity_holds(sympy.MatMul(Q, B, evaluate=False), sympy.Identity(k)).holds
    assert not identity_holds(sympy.MatMul(Q, Q.T, evaluate=False), sympy.Identity(k)).holds
    M = sympy.MatrixSymbol("M", k, d)
    padded = sympy.MatMul(sympy.BlockMatrix([[M, sympy.ZeroMatrix(k, d)]]),
                          sympy.BlockMatrix([[sympy.Identity(d), sympy.ZeroMatrix(d, d)]]).T, evaluate=False)
    assert identity_holds(padded, M).holds

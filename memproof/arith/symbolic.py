"""Symbolic tier: identities and limits with sympy — a computer algebra system, not a trusted prover.

``identity_holds`` simplifies ``lhs - rhs`` entrywise. ``holds=True`` means every entry simplified
to exactly zero. When an entry does not simplify to zero, the entry is evaluated at a few exact
rational points; a nonzero value there is a *counterexample* (the identity is false). Otherwise the
result is ``holds=False`` with no counterexample: not shown either way.

sympy is imported inside the functions (never when memproof is imported).

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> identity_holds((x + 1) ** 2, x**2 + 2 * x + 1).holds
True
>>> check = identity_holds((x + 1) ** 2, x**2 + 1)
>>> check.holds, check.difference, check.counterexample
(False, '2*x', {'x': '1'})
>>> limit_at_infinity(1 / (1 + sympy.exp(-x)), x)
1
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from ..errors import InvalidArgumentError
from ..validation import describe, positive_int

__all__ = ["IdentityCheck", "identity_holds", "limit_at_infinity", "generic_matrix"]

#: Exact rational points tried when a difference does not simplify to zero.
PROBE_POINTS = (1, 2, -3, "1/7", 5, "-2/3")


@dataclasses.dataclass(frozen=True)
class IdentityCheck:
    """Result of :func:`identity_holds`.

    Attributes
    ----------
    holds : bool
        Every entry of ``lhs - rhs`` simplified to exactly zero.
    difference : str
        The simplified difference, printed (a matrix prints as a nested list).
    counterexample : dict of str to str, or None
        An exact substitution at which the difference is nonzero (so the identity is false).
    """

    holds: bool
    difference: str
    counterexample: Mapping[str, str] | None = None

    def __bool__(self) -> bool:
        return self.holds


def _sympify(x: Any, name: str) -> Any:
    import sympy

    if isinstance(x, str):
        raise InvalidArgumentError(name, describe(x), "a sympy expression, Matrix or number (strings are not parsed)")
    if isinstance(x, (list, tuple)):
        try:
            x = sympy.Matrix(x)
        except (ValueError, TypeError, sympy.SympifyError):
            raise InvalidArgumentError(name, describe(x), "a rectangular nested list of expressions") from None
    if isinstance(x, sympy.MatrixBase):
        return sympy.ImmutableMatrix(x)
    try:
        return sympy.sympify(x, strict=True)
    except (sympy.SympifyError, TypeError):
        raise InvalidArgumentError(name, describe(x), "a sympy expression, Matrix or number") from None


def _find_counterexample(entries: list[Any]) -> dict[str, str] | None:
    import sympy

    free = sorted(set().union(*(e.free_symbols for e in entries)), key=str)
    for k in range(len(PROBE_POINTS)):
        point = {s: sympy.Rational(PROBE_POINTS[(k + i) % len(PROBE_POINTS)]) for i, s in enumerate(free)}
        for e in entries:
            try:
                v = sympy.simplify(e.subs(point))
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if v.is_number and v.is_finite and v.is_zero is False:
                return {str(s): str(val) for s, val in point.items()}
    return None


def identity_holds(lhs: Any, rhs: Any) -> IdentityCheck:
    """Whether ``lhs == rhs`` identically (scalars or matrices of the same shape).

    Parameters
    ----------
    lhs, rhs : sympy expression, number, sympy Matrix or nested list, or matrix expressions of
        symbolic size (``MatrixSymbol`` products, inverses, ``BlockMatrix``; an unevaluated
        ``MatMul(..., evaluate=False)`` is evaluated here)

    Returns
    -------
    IdentityCheck

    >>> import sympy
    >>> a, b = sympy.symbols("a b", real=True)
    >>> M = sympy.Matrix([[a, b], [0, a]])
    >>> identity_holds(M * M, sympy.Matrix([[a**2, 2*a*b], [0, a**2]])).holds
    True
    """
    import sympy

    if isinstance(lhs, sympy.MatrixExpr) and not isinstance(lhs, sympy.MatrixBase):
        return _matrix_expr_identity(lhs, rhs)
    left, right = _sympify(lhs, "lhs"), _sympify(rhs, "rhs")
    lmat, rmat = isinstance(left, sympy.MatrixBase), isinstance(right, sympy.MatrixBase)
    if lmat != rmat:
        raise InvalidArgumentError("rhs", describe(rhs), f"a {'matrix' if lmat else 'scalar'} like lhs")
    if lmat and left.shape != right.shape:
        raise InvalidArgumentError("rhs", f"shape {right.shape}", f"shape {left.shape} like lhs")
    if lmat:
        diff = (left - right).applyfunc(sympy.simplify)
        entries = list(diff)
        printed = str(diff.tolist())
    else:
        diff = sympy.simplify(left - right)
        entries = [diff]
        printed = str(diff)
    if all(e == 0 for e in entries):
        return IdentityCheck(True, printed)
    nonzero = [e for e in entries if e != 0]
    return IdentityCheck(False, printed, _find_counterexample(nonzero))


def _matrix_expr_identity(lhs: Any, rhs: Any) -> IdentityCheck:
    """Identity of matrix expressions of symbolic size (MatrixSymbol algebra, block matrices): both
    sides are evaluated (``block_collapse``, ``doit``) and their difference simplified."""
    import sympy

    if not isinstance(rhs, sympy.MatrixExpr) or lhs.shape != rhs.shape:
        raise InvalidArgumentError("rhs", describe(rhs), f"a matrix expression of shape {lhs.shape} like lhs")
    diff = sympy.simplify(sympy.block_collapse(lhs - rhs).doit())
    holds = diff == 0 or isinstance(diff, sympy.ZeroMatrix)
    return IdentityCheck(bool(holds), str(diff))


def limit_at_infinity(expr: Any, var: Any) -> Any:
    """``lim_{var → +∞} expr`` with sympy (entrywise for matrices).

    >>> import sympy
    >>> c = sympy.Symbol("c", positive=True)
    >>> limit_at_infinity(sympy.exp(2 * c) / (sympy.exp(2 * c) + sympy.exp(c)), c)
    1
    """
    import sympy

    if not isinstance(var, sympy.Symbol):
        raise InvalidArgumentError("var", describe(var), "a sympy Symbol")
    e = _sympify(expr, "expr")
    if isinstance(e, sympy.MatrixBase):
        return e.applyfunc(lambda x: sympy.limit(x, var, sympy.oo))
    return sympy.limit(e, var, sympy.oo)


def generic_matrix(name: str, rows: int, cols: int) -> Any:
    """A ``rows×cols`` sympy Matrix of fresh real symbols ``name_i_j``.

    >>> generic_matrix("W", 2, 2)
    Matrix([
    [W_0_0, W_0_1],
    [W_1_0, W_1_1]])
    """
    import sympy

    if not isinstance(name, str) or not name.isidentifier():
        raise InvalidArgumentError("name", describe(name), "an identifier such as 'W'")
    rows, cols = positive_int(rows, "rows"), positive_int(cols, "cols")
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{name}_{i}_{j}", real=True))

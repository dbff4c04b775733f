"""Exact tier: rational and modular linear algebra with python-flint.

Every float64 is an exact dyadic rational ``m · 2^e``; memproof takes float input at its exact value,
so results here are about *the stored numbers*, not about a tolerance. Integer, :class:`fractions.Fraction`
and ``flint.fmpq`` entries are accepted too.

>>> rank([[1, 2], [2, 4]])
1
>>> rank([[0.1, 0.3], [1.0, 3.0]])   # 3 * fl(0.1) != fl(0.3): exactly independent
2
>>> nullspace([[1, 2, 3]])
[[2, -1, 0], [3, 0, -1]]
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from flint import fmpq, fmpq_mat, fmpz, fmpz_mat, nmod_mat

from ..errors import InvalidArgumentError
from ..validation import describe

#: Default primes for modular rank (odd, < 2^31, so products fit in int64 after reduction).
PRIMES = (2147483647, 2147483629, 2147483587)


def _entry_to_fmpq(x: Any, name: str) -> fmpq:
    if isinstance(x, fmpq):
        return x
    if isinstance(x, (fmpz, int, np.integer)) and not isinstance(x, bool):
        return fmpq(int(x))
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise InvalidArgumentError(name, f"a non-finite entry {x}", "finite real numbers")
        num, den = float(x).as_integer_ratio()
        return fmpq(num, den)
    raise InvalidArgumentError(name, f"an entry of type {type(x).__name__}", "int, float, Fraction or fmpq entries")


def _as_rows(a: Any, name: str) -> list[list[Any]]:
    if isinstance(a, (fmpq_mat, fmpz_mat)):
        return [list(row) for row in a.tolist()]
    arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InvalidArgumentError(name, describe(arr), "a 2-dimensional matrix")
    if arr.dtype.kind not in "biufO":
        raise InvalidArgumentError(name, describe(arr), "a numeric matrix")
    return arr.tolist()


def to_fmpq_mat(a: Any, name: str = "matrix") -> fmpq_mat:
    """The exact rational matrix of ``a`` (floats taken at their exact dyadic value)."""
    rows = _as_rows(a, name)
    if not rows or not rows[0]:
        raise InvalidArgumentError(name, "an empty matrix", "at least one row and one column")
    return fmpq_mat([[_entry_to_fmpq(x, name) for x in row] for row in rows])


def float_to_integer_rows(a: np.ndarray, name: str = "matrix") -> fmpz_mat:
    """Integer matrix whose row ``i`` is ``2^{s_i} · a[i]`` (exact; row spaces and row dependencies
    are preserved). Vectorised via ``frexp``: ``a = m · 2^e`` with integer ``m`` of ≤ 53 bits."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise InvalidArgumentError(name, describe(arr), "a non-empty 2-dimensional float matrix")
    if not np.isfinite(arr).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise InvalidArgumentError(name, f"a non-finite value at index {idx}", "finite real numbers")
    mant, expo = np.frexp(arr)
    m = (mant * 2.0**53).astype(np.int64)
    e = expo.astype(np.int64) - 53
    out = []
    for mi, ei in zip(m, e):
        nz = mi != 0
        base = int(ei[nz].min()) if nz.any() else 0
        out.append([int(x) << int(s - base) if x else 0 for x, s in zip(mi.tolist(), ei.tolist())])
    return fmpz_mat(out)


def to_integer_rows(a: Any, name: str = "matrix") -> fmpz_mat:
    """Integer matrix whose rows are positive multiples of the rows of ``a`` (exact)."""
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return float_to_integer_rows(a, name)
    q = to_fmpq_mat(a, name)
    rows = []
    for row in q.tolist():
        den = math.lcm(*(int(x.q) for x in row))
        rows.append([int(x * den) for x in row])
    return fmpz_mat(rows)


def rank(a: Any) -> int:
    """Exact rank of ``a``."""
    return to_integer_rows(a).rank()


def nullspace(a: Any) -> list[list[int]]:
    """Basis of the exact right null space ``{x : a x = 0}`` as primitive integer vectors."""
    z = to_integer_rows(a)
    basis, nullity = z.nullspace()
    cols = [[int(basis[i, j]) for i in range(basis.nrows())] for j in range(nullity)]
    return [primitive(v) for v in cols]


def left_nullspace(a: Any) -> list[list[int]]:
    """Basis of ``{y : yᵀ a = 0}`` as primitive integer vectors (for row dependencies of ``a``)."""
    return nullspace(to_fmpq_mat(a).transpose())


def primitive(v: Sequence[int]) -> list[int]:
    """``v`` divided by the gcd of its entries, first nonzero entry made positive."""
    g = math.gcd(*(int(x) for x in v))
    if g == 0:
        return [0] * len(v)
    out = [int(x) // g for x in v]
    first = next(x for x in out if x)
    return [-x for x in out] if first < 0 else out


def pseudo_inverse(a: Any) -> fmpq_mat:
    """A⁺ = Aᵀ (A Aᵀ)⁻¹ for ``a`` of full row rank (exact): A A⁺ = I.

    >>> print(pseudo_inverse([[2, 0]]))
    [1/2]
    [  0]
    """
    q = a if isinstance(a, fmpq_mat) else to_fmpq_mat(a)
    gram = q * q.transpose()
    if gram.rank() < q.nrows():
        raise InvalidArgumentError("a", f"a {q.nrows()}x{q.ncols()} matrix of rank {q.rank()}", "full row rank")
    return q.transpose() * gram.inv()


def solve(a: Any, b: Any) -> fmpq_mat:
    """The exact solution ``x`` of ``a x = b`` for square nonsingular ``a``."""
    qa, qb = to_fmpq_mat(a, "a"), to_fmpq_mat(b, "b")
    if qa.nrows() != qa.ncols():
        raise InvalidArgumentError("a", f"shape ({qa.nrows()}, {qa.ncols()})", "a square matrix")
    if qa.rank() < qa.nrows():
        raise InvalidArgumentError("a", "a singular matrix", "a nonsingular matrix")
    return qa.solve(qb)


def is_zero(a: Any) -> bool:
    """Whether every entry of ``a`` is exactly zero."""
    return all(x == 0 for row in to_fmpq_mat(a).tolist() for x in row)


def float_mod_p(arr: np.ndarray, p: int) -> np.ndarray:
    """Exact reduction mod ``p`` of a finite float64 array of any shape (``m·2^e`` → ``m·2^e mod p``).

    >>> float_mod_p(np.array([0.5, 3.0]), 7).tolist()
    [4, 3]
    """
    mant, expo = np.frexp(np.asarray(arr, dtype=np.float64))
    m = (mant * 2.0**53).astype(np.int64) % p
    e = expo.astype(np.int64) - 53
    if e.size == 0:
        return m
    lo, hi = int(e.min()), int(e.max())
    inv2 = pow(2, -1, p)
    table = np.array([pow(2, k, p) if k >= 0 else pow(inv2, -k, p) for k in range(lo, hi + 1)], dtype=np.int64)
    return (m * table[e - lo]) % p


def matrix_mod_p(a: Any, p: int) -> np.ndarray:
    """Entries of ``a`` reduced modulo the odd prime ``p`` as an int64 array.

    Sound because reduction mod p is a ring homomorphism on rationals with odd denominators, which
    includes every dyadic (float) value: a minor nonzero mod p is nonzero over Q.
    """
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        if not np.isfinite(a).all():
            idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
            raise InvalidArgumentError("matrix", f"a non-finite value at index {idx}", "finite real numbers")
        return float_mod_p(a, p)
    q = to_fmpq_mat(a)
    return np.array([[int(x.p % p) * pow(int(x.q % p), -1, p) % p for x in row] for row in q.tolist()], dtype=np.int64)


def rank_mod_p(a: Any, p: int = PRIMES[0]) -> int:
    """Rank of ``a`` modulo the prime ``p`` — a lower bound for the rank over Q."""
    m = matrix_mod_p(a, p)
    return nmod_mat(m.tolist(), p).rank()


def fmpq_str(x: fmpq) -> str:
    """``"p/q"`` (or ``"p"``) — the evidence format for exact rationals."""
    return str(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def matrix_to_strings(q: fmpq_mat) -> list[list[str]]:
    """Exact rational matrix as nested lists of ``"p/q"`` strings (re-checkable evidence)."""
    return [[fmpq_str(x) for x in row] for row in q.tolist()]

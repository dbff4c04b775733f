"""Exact tier: rational and modular linear algebra with python-flint.

Every float64 is an exact dyadic rational ``m · 2^e``; memproof takes float input at its exact value,
so results here are about *the stored numbers*, not about a tolerance.

**Input conversion** (:func:`exact_array`, used by every exact path, the Kruskal engine included) is
exact or refused — a value is never wrapped, rounded or truncated:

- integer dtypes ``int8 … int64``, ``uint8 … uint64`` and Python ints of any size keep their value
  (``uint64`` above ``2^63 - 1`` and big ints are never cast to int64);
- ``float16``/``float32``/``float64`` (and ``longdouble``) are their exact dyadic rationals; NaN and
  ±inf are refused;
- :class:`fractions.Fraction`, ``flint.fmpz``/``fmpq`` and ``object`` arrays mixing ints,
  Fractions and floats are exact rationals;
- a numpy ``bool`` array is the 0/1 matrix; a Python ``bool`` *entry* in a list is refused (it is
  almost always a mask passed by mistake);
- complex numbers, strings, ``None``, dates and other objects are refused with
  :class:`~memproof.errors.InvalidArgumentError`.

>>> rank([[1, 2], [2, 4]])
1
>>> rank([[0.1, 0.3], [1.0, 3.0]])   # 3 * fl(0.1) != fl(0.3): exactly independent
2
>>> rank(np.array([[2**64 - 1, 1], [2**63 - 1, 1]], dtype=np.uint64))   # no int64 wrap-around
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
from ..validation import describe, first_inexact_float64

#: Default primes for modular rank (odd, < 2^31, so products fit in int64 after reduction).
PRIMES = (2147483647, 2147483629, 2147483587)

#: The kinds :func:`exact_array` returns: a finite float64 array, an int64/uint64 array, an object array of fmpq.
KINDS = ("float", "int", "rational")
_I64_MAX = 2**63 - 1
_ENTRY_TYPES = "int, float, fractions.Fraction or flint fmpz/fmpq entries"


def to_fmpq(x: Any, name: str = "value") -> fmpq:
    """The exact rational value of one entry (see the module docstring for what is accepted).

    >>> to_fmpq(np.uint64(2**64 - 1)), to_fmpq(0.5), to_fmpq(Fraction(-2, 6))
    (18446744073709551615, 1/2, -1/3)
    """
    if isinstance(x, fmpq):
        return x
    if isinstance(x, (bool, np.bool_)):
        raise InvalidArgumentError(name, f"a bool entry {x!r}", _ENTRY_TYPES, "pass a numpy bool array for a 0/1 matrix")
    if isinstance(x, (fmpz, int, np.integer)):
        return fmpq(int(x))
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise InvalidArgumentError(name, f"a non-finite entry {x}", "finite real numbers", "remove or impute NaN/inf entries first")
        num, den = x.as_integer_ratio()  # exact for every numpy float width (longdouble included)
        return fmpq(int(num), int(den))
    raise InvalidArgumentError(name, f"an entry {x!r} of type {type(x).__name__}"[:120], _ENTRY_TYPES,
                               "take the real part explicitly if a complex array is real" if isinstance(x, (complex, np.complexfloating)) else "")


def _first_nonfinite(arr: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidArgumentError(name, f"a non-finite value {arr[idx]} at index {idx}", "finite real numbers",
                                   "remove or impute NaN/inf entries first")


def _object_entries(raw: np.ndarray, name: str) -> tuple[np.ndarray, str]:
    flat = raw.ravel().tolist()
    if flat and all(isinstance(x, float) or (isinstance(x, np.floating) and x.dtype.itemsize <= 8) for x in flat):
        arr = np.asarray(flat, dtype=np.float64).reshape(raw.shape)
        _first_nonfinite(arr, name)
        return arr, "float"
    q = [to_fmpq(x, name) for x in flat]
    if all(isinstance(x, (int, np.integer, fmpz)) and not isinstance(x, (bool, np.bool_)) and -_I64_MAX - 1 <= int(x) <= _I64_MAX
           for x in flat):
        return np.asarray([int(x) for x in flat], dtype=np.int64).reshape(raw.shape), "int"
    out = np.empty(len(q), dtype=object)
    out[:] = q
    return out.reshape(raw.shape), "rational"


def exact_array(a: Any, name: str = "matrix") -> tuple[np.ndarray, str]:
    """``(array, kind)``: ``a`` at its exact values, in the cheapest exact representation.

    ``kind`` is ``"float"`` (a finite float64 array), ``"int"`` (int64, or uint64 when a value exceeds
    ``2^63 - 1``) or ``"rational"`` (an object array of ``flint.fmpq``). Any number of dimensions;
    nothing is rounded or wrapped (module docstring); what cannot be represented exactly raises
    :class:`~memproof.errors.InvalidArgumentError`.

    >>> exact_array(np.array([[1, 2]], dtype=np.int8))[1], exact_array([[2**70, 1]])[1], exact_array([[0.5, 1.0]])[1]
    ('int', 'rational', 'float')
    """
    if isinstance(a, (fmpq_mat, fmpz_mat)):
        rows = [[fmpq(x) if isinstance(x, fmpq) else fmpq(int(x)) for x in row] for row in a.tolist()]
        out = np.empty((a.nrows(), a.ncols()), dtype=object)
        for i, row in enumerate(rows):
            out[i, :] = row
        return out, "rational"
    if not isinstance(a, np.ndarray):
        try:
            a = np.asarray(a, dtype=object)
        except (TypeError, ValueError):
            raise InvalidArgumentError(name, describe(a), "a numeric array (int, float or Fraction entries)") from None
    k = a.dtype.kind
    if k == "b":
        return a.astype(np.int64), "int"
    if k == "i":
        return a.astype(np.int64, copy=False), "int"
    if k == "u":
        if a.dtype.itemsize < 8 or a.size == 0 or int(a.max()) <= _I64_MAX:
            return a.astype(np.int64), "int"
        return a.astype(np.uint64, copy=False), "int"
    if k == "f":
        _first_nonfinite(a, name)
        if a.dtype.itemsize <= 8:
            return a.astype(np.float64, copy=False), "float"
        f = a.astype(np.float64)
        if np.array_equal(f.astype(a.dtype), a):
            return f, "float"
        return _object_entries(a.astype(object), name)  # longdouble values beyond float64: exact via as_integer_ratio
    if k == "O":
        return _object_entries(a, name)
    hint = "take the real part explicitly if the imaginary parts are zero" if k == "c" else \
        "convert strings with numpy.asarray(..., dtype=float) first" if k in "US" else ""
    raise InvalidArgumentError(name, describe(a), "a real numeric array (int, float, Fraction)", hint)


def exact_entries(arr: np.ndarray, kind: str) -> list[fmpq]:
    """The entries of an :func:`exact_array` result as ``fmpq`` (C order)."""
    flat = arr.ravel().tolist()
    if kind == "float":
        return [fmpq(*x.as_integer_ratio()) for x in flat]
    if kind == "int":
        return [fmpq(x) for x in flat]
    return flat


def array_mod_p(arr: np.ndarray, kind: str, p: int, name: str = "matrix") -> np.ndarray:
    """Exact reduction mod the odd prime ``p`` of an :func:`exact_array` result (an int64 array).

    Integers are reduced at their true value (a uint64 is reduced as unsigned, never after a wrap to
    int64), floats as dyadic rationals, rationals as ``num · den⁻¹`` (a denominator divisible by ``p``
    raises).
    """
    if kind == "float":
        return float_mod_p(arr, p)
    if kind == "int":
        if arr.dtype == np.uint64:
            return (arr % np.uint64(p)).astype(np.int64)
        return arr.astype(np.int64, copy=False) % np.int64(p)
    out = []
    for x in arr.ravel().tolist():
        q = int(x.q) % p
        if q == 0:
            raise InvalidArgumentError(name, f"an entry {x} whose denominator is divisible by {p}", "denominators prime to the working primes")
        out.append(int(x.p) % p * pow(q, -1, p) % p)
    return np.asarray(out, dtype=np.int64).reshape(arr.shape)


def float64_image(arr: np.ndarray, kind: str) -> np.ndarray | None:
    """``arr`` as a float64 array when *every* entry is exactly a float64 value, else ``None``."""
    if kind == "float":
        return arr
    if kind == "int":
        return arr.astype(np.float64) if first_inexact_float64(arr) is None else None
    frac = np.empty(arr.size, dtype=object)
    frac[:] = [Fraction(int(x.p), int(x.q)) for x in arr.ravel().tolist()]
    if first_inexact_float64(frac) is not None:
        return None
    return np.asarray([float(x) for x in frac], dtype=np.float64).reshape(arr.shape)


def exact_matrix(a: Any, name: str = "matrix") -> tuple[np.ndarray, str]:
    """:func:`exact_array` of a non-empty matrix (a 1-d input is one row)."""
    arr, kind = exact_array(a, name)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InvalidArgumentError(name, describe(arr), "a 2-dimensional matrix")
    if arr.size == 0:
        raise InvalidArgumentError(name, describe(arr), "a non-empty matrix (at least one row and one column)")
    return arr, kind


def to_fmpq_mat(a: Any, name: str = "matrix") -> fmpq_mat:
    """The exact rational matrix of ``a`` (floats taken at their exact dyadic value)."""
    if isinstance(a, fmpq_mat):
        return a
    arr, kind = exact_matrix(a, name)
    q = exact_entries(arr, kind)
    c = arr.shape[1]
    return fmpq_mat([q[i:i + c] for i in range(0, len(q), c)])


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
    arr, kind = exact_matrix(a, name)
    if kind == "float":
        return float_to_integer_rows(arr, name)
    if kind == "int":
        return fmpz_mat(arr.tolist())
    q = to_fmpq_mat(arr, name)
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

    Examples
    --------
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
    """Entries of ``a`` (any shape) reduced modulo the odd prime ``p`` as an int64 array.

    Sound because reduction mod p is a ring homomorphism on rationals with odd denominators, which
    includes every dyadic (float) value: a minor nonzero mod p is nonzero over Q. The values reduced
    are the exact ones (:func:`exact_array`).
    """
    arr, kind = exact_array(a)
    return array_mod_p(arr, kind, p)


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

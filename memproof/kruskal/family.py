"""A family of vectors taken at their exact values: validation, hashing, reductions mod p, exact rows.

The Kruskal rank is a property of a *family* of vectors. :class:`VectorFamily` fixes which vectors
(the rows or the columns of a matrix, ``axis`` explicit) and gives the three views the engine needs:

- ``mod_p(p)`` — every vector reduced modulo an odd prime ``p`` (an ``(N, dim)`` int64 array); sound
  because reduction mod p is a ring homomorphism on the dyadic rationals (every float64 is one);
- ``exact_rows(idx)`` — the exact rational vectors (``flint.fmpq``) of a few members;
- ``input_hash`` — a SHA-256 of the input's exact values (:func:`matrix_hash`), recorded in
  certificates and checkpoints.

Input is converted by :func:`memproof.arith.exact.exact_array`: exact or refused. Floats are exact
dyadic rationals ``m·2^e``; every integer dtype (``uint64`` included) and Python ints of any size keep
their value — residues mod p are computed from the true integers, never after a wrap to int64;
:class:`fractions.Fraction` and object arrays are exact rationals; NaN/inf, complex and strings raise.

>>> fam = VectorFamily.from_matrix([[1, 2], [2, 4], [0, 1]], axis="rows")
>>> fam.N, fam.dim
(3, 2)
>>> fam.subset_rank([0, 1]), fam.subset_rank([0, 2])
(1, 2)
"""
from __future__ import annotations

import hashlib
import math
from typing import Any, Callable, Sequence

import numpy as np
from flint import fmpq, fmpz_mat, nmod_mat

from ..arith import exact
from ..arith.exact import float_mod_p
from ..errors import InvalidArgumentError
from ..validation import describe


def _int_rows(a: np.ndarray) -> list[list[int]]:
    """Rows of the float matrix ``a`` scaled by powers of two to integers (exact)."""
    if a.size == 0:
        return [[] for _ in range(a.shape[0])]
    return [[int(x) for x in row] for row in exact.float_to_integer_rows(a).tolist()]

AXES = ("rows", "cols")


def parse_axis(axis: Any) -> str:
    """``"rows"`` or ``"cols"`` (aliases: ``0``/``"row"`` and ``1``/``"col"``/``"columns"``)."""
    aliases = {"rows": "rows", "row": "rows", 0: "rows", "cols": "cols", "col": "cols", "columns": "cols", 1: "cols"}
    key = axis.strip().lower() if isinstance(axis, str) else axis
    if isinstance(key, bool) or key not in aliases:
        raise InvalidArgumentError("axis", repr(axis), "'rows' (the vectors are the rows) or 'cols' (the columns)",
                                   "A1 is about the rows of the (T, d) query matrix: use axis='rows'")
    return aliases[key]


class VectorFamily:
    """``N`` vectors of dimension ``dim`` with exact rational entries.

    Build with :meth:`from_matrix` (rows or columns of a matrix) or :meth:`from_functions` (a derived
    family such as the A3 vectors, computed lazily). ``vectors`` is the ``(N, dim)`` float64 array when
    the family is float-backed, else ``None``.
    """

    def __init__(self, N: int, dim: int, input_hash: str, mod_p_fn: Callable[[int], np.ndarray],
                 rows_fn: Callable[[Sequence[int]], list[list[fmpq]]], *, axis: str = "rows",
                 vectors: np.ndarray | None = None, description: str = ""):
        self.N, self.dim, self.input_hash, self.axis = int(N), int(dim), input_hash, axis
        self._mod_p_fn, self._rows_fn = mod_p_fn, rows_fn
        self._cache: dict[int, np.ndarray] = {}
        self.vectors = vectors
        self.description = description

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_matrix(cls, a: Any, axis: Any = "rows", name: str = "matrix") -> "VectorFamily":
        """The rows (``axis="rows"``) or columns (``axis="cols"``) of the matrix ``a``."""
        ax = parse_axis(axis)
        arr, kind = _validate_matrix(a, name)
        h = matrix_hash(arr, kind)
        vec = np.ascontiguousarray(arr if ax == "rows" else arr.T)
        what = f"{ax} of a {arr.shape[0]}x{arr.shape[1]} {'float64' if kind == 'float' else kind} matrix"
        if kind == "float":
            return cls(vec.shape[0], vec.shape[1], h, lambda p: float_mod_p(vec, p),
                       lambda idx: [[fmpq(*x.as_integer_ratio()) for x in vec[i].tolist()] for i in idx],
                       axis=ax, vectors=vec, description=what)
        if kind == "int":  # int64 or uint64: reduced mod p at the true value, rows as Python ints
            return cls(vec.shape[0], vec.shape[1], h, lambda p: exact.array_mod_p(vec, kind, p),
                       lambda idx: [[fmpq(x) for x in vec[i].tolist()] for i in idx], axis=ax, description=what)
        return cls(vec.shape[0], vec.shape[1], h, lambda p: exact.array_mod_p(vec, kind, p),
                   lambda idx: [vec[i].tolist() for i in idx], axis=ax, description=what)

    @classmethod
    def from_functions(cls, N: int, dim: int, input_hash: str, mod_p_fn: Callable[[int], np.ndarray],
                       rows_fn: Callable[[Sequence[int]], list[list[fmpq]]], description: str = "") -> "VectorFamily":
        """A derived family given by its reduction mod p and its exact rows (e.g. the A3 vectors)."""
        return cls(N, dim, input_hash, mod_p_fn, rows_fn, axis="rows", description=description)

    # ------------------------------------------------------------------ views
    def mod_p(self, p: int) -> np.ndarray:
        """``(N, dim)`` int64 array of the vectors reduced mod ``p`` (cached)."""
        if p not in self._cache:
            self._cache[p] = np.ascontiguousarray(self._mod_p_fn(p), dtype=np.int64)
        return self._cache[p]

    def exact_rows(self, idx: Sequence[int]) -> list[list[fmpq]]:
        """The exact rational vectors with the given indices."""
        return self._rows_fn([int(i) for i in idx])

    def integer_rows(self, idx: Sequence[int]) -> list[list[int]]:
        """Each selected vector times a positive rational making it integral (same dependencies)."""
        idx = [int(i) for i in idx]
        if self.vectors is not None:
            return _int_rows(self.vectors[idx])
        out = []
        for row in self.exact_rows(idx):
            den = math.lcm(*(int(x.q) for x in row)) if row else 1
            out.append([int(x * den) for x in row])
        return out

    def coordinate_rows(self, idx: Sequence[int]) -> list[list[int]]:
        """The ``dim × len(idx)`` matrix ``[v_{idx_0} ... ]`` with each *coordinate* (row) scaled by a
        positive rational to integers: the same null vectors ``x`` (``Σ x_i v_{idx_i} = 0``)."""
        idx = [int(i) for i in idx]
        if self.vectors is not None:
            return _int_rows(np.ascontiguousarray(self.vectors[idx].T))
        cols = self.exact_rows(idx)
        out = []
        for j in range(self.dim):
            row = [c[j] for c in cols]
            den = math.lcm(*(int(x.q) for x in row)) if row else 1
            out.append([int(x * den) for x in row])
        return out

    # ------------------------------------------------------------------ exact subset queries
    def rank_mod(self, idx: Sequence[int], p: int = exact.PRIMES[0]) -> int:
        """Rank of the selected vectors mod ``p`` (a lower bound for the exact rank)."""
        idx = [int(i) for i in idx]
        return nmod_mat(self.mod_p(p)[idx].tolist(), p).rank() if idx else 0

    def subset_rank(self, idx: Sequence[int], primes: Sequence[int] = exact.PRIMES[:2]) -> int:
        """Exact rank of the vectors ``idx`` (mod-p ranks first: full rank mod p is a proof)."""
        idx = [int(i) for i in idx]
        if not idx:
            return 0
        full = min(len(idx), self.dim)
        best = 0
        for p in primes:
            best = max(best, self.rank_mod(idx, p))
            if best == full:
                return best
        if len(idx) <= self.dim:
            if self.null_vector(idx) is None:
                return len(idx)
            if best == len(idx) - 1:
                return best
        return fmpz_mat(self.integer_rows(idx)).rank()

    def is_independent(self, idx: Sequence[int]) -> bool:
        return self.null_vector(idx) is None if len(idx) <= self.dim else False

    def null_vector(self, idx: Sequence[int]) -> list[int] | None:
        """A primitive integer ``x`` with ``Σ x_i v_{idx_i} = 0`` exactly, or ``None`` if independent.

        Fast paths: full rank mod p proves independence; the support of a null vector mod p is tried
        first (a small candidate circuit); the coordinates that are pivots mod p carry the rank, so a
        null vector of that small system is checked on all coordinates (exact fallback otherwise).
        """
        idx = [int(i) for i in idx]
        s = len(idx)
        p = exact.PRIMES[0]
        vm = self.mod_p(p)[idx]  # (s, dim)
        ns, nullity = nmod_mat(vm.T.tolist(), p).nullspace()
        if nullity == 0:
            return None
        y = [int(ns[i, 0]) for i in range(s)]
        support = [i for i in range(s) if y[i]]
        if 0 < len(support) < s:
            x = self._null_vector_exact([idx[i] for i in support])
            if x is not None:
                out = [0] * s
                for i, c in zip(support, x):
                    out[i] = c
                return exact.primitive(out)
        return self._null_vector_exact(idx)

    def _null_vector_exact(self, idx: list[int]) -> list[int] | None:
        s = len(idx)
        p = exact.PRIMES[0]
        vm = self.mod_p(p)[idx]
        rr, rk = nmod_mat(vm.tolist(), p).rref()
        if rk == s:
            return None
        cr = self.coordinate_rows(idx)  # dim x s, same null vectors as the exact vectors
        rows = [[int(x) for x in row] for row in rr.tolist()[:rk]]
        coords = [next(j for j, x in enumerate(row) if x) for row in rows]
        sub = fmpz_mat([cr[j] for j in coords]) if coords else fmpz_mat(1, s)
        basis, nullity = sub.nullspace()
        cands = [[int(basis[i, j]) for i in range(s)] for j in range(nullity)]
        for x in cands:
            if any(x) and all(sum(x[i] * row[i] for i in range(s) if x[i]) == 0 for row in cr):
                return exact.primitive(x)
        full = fmpz_mat(cr)
        basis, nullity = full.nullspace()
        if nullity == 0:
            return None
        return exact.primitive([int(basis[i, 0]) for i in range(s)])

    def circuit(self, idx: Sequence[int]) -> tuple[list[int], list[int]]:
        """Shrink a dependent set to a circuit (a minimal dependent subset) with its exact null vector.

        Returns ``(indices, null_vector)``; raises :class:`InvalidArgumentError` if ``idx`` is independent.
        """
        idx = [int(i) for i in idx]
        x = self.null_vector(idx)
        if x is None:
            raise InvalidArgumentError("idx", f"the independent set {idx}", "a dependent set of vectors")
        cur = [i for i, c in zip(idx, x) if c]
        xs = [c for c in x if c]
        while True:
            # a dependent set of rank |cur| - 1 whose null vector has full support is a circuit
            if max(self.rank_mod(cur, p) for p in exact.PRIMES[:2]) == len(cur) - 1:
                return cur, xs
            for i in list(cur):
                trial = [j for j in cur if j != i]
                y = self.null_vector(trial) if trial else None
                if y is not None:
                    cur = [j for j, c in zip(trial, y) if c]
                    xs = [c for c in y if c]
                    break
            else:  # pragma: no cover - every dependent set contains a circuit
                raise RuntimeError("circuit shrink failed")

    def check_null_vector(self, idx: Sequence[int], x: Sequence[int]) -> bool:
        """Whether ``Σ x_i v_{idx_i} = 0`` holds exactly (and ``x ≠ 0``)."""
        if len(idx) != len(x) or not any(int(c) for c in x):
            return False
        rows = self.exact_rows(idx)
        for j in range(self.dim):
            if sum((fmpq(int(c)) * r[j] for c, r in zip(x, rows)), fmpq(0)) != 0:
                return False
        return True


# ---------------------------------------------------------------------- validation and hashing
def _validate_matrix(a: Any, name: str) -> tuple[np.ndarray, str]:
    """``(array, kind)`` of :func:`memproof.arith.exact.exact_array` for a non-empty 2-d matrix."""
    arr, kind = exact.exact_array(a, name)
    if arr.ndim != 2:
        raise InvalidArgumentError(name, f"{arr.ndim}-dimensional {describe(arr)}", "a 2-dimensional matrix",
                                   "reshape a single vector with a[None, :]")
    if arr.size == 0:
        raise InvalidArgumentError(name, describe(arr), "a non-empty matrix (at least one row and one column)")
    return arr, kind


def matrix_hash(a: Any, kind: str | None = None) -> str:
    """SHA-256 of a matrix's shape and **exact values** — independent of dtype and container.

    Two matrices get the same hash iff they have the same shape and the same exact rational entries
    (an int64 ``2``, a uint8 ``2``, a float ``2.0`` and ``Fraction(2)`` are the same value; certificates
    are about values, so they carry over). Encoding: when every entry is exactly a float64, the
    little-endian float64 bytes (``-0.0`` as ``0.0``; unchanged from the earlier float64-only hash);
    otherwise (huge integers, uint64 above 2^53 with more than 53 significant bits, non-dyadic
    rationals) the reduced ``p/q`` strings. The tags differ, so the two encodings never collide.

    ``kind``: the kind :func:`memproof.arith.exact.exact_array` returned for ``a`` (skips the
    conversion); ``None`` converts ``a`` first.

    >>> matrix_hash(np.array([[1, 2]], dtype=np.uint8)) == matrix_hash([[1.0, 2.0]])
    True
    >>> matrix_hash(np.array([[2**64 - 1]], dtype=np.uint64)) == matrix_hash(np.array([[-1]]))
    False
    """
    if kind is None:
        a, kind = exact.exact_array(a, "matrix")
    elif kind not in exact.KINDS or not isinstance(a, np.ndarray):
        raise InvalidArgumentError("kind", repr(kind), f"the kind exact_array returned for the array, one of {exact.KINDS}")
    shape = "x".join(str(s) for s in a.shape)
    h = hashlib.sha256()
    img = exact.float64_image(a, kind)
    if img is not None:
        h.update(f"memproof-kruskal-v1:float:{shape}:".encode())
        h.update(np.ascontiguousarray(img + 0.0, dtype="<f8").tobytes())
    else:
        h.update(f"memproof-kruskal-v2:rational:{shape}:".encode())
        for q in exact.exact_entries(a, kind):
            h.update(f"{q.p}/{q.q};".encode())
    return "sha256:" + h.hexdigest()


def as_family(a: Any, axis: Any = "rows") -> VectorFamily:
    """``a`` itself if it is a :class:`VectorFamily`, else the family of its rows/columns."""
    return a if isinstance(a, VectorFamily) else VectorFamily.from_matrix(a, axis)

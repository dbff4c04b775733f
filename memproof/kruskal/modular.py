"""Modular tools of the Kruskal engine: primes, replayable projections, RREF and tableau mod p.

Everything here is about the images of exact vectors modulo an odd prime ``p``. A minor that is
nonzero mod p is nonzero over Q (reduction mod p is a ring homomorphism on the dyadic rationals); a
minor that is zero mod p may be spurious and is re-checked elsewhere.

>>> is_prime(2147483647), prev_prime(100)
(True, 97)
>>> projection(3, 2, 4, 101).tolist() == projection(3, 2, 4, 101).tolist()   # replayable
True
"""
from __future__ import annotations

import numpy as np
from flint import nmod_mat

#: Primes of the minor sweep: < 2^24, so that a Laplace sum of up to 26 products of residues is an exact float64 integer.
SWEEP_PRIMES = (16777213, 16777199, 16777183, 16777153, 16777141, 16777139)

_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime(n: int) -> bool:
    """Deterministic Miller–Rabin for ``n < 3.3·10^24``."""
    n = int(n)
    if n < 2:
        return False
    for q in _MR_BASES:
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def prev_prime(n: int) -> int:
    """The largest prime ``< n`` (``n > 3``)."""
    m = int(n) - 1
    while not is_prime(m):
        m -= 1
    return m


def det_prime(k: int, index: int = 0) -> int:
    """A prime ``p`` with ``(k + 1)·p² < 2^53``: Gaussian elimination on k×k residues in float64 can
    defer every reduction (see :func:`memproof.kruskal.kernel.dets_nonzero`). ``index`` picks the
    next smaller such prime."""
    bound = int((2.0**53 / (k + 1)) ** 0.5)
    p = bound
    for _ in range(index + 1):
        p = prev_prime(p)
    return p


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def projection(seed: int, rows: int, cols: int, p: int) -> np.ndarray:
    """Replayable pseudo-random ``rows × cols`` matrix mod ``p``.

    Entry ``(i, j)`` is ``splitmix64(seed·2^40 + i·cols + j) mod p`` — a documented generator that any
    verifier can re-implement, independent of numpy's random streams.
    """
    with np.errstate(over="ignore"):
        ctr = np.uint64(int(seed) % 2**24) * np.uint64(2**40) + np.arange(rows * cols, dtype=np.uint64)
    return (_splitmix64(ctr) % np.uint64(p)).astype(np.int64).reshape(rows, cols)


def to_nmod(a: np.ndarray, p: int) -> nmod_mat:
    a = np.asarray(a, dtype=np.int64)
    return nmod_mat(a.shape[0], a.shape[1], a.ravel().tolist(), p)


def from_nmod(m: nmod_mat) -> np.ndarray:
    return np.fromiter((int(x) for x in m.entries()), dtype=np.int64, count=m.nrows() * m.ncols()).reshape(m.nrows(), m.ncols())


def _reduce_f(x: np.ndarray, p: int) -> np.ndarray:
    return x - p * np.floor(x / p)


def matmul_mod(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """``a @ b mod p`` for residue matrices, exactly.

    For ``p < 2^24`` this is float64 BLAS: ``a = a1·2^12 + a0`` with ``a0, a1 < 2^12``, so every partial
    sum of products stays below ``2^12 · p · 2^16 < 2^53`` (chunks of ``2^16`` inner terms) and is exact.
    Larger primes go through python-flint.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if p >= 2**24:
        return from_nmod(to_nmod(a, p) * to_nmod(b, p))
    a0 = (a & 4095).astype(np.float64)
    a1 = (a >> 12).astype(np.float64)
    bf = b.astype(np.float64)
    out = np.zeros((a.shape[0], b.shape[1]), dtype=np.float64)
    step = 2**16
    for lo in range(0, a.shape[1], step):
        hi = lo + step
        lo_part = _reduce_f(a0[:, lo:hi] @ bf[lo:hi], p)
        hi_part = _reduce_f(a1[:, lo:hi] @ bf[lo:hi], p)
        out = _reduce_f(out + lo_part + _reduce_f(hi_part * 4096.0, p), p)
    r = out.astype(np.int64)
    r[r >= p] -= p
    r[r < 0] += p
    return r


def rank_mod(a: np.ndarray, p: int) -> int:
    if a.shape[0] == 0 or a.shape[1] == 0:
        return 0
    return to_nmod(a, p).rank()


def rref_mod(g: np.ndarray, p: int) -> tuple[np.ndarray, int, list[int]]:
    """``(R, rank, pivots)``: reduced row echelon form of ``g`` mod ``p`` and its pivot columns."""
    r_mat, rank = to_nmod(g, p).rref()
    r = from_nmod(r_mat)[:rank]
    pivots = [int(np.flatnonzero(row)[0]) for row in r]
    return r, int(rank), pivots


def tableau(g: np.ndarray, p: int, order: np.ndarray | None = None) -> tuple[list[int], list[int], np.ndarray, int]:
    """Basis ``B`` (first pivots in ``order``), non-basis ``Nn`` and the tableau ``D = G_B⁻¹ G_Nn`` mod p.

    Returns ``(B, Nn, D, rank)``; ``D`` has shape ``(rank, N - rank)`` and its rows follow ``B``
    (row i is the coordinate of ``B[i]``). Every square minor of ``D`` is ± a maximal minor of
    ``G_B⁻¹ G`` (the MDS criterion).
    """
    n = g.shape[1]
    order = np.arange(n) if order is None else np.asarray(order)
    r, rank, piv = rref_mod(g[:, order], p)
    basis = [int(order[j]) for j in piv]
    nonpiv = [j for j in range(n) if j not in set(piv)]
    nonbasis = [int(order[j]) for j in nonpiv]
    d = r[:, nonpiv] if rank else np.zeros((0, len(nonpiv)), dtype=np.int64)
    return basis, nonbasis, np.ascontiguousarray(d), rank

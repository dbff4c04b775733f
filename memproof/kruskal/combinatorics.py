"""Combinations in colex order: ranks, unranking, the Laplace tables and the work units of the minor sweep.

The ``s``-subsets ``R = {r_0 < ... < r_{s-1}}`` of ``{0..a-1}`` are ranked colexicographically,
``rank(R) = Σ_j C(r_j, j + 1)``, so the subsets of ``{0..m-1}`` come first for every ``m``.

>>> unrank(rank([1, 3, 4]), 3)
[1, 3, 4]
>>> [unrank(r, 2) for r in range(3)]
[[0, 1], [0, 2], [1, 2]]
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


def rank(subset) -> int:
    return sum(math.comb(int(x), j + 1) for j, x in enumerate(sorted(subset)))


def unrank(r: int, s: int) -> list[int]:
    out = []
    r = int(r)
    for j in range(s, 0, -1):
        x = j - 1
        while math.comb(x + 1, j) <= r:
            x += 1
        out.append(x)
        r -= math.comb(x, j)
    return out[::-1]


def colex_combos(a: int, s: int) -> np.ndarray:
    """All ``s``-subsets of ``range(a)`` in colex order, as a ``(C(a, s), s)`` int array."""
    level = np.zeros((1, 0), dtype=np.int64)
    for t in range(1, s + 1):
        parts = []
        for m in range(t - 1, a):
            head = level[: math.comb(m, t - 1)]
            parts.append(np.hstack([head, np.full((head.shape[0], 1), m, dtype=np.int64)]))
        level = np.vstack(parts) if parts else np.zeros((0, t), dtype=np.int64)
    return level


@lru_cache(maxsize=8)
def laplace_tables(a: int, smax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables for expanding every ``s × s`` minor along its last column, for ``s = 1..smax``.

    Returns ``(ri, sub, toff, nC, moff)``: for level ``s`` and the subset of colex rank ``r``, entry
    ``toff[s] + r·s + i`` holds ``ri = parity·a + r_i`` (``parity = (i + s - 1) mod 2`` selects the
    negated column, i.e. the cofactor sign) and ``sub`` = rank of ``R \\ {r_i}`` at level ``s - 1``.
    ``nC[s] = C(a, s)`` and ``moff[s]`` is the offset of level ``s`` in a flat minors buffer.
    """
    binom = np.array([[math.comb(n, k) for k in range(smax + 2)] for n in range(a + 1)], dtype=np.int64)
    nC = np.array([math.comb(a, s) for s in range(smax + 1)], dtype=np.int64)
    toff = np.zeros(smax + 2, dtype=np.int64)
    for s in range(1, smax + 1):
        toff[s + 1] = toff[s] + nC[s] * s
    moff = np.zeros(smax + 2, dtype=np.int64)
    for s in range(smax + 1):
        moff[s + 1] = moff[s] + nC[s]
    ri = np.zeros(int(toff[smax + 1]), dtype=np.int16)
    sub = np.zeros(int(toff[smax + 1]), dtype=np.int32)
    for s in range(1, smax + 1):
        comb = colex_combos(a, s)
        pos = np.arange(s)
        par = (pos + s - 1) & 1
        ri_s = par[None, :] * a + comb
        # rank of R minus position i: elements before i keep position j, elements after move to j-1
        keep = binom[comb, pos[None, :] + 1]          # C(r_j, j+1)
        shift = binom[comb, pos[None, :]]             # C(r_j, j)
        pre = np.cumsum(keep, axis=1) - keep          # Σ_{j<i} C(r_j, j+1)
        post = np.cumsum(shift[:, ::-1], axis=1)[:, ::-1] - shift  # Σ_{j>i} C(r_j, j)
        sub_s = pre + post
        ri[toff[s]: toff[s + 1]] = ri_s.ravel()
        sub[toff[s]: toff[s + 1]] = sub_s.ravel()
    return ri, sub, toff, nC, moff


def sweep_work(a: int, b: int) -> int:
    """Multiply-adds of the Laplace sweep of an ``a × b`` tableau: ``Σ_s s·C(a, s)·C(b, s)``."""
    return sum(s * math.comb(a, s) * math.comb(b, s) for s in range(1, min(a, b) + 1))


def subtree_work(a: int, b: int, depth: int, last: int, weighted: bool = False) -> int:
    """Minors in the subtree of a column-subset node of ``depth`` whose last column is ``last``
    (``weighted``: a minor of size s counts ``s + 1``, its multiply-adds and its reduction)."""
    free = b - last - 1
    return sum(math.comb(free, j) * math.comb(a, depth + j) * (depth + j + 1 if weighted else 1)
               for j in range(0, min(free, a - depth) + 1))


def plan_units(a: int, b: int, smax: int, parts: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the depth-first tree of column subsets into about ``parts`` units of similar work.

    A node whose subtree is too heavy becomes a *node-only* unit and its children are split further;
    the others are *subtree* units. Returns ``(prefixes, plens, subtree)`` in depth-first order.
    """
    total = sum(math.comb(a, s) * math.comb(b, s) for s in range(1, smax + 1))
    target = max(total // parts, 20_000)
    rows: list[tuple[list[int], bool]] = []

    def visit(prefix: list[int]) -> None:
        start = prefix[-1] + 1 if prefix else 0
        for c in range(start, b):
            node = prefix + [c]
            if len(node) < smax and subtree_work(a, b, len(node), c) > target:
                rows.append((node, False))
                visit(node)
            else:
                rows.append((node, True))

    visit([])
    prefixes = np.zeros((len(rows), smax), dtype=np.int64)
    plens = np.zeros(len(rows), dtype=np.int64)
    subtree = np.zeros(len(rows), dtype=np.int64)
    for i, (node, sub) in enumerate(rows):
        prefixes[i, :len(node)] = node
        plens[i] = len(node)
        subtree[i] = sub
    return prefixes, plens, subtree

"""Compiled kernels: the depth-first Laplace minor sweep and batched determinants mod p.

Two kernels, each with a numba implementation (``memproof[fast]``) and a pure-numpy fallback
(used when numba is absent or ``MEMPROOF_NO_NUMBA=1``):

- :func:`sweep_units` — all square minors of a tableau ``D`` mod p, depth first over column subsets,
  each level built from the previous one by Laplace expansion along the last column; zero minors are
  reported (they may be spurious) and the work is split into *units* (column-subset prefixes) so a
  sweep can report progress, stop on a time budget and resume from a checkpoint;
- :func:`dets_nonzero` — for many k-subsets of the columns of a k×N residue matrix, whether the k×k
  determinant is nonzero mod p (Gaussian elimination in float64 with deferred reduction).

Numba compiles each kernel once per process (``cache=True`` keeps the machine code on disk).
"""
from __future__ import annotations

import os

import numpy as np

import importlib.util

#: numba is optional (``memproof[fast]``); it is imported lazily, on the first kernel call, so that
#: importing memproof stays fast. ``MEMPROOF_NO_NUMBA=1`` forces the pure-numpy fallback.
HAVE_NUMBA = not os.environ.get("MEMPROOF_NO_NUMBA") and importlib.util.find_spec("numba") is not None

ZERO_STOP, RANGE_DONE = 1, 0
_NUMBA_FUNCS: list[str] = []
_COMPILED = False


def resolve_backend(backend: str | None) -> str:
    """``backend``, or the default kernel: ``"numba"`` when numba is importable (and ``MEMPROOF_NO_NUMBA`` unset), else ``"numpy"``."""
    return backend or ("numba" if HAVE_NUMBA else "numpy")


def _njit(fn):
    """Register ``fn`` for numba compilation on first use (callees before callers)."""
    _NUMBA_FUNCS.append(fn.__name__)
    return fn


def _ensure_compiled() -> None:
    global _COMPILED, HAVE_NUMBA
    if _COMPILED:
        return
    try:
        import numba
    except ImportError:  # pragma: no cover
        HAVE_NUMBA = False
        raise RuntimeError("numba is not installed: pip install 'memproof[fast]'") from None
    g = globals()
    for name in _NUMBA_FUNCS:
        g[name] = numba.njit(cache=True, nogil=True)(g[name])
    _COMPILED = True


# ---------------------------------------------------------------------------------- sweep (numba)
# Residues live in float64: with p < 2^24 and at most 26 terms, every Laplace sum of nonnegative
# products is an exact integer below 2^53, reduced once per minor (no integer division).
@_njit
def _level_nb(Dpm, pf, invp, s, c, pk, toff, nC, moff, minors):
    base_t = toff[s]
    out = moff[s]
    prev = moff[s - 1]
    col = Dpm[c]
    nz = 0
    s4 = s - (s & 3)
    for r in range(nC[s]):
        # four independent accumulators break the floating-point add latency chain; every partial
        # sum is an exact integer < 2^53, so the order of additions does not matter
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        t = base_t + r * s
        for i in range(0, s4, 4):
            e0 = pk[t + i]
            e1 = pk[t + i + 1]
            e2 = pk[t + i + 2]
            e3 = pk[t + i + 3]
            a0 += col[e0 & 63] * minors[prev + (e0 >> 6)]
            a1 += col[e1 & 63] * minors[prev + (e1 >> 6)]
            a2 += col[e2 & 63] * minors[prev + (e2 >> 6)]
            a3 += col[e3 & 63] * minors[prev + (e3 >> 6)]
        for i in range(s4, s):
            e0 = pk[t + i]
            a0 += col[e0 & 63] * minors[prev + (e0 >> 6)]
        acc = (a0 + a1) + (a2 + a3)
        acc -= pf * np.floor(acc * invp)
        if acc < 0.0:
            acc += pf
        elif acc >= pf:
            acc -= pf
        minors[out + r] = acc
        if acc == 0.0:
            nz += 1
    return nz


@_njit
def _record_nb(u, s, col, nC, moff, minors, zbuf, state):
    # state: [nzrec, zi, skip]; returns True when the buffer is full
    cap = zbuf.shape[0]
    for r in range(nC[s]):
        if minors[moff[s] + r] == 0.0:
            if state[1] >= state[2]:
                if state[0] >= cap:
                    return True
                row = state[0]
                zbuf[row, 0] = u
                zbuf[row, 1] = s
                zbuf[row, 2] = r
                for j in range(s):
                    zbuf[row, 3 + j] = col[j]
                state[0] += 1
            state[1] += 1
    return False


@_njit
def _sweep_units_nb(Dpm, p, b, smax, pk, toff, nC, moff, prefixes, plens, subtree, start, end, skip, zbuf, minors):
    res = np.zeros(4, np.int64)
    col = np.zeros(smax + 1, np.int64)
    nxt = np.zeros(smax + 2, np.int64)
    state = np.zeros(3, np.int64)
    pf = float(p)
    invp = 1.0 / pf
    count = 0
    minors[0] = 1.0
    for u in range(start, end):
        state[1] = 0
        state[2] = skip if u == start else 0
        L = plens[u]
        ucount = 0
        for j in range(L):
            c = prefixes[u, j]
            col[j] = c
            z = _level_nb(Dpm, pf, invp, j + 1, c, pk, toff, nC, moff, minors)
            if j == L - 1:
                ucount += nC[L]
                if z > 0 and _record_nb(u, L, col, nC, moff, minors, zbuf, state):
                    res[0] = ZERO_STOP
                    res[1] = u
                    res[2] = count
                    res[3] = state[0]
                    return res
        d0 = L
        dm = smax if subtree[u] else L
        depth = d0
        nxt[d0] = col[d0 - 1] + 1
        while depth >= d0:
            if depth < dm and nxt[depth] < b:
                c = nxt[depth]
                nxt[depth] = c + 1
                col[depth] = c
                z = _level_nb(Dpm, pf, invp, depth + 1, c, pk, toff, nC, moff, minors)
                ucount += nC[depth + 1]
                if z > 0 and _record_nb(u, depth + 1, col, nC, moff, minors, zbuf, state):
                    res[0] = ZERO_STOP
                    res[1] = u
                    res[2] = count
                    res[3] = state[0]
                    return res
                depth += 1
                nxt[depth] = c + 1
            else:
                depth -= 1
        count += ucount
    res[0] = RANGE_DONE
    res[1] = end
    res[2] = count
    res[3] = state[0]
    return res


# ---------------------------------------------------------------------------------- sweep (numpy)
class _BufferFull(Exception):
    pass


def _sweep_units_np(Dpm, p, b, smax, ri, sub, toff, nC, moff, prefixes, plens, subtree, start, end, skip, zbuf, minors):
    """Same contract as the numba kernel, vectorised over the row subsets of each level."""
    views = [None] + [(ri[toff[s]:toff[s + 1]].reshape(-1, s).astype(np.int64),
                       sub[toff[s]:toff[s + 1]].reshape(-1, s).astype(np.int64)) for s in range(1, smax + 1)]
    cap = zbuf.shape[0]
    nzrec = 0
    count = 0
    minors[0] = 1

    def level(s, c):
        ri_s, sub_s = views[s]
        prev = minors[moff[s - 1]: moff[s]]
        vals = Dpm[c][ri_s] * prev[sub_s]
        acc = np.zeros(vals.shape[0], dtype=np.int64)
        for lo in range(0, s, 64):
            acc = (acc + vals[:, lo:lo + 64].sum(axis=1)) % p
        minors[moff[s]: moff[s + 1]] = acc
        return np.flatnonzero(acc == 0)

    for u in range(int(start), int(end)):
        col = [0] * (int(smax) + 1)
        st = {"zi": 0, "skip": int(skip) if u == start else 0, "count": 0}

        def record(s, zeros):
            nonlocal nzrec
            for r in zeros.tolist():
                if st["zi"] >= st["skip"]:
                    if nzrec >= cap:
                        raise _BufferFull
                    zbuf[nzrec, :3] = (u, s, r)
                    zbuf[nzrec, 3:3 + s] = col[:s]
                    nzrec += 1
                st["zi"] += 1

        def dfs(depth, dm):
            if depth >= dm:
                return
            for c in range(col[depth - 1] + 1, int(b)):
                col[depth] = c
                zeros = level(depth + 1, c)
                st["count"] += int(nC[depth + 1])
                if zeros.size:
                    record(depth + 1, zeros)
                dfs(depth + 1, dm)

        L = int(plens[u])
        try:
            zeros = None
            for j in range(L):
                col[j] = int(prefixes[u, j])
                zeros = level(j + 1, col[j])
            st["count"] += int(nC[L])
            if zeros.size:
                record(L, zeros)
            dfs(L, int(smax) if subtree[u] else L)
        except _BufferFull:
            return np.array([ZERO_STOP, u, count, nzrec], dtype=np.int64)
        count += st["count"]
    return np.array([RANGE_DONE, end, count, nzrec], dtype=np.int64)


def sweep_units(Dpm, p, b, smax, ri, sub, toff, nC, moff, prefixes, plens, subtree, start, end, skip, zbuf, minors, *,
                backend=None):
    """Sweep units ``start..end-1``; returns ``[status, next_unit, minors_in_completed_units, zeros]``.

    Unit ``u`` is the column subset ``prefixes[u, :plens[u]]`` (a node of the depth-first tree) and,
    when ``subtree[u]``, every column subset extending it. ``status`` is ``ZERO_STOP`` when the zero
    buffer filled up inside unit ``next_unit`` (restart it with ``skip`` = its zeros already recorded).
    """
    backend = resolve_backend(backend)
    if backend == "numba":
        _ensure_compiled()
        if smax > 26 or Dpm.shape[1] > 64 or p >= 2**24:
            raise ValueError("the float64 kernel needs smax <= 26, a <= 32 and p < 2^24")
        pk = _packed(ri, sub)
        mf = minors if minors.dtype == np.float64 else np.zeros(minors.shape, np.float64)
        return _sweep_units_nb(np.ascontiguousarray(Dpm, dtype=np.float64), np.int64(p), np.int64(b), np.int64(smax),
                               pk, toff, nC, moff, prefixes, plens, subtree, np.int64(start), np.int64(end),
                               np.int64(skip), zbuf, mf)
    return _sweep_units_np(Dpm, np.int64(p), np.int64(b), np.int64(smax), ri, sub, toff, nC, moff, prefixes, plens,
                           subtree, int(start), int(end), int(skip), zbuf, minors)


_PACK_CACHE: dict = {}


def _packed(ri: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """``sub·64 + ri`` in one int32 (ri < 64): one load per Laplace term."""
    key = (id(ri), id(sub), ri.shape[0])
    if key not in _PACK_CACHE:
        _PACK_CACHE.clear()
        _PACK_CACHE[key] = (sub.astype(np.int32) << 6) | ri.astype(np.int32)
    return _PACK_CACHE[key]


# ---------------------------------------------------------------------------------- batched dets
@_njit
def _modinv(a, p):
    t, newt, r, newr = 0, 1, p, a % p
    while newr != 0:
        q = r // newr
        t, newt = newt, t - q * newt
        r, newr = newr, r - q * newr
    if t < 0:
        t += p
    return t


@_njit
def _red(x, pf, invp):
    x -= pf * np.floor(x * invp)
    if x < 0.0:
        x += pf
    elif x >= pf:
        x -= pf
    return x


@_njit
def _dets_nonzero_nb(GT, subsets, p):
    # Gaussian elimination mod p on W = G_Sᵀ (same determinant) in float64, four pivots per block.
    # Entries stay nonnegative: every update adds g·w with g, w < p, so all entries stay below
    # (k + 1)·p² < 2^53 and only pivot rows, pivot columns and multipliers are ever reduced. The
    # trailing rows receive the four pivot rows' updates in one pass over row *slices* (vectorised).
    NB = 4
    S = subsets.shape[0]; k = subsets.shape[1]
    out = np.zeros(S, np.bool_)
    W = np.empty((k, k), np.float64)
    g = np.zeros((k, NB), np.float64)
    pf = float(p); invp = 1.0 / pf
    for t in range(S):
        for j in range(k):
            W[j, :] = GT[subsets[t, j], :]
        ok = True
        for j0 in range(0, k, NB):
            j1 = min(k, j0 + NB)
            w = j1 - j0
            for tt in range(w):
                c = j0 + tt
                piv = -1
                for i in range(c, k):
                    x = _red(W[i, c], pf, invp)
                    W[i, c] = x
                    if piv < 0 and x != 0.0:
                        piv = i
                if piv < 0:
                    ok = False
                    break
                if piv != c:
                    A = W[c]; B = W[piv]
                    for l in range(k):
                        tmp = A[l]; A[l] = B[l]; B[l] = tmp
                    for q in range(tt):
                        tmp = g[c, q]; g[c, q] = g[piv, q]; g[piv, q] = tmp
                Wc = W[c, j1:]
                m = Wc.shape[0]
                for q in range(tt):
                    gq = g[c, q]
                    if gq != 0.0:
                        Pq = W[j0 + q, j1:]
                        for l in range(m):
                            Wc[l] += gq * Pq[l]
                Wr = W[c, c + 1:]
                for l in range(Wr.shape[0]):
                    Wr[l] = _red(Wr[l], pf, invp)
                inv = float(_modinv(np.int64(W[c, c]), p))
                Wp = W[c, c + 1:j1]
                mp = Wp.shape[0]
                for i in range(c + 1, k):
                    f = _red(W[i, c] * inv, pf, invp)
                    gi = pf - f if f != 0.0 else 0.0
                    g[i, tt] = gi
                    if gi != 0.0 and mp > 0:
                        Wi = W[i, c + 1:j1]
                        for l in range(mp):
                            Wi[l] += gi * Wp[l]
            if not ok:
                break
            if w == 4:
                P0 = W[j0, j1:]; P1 = W[j0 + 1, j1:]; P2 = W[j0 + 2, j1:]; P3 = W[j0 + 3, j1:]
                m = P0.shape[0]
                for i in range(j1, k):
                    g0 = g[i, 0]; g1 = g[i, 1]; g2 = g[i, 2]; g3 = g[i, 3]
                    Wi = W[i, j1:]
                    for l in range(m):
                        Wi[l] += g0 * P0[l] + g1 * P1[l] + g2 * P2[l] + g3 * P3[l]
            else:
                for i in range(j1, k):
                    Wi = W[i, j1:]
                    m = Wi.shape[0]
                    for q in range(w):
                        gq = g[i, q]
                        if gq != 0.0:
                            Pq = W[j0 + q, j1:]
                            for l in range(m):
                                Wi[l] += gq * Pq[l]
        out[t] = ok
    return out


def dets_nonzero(G: np.ndarray, subsets: np.ndarray, p: int, *, backend=None) -> np.ndarray:
    """``det(G[:, S]) ≠ 0 mod p`` for each row ``S`` of ``subsets`` (``G``: k×N residues).

    The numba path needs ``(k + 1)·p² < 2^53`` (see :func:`memproof.kruskal.modular.det_prime`):
    residues are kept in float64 and the trailing updates are never reduced.
    """
    subsets = np.ascontiguousarray(subsets, dtype=np.int64)
    k = subsets.shape[1]
    backend = resolve_backend(backend)
    if backend == "numba" and HAVE_NUMBA:
        _ensure_compiled()
        if (k + 1) * float(p) ** 2 >= 2.0**53:
            raise ValueError(f"prime {p} too large for deferred reduction at k={k}")
        GT = np.ascontiguousarray(np.asarray(G, dtype=np.int64).T, dtype=np.float64)
        return _dets_nonzero_nb(GT, subsets, np.int64(p))
    from flint import nmod_mat

    g = np.asarray(G, dtype=np.int64)
    return np.array([nmod_mat(g[:, s].tolist(), p).det() != 0 for s in subsets], dtype=bool)


def warmup() -> None:
    """Compile (or load from cache) both kernels on tiny inputs."""
    if not HAVE_NUMBA:
        return
    from .combinatorics import laplace_tables

    ri, sub, toff, nC, moff = laplace_tables(2, 2)
    Dpm = np.ones((2, 4), dtype=np.int64)
    sweep_units(Dpm, 7, 2, 2, ri, sub, toff, nC, moff, np.array([[0, 0], [1, 0]], np.int64), np.array([1, 1], np.int64),
                np.array([1, 1], np.int64), 0, 2, 0, np.zeros((4, 5), np.int64), np.zeros(int(moff[-1]), np.int64))
    dets_nonzero(np.eye(2, dtype=np.int64), np.array([[0, 1]]), 101)


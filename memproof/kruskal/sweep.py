"""The level-k sweep: decide whether every k of the vectors are independent, with a certificate.

Method (``docs/kruskal.md``): reduce the vectors mod a prime p, project them to k coordinates with a
replayable random matrix (unless k = dim), pick a basis B and form the tableau ``D = G_B⁻¹ G_N``.
Every k-subset is independent iff every square minor of D is nonzero (the MDS criterion); the kernel
enumerates the ``C(N, k) - 1`` minors depth first by Laplace expansion. A minor that is nonzero mod p
proves its k-subset independent over Q; a zero minor is re-checked exactly — a spurious zero is
recorded with its resolution, a genuine one stops the sweep with a dependent k-subset.

The work is split into units (column-subset prefixes). :func:`run_sweep` reports progress, stops
cleanly at a deadline, and saves/restores its state (``SweepState``) for checkpoints.
"""
from __future__ import annotations

import dataclasses
import math
import sys
import time
from typing import Any, Callable, Mapping

import numpy as np

from . import kernel
from .certificates import SweepCertificate
from .combinatorics import laplace_tables, sweep_work, unrank
from .family import VectorFamily
from .modular import SWEEP_PRIMES, matmul_mod, projection, tableau

#: Calibrated cost model (seconds per multiply-add and per minor) for the cost estimate.
COST = {"numba": (2.0e-9, 2.0e-9), "numpy": (10e-9, 20e-9)}
#: Largest number of tableau rows the Laplace tables may index (memory ~ a·2^a entries).
MAX_TABLE_ROWS = 26


@dataclasses.dataclass
class SweepState:
    """Resumable state of one level-k sweep (JSON-serialisable via ``to_dict``)."""

    k: int
    prime: int
    seed: int | None
    basis: list[int]
    next_unit: int = 0
    skip: int = 0
    minors: int = 1  # the basis determinant itself
    zeros: list[dict] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SweepState":
        return cls(int(d["k"]), int(d["prime"]), None if d.get("seed") is None else int(d["seed"]),
                   [int(i) for i in d["basis"]], int(d["next_unit"]), int(d["skip"]), int(d["minors"]),
                   [dict(z) for z in d.get("zeros", [])], float(d.get("seconds", 0.0)))


@dataclasses.dataclass
class SweepOutcome:
    """``status``: ``"complete"`` (``certificate``), ``"dependent"`` (``dependent`` k-subset found, exact)
    or ``"stopped"`` (deadline/interrupt; ``state`` resumes it)."""

    status: str
    k: int
    minors_visited: int
    seconds: float
    certificate: SweepCertificate | None = None
    dependent: list[int] | None = None
    state: SweepState | None = None
    reason: str = ""


def estimate_seconds(n_vectors: int, k: int, backend: str | None = None) -> float:
    """Estimated seconds of a level-k sweep over ``n_vectors`` vectors (``inf`` if infeasible)."""
    backend = backend or ("numba" if kernel.HAVE_NUMBA else "numpy")
    if not 0 <= k <= n_vectors:
        return 0.0
    a, b = sorted((k, n_vectors - k))
    if a > MAX_TABLE_ROWS:
        return math.inf
    t_madd, t_minor = COST[backend]
    return sweep_work(a, b) * t_madd + math.comb(n_vectors, k) * t_minor


def subtree_work(a: int, b: int, depth: int, last: int) -> int:
    """Minors in the subtree of a column-subset node of ``depth`` whose last column is ``last``."""
    free = b - last - 1
    return sum(math.comb(free, j) * math.comb(a, depth + j) for j in range(0, min(free, a - depth) + 1))


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


@dataclasses.dataclass
class _Plan:
    basis: list[int]
    nonbasis: list[int]
    D: np.ndarray


def _plan(fam: VectorFamily, k: int, prime: int, seed: int | None, basis: list[int] | None) -> _Plan | list[int] | None:
    """Tableau of the projected residues, or a k-subset that is singular mod p (``list``), or ``None``."""
    mt = fam.mod_p(prime).T
    g = np.ascontiguousarray(mt) if seed is None else matmul_mod(projection(seed, k, fam.dim, prime), mt, prime)
    order = None
    if basis is not None:
        rest = [j for j in range(fam.N) if j not in set(basis)]
        order = np.array(list(basis) + rest)
    B, Nn, D, r = tableau(g, prime, order)
    if r < k:
        return sorted(B + Nn[: k - r])
    if basis is not None and sorted(B) != sorted(basis):
        return None
    return _Plan(B, Nn, D)


def run_sweep(fam: VectorFamily, k: int, *, prime: int = SWEEP_PRIMES[0], seed: int = 0, deadline: float | None = None,
              state: SweepState | Mapping | None = None, on_checkpoint: Callable[[SweepState], None] | None = None,
              checkpoint_every: float = 30.0, progress: bool = False, backend: str | None = None,
              basis: list[int] | None = None, zero_buffer: int = 256) -> SweepOutcome:
    """Sweep level ``k``: prove every k of ``fam``'s vectors independent, or find k dependent ones.

    ``deadline`` is a ``time.perf_counter()`` value; past it the sweep stops after the current batch
    and returns ``status="stopped"`` with a resumable ``state``. ``on_checkpoint(state)`` is called every
    ``checkpoint_every`` seconds and when stopping. ``KeyboardInterrupt`` stops cleanly the same way.
    """
    backend = backend or ("numba" if kernel.HAVE_NUMBA else "numpy")
    t0 = time.perf_counter()
    if not 1 <= k <= min(fam.N, fam.dim):
        raise ValueError(f"level k={k} outside [1, min(N, dim)]")
    if isinstance(state, Mapping):
        state = SweepState.from_dict(state)
    use_seed = None if k == fam.dim else seed
    if state is not None:
        prime, use_seed, basis = state.prime, state.seed, list(state.basis)
    # --- plan: tableau mod p (retry on an unlucky projection/prime; a real rank drop is reported)
    plan = None
    tries = [(prime, use_seed)] + [(p, None if use_seed is None else use_seed + 1 + i) for i, p in enumerate(SWEEP_PRIMES) if p != prime][:3]
    for pr, sd in tries:
        got = _plan(fam, k, pr, sd, basis)
        if isinstance(got, list):
            if not fam.is_independent(got):
                return SweepOutcome("dependent", k, 0, time.perf_counter() - t0, dependent=got, reason="rank below k")
            continue
        if got is None:
            continue
        plan, prime, use_seed = got, pr, sd
        break
    if plan is None:
        raise RuntimeError(f"no basis of the level-{k} projection found with {len(tries)} primes/seeds (this should not happen)")
    if state is None:
        state = SweepState(k, prime, use_seed, list(plan.basis))
    D = plan.D
    transposed = D.shape[0] > D.shape[1]
    Dt = D.T if transposed else D
    a, b = Dt.shape
    smax = min(a, b)
    if smax > MAX_TABLE_ROWS:
        raise ValueError(f"tableau {a}x{b} too large for an exhaustive sweep")
    ri, sub, toff, nC, moff = laplace_tables(a, smax) if smax else (None,) * 5
    if smax:
        Dpm = np.ascontiguousarray(np.hstack([Dt.T, (prime - Dt.T) % prime]), dtype=np.int64)  # (b, 2a)
        prefixes, plens, subtree = plan_units(a, b, smax)
        units_total = prefixes.shape[0]
    else:
        units_total = 0
    L = int(plens.max()) if units_total else 1

    def subset_of(s: int, r: int, cols) -> list[int]:
        rows = unrank(r, s)
        drop, add = (cols, rows) if transposed else (rows, cols)
        out = set(plan.basis) - {plan.basis[i] for i in drop}
        out |= {plan.nonbasis[j] for j in add}
        return sorted(out)

    bar = None
    if progress and units_total:
        try:
            from tqdm import tqdm

            bar = tqdm(total=units_total, initial=state.next_unit, desc=f"k={k} sweep", unit="unit", file=sys.stderr)
        except ImportError:  # pragma: no cover
            bar = None
    zbuf = np.zeros((zero_buffer, 3 + max(smax, 1)), dtype=np.int64)
    minors = np.zeros(int(moff[-1]) if smax else 1, dtype=np.int64)
    batch, last_ckpt = 1, time.perf_counter()
    spent0 = state.seconds
    try:
        while state.next_unit < units_total:
            u0 = state.next_unit
            end = min(units_total, u0 + batch)
            tb = time.perf_counter()
            res = kernel.sweep_units(Dpm, prime, b, smax, ri, sub, toff, nC, moff, prefixes, plens, subtree, u0, end,
                                     state.skip, zbuf, minors, backend=backend)
            dt = time.perf_counter() - tb
            status, nxt, cnt, nz = (int(x) for x in res)
            for row in zbuf[:nz]:
                s, r = int(row[1]), int(row[2])  # row[0] is the work unit
                S = subset_of(s, r, [int(c) for c in row[3:3 + s]])
                if not fam.is_independent(S):
                    state.minors += cnt
                    if bar is not None:
                        bar.close()
                    return SweepOutcome("dependent", k, state.minors, time.perf_counter() - t0, dependent=S, state=state,
                                        reason="zero minor confirmed exactly")
                state.zeros.append({"subset": S, "resolution": "spurious", "rank": k,
                                    "checked": "rank mod 2147483647 or exact"})
            state.minors += cnt
            if status == kernel.ZERO_STOP:
                in_unit = sum(1 for row in zbuf[:nz] if int(row[0]) == nxt)
                state.skip = (state.skip if nxt == u0 else 0) + in_unit
            else:
                state.skip = 0
            state.next_unit = nxt
            state.seconds = spent0 + (time.perf_counter() - t0)
            if bar is not None:
                bar.update(nxt - u0)
            batch = batch * 2 if dt < 0.25 else (max(1, batch // 2) if dt > 1.0 else batch)
            now = time.perf_counter()
            if on_checkpoint is not None and now - last_ckpt >= checkpoint_every:
                on_checkpoint(state)
                last_ckpt = now
            if deadline is not None and now >= deadline and state.next_unit < units_total:
                if on_checkpoint is not None:
                    on_checkpoint(state)
                return SweepOutcome("stopped", k, state.minors, now - t0, state=state, reason="time budget")
    except KeyboardInterrupt:
        if on_checkpoint is not None:
            on_checkpoint(state)
        return SweepOutcome("stopped", k, state.minors, time.perf_counter() - t0, state=state, reason="interrupted")
    finally:
        if bar is not None:
            bar.close()
    total = math.comb(fam.N, k)
    if state.minors != total:  # pragma: no cover - an internal consistency check
        raise RuntimeError(f"sweep visited {state.minors} minors, expected C({fam.N}, {k}) = {total}")
    state.seconds = spent0 + (time.perf_counter() - t0)
    cert = SweepCertificate(fam.input_hash, fam.axis, fam.N, fam.dim, k, prime, use_seed, tuple(plan.basis),
                            state.minors, tuple(state.zeros), L, transposed, backend, state.seconds)
    return SweepOutcome("complete", k, state.minors, time.perf_counter() - t0, certificate=cert, state=state)

"""The level-k sweep: decide whether every k of the vectors are independent, with a certificate.

Method (``docs/kruskal.md``): reduce the vectors mod a prime p, project them to k coordinates with a
replayable random matrix (unless k = dim), pick a basis B and form the tableau ``D = G_B⁻¹ G_N``.
Every k-subset is independent iff every square minor of D is nonzero (the MDS criterion); the kernel
enumerates the ``C(N, k) - 1`` minors depth first by Laplace expansion. A minor that is nonzero mod p
proves its k-subset independent over Q; a zero minor is re-checked exactly — a spurious zero is
recorded with its resolution, a genuine one stops the sweep with a dependent k-subset.

The work is split into units (column-subset prefixes). :func:`run_sweep` reports progress, stops
cleanly at a deadline, and saves its state (``SweepState``) for checkpoints. A state read back is a
*claim*, not evidence: resuming reuses its plan (prime, projection, basis) and re-runs the units the
state says are done, comparing their zero minors and minor count with the claim
(``SweepOutcome.resume``), so a resumed sweep costs what a fresh one costs.

A complete sweep returns a :class:`SweepCertificate`; its :meth:`~SweepCertificate.verify` replays the
sweep (the proof), :meth:`~SweepCertificate.spot_check` only spot-checks it (never a proof).
"""
from __future__ import annotations

import dataclasses
import math
import sys
import time
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import InvalidArgumentError
from . import kernel
from .certificates import CertificateError, SpotCheck
from .combinatorics import laplace_tables, plan_units, subtree_work, sweep_work, unrank
from .family import VectorFamily, as_family
from .modular import SWEEP_PRIMES, is_prime, matmul_mod, projection, rank_mod, tableau

SWEEP_FORMAT = "memproof-kruskal-sweep/1"

#: Calibrated cost model (seconds per multiply-add and per minor) for the cost estimate.
COST = {"numba": (2.0e-9, 2.0e-9), "numpy": (10e-9, 20e-9)}
#: Largest number of tableau rows the Laplace tables may index (memory ~ a·2^a entries).
MAX_TABLE_ROWS = 26


@dataclasses.dataclass
class SweepState:
    """Resumable state of one level-k sweep (JSON-serialisable via ``to_dict``): the position
    ``(next_unit, skip)`` of a single-process sweep, or the completed ``shards`` of a sharded one."""

    k: int
    prime: int
    seed: int | None
    basis: list[int]
    next_unit: int = 0
    skip: int = 0
    minors: int = 1  # the basis determinant itself
    zeros: list[dict] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    #: a sharded sweep (:mod:`memproof.kruskal.distributed`): the records of its completed shards
    shards: list[dict] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SweepState":
        return cls(int(d["k"]), int(d["prime"]), None if d.get("seed") is None else int(d["seed"]),
                   [int(i) for i in d["basis"]], int(d["next_unit"]), int(d["skip"]), int(d["minors"]),
                   [dict(z) for z in d.get("zeros", [])], float(d.get("seconds", 0.0)),
                   [dict(r) for r in d.get("shards", [])])


@dataclasses.dataclass(frozen=True)
class SweepCertificate:
    """``k-rank ≥ k``: the replayable record of a complete level-``k`` sweep of all ``C(N, k)`` k-subsets.

    Fields: input hash, axis, ``N``, ``dim``, k, prime, projection seed (``None`` when no projection was
    used, ``k = dim``; otherwise the k×dim projection is :func:`memproof.kruskal.modular.projection`
    ``(seed, k, dim, prime)``), basis, ``minors_visited`` (must be ``C(N, k)``) and ``zero_minors``:
    every k-subset whose minor vanished mod ``prime``, each resolved as exactly independent.

    :meth:`verify` (default ``mode="replay"``) re-runs the sweep with the recorded plan and compares
    the minor count and the set of zero minors: the only check that proves ``k-rank ≥ k`` (it costs
    what the sweep cost). :meth:`spot_check` (or ``verify(mode="spot")``) returns a :class:`SpotCheck`
    whose best verdict is ``"spot-checked"``.
    """

    input_hash: str
    axis: str
    n_vectors: int
    dim: int
    k: int
    prime: int
    projection_seed: int | None
    basis: tuple[int, ...]
    minors_visited: int
    zero_minors: tuple[Mapping[str, Any], ...] = ()
    prefix_len: int = 1
    transposed: bool = False
    backend: str = ""
    seconds: float = 0.0

    @property
    def bound(self) -> int:
        return self.k

    def residues(self, fam: VectorFamily) -> np.ndarray:
        """``G = P·M mod p`` (k × N), the matrix whose k×k minors the sweep decided."""
        return residues(fam, self.k, self.prime, self.projection_seed)

    def _structure(self, fam: VectorFamily) -> tuple[list[str], set[tuple[int, ...]]]:
        """Problems of the record itself, and its zero-minor subsets (resolutions checked exactly)."""
        if fam.input_hash != self.input_hash:
            return [f"input hash {fam.input_hash} does not match the certificate's {self.input_hash}"], set()
        out = []
        if fam.axis != self.axis:
            out.append(f"axis {fam.axis!r} differs from the certificate's {self.axis!r}")
        if (fam.N, fam.dim) != (self.n_vectors, self.dim):
            out.append(f"shape (N, dim) = {(fam.N, fam.dim)} differs from {(self.n_vectors, self.dim)}")
        k = self.k
        if not 1 <= k <= min(fam.N, fam.dim):
            return out + [f"k = {k} outside [1, min(N, dim)] = [1, {min(fam.N, fam.dim)}]"], set()
        if self.minors_visited != math.comb(fam.N, k):
            out.append(f"{self.minors_visited} minors visited, but a complete level-{k} sweep has C({fam.N}, {k}) = {math.comb(fam.N, k)}")
        if self.prime not in SWEEP_PRIMES and not (2 < self.prime < 2**24 and is_prime(self.prime)):
            return out + [f"{self.prime} is not an odd prime below 2^24 (the sweep's primes)"], set()
        if (self.projection_seed is None) != (k == fam.dim):
            return out + [f"projection {'missing' if self.projection_seed is None else 'recorded'} at k = {k}, dim = {fam.dim}"], set()
        basis = list(self.basis)
        if len(basis) != k or len(set(basis)) != k or min(basis) < 0 or max(basis) >= fam.N:
            return out + [f"basis {basis[:10]}... is not {k} distinct vector indices"], set()
        if rank_mod(self.residues(fam)[:, basis], self.prime) != k:
            out.append("the basis is singular mod p")
        resolved = set()
        for z in self.zero_minors:
            sub = sorted(int(i) for i in z.get("subset", ()))
            if len(sub) != k or len(set(sub)) != k or min(sub) < 0 or max(sub) >= fam.N:
                out.append(f"zero-minor record {sub} is not a k-subset")
                continue
            if not fam.is_independent(sub):
                out.append(f"the subset {sub} recorded as a spurious zero is exactly dependent")
            resolved.add(tuple(sub))
        return out, resolved

    def problems(self, a: Any, axis: str | None = None, *, backend: str | None = None) -> list[str]:
        """Everything wrong with the certificate for ``a``: the record, then a full replay of the sweep."""
        fam = as_family(a, axis or self.axis)
        out, resolved = self._structure(fam)
        if out:
            return out
        again = run_sweep(fam, self.k, prime=self.prime, seed=self.projection_seed if self.projection_seed is not None else 0,
                          backend=backend, basis=list(self.basis))
        if again.status == "dependent":
            return [f"replay found the exactly dependent k-subset {again.dependent}"]
        c = again.certificate
        if again.status != "complete" or c is None:
            return [f"replay did not complete: {again.status}"]
        if (c.prime, c.projection_seed, sorted(c.basis)) != (self.prime, self.projection_seed, sorted(self.basis)):
            out.append("replay could not use the recorded plan (prime, projection, basis)")
        if c.minors_visited != self.minors_visited:
            out.append(f"replay visited {c.minors_visited} minors, the certificate says {self.minors_visited}")
        found = {tuple(sorted(z["subset"])) for z in c.zero_minors}
        if found != resolved:
            missing, extra = sorted(found - resolved)[:3], sorted(resolved - found)[:3]
            out.append(f"replay found a different set of zero minors (not recorded: {missing}; recorded but not zero: {extra})")
        return out

    def verify(self, a: Any, axis: str | None = None, *, mode: str = "replay", strict: bool = False,
               backend: str | None = None, spot_checks: int = 64, seed: int = 0) -> bool | SpotCheck:
        """Whether the certificate proves ``k-rank ≥ k`` for ``a``: ``mode="replay"`` (default) re-runs
        the sweep and returns a bool (``strict`` raises :class:`CertificateError` instead of ``False``).
        ``mode="spot"`` returns :meth:`spot_check`'s :class:`SpotCheck` — never a bool, never a proof."""
        if mode == "spot":
            return self.spot_check(a, axis, checks=spot_checks, seed=seed)
        if mode != "replay":
            raise InvalidArgumentError("mode", repr(mode), "'replay' (a proof) or 'spot' (a spot check, never a proof)")
        probs = self.problems(a, axis, backend=backend)
        if probs and strict:
            raise CertificateError(probs)
        return not probs

    def spot_check(self, a: Any, axis: str | None = None, *, checks: int = 64, seed: int = 0) -> SpotCheck:
        """Re-check the record, the basis, every zero's resolution and ``checks`` random k-subsets
        (python-flint determinants): ``"rejected"`` or ``"spot-checked"`` — not a proof."""
        from flint import nmod_mat

        fam = as_family(a, axis or self.axis)
        out, resolved = self._structure(fam)
        if out:
            return SpotCheck("rejected", tuple(out), 0)
        g = self.residues(fam)
        rng = np.random.default_rng(seed)
        n_spot = min(int(checks), math.comb(fam.N, self.k))
        subs = [tuple(sorted(self.basis))] + [tuple(sorted(rng.choice(fam.N, self.k, replace=False).tolist())) for _ in range(n_spot)]
        for sub in subs:
            if nmod_mat(g[:, list(sub)].tolist(), self.prime).det() == 0 and sub not in resolved:
                return SpotCheck("rejected", (f"the k-subset {list(sub)} has a zero minor mod p that the certificate does not resolve",), len(subs))
        return SpotCheck("spot-checked", (), len(subs))

    def to_dict(self) -> dict[str, Any]:
        return {"format": SWEEP_FORMAT, "input_hash": self.input_hash, "axis": self.axis, "n_vectors": self.n_vectors,
                "dim": self.dim, "k": self.k, "prime": self.prime, "projection_seed": self.projection_seed,
                "projection": "splitmix64(seed*2^40 + i*dim + j) mod prime" if self.projection_seed is not None else "identity",
                "basis": list(self.basis), "minors_visited": self.minors_visited,
                "zero_minors": [dict(z) for z in self.zero_minors], "prefix_len": self.prefix_len,
                "transposed": self.transposed, "backend": self.backend, "seconds": round(self.seconds, 6)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SweepCertificate":
        return cls(d["input_hash"], d["axis"], int(d["n_vectors"]), int(d["dim"]), int(d["k"]), int(d["prime"]),
                   None if d.get("projection_seed") is None else int(d["projection_seed"]),
                   tuple(int(i) for i in d["basis"]), int(d["minors_visited"]),
                   tuple(dict(z) for z in d.get("zero_minors", ())), int(d.get("prefix_len", 1)),
                   bool(d.get("transposed", False)), d.get("backend", ""), float(d.get("seconds", 0.0)))


@dataclasses.dataclass
class SweepOutcome:
    """``status``: ``"complete"`` (``certificate``), ``"dependent"`` (``dependent`` k-subset found, exact)
    or ``"stopped"`` (deadline/interrupt; ``state`` resumes it). ``resume`` (only when a state was
    given): ``"verified: ..."`` (the claimed units were re-run and matched), ``"mismatch: ..."`` (the
    claim is false: discard it; this sweep's own work stands), ``"unchecked: ..."`` (stopped first)."""

    status: str
    k: int
    minors_visited: int
    seconds: float
    certificate: SweepCertificate | None = None
    dependent: list[int] | None = None
    state: SweepState | None = None
    reason: str = ""
    resume: str | None = None


def estimate_seconds(n_vectors: int, k: int, backend: str | None = None) -> float:
    """Estimated seconds of a level-k sweep over ``n_vectors`` vectors (``inf`` if infeasible)."""
    backend = kernel.resolve_backend(backend)
    if not 0 <= k <= n_vectors:
        return 0.0
    a, b = sorted((k, n_vectors - k))
    if a > MAX_TABLE_ROWS:
        return math.inf
    t_madd, t_minor = COST[backend]
    return sweep_work(a, b) * t_madd + math.comb(n_vectors, k) * t_minor


def residues(fam: VectorFamily, k: int, prime: int, seed: int | None) -> np.ndarray:
    """``G = P·M mod p`` (k × N): the vectors mod ``prime``, projected by ``projection(seed, k, dim, prime)``
    (no projection when ``seed is None``, i.e. ``k = dim``); the sweep decides its k×k minors."""
    mt = fam.mod_p(prime).T
    if seed is None:
        return np.ascontiguousarray(mt)
    return matmul_mod(projection(seed, k, fam.dim, prime), mt, prime)


@dataclasses.dataclass
class _Plan:
    basis: list[int]
    nonbasis: list[int]
    D: np.ndarray


def _plan(fam: VectorFamily, k: int, prime: int, seed: int | None, basis: list[int] | None) -> _Plan | list[int] | None:
    """Tableau of the projected residues, or a k-subset that is singular mod p (``list``), or ``None``."""
    g = residues(fam, k, prime, seed)
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


@dataclasses.dataclass
class Prepared:
    """Everything a level-k sweep needs once its plan (prime, projection seed, basis) is fixed.

    The tableau ``D`` (``plan``), the Laplace tables, the residue columns ``Dpm`` the kernel reads
    and the work units of :func:`memproof.kruskal.combinatorics.plan_units` (the shards of a
    distributed sweep are contiguous ranges of them). Picklable: a coordinator ships it to workers.
    """

    fam_hash: str
    k: int
    prime: int
    seed: int | None
    plan: _Plan
    transposed: bool
    a: int
    b: int
    smax: int
    Dpm: np.ndarray | None
    prefixes: np.ndarray | None
    plens: np.ndarray | None
    subtree: np.ndarray | None

    @property
    def units_total(self) -> int:
        return 0 if self.prefixes is None else int(self.prefixes.shape[0])

    @property
    def prefix_len(self) -> int:
        return int(self.plens.max()) if self.units_total else 1

    def tables(self) -> tuple:
        return laplace_tables(self.a, self.smax)  # cached per process

    def unit_minors(self, weighted: bool = False) -> list[int]:
        """Minors each unit visits (a node alone: ``C(a, L)``; a subtree: :func:`subtree_work`);
        ``weighted``: its work, a minor of size s counting ``s + 1``."""
        out = []
        for u in range(self.units_total):
            L = int(self.plens[u])
            out.append(subtree_work(self.a, self.b, L, int(self.prefixes[u, L - 1]), weighted) if self.subtree[u]
                       else math.comb(self.a, L) * (L + 1 if weighted else 1))
        return out

    def subset_of(self, s: int, r: int, cols: list[int]) -> list[int]:
        """The k-subset of vectors whose minor is the ``s × s`` minor (row subset of colex rank ``r``, columns ``cols``) of D."""
        rows = unrank(r, s)
        drop, add = (cols, rows) if self.transposed else (rows, cols)
        out = set(self.plan.basis) - {self.plan.basis[i] for i in drop}
        out |= {self.plan.nonbasis[j] for j in add}
        return sorted(out)


def prepare(fam: VectorFamily, k: int, *, prime: int = SWEEP_PRIMES[0], seed: int = 0,
            basis: list[int] | None = None) -> Prepared | list[int]:
    """Fix the plan of a level-k sweep: a :class:`Prepared`, or an exactly dependent k-subset (``list``).

    Tries ``prime`` with the projection ``seed`` and, on an unlucky projection or prime, three more
    (a real rank drop below k is confirmed exactly and returned). ``basis`` forces the basis (replay).
    """
    use_seed = None if k == fam.dim else seed
    tries = [(prime, use_seed)] + [(p, None if use_seed is None else use_seed + 1 + i) for i, p in enumerate(SWEEP_PRIMES) if p != prime][:3]
    for pr, sd in tries:
        got = _plan(fam, k, pr, sd, basis)
        if isinstance(got, list):
            if not fam.is_independent(got):
                return got
            continue
        if got is not None:
            return _prepared(fam, k, pr, sd, got)
    raise RuntimeError(f"no basis of the level-{k} projection found with {len(tries)} primes/seeds (this should not happen)")


def _prepared(fam: VectorFamily, k: int, prime: int, seed: int | None, plan: _Plan) -> Prepared:
    D = plan.D
    transposed = D.shape[0] > D.shape[1]
    Dt = D.T if transposed else D
    a, b = Dt.shape
    smax = min(a, b)
    if smax > MAX_TABLE_ROWS:
        raise ValueError(f"tableau {a}x{b} too large for an exhaustive sweep")
    if not smax:
        return Prepared(fam.input_hash, k, prime, seed, plan, transposed, a, b, 0, None, None, None, None)
    Dpm = np.ascontiguousarray(np.hstack([Dt.T, (prime - Dt.T) % prime]), dtype=np.int64)  # (b, 2a)
    prefixes, plens, subtree = plan_units(a, b, smax)
    return Prepared(fam.input_hash, k, prime, seed, plan, transposed, a, b, smax, Dpm, prefixes, plens, subtree)


@dataclasses.dataclass
class _Batch:
    status: int
    next_unit: int
    minors: int
    zeros: list[dict]
    dependent: list[int] | None
    in_unit: int

    def skip_after(self, u0: int, skip: int) -> int:
        """Zeros of unit ``next_unit`` already recorded when the next batch starts there: those this batch
        found in it when the zero buffer filled up (``ZERO_STOP``), plus ``skip`` if it restarted at ``u0`` itself."""
        if self.status != kernel.ZERO_STOP:
            return 0
        return (skip if self.next_unit == u0 else 0) + self.in_unit


def _run_batch(fam: VectorFamily, prep: Prepared, u0: int, end: int, skip: int, zbuf: np.ndarray, minors: np.ndarray,
               backend: str) -> _Batch:
    """Units ``u0..end-1`` through the kernel; every zero minor re-checked exactly (spurious or dependent)."""
    ri, sub, toff, nC, moff = prep.tables()
    res = kernel.sweep_units(prep.Dpm, prep.prime, prep.b, prep.smax, ri, sub, toff, nC, moff, prep.prefixes,
                             prep.plens, prep.subtree, u0, end, skip, zbuf, minors, backend=backend)
    status, nxt, cnt, nz = (int(x) for x in res)
    zeros = []
    for row in zbuf[:nz]:
        s, r = int(row[1]), int(row[2])  # row[0] is the work unit
        S = prep.subset_of(s, r, [int(c) for c in row[3:3 + s]])
        if not fam.is_independent(S):
            return _Batch(status, nxt, cnt, zeros, S, 0)
        zeros.append({"subset": S, "resolution": "spurious", "rank": prep.k, "checked": "rank mod 2147483647 or exact"})
    in_unit = sum(1 for row in zbuf[:nz] if int(row[0]) == nxt)  # 0 unless the buffer filled up inside unit nxt
    return _Batch(status, nxt, cnt, zeros, None, in_unit)


def _buffers(prep: Prepared, zero_buffer: int) -> tuple[np.ndarray, np.ndarray]:
    moff = prep.tables()[4] if prep.smax else None
    return (np.zeros((zero_buffer, 3 + max(prep.smax, 1)), dtype=np.int64),
            np.zeros(int(moff[-1]) if prep.smax else 1, dtype=np.int64))


def sweep_range(fam: VectorFamily, prep: Prepared, start: int, end: int, *, backend: str | None = None,
                zero_buffer: int = 256) -> dict[str, Any]:
    """One shard of a sweep: the units ``start..end-1`` of ``prep``, as a JSON-able record.

    The record (``start``, ``end``, ``minors``, ``zeros``, ``dependent``, ``seconds`` and the plan it
    used) is what a worker returns; the coordinator (:mod:`memproof.kruskal.distributed`) treats it as
    evidence and re-checks it before merging.
    """
    backend = kernel.resolve_backend(backend)
    t0 = time.perf_counter()
    zbuf, minors = _buffers(prep, zero_buffer)
    u, skip, count, zeros, dependent = int(start), 0, 0, [], None
    while u < end:
        bt = _run_batch(fam, prep, u, int(end), skip, zbuf, minors, backend)
        zeros += bt.zeros
        count += bt.minors
        if bt.dependent is not None:
            dependent = bt.dependent
            break
        skip, u = bt.skip_after(u, skip), bt.next_unit
    return {"input_hash": fam.input_hash, "k": prep.k, "prime": prep.prime, "seed": prep.seed,
            "basis": list(prep.plan.basis), "start": int(start), "end": int(end), "minors": count, "zeros": zeros,
            "dependent": dependent, "seconds": time.perf_counter() - t0, "backend": backend}


def certificate_of(fam: VectorFamily, prep: Prepared, minors: int, zeros: list[dict], backend: str,
                   seconds: float) -> SweepCertificate:
    """The :class:`SweepCertificate` of a complete sweep of ``prep`` (single-process or merged shards)."""
    return SweepCertificate(fam.input_hash, fam.axis, fam.N, fam.dim, prep.k, prep.prime, prep.seed,
                            tuple(prep.plan.basis), minors, tuple(zeros), prep.prefix_len, prep.transposed,
                            backend, seconds)


def run_sweep(fam: VectorFamily, k: int, *, prime: int = SWEEP_PRIMES[0], seed: int = 0, deadline: float | None = None,
              state: SweepState | Mapping | None = None, on_checkpoint: Callable[[SweepState], None] | None = None,
              checkpoint_every: float = 30.0, progress: bool = False, backend: str | None = None,
              basis: list[int] | None = None, zero_buffer: int = 256) -> SweepOutcome:
    """Sweep level ``k``: prove every k of ``fam``'s vectors independent, or find k dependent ones.

    ``deadline`` is a ``time.perf_counter()`` value; past it the sweep stops after the current batch
    and returns ``status="stopped"`` with a resumable ``state``. ``on_checkpoint(state)`` is called every
    ``checkpoint_every`` seconds and when stopping. ``KeyboardInterrupt`` stops cleanly the same way.

    ``state`` (a :class:`SweepState` or its dict, e.g. read from a checkpoint) is a claim: its plan is
    reused when it is a valid plan for ``fam``, and the units it claims done are re-run and compared
    with it; ``SweepOutcome.resume`` says whether it matched (module docstring).
    """
    backend = kernel.resolve_backend(backend)
    t0 = time.perf_counter()
    if not 1 <= k <= min(fam.N, fam.dim):
        raise ValueError(f"level k={k} outside [1, min(N, dim)]")
    prep, claimed, resume = None, None, None
    if state is not None:
        claimed, resume = _read_claim(fam, k, state)
    if claimed is not None:
        got = _plan(fam, k, claimed.prime, claimed.seed, list(claimed.basis))
        if isinstance(got, _Plan):
            prep = _prepared(fam, k, claimed.prime, claimed.seed, got)
        else:
            claimed, resume = None, "mismatch: the state's basis is not a basis of the projected residues mod its prime"
    # --- plan: tableau mod p (retry on an unlucky projection/prime; a real rank drop is reported)
    if prep is None:
        got = prepare(fam, k, prime=prime, seed=seed, basis=basis)
        if isinstance(got, list):
            return SweepOutcome("dependent", k, 0, time.perf_counter() - t0, dependent=got, reason="rank below k", resume=resume)
        prep = got
    state = SweepState(k, prep.prime, prep.seed, list(prep.plan.basis))  # this run's own work only: a claim is re-derived
    units_total = prep.units_total
    bar = None
    if progress and units_total:
        try:
            from tqdm import tqdm

            bar = tqdm(total=units_total, initial=state.next_unit, desc=f"k={k} sweep", unit="unit", file=sys.stderr)
        except ImportError:  # pragma: no cover
            bar = None
    zbuf, minors = _buffers(prep, zero_buffer)
    batch, last_ckpt = 1, time.perf_counter()
    try:
        if claimed is not None and resume is None:
            resume = _compare_claim(state, claimed)
        while state.next_unit < units_total:
            u0 = state.next_unit
            end = min(units_total, u0 + batch)
            if claimed is not None and resume is None and u0 < claimed.next_unit:
                end = min(end, claimed.next_unit)  # stop at the claimed position to compare
            tb = time.perf_counter()
            bt = _run_batch(fam, prep, u0, end, state.skip, zbuf, minors, backend)
            dt = time.perf_counter() - tb
            state.zeros += bt.zeros
            state.minors += bt.minors
            if bt.dependent is not None:
                S = bt.dependent
                if bar is not None:
                    bar.close()
                if claimed is not None and resume is None:
                    resume = "mismatch: the units the state claims done contain the exactly dependent k-subset " + str(S)
                return SweepOutcome("dependent", k, state.minors, time.perf_counter() - t0, dependent=S, state=state,
                                    reason="zero minor confirmed exactly", resume=resume)
            nxt = bt.next_unit
            state.skip, state.next_unit = bt.skip_after(u0, state.skip), nxt
            state.seconds = time.perf_counter() - t0
            if claimed is not None and resume is None:
                resume = _compare_claim(state, claimed)
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
                return SweepOutcome("stopped", k, state.minors, now - t0, state=state, reason="time budget",
                                    resume=_unchecked(state, claimed, resume))
    except KeyboardInterrupt:
        if on_checkpoint is not None:
            on_checkpoint(state)
        return SweepOutcome("stopped", k, state.minors, time.perf_counter() - t0, state=state, reason="interrupted",
                            resume=_unchecked(state, claimed, resume))
    finally:
        if bar is not None:
            bar.close()
    total = math.comb(fam.N, k)
    if state.minors != total:  # pragma: no cover - an internal consistency check
        raise RuntimeError(f"sweep visited {state.minors} minors, expected C({fam.N}, {k}) = {total}")
    if claimed is not None and resume is None:
        resume = f"mismatch: the state claims unit {claimed.next_unit} (skip {claimed.skip}), the sweep has {units_total} units"
    state.seconds = time.perf_counter() - t0
    cert = certificate_of(fam, prep, state.minors, state.zeros, backend, state.seconds)
    return SweepOutcome("complete", k, state.minors, time.perf_counter() - t0, certificate=cert, state=state, resume=resume)


def _read_claim(fam: VectorFamily, k: int, state: SweepState | Mapping, sharded: bool = False) -> tuple[SweepState | None, str | None]:
    """The claimed state when it is a well-formed level-k plan for ``fam``, else ``(None, "mismatch: ...")``.
    A state of completed shards is a claim only for a sharded sweep (``sharded``)."""
    try:
        st = state if isinstance(state, SweepState) else SweepState.from_dict(state)
    except (KeyError, TypeError, ValueError) as exc:
        return None, f"mismatch: unreadable sweep state ({exc!r})"
    basis = list(st.basis)
    why = (f"level {st.k}, not {k}" if st.k != k else
           f"prime {st.prime} is not a sweep prime" if st.prime not in SWEEP_PRIMES else
           "projection seed inconsistent with k and dim" if (st.seed is None) != (k == fam.dim) else
           "basis is not k distinct vector indices" if len(set(basis)) != k or len(basis) != k or min(basis) < 0 or max(basis) >= fam.N else
           "negative position" if st.next_unit < 0 or st.skip < 0 else
           "shards are those of a sharded (distributed) sweep" if st.shards and not sharded else None)
    return (None, f"mismatch: the state's {why}") if why else (st, None)


def _compare_claim(state: SweepState, claimed: SweepState) -> str | None:
    """Verdict once this run reaches (or passes) the claimed position; ``None`` before."""
    here, there = (state.next_unit, state.skip), (claimed.next_unit, claimed.skip)
    if here < there:
        return None
    if here > there:
        return f"mismatch: the re-run never stopped at the claimed position unit {claimed.next_unit}, skip {claimed.skip}"
    ours, theirs = {tuple(z["subset"]) for z in state.zeros}, {tuple(sorted(int(i) for i in z.get("subset", ()))) for z in claimed.zeros}
    if state.minors != claimed.minors or ours != theirs:
        return (f"mismatch: re-running units 0..{claimed.next_unit} gives {state.minors} minors and {len(ours)} zero minors, "
                f"the state claims {claimed.minors} and {len(theirs)}")
    return f"verified: units 0..{claimed.next_unit} re-run; {state.minors} minors and {len(ours)} zero minors as claimed"


def _unchecked(state: SweepState, claimed: SweepState | None, resume: str | None) -> str | None:
    if claimed is None or resume is not None:
        return resume
    return f"unchecked: stopped at unit {state.next_unit}, before the claimed unit {claimed.next_unit}"

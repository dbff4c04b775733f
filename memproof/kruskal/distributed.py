"""Sharded level-k sweeps on a Dask cluster: shard records are evidence, the merge is the authority.

A level-k sweep (:mod:`memproof.kruskal.sweep`) is split into *shards*: contiguous ranges of its work
units (prefixes of the depth-first tree of column subsets, :func:`memproof.kruskal.combinatorics.plan_units`),
balanced by the number of minors each unit visits. The coordinator fixes the plan (prime,
projection, basis: :func:`~memproof.kruskal.sweep.prepare`), ships it with the family to the workers
once, and each worker sweeps one shard (:func:`~memproof.kruskal.sweep.sweep_range`) and returns its
record. Before merging, the coordinator checks every record (:func:`check_record`):

- it is for this input, this plan and the requested unit range;
- its minor count equals the count the range must visit (computed from the tree, not from the worker);
- every zero minor it reports is a k-subset whose minor is zero mod p and which is exactly independent
  (re-checked here); a reported dependent k-subset is re-checked exactly before the sweep stops.

A record that fails is discarded and its shard re-run in the coordinator's process. The merged record
(minors summed, zero minors in unit order) is the same :class:`~memproof.kruskal.sweep.SweepCertificate`
a single-process sweep produces, and it verifies the same way: by a full replay. A worker could still
*omit* a zero minor — only that replay detects it, which is why the replay, not the merge, is the proof.

Faults: a worker that dies mid-shard loses only that shard; the Dask scheduler re-runs it elsewhere
(the answer does not depend on where a shard ran). A client interrupted (``KeyboardInterrupt``) or out
of time saves the completed shards in the checkpoint (``SweepState.shards``); a rerun reuses the plan
and re-derives the claimed shards like every other (a claim, never trusted: ``SweepOutcome.resume``
says whether the claim matched).

``dask[distributed]`` is optional (``memproof[distributed]``) and imported only here, inside functions.
"""
from __future__ import annotations

import asyncio
import math
import sys
import time
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import InvalidArgumentError
from . import kernel
from .family import VectorFamily
from .modular import SWEEP_PRIMES
from .sweep import (Prepared, SweepOutcome, SweepState, _plan, _prepared, _read_claim, certificate_of, prepare,
                    residues, sweep_range)

#: Default number of shards: independent of the number of workers, so a checkpoint's shards match on a rerun.
SHARDS = 64


def shard_bounds(prep: Prepared, shards: int = SHARDS) -> list[tuple[int, int]]:
    """``shards`` contiguous unit ranges ``[start, end)`` covering all units, of about equal work
    (multiply-adds and reductions, :meth:`~memproof.kruskal.sweep.Prepared.unit_minors` weighted)."""
    if prep.units_total == 0:
        return []
    work = np.cumsum(np.array(prep.unit_minors(weighted=True), dtype=np.float64))
    cuts = np.searchsorted(work, work[-1] * np.arange(1, shards) / shards, side="right")
    edges = sorted({0, prep.units_total, *(int(c) for c in cuts if 0 < c < prep.units_total)})
    return list(zip(edges[:-1], edges[1:]))


def check_record(fam: VectorFamily, prep: Prepared, rec: Mapping[str, Any], start: int, end: int,
                 expected_minors: int, g: np.ndarray) -> tuple[list[str], list[int] | None]:
    """Problems of a worker's shard record (empty: accepted), and its exactly confirmed dependent k-subset.

    ``g`` is the residue matrix of the plan (:func:`memproof.kruskal.sweep.residues`). A record whose
    ``dependent`` subset is exactly dependent is accepted as it stands (the subset alone settles the
    sweep); otherwise the minor count must be ``expected_minors`` and every zero minor must be zero mod
    p and exactly independent.
    """
    from flint import nmod_mat

    k = prep.k
    want = {"input_hash": fam.input_hash, "k": k, "prime": prep.prime, "seed": prep.seed,
            "basis": list(prep.plan.basis), "start": start, "end": end}
    bad = [f"{key} {rec.get(key)!r}, expected {val!r}" for key, val in want.items() if rec.get(key) != val]
    if bad:
        return ["the record is not for this shard: " + "; ".join(bad)], None

    def k_subset(sub: Any) -> list[int] | None:
        try:
            S = sorted(int(i) for i in sub)
        except (TypeError, ValueError):
            return None
        return S if len(S) == k and len(set(S)) == k and S[0] >= 0 and S[-1] < fam.N else None

    if rec.get("dependent") is not None:
        S = k_subset(rec["dependent"])
        if S is not None and not fam.is_independent(S):
            return [], S
        return [f"the reported dependent subset {rec['dependent']!r} is not an exactly dependent k-subset"], None
    out = []
    if rec.get("minors") != expected_minors:
        out.append(f"{rec.get('minors')!r} minors, but units {start}..{end - 1} visit {expected_minors}")
    for z in rec.get("zeros", ()):
        S = k_subset(z.get("subset", ()) if isinstance(z, Mapping) else ())
        if S is None:
            out.append(f"zero-minor record {z!r} is not a k-subset")
        elif nmod_mat(g[:, S].tolist(), prep.prime).det() != 0:
            out.append(f"the recorded zero minor {S} is nonzero mod {prep.prime}")
        elif not fam.is_independent(S):
            return [], S  # a genuine dependency the worker called spurious: settled here, exactly
    return out, None


def _claimed(fam: VectorFamily, k: int, state: SweepState | Mapping | None) -> tuple[SweepState | None, str | None]:
    if state is None:
        return None, None
    claimed, why = _read_claim(fam, k, state, sharded=True)
    if claimed is not None and not claimed.shards:
        return None, "mismatch: the state is a single-process sweep position, not completed shards"
    return claimed, why


def _resume_verdict(claimed: SweepState, ours: dict[tuple[int, int], dict], finished: bool) -> str:
    mism, checked = [], 0
    for c in claimed.shards:
        key = (c.get("start"), c.get("end"))
        if key not in ours:
            if finished:
                mism.append(f"no shard {key} in this run")
            continue
        checked += 1
        mine = ours[key]
        zc = {tuple(sorted(int(i) for i in z.get("subset", ()))) for z in c.get("zeros", ())}
        zm = {tuple(z["subset"]) for z in mine["zeros"]}
        if c.get("minors") != mine["minors"] or zc != zm:
            mism.append(f"shard {key}: re-derived {mine['minors']} minors and {len(zm)} zero minors, "
                        f"claimed {c.get('minors')} and {len(zc)}")
    if mism:
        return "mismatch: " + "; ".join(mism[:3])
    if checked < len(claimed.shards):
        return f"unchecked: {checked} of the {len(claimed.shards)} claimed shards re-derived before stopping"
    return f"verified: the {checked} claimed shards were re-derived; minors and zero minors as claimed"


def run_sharded_sweep(fam: VectorFamily, k: int, client: Any, *, prime: int = SWEEP_PRIMES[0], seed: int = 0,
                      shards: int = SHARDS, deadline: float | None = None, state: SweepState | Mapping | None = None,
                      on_checkpoint: Callable[[SweepState], None] | None = None, checkpoint_every: float = 30.0,
                      progress: bool = False, backend: str | None = None,
                      on_shard: Callable[[int, int], None] | None = None) -> SweepOutcome:
    """:func:`memproof.kruskal.sweep.run_sweep` with the shards run as tasks on the Dask ``client``.

    Same outcome and certificate as the single-process sweep (module docstring). ``deadline``,
    ``KeyboardInterrupt``, ``state`` and ``on_checkpoint`` behave as there, with the completed shards as
    the state. ``on_shard(done, total)`` is called after each shard is merged. Shards still pending
    when it returns or raises are cancelled.
    """
    if isinstance(shards, bool) or not isinstance(shards, (int, np.integer)) or shards < 1:
        raise InvalidArgumentError("shards", repr(shards), "a positive number of shards")
    from distributed import wait

    backend = kernel.resolve_backend(backend)
    t0 = time.perf_counter()
    if not 1 <= k <= min(fam.N, fam.dim):
        raise ValueError(f"level k={k} outside [1, min(N, dim)]")
    claimed, resume = _claimed(fam, k, state)
    prep = None
    if claimed is not None:
        got = _plan(fam, k, claimed.prime, claimed.seed, list(claimed.basis))
        if got is None or isinstance(got, list):
            claimed, resume = None, "mismatch: the state's basis is not a basis of the projected residues mod its prime"
        else:
            prep = _prepared(fam, k, claimed.prime, claimed.seed, got)
    if prep is None:
        got = prepare(fam, k, prime=prime, seed=seed)
        if isinstance(got, list):
            return SweepOutcome("dependent", k, 0, time.perf_counter() - t0, dependent=got, reason="rank below k", resume=resume)
        prep = got
    bounds = shard_bounds(prep, int(shards))
    unit_minors = prep.unit_minors()
    expected = {(s, e): int(sum(unit_minors[s:e])) for s, e in bounds}
    g = residues(fam, k, prep.prime, prep.seed)
    st = SweepState(k, prep.prime, prep.seed, list(prep.plan.basis))
    done: dict[tuple[int, int], dict] = {}

    def snapshot() -> SweepState:
        st.shards = [done[b] for b in bounds if b in done]
        st.minors = 1 + sum(r["minors"] for r in st.shards)
        st.seconds = time.perf_counter() - t0
        return st

    bar = None
    if progress and bounds:
        try:
            from tqdm import tqdm

            bar = tqdm(total=len(bounds), desc=f"k={k} sweep", unit="shard", file=sys.stderr)
        except ImportError:  # pragma: no cover
            bar = None
    fam_f, prep_f = client.scatter([fam, prep], broadcast=True, hash=False)
    futures = {client.submit(sweep_range, fam_f, prep_f, s, e, backend=backend, pure=False,
                             key=f"memproof-shard-{fam.input_hash[-12:]}-{k}-{s}-{e}-{time.time_ns()}"): (s, e)
               for s, e in bounds}
    pending, last_ckpt = set(futures), time.perf_counter()

    def stop(reason: str) -> SweepOutcome:
        snapshot()
        if on_checkpoint is not None:
            on_checkpoint(st)
        return SweepOutcome("stopped", k, st.minors, time.perf_counter() - t0, state=st, reason=reason,
                            resume=_resume_verdict(claimed, done, False) if claimed is not None else resume)

    try:
        while pending:
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                return stop("time budget")
            try:
                finished, rest = wait(list(pending), timeout=min(1.0, left) if left is not None else 1.0,
                                      return_when="FIRST_COMPLETED")
                pending = set(rest)
            except (TimeoutError, asyncio.TimeoutError):
                finished = []
            for fut in finished:
                s, e = futures[fut]
                rec = fut.result()
                probs, dep = check_record(fam, prep, rec, s, e, expected[(s, e)], g)
                if probs:  # evidence that does not check out: the coordinator redoes the shard itself
                    rec = sweep_range(fam, prep, s, e, backend=backend)
                    probs, dep = check_record(fam, prep, rec, s, e, expected[(s, e)], g)
                    if probs:  # pragma: no cover - an internal consistency check
                        raise RuntimeError(f"shard {s}..{e} does not check out when re-run locally: {probs}")
                if dep is not None:
                    snapshot()
                    if claimed is not None:
                        resume = "mismatch: the sweep contains the exactly dependent k-subset " + str(dep)
                    return SweepOutcome("dependent", k, st.minors, time.perf_counter() - t0, dependent=dep, state=st,
                                        reason="zero minor confirmed exactly", resume=resume)
                done[(s, e)] = {"start": s, "end": e, "minors": rec["minors"], "zeros": list(rec["zeros"]),
                                "seconds": rec.get("seconds", 0.0)}
                if bar is not None:
                    bar.update(1)
                if on_shard is not None:
                    on_shard(len(done), len(bounds))
            if on_checkpoint is not None and time.perf_counter() - last_ckpt >= checkpoint_every:
                on_checkpoint(snapshot())
                last_ckpt = time.perf_counter()
    except KeyboardInterrupt:
        return stop("interrupted")
    finally:
        if pending:  # an error, a dependency or a stop: nothing of this sweep keeps running
            client.cancel(list(pending))
        if bar is not None:
            bar.close()
    snapshot()
    total = math.comb(fam.N, k)
    if st.minors != total:  # pragma: no cover - check_record makes every shard's count exact
        raise RuntimeError(f"merged shards visit {st.minors} minors, expected C({fam.N}, {k}) = {total}")
    zeros = [z for r in st.shards for z in r["zeros"]]
    if claimed is not None:
        resume = _resume_verdict(claimed, done, True)
    cert = certificate_of(fam, prep, st.minors, zeros, backend, st.seconds)
    return SweepOutcome("complete", k, st.minors, time.perf_counter() - t0, certificate=cert, state=st, resume=resume)


def worker_count(client: Any) -> int:
    """Workers of the cluster behind ``client`` (at least 1: the cost estimate divides by it)."""
    return max(1, len(client.scheduler_info().get("workers", {})))

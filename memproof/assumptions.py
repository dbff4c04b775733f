"""Assumption checkers A1, A2, A3 (theorem.md §2), decided exactly about the stored numbers.

- **A1** — the queries ``e_1..e_T`` (rows of the (T, d) query matrix) have Kruskal rank ≥ n.
- **A2** — every context ``E_t`` (n × d) has rank n.
- **A3** — the vectors ``x_{t,0} + mean(x_{t,0}, x_{t,1}, ..., x_{t,n})`` — the query plus the mean of the
  whole sequence of n + 1 tokens, ``e_t + (e_t + Σ_i E_t[i]) / (n + 1)`` — have Kruskal rank ≥ n.

Each checker returns a :class:`~memproof.results.Result` certificate (claim ids ``"A1"``, ``"A2"``,
``"A3"``) with level EXACT when decided and scope *instance: the stored float data as exact
rationals*. A violation is REFUTED with a counterexample: for A1/A3 the failing subset of examples
with an exact integer null vector (``Σ x_i v_{S_i} = 0``); for A2 the example's index with an exact
integer left-null vector ``y`` of its context (``yᵀ E_t = 0``). A sweep too large for the budget gives
UNKNOWN with the certified interval and sampling evidence (never PROVED by sampling).

:func:`check_a1_targeted` checks only the subsets the construction (theorem.md §6) uses for a given
partition ``[T] = N_1 ⊔ ... ⊔ N_H`` — cheap at any T.

The proof-graph checkers of the paper's A1–A3 (on the proof's instances) live with the paper, in
``proofs/mahdavi2024/checkers/assumptions.py``.

>>> import numpy as np
>>> from memproof.data import Dataset
>>> ds = Dataset(np.eye(4)[[0, 1, 2, 3, 0]], np.eye(2, 4))   # query 4 repeats query 0
>>> r = check_a1(ds)
>>> r.outcome.value, r.counterexample["subset"], r.counterexample["null_vector"]
('refuted', [0, 4], ['1', '-1'])
>>> check_a2(ds).outcome.value
'proved'
"""
from __future__ import annotations

import hashlib
import time
from typing import Any, Sequence

import numpy as np
from flint import fmpq

from .data import Dataset
from .errors import InvalidArgumentError
from .results import Level, Result, Scope, stopwatch

SCOPE_TEXT = "the stored float data as exact rationals"

A1_STATEMENT = "A1: the queries e_1..e_T have Kruskal rank ≥ n (every n of them are linearly independent)"
A2_STATEMENT = "A2: every context E_t (n × d) has full row rank n"
A3_STATEMENT = ("A3: the vectors e_t + mean(e_t, E_t[1..n]) (query plus the mean of the whole sequence of n+1 tokens) "
                "have Kruskal rank ≥ n")


def _scope(extra: str = "") -> Scope:
    return Scope.instance(SCOPE_TEXT + (f" ({extra})" if extra else ""))


def _kr_result(claim: str, statement: str, kr, n: int, extra: dict | None = None) -> Result:
    """A memproof Result for ``k-rank ≥ n`` from a :class:`~memproof.kruskal.KruskalResult`."""
    ev = {"kruskal": kr.to_dict(), "n": n, **(extra or {})}
    decided = kr.at_least_decided(n)
    if decided is True:
        return Result.proved(claim, statement, Level.EXACT, _scope(), evidence=ev, seconds=kr.seconds)
    if decided is False:
        uc = kr.upper_certificate
        if uc is None:
            ce = {"reason": f"only {kr.n_vectors} vectors, fewer than n = {n}"}
        elif uc.kind == "dimension":
            ce = {"subset": list(uc.indices), "null_vector": None,
                  "reason": f"{len(uc.indices)} vectors in dimension {kr.dim} are always dependent (n > d)"}
        else:
            subset = list(uc.indices)
            pad = [i for i in range(kr.n_vectors) if i not in set(subset)][: max(0, n - len(subset))]
            ce = {"subset": subset, "null_vector": [str(c) for c in uc.null_vector],
                  "meaning": "Σ_i null_vector[i] · v[subset[i]] = 0 exactly (a circuit)",
                  "dependent_n_subset": sorted(subset + pad)}
        return Result.refuted(claim, statement, Level.EXACT, _scope(), ce, evidence=ev, seconds=kr.seconds)
    return Result.unknown(claim, statement,
                          f"not decided within the budget: Kruskal rank in [{kr.lower}, {kr.upper}], need ≥ {n}; "
                          + (kr.sampling.statement if kr.sampling is not None else "no sampling"),
                          _scope(), evidence=ev, seconds=kr.seconds)


# ------------------------------------------------------------------------------------------ A1
def check_a1(ds: Dataset, *, mode: str = "auto", budget: float | None = None, samples: int = 5000,
             seed: int = 0, groups: Sequence[Sequence[int]] | None = None, checkpoint: Any = None,
             progress: bool = False) -> Result:
    """A1 for ``ds``: the rows of ``ds.queries`` have Kruskal rank ≥ n (exhaustive level-n sweep).

    With ``groups`` (a partition ``N_1..N_H`` of the T examples) only the subsets the construction uses
    are checked (:func:`check_a1_targeted`).
    """
    if groups is not None:
        return check_a1_targeted(ds, groups)
    from .kruskal import kruskal_rank

    kr = kruskal_rank(ds.queries, "rows", at_least=ds.n, mode=mode, budget=budget, samples=samples, seed=seed,
                      numerical=False, checkpoint=checkpoint, progress=progress)
    return _kr_result("A1", A1_STATEMENT, kr, ds.n)


def _validate_groups(groups: Sequence[Sequence[int]], T: int) -> list[list[int]]:
    """A partition of range(T) into N_1..N_H with |N_1| ≥ 1 and |N_h| ≤ |N_1| − 1 for h ≥ 2 (later groups
    may be empty when T is below the capacity H(n̄ − 1) + 1)."""
    try:
        gs = [[int(i) for i in g] for g in groups]
    except (TypeError, ValueError):
        raise InvalidArgumentError("groups", repr(groups)[:80], "a list of lists of example indices") from None
    flat = [i for g in gs for i in g]
    if not gs or not gs[0]:
        raise InvalidArgumentError("groups", f"{len(gs)} groups, the first empty", "a non-empty first group N_1")
    if sorted(flat) != list(range(T)):
        raise InvalidArgumentError("groups", f"groups covering {len(set(flat))} distinct of {len(flat)} indices",
                                   f"a partition of range(T) = range({T})")
    nbar = len(gs[0])
    bad = [h for h, g in enumerate(gs[1:], start=2) if len(g) > nbar - 1]
    if bad:
        raise InvalidArgumentError("groups", f"group sizes {[len(g) for g in gs]}",
                                   f"|N_1| = n̄ = {nbar} and |N_h| ≤ n̄ - 1 = {nbar - 1} for h ≥ 2 (theorem.md §6)")
    return gs


def check_a1_targeted(ds: Dataset, groups: Sequence[Sequence[int]]) -> Result:
    """A1 restricted to the subsets the construction uses, for the partition ``groups`` = N_1..N_H.

    Checks (theorem.md §6, L3 and S3b): each group's queries are independent, and for h ≥ 2 every old
    query ``e_t`` (t in N_1 ∪ ... ∪ N_{h-1}) together with the queries of N_h is independent. Each test
    is a rank mod p (a proof of independence) with an exact re-check of every failure.
    """
    from .kruskal.family import VectorFamily
    from .kruskal.modular import SWEEP_PRIMES, matmul_mod, rref_mod

    with stopwatch() as sw:
        gs = _validate_groups(groups, ds.T)
        fam = VectorFamily.from_matrix(ds.queries, "rows")
        p = SWEEP_PRIMES[0]
        V = fam.mod_p(p)
        statement = (f"A1 (targeted): for the partition N_1..N_{len(gs)} (n̄ = {len(gs[0])}) every group's queries and "
                     "every old query with a later group's queries are independent")
        checks = 0
        failure = None
        for h, g in enumerate(gs):
            if not g:
                continue
            checks += 1
            if not fam.is_independent(g):
                failure = {"group": h + 1, "subset": sorted(g)}
                break
            old = [i for gg in gs[:h] for i in gg]
            if not old or not g:
                continue
            R, rk, piv = rref_mod(V[g], p)
            # residual of each old query modulo span(N_h) mod p: v - v[piv] R; when N_h has full rank
            # mod p, a nonzero residual proves {e_t} ∪ N_h independent (mod-p rank |N_h| + 1)
            W = V[old]
            if rk == len(g):
                resid = (W - matmul_mod(W[:, piv], R, p)) % p  # exact: float BLAS in 12-bit halves, p < 2^24
            else:
                resid = np.zeros_like(W)
            checks += len(old)
            for t, row in zip(old, resid):
                if not row.any() and not fam.is_independent([t] + list(g)):
                    failure = {"group": h + 1, "subset": sorted([t] + list(g)), "old_query": t}
                    break
            if failure:
                break
    ev = {"groups": gs, "subsets_checked": checks, "method": "rank mod p with exact re-check of failures"}
    scope = _scope("only the subsets the construction uses for the given partition")
    if failure is None:
        return Result.proved("A1", statement, Level.EXACT, scope, evidence=ev, seconds=sw[0])
    from .kruskal.certificates import CircuitCertificate

    c = CircuitCertificate.find(fam, failure["subset"])
    nv = fam.null_vector(failure["subset"])
    ce = {**failure, "null_vector": [str(x) for x in nv], "circuit": list(c.indices),
          "circuit_null_vector": [str(x) for x in c.null_vector]}
    return Result.refuted("A1", statement, Level.EXACT, scope, ce, evidence=ev, seconds=sw[0])


def require_used_assumptions(ds: Dataset, groups: Sequence[Sequence[int]]) -> dict[str, str]:
    """What the construction needs, exactly: A2 for every context and A1 on the subsets it uses.

    Raises :class:`~memproof.errors.AssumptionViolatedError` with an integer witness — A2: ``example``
    (0 for a shared context, with ``shared_context``), ``rank``, ``left_null_vector``; A1: ``subset``
    (a circuit: minimally dependent queries), ``null_vector`` (aligned with ``subset``) and ``group``
    (h of the group N_h involved, 1-based as in the paper). Returns a summary for the record.
    """
    from .arith import exact
    from .errors import AssumptionViolatedError

    a2 = check_a2(ds)
    if a2.outcome.value == "refuted":
        ce = a2.counterexample
        t = 0 if ds.shared_context else int(ce["example"])
        raise AssumptionViolatedError(
            "A2", f"context of example {t} has rank {exact.rank(ds.context(t))} < n = {ds.n}"
            + (" (shared context)" if ds.shared_context else ""),
            {"example": t, "rank": exact.rank(ds.context(t)), "n": ds.n, "shared_context": ds.shared_context,
             "left_null_vector": [int(fmpq(x).p) for x in ce["left_null_vector"]]})
    a1 = check_a1_targeted(ds, groups)
    if a1.outcome.value == "refuted":
        ce = a1.counterexample
        raise AssumptionViolatedError(
            "A1", f"the queries of examples {ce['circuit']} are linearly dependent (used with group N_{ce['group']})",
            {"subset": list(ce["circuit"]), "null_vector": [int(fmpq(x).p) for x in ce["circuit_null_vector"]],
             "group": ce["group"], "checked_subset": ce["subset"],
             "why": "Σ null_vector[j] · e_{subset[j]} = 0 exactly; the construction needs these ≤ n queries independent"})
    return {"A2": f"exact: {a2.evidence['contexts_checked']} context(s) of rank n",
            "A1": f"exact: {a1.evidence['subsets_checked']} query subsets independent (groups; old query + later group)"}


# ------------------------------------------------------------------------------------------ A2
def check_a2(ds: Dataset) -> Result:
    """A2 for ``ds``: every context has rank n (one check for a shared context)."""
    from .kruskal import kernel
    from .arith.exact import float_mod_p
    from .kruskal.family import VectorFamily
    from .kruskal.modular import det_prime, projection

    with stopwatch() as sw:
        n, d = ds.n, ds.d
        ctx = ds.contexts[None] if ds.shared_context else ds.contexts
        if n > d:
            ce = {"example": 0, "reason": f"n = {n} > d = {d}: no n × d matrix has rank n",
                  "left_null_vector": [str(x) for x in VectorFamily.from_matrix(ctx[0], "rows").null_vector(range(n))]}
            return Result.refuted("A2", A2_STATEMENT, Level.EXACT, _scope(), ce, seconds=0.0)
        p = det_prime(n)
        P = projection(17, d, n, p)
        cm = float_mod_p(ctx, p)  # (m, n, d)
        proj = np.zeros((cm.shape[0], n, n), dtype=np.int64)
        for lo in range(0, d, 1024):  # residues < 2^26: 1024 products add up in int64
            proj = (proj + np.einsum("tnd,dk->tnk", cm[:, :, lo:lo + 1024], P[lo:lo + 1024])) % p
        G = np.ascontiguousarray(proj.transpose(0, 2, 1).reshape(-1, n).T)  # n × (m·n): block t = (E_t P)ᵀ
        subsets = np.arange(G.shape[1], dtype=np.int64).reshape(-1, n)
        ok = kernel.dets_nonzero(G, subsets, p)
        failure = None
        for t in np.flatnonzero(~ok).tolist():
            fam = VectorFamily.from_matrix(ctx[t], "rows")
            y = fam.null_vector(range(n))
            if y is not None:
                failure = {"example": int(t) if not ds.shared_context else "shared context (all t)",
                           "left_null_vector": [str(x) for x in y],
                           "meaning": "Σ_i y[i] · E_t[i] = 0 exactly: rank E_t < n"}
                break
    ev = {"contexts_checked": int(ctx.shape[0]), "shared": ds.shared_context, "prime": p,
          "method": "det of E_t·P mod p (nonzero ⇒ rank n), exact left-null vector otherwise"}
    if failure is None:
        return Result.proved("A2", A2_STATEMENT, Level.EXACT, _scope(), evidence=ev, seconds=sw[0])
    return Result.refuted("A2", A2_STATEMENT, Level.EXACT, _scope(), failure, evidence=ev, seconds=sw[0])


# ------------------------------------------------------------------------------------------ A3
def a3_family(ds: Dataset):
    """The A3 vectors ``e_t + (e_t + Σ_i E_t[i]) / (n + 1)`` as an exact :class:`VectorFamily`."""
    from .arith.exact import float_mod_p
    from .kruskal.family import VectorFamily, matrix_hash

    n = ds.n
    # n and the context layout are part of the input: (T, n, d) contexts and a shared (T·n, d) one
    # flatten to the same rows but give other A3 vectors
    h = hashlib.sha256((f"A3:n={n}:shared={ds.shared_context}:" + matrix_hash(ds.queries, "float") + ":" +
                        matrix_hash(ds.contexts.reshape(-1, ds.d), "float")).encode()).hexdigest()

    def mod_p(p: int) -> np.ndarray:
        q = float_mod_p(ds.queries, p)
        c = float_mod_p(ds.contexts, p)
        s = (c.sum(axis=-2) % p)
        s = np.broadcast_to(s, q.shape) if ds.shared_context else s
        inv = pow(n + 1, -1, p)
        return (q + ((q + s) % p) * inv) % p

    def rows(idx):
        out = []
        for t in idx:
            e = [fmpq(*float(x).as_integer_ratio()) for x in ds.queries[t]]
            E = ds.context(t)
            tot = list(e)
            for row in E:
                tot = [a + fmpq(*float(x).as_integer_ratio()) for a, x in zip(tot, row)]
            out.append([a + b / (n + 1) for a, b in zip(e, tot)])
        return out

    return VectorFamily.from_functions(ds.T, ds.d, "sha256:" + h, mod_p, rows,
                                       description="A3 vectors e_t + mean of the sequence (e_t, E_t)")


def check_a3(ds: Dataset, *, mode: str = "auto", budget: float | None = None, samples: int = 5000,
             seed: int = 0) -> Result:
    """A3 for ``ds``: the A3 vectors (exact rationals) have Kruskal rank ≥ n."""
    from .kruskal import kruskal_rank

    kr = kruskal_rank(a3_family(ds), at_least=ds.n, mode=mode, budget=budget, samples=samples, seed=seed, numerical=False)
    return _kr_result("A3", A3_STATEMENT, kr, ds.n, {"vectors": "e_t + (e_t + Σ_i E_t[i]) / (n+1)"})




__all__ = ["check_a1", "check_a1_targeted", "require_used_assumptions", "check_a2", "check_a3", "a3_family"]

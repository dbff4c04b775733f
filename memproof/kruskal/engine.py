"""``kruskal_rank``: the exact Kruskal rank of the rows or columns of a matrix, or a certified interval.

Pipeline (see ``docs/kruskal.md``):

1. cheap upper bounds — zero vectors, parallel vectors (hashing the vectors normalised mod p), the
   rank mod p, small circuits read off the tableaux of random bases; every bound comes with an exact
   circuit certificate;
2. top-down certification at the bound u: a complete level-u sweep proves k-rank ≥ u (a sweep
   certificate); a genuine zero minor gives a dependent u-subset, shrunk to a circuit, and the bound
   drops;
3. when the sweep is too large for the budget (estimated before starting): the best certified lower
   bound a affordable sweep gives, plus sampling evidence (exactly decided random subsets; dependent
   ones become exact witnesses).

A numerical Kruskal rank at a stated tolerance is computed alongside (labelled empirical) and every
disagreement with the exact answer is reported.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from typing import Any, Mapping

import numpy as np

from ..errors import FloatRangeError, InvalidArgumentError, UndecidedError
from ..results import Level, Result, Scope
from . import kernel
from .certificates import CircuitCertificate, SpotCheck
from .checkpoint import Checkpoint
from .distributed import SHARDS, run_sharded_sweep, worker_count
from .family import VectorFamily, as_family
from .modular import SWEEP_PRIMES, rank_mod, tableau
from .numerical import NumericalKruskal, numerical_kruskal_rank
from .sampling import SamplingEvidence, sample_subsets
from .sweep import SweepCertificate, estimate_seconds, run_sweep

MODES = ("auto", "exact", "sample")
#: In ``mode="auto"`` without a budget, sweeps estimated above this many seconds are not started.
AUTO_SECONDS = 60.0


@dataclasses.dataclass(frozen=True)
class KruskalResult:
    """The Kruskal rank of a family, exactly (``lower == upper``) or as a certified interval.

    ``upper_certificate`` certifies ``k-rank ≤ upper`` (``None`` when ``upper = n_vectors``: no
    family has a larger Kruskal rank); ``lower_certificate`` certifies ``k-rank ≥ lower`` (``None`` for
    ``lower = 0``). ``sampling`` is evidence only; ``numerical`` is empirical (a tolerance).
    """

    lower: int
    upper: int
    axis: str
    n_vectors: int
    dim: int
    input_hash: str
    status: str
    upper_certificate: CircuitCertificate | None
    lower_certificate: SweepCertificate | None
    subsets_checked: int
    seconds: float
    at_least: int | None = None
    estimate: Mapping[str, Any] | None = None
    sampling: SamplingEvidence | None = None
    numerical: NumericalKruskal | None = None
    disagreement: str | None = None
    notes: tuple[str, ...] = ()
    backend: str = ""

    @property
    def exact(self) -> bool:
        """True when the interval pins down the exact Kruskal rank of the given numbers."""
        return self.lower == self.upper

    @property
    def value(self) -> int:
        """The exact Kruskal rank; raises :class:`UndecidedError` for an interval."""
        if not self.exact:
            raise UndecidedError(f"Kruskal rank only known to lie in [{self.lower}, {self.upper}] ({self.status})")
        return self.lower

    @property
    def witness(self) -> list[int] | None:
        """Indices of a dependent set of ``upper + 1`` vectors (``None`` when ``upper = n_vectors``)."""
        return list(self.upper_certificate.indices) if self.upper_certificate is not None else None

    def at_least_decided(self, k: int) -> bool | None:
        """``True``/``False`` when ``k-rank ≥ k`` is decided by the certificates, else ``None``."""
        if self.lower >= k:
            return True
        if self.upper < k:
            return False
        return None

    def verify(self, a: Any, *, mode: str = "replay") -> bool | SpotCheck:
        """Re-check both certificates against ``a`` in exact arithmetic.

        ``mode="replay"`` (default): the circuit's null vector is checked and the sweep certificate is
        replayed in full — ``True`` proves ``lower ≤ k-rank ≤ upper`` (it costs what the sweep cost).
        ``mode="spot"``: the circuit is checked, the sweep only spot-checked; the return value is a
        :class:`~memproof.kruskal.certificates.SpotCheck` (``"rejected"`` or ``"spot-checked"``), never a proof.
        """
        if mode not in ("replay", "spot"):
            raise InvalidArgumentError("mode", repr(mode), "'replay' (a proof) or 'spot' (a spot check, never a proof)")
        fam = as_family(a, self.axis)
        probs = []
        if fam.input_hash != self.input_hash or self.lower > self.upper:
            probs.append("input hash or interval does not match")
        if self.upper_certificate is not None:
            if not (self.upper_certificate.verify(fam) and self.upper_certificate.bound == self.upper):
                probs.append("the upper-bound certificate does not verify")
        elif self.upper != fam.N:
            probs.append(f"upper bound {self.upper} < N = {fam.N} without a certificate")
        lc = self.lower_certificate
        if lc is None:
            if self.lower != 0:
                probs.append(f"lower bound {self.lower} > 0 without a certificate")
            lc_verdict = None
        elif lc.k != self.lower:
            probs.append(f"the sweep certificate is for level {lc.k}, not {self.lower}")
            lc_verdict = None
        else:
            lc_verdict = lc.verify(fam, mode=mode)
        if mode == "replay":
            return not probs and lc_verdict is not False
        if probs or (lc_verdict is not None and lc_verdict.rejected):
            return SpotCheck("rejected", tuple(probs) + (lc_verdict.problems if lc_verdict is not None else ()),
                             lc_verdict.subsets_checked if lc_verdict is not None else 0)
        return SpotCheck("spot-checked", (), lc_verdict.subsets_checked if lc_verdict is not None else 0)

    def to_dict(self) -> dict[str, Any]:
        uc = self.upper_certificate
        return {
            "kruskal_rank_lower": self.lower, "kruskal_rank_upper": self.upper, "exact": self.exact,
            "witness": self.witness, "witness_null_vector": [str(c) for c in uc.null_vector] if uc is not None and uc.null_vector is not None else None,
            "subsets_checked": self.subsets_checked, "seconds": round(self.seconds, 6), "status": self.status,
            "axis": self.axis, "n_vectors": self.n_vectors, "dim": self.dim, "input_hash": self.input_hash,
            "at_least": self.at_least, "estimate": dict(self.estimate) if self.estimate else None,
            "about": "the stored numbers as exact rationals (floats as exact dyadics)",
            "upper_certificate": uc.to_dict() if uc is not None else None,
            "lower_certificate": self.lower_certificate.to_dict() if self.lower_certificate is not None else None,
            "sampling": self.sampling.to_dict() if self.sampling is not None else None,
            "numerical": self.numerical.to_dict() if self.numerical is not None else None,
            "disagreement": self.disagreement, "notes": list(self.notes), "backend": self.backend,
        }

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "KruskalResult":
        return cls(int(d["kruskal_rank_lower"]), int(d["kruskal_rank_upper"]), d["axis"], int(d["n_vectors"]), int(d["dim"]),
                   d["input_hash"], d["status"],
                   CircuitCertificate.from_dict(d["upper_certificate"]) if d.get("upper_certificate") else None,
                   SweepCertificate.from_dict(d["lower_certificate"]) if d.get("lower_certificate") else None,
                   int(d["subsets_checked"]), float(d["seconds"]), d.get("at_least"), d.get("estimate"),
                   SamplingEvidence.from_dict(d["sampling"]) if d.get("sampling") else None,
                   NumericalKruskal.from_dict(d["numerical"]) if d.get("numerical") else None,
                   d.get("disagreement"), tuple(d.get("notes", ())), d.get("backend", ""))

    @classmethod
    def from_json(cls, text: str) -> "KruskalResult":
        return cls.from_dict(json.loads(text))

    def summary(self) -> str:
        head = f"Kruskal rank = {self.lower}" if self.exact else f"Kruskal rank in [{self.lower}, {self.upper}]"
        return f"{head} ({self.status}; {self.n_vectors} vectors of dimension {self.dim}, axis={self.axis})"

    def to_result(self, claim: str = "KR", statement: str | None = None) -> Result:
        """The memproof :class:`~memproof.results.Result` for ``k-rank ≥ at_least`` (or the exact value)."""
        k = self.at_least if self.at_least is not None else self.upper
        statement = statement or f"the {self.n_vectors} vectors ({self.axis}) have Kruskal rank ≥ {k}"
        scope = Scope.instance("the stored float data as exact rationals")
        ev = self.to_dict()
        decided = self.at_least_decided(k)
        if decided is True:
            return Result.proved(claim, statement, Level.EXACT, scope, evidence=ev, seconds=self.seconds)
        if decided is False:
            uc = self.upper_certificate
            ce = {"subset": list(uc.indices), "null_vector": [str(c) for c in uc.null_vector] if uc.null_vector else None,
                  "kind": uc.kind} if uc is not None else {"reason": f"only {self.n_vectors} vectors"}
            return Result.refuted(claim, statement, Level.EXACT, scope, ce, evidence=ev, seconds=self.seconds)
        return Result.unknown(claim, statement, f"Kruskal rank only bounded: [{self.lower}, {self.upper}] ({self.status})",
                              scope, evidence=ev, seconds=self.seconds)


# ------------------------------------------------------------------------------------ cheap bounds
def _zero_vector(fam: VectorFamily, p: int) -> int | None:
    m = fam.mod_p(p)
    for i in np.flatnonzero(~m.any(axis=1)).tolist():
        if all(x == 0 for x in fam.exact_rows([i])[0]):
            return i
    return None


def _parallel_pair(fam: VectorFamily, p: int) -> list[int] | None:
    m = fam.mod_p(p)
    nz = m.any(axis=1)
    idx = np.flatnonzero(nz)
    if idx.size < 2:
        return None
    rows = m[idx]
    first = rows[np.arange(len(idx)), (rows != 0).argmax(axis=1)]
    inv = np.array([pow(int(x), -1, p) for x in first.tolist()], dtype=np.int64)
    normed = (rows * inv[:, None]) % p
    _, inverse, counts = np.unique(normed, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).ravel()
    for g in np.flatnonzero(counts > 1).tolist()[:50]:
        members = idx[inverse == g].tolist()
        for j in members[1:]:
            if fam.null_vector([members[0], j]) is not None:
                return [members[0], j]
    return None


def _rank_circuit(fam: VectorFamily, p: int) -> list[int] | None:
    """A dependent set (basis + one vector) when the rank mod p of all vectors is below min(N, dim), else None."""
    m = fam.mod_p(p)
    if rank_mod(m, p) >= min(fam.N, fam.dim):
        return None
    basis, nonbasis, _, _ = tableau(np.ascontiguousarray(m.T), p)
    for j in nonbasis[:3]:
        S = sorted(basis + [j])
        if fam.null_vector(S) is not None:
            return S
    return None


def _tableau_circuits(fam: VectorFamily, p: int, bases: int, seed: int, below: int) -> list[int] | None:
    """Smallest fundamental circuit of ``bases`` random bases with fewer than ``below + 1`` elements."""
    m = np.ascontiguousarray(fam.mod_p(p).T)
    rng = np.random.default_rng(seed)
    best = None
    for t in range(bases):
        order = np.arange(fam.N) if t == 0 else rng.permutation(fam.N)
        B, Nn, D, r = tableau(m, p, order)
        if not Nn or r == 0:
            return None
        sizes = (D != 0).sum(axis=0) + 1
        for j in np.argsort(sizes, kind="stable")[:5].tolist():
            size = int(sizes[j])
            if size - 1 >= below or (best is not None and size >= len(best)):
                break
            S = sorted([Nn[j]] + [B[i] for i in np.flatnonzero(D[:, j]).tolist()])
            if fam.null_vector(S) is not None:
                best = S
                break
    return best


# ------------------------------------------------------------------------------------ main entry
def kruskal_rank(a: Any, axis: str = "rows", *, mode: str = "auto", at_least: int | None = None,
                 samples: int = 5000, tol: float | None = None, numerical: bool = True,
                 numerical_dtype: Any = np.float64, budget: float | None = None,
                 checkpoint: str | os.PathLike | None = None, seed: int = 0, progress: bool = False,
                 backend: str | None = None, confidence: float = 0.99, client: Any = None,
                 shards: int | None = None) -> KruskalResult:
    """Kruskal rank of the rows (``axis="rows"``) or columns of ``a``, exactly or as a certified interval.

    Parameters
    ----------
    a : array_like or VectorFamily
        The matrix (float64 taken as exact dyadic rationals; int and Fraction entries accepted).
    axis : {"rows", "cols"}
        Which vectors: A1 is about the rows of the (T, d) query matrix.
    mode : {"auto", "exact", "sample"}
        ``exact`` runs the exhaustive sweep whatever its estimated cost (within ``budget``); ``sample``
        never starts a sweep above a second and adds sampling evidence; ``auto`` sweeps when the
        estimate fits the budget (default 60 s) and otherwise behaves like ``sample``.
    at_least : int, optional
        Only decide ``k-rank ≥ at_least`` (A1 asks for ``at_least = n``): the sweep runs at that level.
    samples : int
        Random subsets for the sampling evidence (the paper used 5000).
    tol : float, optional
        Tolerance of the numerical Kruskal rank (absolute, on singular values; default: numpy's rule).
    numerical : bool
        Compute the numerical Kruskal rank (empirical) and report disagreements.
    budget : float, optional
        Seconds for the whole call; a sweep still running stops cleanly and the interval so far returns.
    checkpoint : path, optional
        JSON file: saved every 30 s and when stopping; an existing one for the same input resumes. It is
        re-verified, never trusted (:mod:`memproof.kruskal.checkpoint`): its upper bound is checked
        exactly, its sweep position is re-derived by re-running the units it claims done (so a resumed
        sweep costs what a fresh one costs); a file that does not re-verify is discarded with a
        ``CheckpointWarning`` and the work is redone.
    progress : bool
        Show a tqdm progress bar on stderr (if tqdm is installed): over work units, or over shards.
    client : distributed.Client, optional
        Run the main level-k sweep sharded on this Dask cluster (:mod:`memproof.kruskal.distributed`,
        needs ``memproof[distributed]``): same answer and certificate as in one process; shard records
        are re-checked before they are merged, the certificate verifies by replay. Checkpoints record
        the completed shards.
    shards : int, optional
        Number of shards of a distributed sweep (default 64).

    Returns
    -------
    KruskalResult

    Examples
    --------
    >>> kruskal_rank([[1, 0], [0, 1], [1, 1]]).value
    2
    >>> r = kruskal_rank([[1, 2, 3], [2, 4, 6], [0, 1, 1]])
    >>> r.value, r.witness, r.upper_certificate.null_vector
    (1, [0, 1], (2, -1))
    """
    t0 = time.perf_counter()
    if mode not in MODES:
        raise InvalidArgumentError("mode", repr(mode), "one of 'auto', 'exact', 'sample'")
    if budget is not None and not (isinstance(budget, (int, float)) and budget > 0):
        raise InvalidArgumentError("budget", repr(budget), "a positive number of seconds")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 0:
        raise InvalidArgumentError("samples", repr(samples), "a non-negative integer")
    if tol is not None and not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise InvalidArgumentError("tol", repr(tol), "a finite non-negative tolerance")
    fam = as_family(a, axis)
    if at_least is not None and (isinstance(at_least, bool) or not isinstance(at_least, (int, np.integer)) or at_least < 1):
        raise InvalidArgumentError("at_least", repr(at_least), "a positive integer")
    backend = kernel.resolve_backend(backend)
    if backend == "numba" and budget is not None:
        kernel.warmup()  # compiling (first use on a machine, cold cache) must not eat the time budget
    deadline = time.perf_counter() + budget if budget is not None else None
    p = SWEEP_PRIMES[0]
    notes: list[str] = []
    checked = 0
    N, dim = fam.N, fam.dim
    upper = min(N, dim)
    upper_cert = CircuitCertificate.dimension(fam) if dim < N else None
    lower, lower_cert = 0, None
    status = "interval"
    sampling = None
    estimate: dict[str, Any] | None = None
    ckpt = Checkpoint(checkpoint, fam, at_least)

    def set_upper(S: list[int]) -> None:
        nonlocal upper, upper_cert
        c = CircuitCertificate.find(fam, S)
        if c.bound < upper or upper_cert is None or upper_cert.kind == "dimension" and c.bound <= upper:
            upper, upper_cert = c.bound, c

    # 1. cheap upper bounds -------------------------------------------------------------------
    z = _zero_vector(fam, p)
    if z is not None:
        upper, upper_cert = 0, CircuitCertificate(fam.input_hash, fam.axis, (z,), (1,), "circuit")
    if upper > 1:
        pair = _parallel_pair(fam, p)
        if pair is not None:
            set_upper(pair)
    if upper > 1 and N * dim > 20_000_000:
        notes.append(f"rank mod p and tableau circuits skipped for a {N}x{dim} family (size)")
    elif upper > 1:
        S = _rank_circuit(fam, p)
        if S is not None:
            set_upper(S)
        if upper > 2 and N * dim <= 4_000_000:
            S = _tableau_circuits(fam, p, 4 if N <= 2000 else 1, seed, upper)
            if S is not None:
                set_upper(S)
    if upper_cert is not None and upper_cert.kind == "dimension" and dim <= 64:
        set_upper(list(range(dim + 1)))  # an explicit circuit instead of the dimension argument
    saved = ckpt.load()  # re-verified there: the upper certificate exactly; the sweep state is only a claim
    if saved is not None and saved.get("upper") is not None:
        c = CircuitCertificate.from_dict(saved["upper"])
        if c.bound < upper:
            upper, upper_cert = c.bound, c

    # 2. top-down certification ---------------------------------------------------------------
    def target() -> int:
        return min(upper, at_least) if at_least is not None else upper

    rounds = 0
    while target() >= 1 and rounds < 64:
        rounds += 1
        k = target()
        est = estimate_seconds(N, k, backend)
        estimate = {"level": k, "subsets": math.comb(N, k), "seconds": est, "backend": backend}
        if client is not None:  # the sweep itself is sharded over the cluster's workers
            estimate["workers"] = worker_count(client)
            est = estimate["seconds"] = est / estimate["workers"]
        left = (deadline - time.perf_counter()) if deadline is not None else None
        if mode == "exact":
            go = math.isfinite(est)
            if not go:
                notes.append(f"exhaustive level-{k} sweep infeasible: C({N}, {k}) = {math.comb(N, k):.3e} subsets")
        elif mode == "auto":
            go = est <= (left if left is not None else AUTO_SECONDS)
        else:
            go = est <= 1.0
        if not go:
            notes.append(f"level-{k} sweep not started: estimated {est:.3g} s for C({N}, {k}) = {math.comb(N, k):.4g} subsets")
            break
        if left is not None and est > left and lower < k - 1:
            # the sweep will not finish in the budget: certify a cheap lower level first, so that a
            # budget stop still leaves a certified lower bound
            j = max((j for j in range(1, k) if estimate_seconds(N, j, backend) <= min(0.05 * left, 5.0)), default=0)
            if j > lower:
                pre = run_sweep(fam, j, seed=seed, backend=backend)
                checked += pre.minors_visited
                if pre.status == "complete":
                    lower, lower_cert = j, pre.certificate
                elif pre.status == "dependent":
                    set_upper(pre.dependent)
                    continue
        state = None
        if saved is not None and saved.get("sweep") and int(saved["sweep"]["k"]) == k:
            state = saved["sweep"]
        saved = None
        save = (lambda st, k=k: ckpt.save(upper_cert, st, checked)) if ckpt.path else None
        if client is not None:
            out = run_sharded_sweep(fam, k, client, seed=seed, shards=shards or SHARDS, deadline=deadline, state=state,
                                    progress=progress, backend=backend, on_checkpoint=save)
        else:
            out = run_sweep(fam, k, seed=seed, deadline=deadline, state=state, progress=progress, backend=backend,
                            on_checkpoint=save)
        if out.resume is not None:
            notes.append(f"resumed level-{k} sweep from {checkpoint}: {out.resume}")
            if out.resume.startswith("mismatch"):
                ckpt.warn(f"its level-{k} sweep record does not re-verify ({out.resume})")
        if out.status == "complete":
            checked += out.minors_visited
            lower, lower_cert = k, out.certificate
            status = "exact" if lower == upper else "at_least"
            break
        if out.status == "dependent":
            checked += out.minors_visited
            set_upper(out.dependent)
            ckpt.save(upper_cert, None, checked)
            continue
        checked += out.minors_visited
        status = "interrupted" if out.reason == "interrupted" else "budget"
        notes.append(f"level-{k} sweep stopped ({out.reason}) after {out.minors_visited} of {math.comb(N, k)} subsets"
                     + (f"; resume with checkpoint {checkpoint}" if checkpoint else ""))
        break
    if target() == 0:
        status = "exact"

    # 3. interval: best affordable lower bound + sampling evidence -------------------------------
    if lower < target() and status not in ("interrupted",):
        left = (deadline - time.perf_counter()) if deadline is not None else None
        allow = 1.0 if mode == "sample" else min(AUTO_SECONDS, left / 2 if left is not None else AUTO_SECONDS)
        if status == "budget":
            allow = 0.0
        for _ in range(8):
            j = max((j for j in range(1, target()) if estimate_seconds(N, j, backend) <= allow), default=0)
            if j <= lower:
                break
            out = run_sweep(fam, j, seed=seed, deadline=deadline, backend=backend)
            checked += out.minors_visited
            if out.status == "complete":
                lower, lower_cert = j, out.certificate
                break
            if out.status == "dependent":
                set_upper(out.dependent)
                continue
            break
        if mode != "exact" and samples > 0 and lower < target():
            k = target()
            sampling = sample_subsets(fam, k, samples, seed=seed, confidence=confidence,
                                      numerical=numerical and fam.vectors is not None, tol=tol, numerical_dtype=np.float32)
            checked += sampling.samples
            if sampling.witnesses:
                for w in sampling.witnesses:
                    if w.bound < upper:
                        upper, upper_cert = w.bound, w
        if lower == upper:
            status = "exact"
    # 4. numerical comparison --------------------------------------------------------------------
    num, disagreement = None, None
    if numerical:
        try:
            num = numerical_kruskal_rank(fam, tol=tol, dtype=numerical_dtype, seed=seed)
            disagreement = _disagreement(lower, upper, num)
        except FloatRangeError as exc:
            notes.append(f"numerical comparison skipped: {exc}")
    return KruskalResult(lower, upper, fam.axis, N, dim, fam.input_hash, status, upper_cert, lower_cert, checked,
                         time.perf_counter() - t0, at_least, estimate, sampling, num, disagreement, tuple(notes), backend)


def _disagreement(lower: int, upper: int, num: NumericalKruskal) -> str | None:
    nu = num.kruskal_rank_upper
    nl = num.kruskal_rank if num.kruskal_rank is not None else None
    tol = "default" if num.tol is None else f"{num.tol:g}"
    if nu < lower:
        return (f"exact Kruskal rank ≥ {lower}, but numerically (tol={tol}, {num.dtype}) ≤ {nu}"
                + (f": the subset {num.witness} is exactly independent but numerically deficient" if num.witness else "")
                + f" (numerical rank {num.rank})")
    if nl is not None and nl > upper:
        return f"exact Kruskal rank ≤ {upper}, but numerically (tol={tol}, {num.dtype}) = {nl}: an exact dependency is invisible at this tolerance"
    return None

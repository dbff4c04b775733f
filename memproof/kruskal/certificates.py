"""Certificates of Kruskal-rank bounds and their independent verifiers.

- :class:`CircuitCertificate` — an **upper bound** ``k-rank ≤ |S| - 1``: a set ``S`` of vectors and an
  exact primitive integer null vector ``x`` with ``Σ x_i v_{S_i} = 0``, checked in exact rational
  arithmetic (kind ``"circuit"``: also minimal, i.e. rank ``|S| - 1`` and ``x`` of full support). Kind
  ``"dimension"`` records the trivial bound ``|S| > dim`` without a null vector.
- :class:`SweepCertificate` — a **lower bound** ``k-rank ≥ k``: the replayable record of a complete
  level-k sweep (input hash, axis, k, prime, projection seed, basis, number of minors visited, and
  every minor that was zero mod p with its exact resolution). :meth:`SweepCertificate.verify`
  re-checks the record without re-running the search (spot checks of random k-subsets through an
  independent code path, python-flint determinants), or replays the sweep completely.

Both serialise to JSON (``to_dict`` / ``from_dict``) and verify against the input matrix.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InvalidArgumentError
from .family import VectorFamily, as_family
from .modular import is_prime, projection, rank_mod, matmul_mod

CIRCUIT_FORMAT = "memproof-kruskal-circuit/1"
SWEEP_FORMAT = "memproof-kruskal-sweep/1"


class CertificateError(InvalidArgumentError):
    """A certificate does not verify against the given input."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("certificate", "; ".join(self.problems)[:500], "a certificate that verifies against this input")


def _family(a: Any, axis: str) -> VectorFamily:
    return as_family(a, axis)


@dataclasses.dataclass(frozen=True)
class CircuitCertificate:
    """``k-rank ≤ len(indices) - 1``: the vectors ``indices`` are linearly dependent.

    >>> c = CircuitCertificate.find([[1, 2], [2, 4], [0, 1]], [0, 1], axis="rows")
    >>> c.indices, c.null_vector, c.bound
    ((0, 1), (2, -1), 1)
    >>> c.verify([[1, 2], [2, 4], [0, 1]])
    True
    """

    input_hash: str
    axis: str
    indices: tuple[int, ...]
    null_vector: tuple[int, ...] | None
    kind: str = "circuit"

    @property
    def bound(self) -> int:
        """The upper bound on the Kruskal rank this certifies."""
        return len(self.indices) - 1

    @classmethod
    def find(cls, a: Any, dependent: Sequence[int], axis: str = "rows") -> "CircuitCertificate":
        """Shrink the dependent set ``dependent`` of ``a``'s vectors to a circuit with its null vector."""
        fam = _family(a, axis)
        idx, x = fam.circuit(dependent)
        order = np.argsort(idx)
        return cls(fam.input_hash, fam.axis, tuple(int(idx[i]) for i in order), tuple(int(x[i]) for i in order), "circuit")

    @classmethod
    def dimension(cls, fam: VectorFamily) -> "CircuitCertificate":
        """Any ``dim + 1`` vectors are dependent (no null vector needed)."""
        return cls(fam.input_hash, fam.axis, tuple(range(fam.dim + 1)), None, "dimension")

    def problems(self, a: Any, axis: str | None = None) -> list[str]:
        fam = _family(a, axis or self.axis)
        out = []
        if fam.input_hash != self.input_hash:
            return [f"input hash {fam.input_hash} does not match the certificate's {self.input_hash}"]
        if fam.axis != self.axis:
            out.append(f"axis {fam.axis!r} differs from the certificate's {self.axis!r}")
        idx = list(self.indices)
        if len(set(idx)) != len(idx) or not idx or min(idx) < 0 or max(idx) >= fam.N:
            return out + [f"indices {idx} are not distinct indices in [0, {fam.N})"]
        if self.kind == "dimension":
            if len(idx) <= fam.dim:
                out.append(f"{len(idx)} vectors in dimension {fam.dim} need not be dependent")
            return out
        if self.kind not in ("circuit", "dependent"):
            return out + [f"unknown kind {self.kind!r}"]
        if self.null_vector is None or len(self.null_vector) != len(idx):
            return out + ["null vector missing or of the wrong length"]
        if not fam.check_null_vector(idx, self.null_vector):
            out.append("Σ x_i v_i ≠ 0 in exact arithmetic (or x = 0)")
        elif self.kind == "circuit":
            if not all(int(c) for c in self.null_vector):
                out.append("a circuit's null vector must have full support")
            elif fam.subset_rank(idx) != len(idx) - 1:
                out.append("the set has nullity > 1, so it is not a circuit")
        return out

    def verify(self, a: Any, axis: str | None = None, *, strict: bool = False) -> bool:
        """Whether the certificate holds for ``a`` (exact arithmetic). ``strict`` raises instead."""
        probs = self.problems(a, axis)
        if probs and strict:
            raise CertificateError(probs)
        return not probs

    def to_dict(self) -> dict[str, Any]:
        return {"format": CIRCUIT_FORMAT, "kind": self.kind, "input_hash": self.input_hash, "axis": self.axis,
                "indices": list(self.indices), "bound": self.bound,
                "null_vector": [str(int(c)) for c in self.null_vector] if self.null_vector is not None else None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "CircuitCertificate":
        nv = d.get("null_vector")
        return cls(d["input_hash"], d["axis"], tuple(int(i) for i in d["indices"]),
                   tuple(int(c) for c in nv) if nv is not None else None, d.get("kind", "circuit"))


@dataclasses.dataclass(frozen=True)
class SweepCertificate:
    """``k-rank ≥ k``: a complete level-``k`` sweep of all ``C(N, k)`` k-subsets.

    ``projection_seed`` is ``None`` when no projection was used (``k = dim``); otherwise the k×dim
    projection is :func:`memproof.kruskal.modular.projection` ``(seed, k, dim, prime)``. ``zero_minors``
    lists every k-subset whose minor vanished mod ``prime``, each resolved as exactly independent.
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
        mt = fam.mod_p(self.prime).T
        if self.projection_seed is None:
            return np.ascontiguousarray(mt)
        return matmul_mod(projection(self.projection_seed, self.k, fam.dim, self.prime), mt, self.prime)

    def problems(self, a: Any, axis: str | None = None, *, mode: str = "spot", spot_checks: int = 64,
                 seed: int = 0, backend: str | None = None) -> list[str]:
        from flint import nmod_mat

        fam = _family(a, axis or self.axis)
        if fam.input_hash != self.input_hash:
            return [f"input hash {fam.input_hash} does not match the certificate's {self.input_hash}"]
        out = []
        if fam.axis != self.axis:
            out.append(f"axis {fam.axis!r} differs from the certificate's {self.axis!r}")
        if (fam.N, fam.dim) != (self.n_vectors, self.dim):
            out.append(f"shape (N, dim) = {(fam.N, fam.dim)} differs from {(self.n_vectors, self.dim)}")
        k = self.k
        if not 1 <= k <= min(fam.N, fam.dim):
            return out + [f"k = {k} outside [1, min(N, dim)] = [1, {min(fam.N, fam.dim)}]"]
        if self.minors_visited != math.comb(fam.N, k):
            out.append(f"{self.minors_visited} minors visited, but a complete level-{k} sweep has C({fam.N}, {k}) = {math.comb(fam.N, k)}")
        if not (self.prime > 2 and is_prime(self.prime)) or self.prime >= 2**31:
            return out + [f"{self.prime} is not an odd prime below 2^31"]
        if self.projection_seed is None and k != fam.dim:
            return out + [f"no projection recorded, but k = {k} < dim = {fam.dim}"]
        basis = list(self.basis)
        if len(basis) != k or len(set(basis)) != k or min(basis) < 0 or max(basis) >= fam.N:
            return out + [f"basis {basis[:10]}... is not {k} distinct vector indices"]
        g = self.residues(fam)
        if rank_mod(g[:, basis], self.prime) != k:
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
        if out:
            return out
        rng = np.random.default_rng(seed)
        n_spot = min(spot_checks, math.comb(fam.N, k))
        checks = [tuple(sorted(basis))] + [tuple(sorted(rng.choice(fam.N, k, replace=False).tolist())) for _ in range(n_spot)]
        for sub in checks:
            if nmod_mat(g[:, list(sub)].tolist(), self.prime).det() == 0 and sub not in resolved:
                out.append(f"the k-subset {list(sub)} has a zero minor mod p that the certificate does not resolve")
                break
        if mode == "replay" and not out:
            from .sweep import run_sweep

            again = run_sweep(fam, k, prime=self.prime, seed=self.projection_seed if self.projection_seed is not None else 0,
                              backend=backend, basis=basis)
            if again.status != "complete" or again.certificate is None:
                out.append(f"replay did not complete: {again.status}")
            else:
                c = again.certificate
                if c.minors_visited != self.minors_visited:
                    out.append(f"replay visited {c.minors_visited} minors, the certificate says {self.minors_visited}")
                if {tuple(sorted(z["subset"])) for z in c.zero_minors} != resolved:
                    out.append("replay found a different set of zero minors")
        elif mode not in ("spot", "replay"):
            raise InvalidArgumentError("mode", repr(mode), "'spot' or 'replay'")
        return out

    def verify(self, a: Any, axis: str | None = None, *, mode: str = "spot", spot_checks: int = 64, seed: int = 0,
               strict: bool = False, backend: str | None = None) -> bool:
        """Re-check the record: ``mode="spot"`` (structure, basis, every zero's resolution, random
        k-subsets through python-flint determinants) or ``mode="replay"`` (also rerun the sweep)."""
        probs = self.problems(a, axis, mode=mode, spot_checks=spot_checks, seed=seed, backend=backend)
        if probs and strict:
            raise CertificateError(probs)
        return not probs

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

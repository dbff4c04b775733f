"""Upper-bound certificates of the Kruskal rank, and the verdict types of certificate checks.

- :class:`CircuitCertificate` — an **upper bound** ``k-rank ≤ |S| - 1``: a set ``S`` of vectors and an
  exact primitive integer null vector ``x`` with ``Σ x_i v_{S_i} = 0``, checked in exact rational
  arithmetic (kind ``"circuit"``: also minimal, i.e. rank ``|S| - 1`` and ``x`` of full support). Kind
  ``"dimension"`` records the trivial bound ``|S| > dim`` without a null vector. It serialises to JSON
  (``to_dict`` / ``from_dict``) and verifies against the input matrix.
- :class:`SpotCheck` — the verdict of a *spot check* of a lower-bound (sweep) certificate: never a
  proof (``bool()`` of it raises).
- :class:`CertificateError` — raised by ``verify(..., strict=True)``.

The lower-bound certificate, :class:`memproof.kruskal.sweep.SweepCertificate`, lives with the sweep
it records (its verification replays that sweep).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InvalidArgumentError
from .family import VectorFamily, as_family

CIRCUIT_FORMAT = "memproof-kruskal-circuit/1"


class CertificateError(InvalidArgumentError):
    """A certificate does not verify against the given input."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("certificate", "; ".join(self.problems)[:500], "a certificate that verifies against this input")


def _family(a: Any, axis: str) -> VectorFamily:
    return as_family(a, axis)


@dataclasses.dataclass(frozen=True)
class SpotCheck:
    """The verdict of spot-checking a sweep certificate: ``"spot-checked"`` or ``"rejected"`` — never "proved".

    A spot check re-checks the record's structure, the basis, every recorded zero's resolution and
    ``subsets_checked`` random k-subsets; a certificate that passes may still be forged (an omitted
    zero minor among the unchecked subsets). Only a full replay (``verify(mode="replay")``, the
    default) proves ``k-rank ≥ k``. ``bool(spot_check)`` raises so that it cannot be used as a proof.
    """

    status: str
    problems: tuple[str, ...]
    subsets_checked: int
    reason: str = "spot-checked only: random k-subsets re-checked, the sweep was not replayed (not a proof)"

    @property
    def rejected(self) -> bool:
        """True when a problem was found (a rejection is conclusive; a pass is not)."""
        return self.status == "rejected"

    def __bool__(self) -> bool:
        raise TypeError("a spot check is not a proof: read .status ('spot-checked' or 'rejected') or .rejected; "
                        "verify(a) (full replay) decides whether the certificate holds")


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

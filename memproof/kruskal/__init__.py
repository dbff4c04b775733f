"""Kruskal rank (A1 of the theorem): exact, certified, and honest about floats.

The Kruskal rank of a family of vectors is the largest k such that every k of them are linearly
independent. memproof computes it *about the exact numbers given* (a float64 is an exact dyadic
rational), with certificates:

- upper bounds: a dependent set with an exact integer null vector, shrunk to a circuit
  (:class:`CircuitCertificate`);
- lower bounds: a replayable record of a complete level-k sweep (:class:`SweepCertificate`), verified
  by replaying it (``verify``); a spot check (``spot_check``) is a :class:`SpotCheck`, never a proof;
- at scale: a certified interval plus sampling evidence (:class:`SamplingEvidence`, never a k-rank);
- separately, the numerical Kruskal rank at a tolerance (:class:`NumericalKruskal`, empirical).

>>> kruskal_rank([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]).value
3

Modules: ``family`` (input, axis, exact views), ``modular`` (primes, projections, tableau mod p),
``combinatorics`` (colex tables, work units), ``kernel`` (numba/numpy kernels), ``certificates``
(circuits, spot-check verdicts), ``sweep`` (the level-k sweep and its certificate), ``checkpoint``
(re-verified checkpoints), ``distributed`` (sweeps sharded over a Dask cluster, shard records
re-checked before the merge), ``sampling``, ``numerical``, ``engine`` (:func:`kruskal_rank`), ``cli``
(the ``memproof kruskal`` subcommand).
"""
from __future__ import annotations

from .certificates import CertificateError, CircuitCertificate, SpotCheck
from .checkpoint import CheckpointWarning
from .engine import KruskalResult, kruskal_rank
from .family import VectorFamily, parse_axis
from .numerical import NumericalKruskal, numerical_kruskal_rank
from .sampling import SamplingEvidence, clopper_pearson_upper, paper_statistic, sample_subsets
from .sweep import SWEEP_FORMAT, SweepCertificate, SweepOutcome, estimate_seconds, run_sweep


def certify_at_least(a, k: int, axis: str = "rows", **kw) -> KruskalResult:
    """Decide ``k-rank ≥ k`` only (one sweep at level k): ``kruskal_rank(a, axis, at_least=k, ...)``."""
    return kruskal_rank(a, axis, at_least=k, **kw)


def verify_certificate(a, cert, axis: str | None = None, **kw) -> bool | SpotCheck:
    """Verify a circuit or sweep certificate (object or its JSON dict) against ``a``.

    A sweep certificate is replayed in full (``mode="replay"``, the default: a bool that proves the
    bound); ``mode="spot"`` returns a :class:`SpotCheck` (``"spot-checked"`` or ``"rejected"``), never a proof.
    """
    if isinstance(cert, dict):
        cert = SweepCertificate.from_dict(cert) if cert.get("format") == SWEEP_FORMAT else CircuitCertificate.from_dict(cert)
    return cert.verify(a, axis, **kw)


__all__ = [
    "CertificateError", "CircuitCertificate", "SweepCertificate", "SpotCheck", "CheckpointWarning", "KruskalResult", "kruskal_rank",
    "VectorFamily", "parse_axis", "NumericalKruskal", "numerical_kruskal_rank", "SamplingEvidence",
    "clopper_pearson_upper", "sample_subsets", "paper_statistic", "SweepOutcome", "estimate_seconds", "run_sweep",
    "certify_at_least", "verify_certificate",
]

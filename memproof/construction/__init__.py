"""The construction of Theorem 1 (theorem.md §6) and its checker.

- :func:`construct_memorizing_mha` — S1–S8: an MHA layer that memorizes a dataset, with a per-head
  trace of the choices and margins (float64). The construction itself is written once against the
  array API standard (:mod:`.backend`) and also runs with torch on CPU or CUDA
  (:func:`memproof.torchpath.construct_memorizing_mha_torch`).
- :func:`check_memorizes` — the paired checker: rigorous (arb) certificate that the real-number
  feature matrix of given weights has rank T (so an exact readout exists, L1/L2), plus the empirical
  interpolation error of the stored readout.
"""
from __future__ import annotations

from .certify import check_memorizes, feature_enclosure
from .construct import construct_memorizing_mha
from .partition import capacity, partition_examples
from .trace import HeadTrace, MemorizingMHA, NumericalConstructionError

__all__ = [
    "construct_memorizing_mha",
    "check_memorizes",
    "feature_enclosure",
    "partition_examples",
    "capacity",
    "HeadTrace",
    "MemorizingMHA",
    "NumericalConstructionError",
]

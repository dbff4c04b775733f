"""Sinusoidal positional encodings (Vaswani et al.), as used by the paper's experiments (E1).

Row ``t`` is ``[sin(t/10000^{2i/d}), cos(t/10000^{2i/d})]`` interleaved over ``i < d/2``. These vectors
are exactly of full rank as float64 rationals but numerically rank deficient for large T — one of
theorem.md §7's examples of float arithmetic lying about rank.

>>> sinusoidal_encoding(3, 4)[1].round(4).tolist()
[0.8415, 0.5403, 0.01, 1.0]
"""
from __future__ import annotations

import numpy as np

from .validation import positive_int


def sinusoidal_encoding(T: int, d: int, base: float = 10000.0) -> np.ndarray:
    """(T, d) float64 encodings of positions 0..T−1 (d even; an odd d drops the last cosine)."""
    T, d = positive_int(T, "T"), positive_int(d, "d")
    pos = np.arange(T)[:, None]
    freq = base ** (2 * np.arange((d + 1) // 2)[None, :] / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos / freq)
    pe[:, 1::2] = np.cos(pos / freq)[:, : d // 2]
    return pe

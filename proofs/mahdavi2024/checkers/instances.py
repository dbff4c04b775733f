"""The proof's instances: datasets at full capacity, the construction on each, and the arb
enclosure of its real-number feature matrix Z — shared by the assumption and step checkers."""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
from flint import arb_mat

from memproof.blueprint.context import CheckContext
from memproof.construction.certify import feature_enclosure
from memproof.construction.construct import construct_memorizing_mha
from memproof.construction.partition import capacity
from memproof.construction.trace import MemorizingMHA

PREC = 106


@dataclasses.dataclass(frozen=True, eq=False)
class Instance:
    """One constructed instance: sizes, data, the construction and the enclosure of its Z."""

    label: str
    n: int
    d: int
    heads: int
    d_h: int
    queries: np.ndarray
    contexts: np.ndarray
    labels: np.ndarray
    built: MemorizingMHA
    Z_ball: arb_mat

    def block(self, rows: list[int], heads: range) -> arb_mat:
        """Sub-enclosure: the given rows of Z and the columns of the given heads."""
        cols = [h * self.d + j for h in heads for j in range(self.d)]
        return arb_mat([[self.Z_ball[t, c] for c in cols] for t in rows])

    def context(self, t: int) -> np.ndarray:
        return self.contexts if self.contexts.ndim == 2 else self.contexts[t]


_SIZES_QUICK = [(3, 5, 3, 3, True, 1), (4, 6, 3, 2, False, 3)]
_SIZES = _SIZES_QUICK + [(5, 10, 4, 5, False, 1), (4, 7, 4, 4, True, 2), (6, 9, 3, 3, True, 1)]


def constructed_instances(ctx: CheckContext) -> tuple[Instance, ...]:
    """The proof's instances for ``ctx`` (seed, size preset); the time to build them is charged to
    the shared work "construct and enclose the proof's instances", not to the claim that asks first."""
    with ctx.costs.shared("construct and enclose the proof's instances (A1–A3, S1–S8, P1, T1)"):
        return _build_instances(ctx.seed, ctx.quick)


@functools.lru_cache(maxsize=4)
def _build_instances(seed: int, quick: bool) -> tuple[Instance, ...]:
    """Deterministic instances (n, d, H, d_h, shared, d_o) at full capacity, built and enclosed once."""
    rng = np.random.default_rng([seed, 4242])
    out = []
    for n, d, H, d_h, shared, d_o in (_SIZES_QUICK if quick else _SIZES):
        T = capacity(H, min(n, d_h))
        Q = rng.normal(size=(T, d))
        C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
        Y = rng.normal(size=(T, d_o))
        built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=int(rng.integers(2**31)))
        label = f"n={n}, d={d}, H={H}, d_h={d_h}, {'shared' if shared else 'distinct'} contexts, T={T}"
        out.append(Instance(label, n, d, H, d_h, Q, C, Y, built, feature_enclosure(built.weights, Q, C, prec=PREC)))
    return tuple(out)

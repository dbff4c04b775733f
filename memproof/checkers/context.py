"""What the proof-graph runner hands every claim checker.

A claim checker is a function ``check(ctx: CheckContext) -> Result`` named in the proof blueprint
(``checker: memproof.checkers.lemmas:check_L3``). It must be deterministic given ``ctx.seed``.
"""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class CheckContext:
    """Seed, size preset and premises' results for one claim check.

    Attributes
    ----------
    seed : int
        Master seed; ``rng(tag)`` derives an independent generator per purpose.
    quick : bool
        Use the small instance sizes (tests); the default run uses the standard sizes.
    premises : dict
        Results of the claims this claim uses (already established), by claim id.
    """

    seed: int = 0
    quick: bool = False
    premises: dict = dataclasses.field(default_factory=dict)

    def rng(self, tag: str) -> np.random.Generator:
        """Independent generator for ``tag`` (stable across runs and claim order)."""
        key = [self.seed] + [ord(ch) for ch in tag]
        return np.random.default_rng(key)

"""What the proof-graph runner hands every claim checker.

A claim checker is a function ``check(ctx: CheckContext) -> Result`` declared in its proof's registry
(:mod:`memproof.blueprint.declare`) and named in the blueprint (``checker: check_L3``). It must be
deterministic given ``ctx.seed``.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


class SharedCosts:
    """Time spent on work that several claims share (e.g. building the proof's instances).

    A checker wraps such work in ``with ctx.costs.shared("what"):``; the runner charges that time to
    the shared work, listed apart in the report, not to whichever claim happened to run it first.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.in_current_claim = 0.0

    @contextmanager
    def shared(self, what: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[what] = self.seconds.get(what, 0.0) + spent
            self.in_current_claim += spent


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
    costs : SharedCosts
        Where time spent on shared work is recorded (one object for the whole run).
    """

    seed: int = 0
    quick: bool = False
    premises: dict = dataclasses.field(default_factory=dict)
    costs: SharedCosts = dataclasses.field(default_factory=SharedCosts)

    def rng(self, tag: str) -> np.random.Generator:
        """Independent generator for ``tag`` (stable across runs and claim order)."""
        key = [self.seed] + [ord(ch) for ch in tag]
        return np.random.default_rng(key)

"""memproof: check proofs of machine-learning theory as blueprints, with exact and rigorous numerics.

First subject: Mahdavi, Liao & Thrampoulidis, "Memorization Capacity of Multi-Head Attention in
Transformers" (ICLR 2024). See ``docs/`` and ``proofs/mahdavi2024/blueprint.md``.

Importing memproof is cheap: sympy, z3 and torch are imported only where used.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    AssumptionViolatedError,
    InvalidArgumentError,
    MemproofError,
    OutOfRangeError,
    ProofGraphError,
    UndecidedError,
)
from .results import Level, Outcome, Result, Scope, ScopeKind  # noqa: E402

__all__ = [
    "__version__",
    "AssumptionViolatedError",
    "InvalidArgumentError",
    "MemproofError",
    "OutOfRangeError",
    "ProofGraphError",
    "UndecidedError",
    "Level",
    "Outcome",
    "Result",
    "Scope",
    "ScopeKind",
]

"""The exception hierarchy of memproof.

Every error says what was passed, what was expected and, where possible, what to try next.

- :class:`InvalidArgumentError` — an argument of the wrong shape, type or value (NaN/inf, empty ...).
- :class:`AssumptionViolatedError` — data violates an assumption of the theorem (A1, A2, ...);
  carries the assumption's id and a *witness* (e.g. the dependent subset of queries).
- :class:`OutOfRangeError` — a request outside the theorem's range (e.g. more examples than
  ``H(n̄ - 1) + 1``).
- :class:`UndecidedError` — asking for the truth of a result that is neither proved nor refuted.
- :class:`ProofGraphError` — a malformed proof blueprint (cycle, dangling id, bad checker path).
"""
from __future__ import annotations

from typing import Any


class MemproofError(Exception):
    """Base class of every error memproof raises on purpose."""


class InvalidArgumentError(MemproofError, ValueError):
    """An argument does not have the expected type, shape or value.

    Parameters
    ----------
    name : str
        The argument's name.
    passed : str
        What was passed (a short description: shape, dtype, offending value).
    expected : str
        What was expected.
    hint : str, optional
        What to try next.
    """

    def __init__(self, name: str, passed: str, expected: str, hint: str | None = None):
        self.name, self.passed, self.expected, self.hint = name, passed, expected, hint
        msg = f"invalid argument {name!r}: got {passed}; expected {expected}"
        if hint:
            msg += f". {hint}"
        super().__init__(msg)


class FloatRangeError(InvalidArgumentError):
    """An exact value has no float64 counterpart (its magnitude exceeds ≈ 1.8·10³⁰⁸)."""


class AssumptionViolatedError(MemproofError, ValueError):
    """The data violates an assumption of the theorem; ``witness`` shows where.

    Parameters
    ----------
    assumption : str
        The assumption's claim id (``"A1"``, ``"A2"``, ``"A3"``) or a lemma premise
        (``"L3: independent queries"``).
    message : str
        Human-readable description of the violation.
    witness : dict
        JSON-serialisable data locating the violation (indices of a dependent subset, an exact null
        vector, the example whose context is rank deficient, ...).
    """

    def __init__(self, assumption: str, message: str, witness: dict[str, Any] | None = None):
        self.assumption, self.witness = assumption, dict(witness or {})
        text = f"assumption {assumption} violated: {message}"
        if self.witness:
            shown = ", ".join(f"{k}={v!r}" for k, v in list(self.witness.items())[:4])
            text += f" (witness: {shown})"
        super().__init__(text)


class OutOfRangeError(MemproofError, ValueError):
    """The request lies outside the range the theorem covers."""

    def __init__(self, claim: str, message: str):
        self.claim = claim
        super().__init__(f"outside the range of {claim}: {message}")


class UndecidedError(MemproofError):
    """The truth value of an undecided result (unknown / skipped / error) was requested."""


class ProofGraphError(MemproofError):
    """The proof blueprint is malformed (cycle, dangling id, unknown checker)."""

"""P3 — ReLU comparison: a 2-layer ReLU network x ↦ W₂ relu(W₁x + b₁) + b₂ with m hidden units and
d_out outputs, whose inputs span only an n-dimensional subspace, memorizes arbitrary labels only if
T ≤ (n+1)m/d_out + (m+1) (effective parameter count). With equal Θ(Hd²) budgets both this bound and
Theorem 1 give O(Hd) when n = Θ(d).

Checked as a parameter count: on inputs x = P y (P ∈ R^{d×n}) only W₁P (m×n) acts, so the effective
parameters are mn + m + d_out·m + d_out; arbitrary labels need T·d_out of them (symbolic identity).
The budget comparison is a sympy limit. proof-graph checker: ``proofs/mahdavi2024/checkers/p3_relu_comparison.py``.
"""
from __future__ import annotations

from fractions import Fraction

from ..lemmas.common import refuted_or_proved
from ..results import Level, Result, Scope


def effective_parameters(n: int, m: int, d_out: int) -> int:
    """mn + m + d_out m + d_out: W₁ restricted to the input subspace, b₁, W₂, b₂."""
    return m * n + m + d_out * m + d_out


def relu_memorization_bound(n: int, m: int, d_out: int) -> Fraction:
    """(n+1)m/d_out + (m+1), exactly.

    >>> relu_memorization_bound(3, 10, 4)
    Fraction(21, 1)
    """
    return Fraction((n + 1) * m, d_out) + m + 1


def check_relu_bound(n: int, m: int, d_out: int, *, bound: Fraction | int | None = None) -> Result:
    """Exactly compare a claimed bound (default P3's) with effective parameters / d_out."""
    derived = Fraction(effective_parameters(n, m, d_out), d_out)
    claimed = relu_memorization_bound(n, m, d_out) if bound is None else Fraction(bound)
    return refuted_or_proved("P3", f"bound {float(claimed):g} = effective parameters / d_out", claimed == derived, Level.EXACT,
                             Scope.instance(f"n={n}, m={m}, d_out={d_out}"),
                             {"effective_parameters": effective_parameters(n, m, d_out), "claimed": str(claimed), "derived": str(derived)})



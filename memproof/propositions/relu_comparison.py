"""P3 — ReLU comparison: a 2-layer ReLU network x ↦ W₂ relu(W₁x + b₁) + b₂ with m hidden units and
d_out outputs, whose inputs span only an n-dimensional subspace, memorizes arbitrary labels only if
T ≤ (n+1)m/d_out + (m+1) (effective parameter count). With equal Θ(Hd²) budgets both this bound and
Theorem 1 give O(Hd) when n = Θ(d).

Checked as a parameter count: on inputs x = P y (P ∈ R^{d×n}) only W₁P (m×n) acts, so the effective
parameters are mn + m + d_out·m + d_out; arbitrary labels need T·d_out of them (symbolic identity).
The budget comparison is a sympy limit. Proof-graph checker :func:`check_P3`.
"""
from __future__ import annotations

from fractions import Fraction

from ..checkers.context import CheckContext
from ..lemmas.common import corroborate, refuted_or_proved, symbolic_identity
from ..model import AttentionSpec
from ..results import Level, Result, Scope

STATEMENT = "ReLU net with m hidden units, d_out outputs, inputs in an n-dim subspace: T ≤ (n+1)m/d_out + (m+1)"


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


def check_P3(ctx: CheckContext) -> Result:
    """Symbolic identity of the count (universal), the O(Hd) comparison at equal budgets (sympy
    limit, universal in H), exact instances against the attention model's parameter count."""
    import sympy as sp

    n, m, do, H, d = sp.symbols("n m d_out H d", positive=True)
    count = symbolic_identity("P3", "(mn + m + d_out·m + d_out)/d_out = (n+1)m/d_out + (m+1)",
                              (m * n + m + do * m + do) / do, (n + 1) * m / do + (m + 1), Scope.universal("all n, m, d_out"))
    # Equal budgets: 4Hd² attention parameters (d_h = d_v = d_o = d) spent on a ReLU net with n = d,
    # d_out = d: m = (4Hd² − d)/(2d + 1); the ReLU bound over H·d tends to a constant (O(Hd)).
    m_budget = (4 * H * d**2 - d) / (2 * d + 1)
    ratio = sp.limit(((d + 1) * m_budget / d + m_budget + 1) / (H * d), d, sp.oo)
    budget = refuted_or_proved("P3", "equal Θ(Hd²) budgets, n = d_out = d: ReLU bound / (Hd) → 4 (O(Hd))", ratio == 4,
                               Level.SYMBOLIC, Scope.universal("all H, as d → ∞"), {"limit": str(ratio)})
    instances = []
    for H_, d_ in ((1, 4), (4, 16), (8, 64)):
        spec = AttentionSpec(n=d_ - 1, d=d_, heads=H_)
        m_ = (spec.param_count - d_) // (2 * d_ + 1)
        instances.append(check_relu_bound(d_, m_, d_))
    return Result.combine("P3", STATEMENT, [count, budget.as_corroboration(),
                                            corroborate("P3", "exact bounds at attention-sized budgets", instances)])

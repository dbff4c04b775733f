"""P3 — ReLU comparison: the proof-graph checker (theorem.md; engine: :mod:`memproof.propositions.relu_comparison`)."""
from __future__ import annotations

from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import corroborate, refuted_or_proved, symbolic_identity
from memproof.model import AttentionSpec
from memproof.propositions.relu_comparison import check_relu_bound
from memproof.results import Level, Result, Scope

P3 = declare("P3", uses=(), statement="""
A 2-layer ReLU network with m hidden units and d_out outputs whose inputs span an n-dimensional
subspace memorizes arbitrary labels only if T ≤ (n+1)m/d_out + (m+1).
""")


def check_P3(ctx: CheckContext) -> Result:
    """Not established: the checked parts are steps — the symbolic identity of the count
    (universal), the O(Hd) comparison at equal budgets (sympy limit, universal in H), exact bounds at
    the attention model's parameter counts — none of which shows the memorization bound itself."""
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
    steps = [count.as_step(), budget.as_step(), corroborate("P3", "exact bounds at attention-sized budgets", instances).as_step()]
    return P3.not_established(
        "only steps are checked (the parameter-count identity, the budget comparison, exact bounds); that memorizing "
        "arbitrary labels needs T·d_out ≤ the effective parameter count is not checked by any part", steps)


P3.checker(check_P3)

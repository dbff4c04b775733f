"""P3 — ReLU comparison: the proof-graph checker (theorem.md; engine: :mod:`memproof.propositions.relu_comparison`)."""
from __future__ import annotations

from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import corroborate, refuted_or_proved, symbolic_identity
from memproof.model import AttentionSpec
from memproof.propositions.relu_comparison import check_relu_bound, unreachable_labels
from memproof.results import Level, Result, Scope

P3 = declare("P3", uses=(), statement="""
Over any real (ordered) field F (ℚ, ℝ; ReLU needs the order): let B ∈ F^{d×n} and U ∈ F^{n×T}, so that
the T inputs x_t = B u_t (u_t the columns of U) lie in an n-dimensional subspace, and let
x ↦ W₂ relu(W₁x + b₁) + b₂ (relu(z) = max(z, 0) entrywise) be the 2-layer ReLU network with m hidden
units and d_out outputs (W₁ ∈ F^{m×d}, b₁ ∈ F^m, W₂ ∈ F^{d_out×m}, b₂ ∈ F^{d_out}). If it memorizes
arbitrary labels — for every label matrix Y ∈ F^{d_out×T} some W₁, b₁, W₂, b₂ map x_t to y_t (column t
of Y) for every t — then T·d_out ≤ (n+1)m + (m+1)d_out, and, for d_out ≥ 1, T ≤ (n+1)m/d_out + (m+1).
""",
    coq="Memproof.Mahdavi2024.ReluComparison.P3_relu_memorization",
    coq_sha256="8d79d1ef63d1fdc3697d18bb3e36b3845dbc494941fdc80f7700ba4bec99917a")

#: Sizes with T·d_out > p = (n+1)m + (m+1)d_out, as (u_t rows, y_t rows, m): labels alternating in t on
#: increasing inputs, which a network with few kinks cannot follow.
_UNREACHABLE = (
    ([[t] for t in range(1, 6)], [[t % 2] for t in range(5)], 1),             # n=1, m=1, d_out=1, T=5 > p=4
    ([[t] for t in range(1, 5)], [[t % 2, 0] for t in range(4)], 1),          # d_out=2: T·d_out=8 > p=6
    ([[t, t * t] for t in range(1, 7)], [[t % 2] for t in range(6)], 1),      # n=2: T=6 > p=5
    ([[t] for t in range(1, 9)], [[t % 2] for t in range(8)], 2),             # m=2: T=8 > p=7
)


def check_P3(ctx: CheckContext) -> Result:
    """P3's own checks: corroboration under the Coq lemma ``ReluComparison.P3_relu_memorization``, the
    claim's level without Coq. z3 decides the claim itself at small sizes with T·d_out > p (a label
    matrix no parameter value reaches: SMT, instance scope); the symbolic identity of the count
    (universal), the O(Hd) comparison at equal budgets (sympy limit, universal in H) and exact bounds at
    the attention model's parameter counts corroborate."""
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
    decided = [unreachable_labels(U, Y, m_) for U, Y, m_ in _UNREACHABLE[:3 if ctx.quick else None]]
    return P3.combine([
        corroborate("P3", "z3: an unreachable label matrix at small sizes with T·d_out > p", decided).replace(role="proof"),
        count.as_corroboration(),
        budget.as_corroboration(),
        corroborate("P3", "exact bounds at attention-sized budgets", instances),
    ])


P3.checker(check_P3)

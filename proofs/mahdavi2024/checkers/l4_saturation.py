"""L4 — Softmax saturation: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.saturation`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from memproof.arith.smt import exp_abstraction, exp_monotonicity, prove_forall
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import corroborate, smt_result, symbolic_identity
from memproof.lemmas.saturation import check_saturation_bound, check_saturation_limit
from memproof.results import Level, Result, Scope

L4 = declare("L4", uses=(), statement="""
Let n ≥ 1, g, b ∈ R^n, i* < n, c ≥ 0, and γ, β ∈ R with g_{i*} − g_i ≥ γ for every i ≠ i* and
|b_i| ≤ β for every i (for instance γ the gap of a unique maximum and β = ‖b‖_∞). Then
‖softmax(c g + b) − e_{i*}‖₁ ≤ 2(n−1) exp(−(cγ − 2β)), and if moreover |x_{i,k}| ≤ X for every token i and
coordinate k, every coordinate of the attention output Σ_i softmax(c g + b)_i x_i differs from that of
x_{i*} by at most X · 2(n−1) exp(−(cγ − 2β)). So with γ > 0 the output converges to the token x_{i*} at that
rate; with ties the limit depends on b.
""",
    coq="Memproof.Mahdavi2024.Saturation.L4_softmax_saturation",
    coq_sha256="b2739a7363cd8bb0044d703645a60e8781aa7960e067f4df97db0f1b987f081f")


def _exponent_bound(z3: Any):
    c, gi, gs, bi, bs, gamma, beta = z3.Reals("c g_i g_istar b_i b_istar gamma beta")
    hyps = [c >= 0, gamma > 0, gs - gi >= gamma, -beta <= bi, bi <= beta, -beta <= bs, bs <= beta]
    goal = (c * gi + bi) - (c * gs + bs) <= -(c * gamma - 2 * beta)
    return [c, gi, gs, bi, bs, gamma, beta], hyps, goal


def l1_bound_query(constant: float = 2.0):
    """SMT query builder: Q ≤ (n−1)B, s_{i*} = 1/(1+Q), Σ_{i≠i*} s_i = Q/(1+Q) ⇒ ‖s − e_{i*}‖₁ ≤ constant·(n−1)B.

    True for constant = 2 (all n ≥ 2, Q, B > 0); z3 refutes smaller constants with a model."""

    def build(z3: Any):
        Q, B, s_star, s_rest = z3.Reals("Q B s_istar s_rest")
        n_int = z3.Int("n")
        n = z3.ToReal(n_int)
        hyps = [n_int >= 2, B > 0, Q > 0, Q <= (n - 1) * B, s_star * (1 + Q) == 1, s_rest * (1 + Q) == Q]
        goal = (1 - s_star) + s_rest <= z3.RealVal(str(constant)) * (n - 1) * B
        return [n_int, Q, B, s_star, s_rest], hyps, goal

    return build


def _chain_for(n: int):
    """Whole chain for fixed n with exp abstracted: per-coordinate exponents, q_i = exp(t_i)."""

    def build(z3: Any):
        c, gamma, beta = z3.Reals("c gamma beta")
        g = [z3.Real(f"g_{i}") for i in range(n)]
        b = [z3.Real(f"b_{i}") for i in range(n)]
        hyps = [c >= 0, gamma > 0] + [z3.And(-beta <= bi, bi <= beta) for bi in b]
        hyps += [g[0] - gi >= gamma for gi in g[1:]]
        t_bound = -(c * gamma - 2 * beta)
        B, facts = exp_abstraction(z3, t_bound, "B")
        pairs = [(t_bound, B)]
        qs = []
        for i in range(1, n):
            t = (c * g[i] + b[i]) - (c * g[0] + b[0])
            q, f = exp_abstraction(z3, t, f"q_{i}")
            qs.append(q)
            facts += f
            pairs.append((t, q))
        hyps += facts + exp_monotonicity(z3, pairs)
        Q = z3.Sum(qs)
        goal = 2 * Q / (1 + Q) <= 2 * (n - 1) * B
        return [c, gamma, beta, *g, *b], hyps, goal

    return build


def _limit_part() -> Result:
    import sympy as sp

    from memproof.arith.symbolic import limit_at_infinity

    c, gamma = sp.symbols("c gamma", positive=True)
    b1, b2, b3 = sp.symbols("b1 b2 b3", real=True)
    x = [c * gamma + b1, b2, -c * gamma + b3]  # g = (γ, 0, −γ): unique max, gap γ
    s1 = sp.exp(x[0]) / sum(sp.exp(xi) for xi in x)
    lim = limit_at_infinity(s1, c)
    res = symbolic_identity("L4", "lim_{c→∞} softmax(c(γ, 0, −γ) + b)_1 = 1 for all γ > 0, b ∈ R³", lim, sp.Integer(1),
                            Scope.box("n = 3, all γ > 0 and b"))
    return res.replace(evidence={**res.evidence, "expression": str(s1)})


def _instances(rng: np.random.Generator, count: int) -> list[Result]:
    out = []
    for _ in range(count):
        n = int(rng.integers(2, 9))
        g = rng.normal(size=n)
        b = rng.normal(size=n) * float(rng.choice([0.1, 1.0, 3.0]))
        c = float(rng.choice([0.0, 0.5, 5.0, 50.0, 1e3, 1e6]))
        out.append(check_saturation_bound(g, b, c))
    return out


def check_L4(ctx: CheckContext) -> Result:
    """Proof-graph checker of L4: the whole chain per n with exp abstracted (SMT, box of n); its two
    universal SMT steps; a sympy limit, rigorous instances (incl. c = 1e6) and the tie behaviour."""
    rng = ctx.rng("L4")
    # Steps: universal, but the link between them (Q ≤ (n−1)B from the per-coordinate bound through
    # exp's monotonicity) is checked only by the per-n chains, so the claim's scope is their box.
    parts = [
        smt_result("L4", "exponent bound x_i − x_{i*} ≤ −(cγ − 2β)", prove_forall(_exponent_bound),
                    Scope.universal("all n, g, b, c ≥ 0")).as_step(),
        smt_result("L4", "Q ≤ (n−1)B ⇒ ‖s − e_{i*}‖₁ = 2Q/(1+Q) ≤ 2(n−1)B", prove_forall(l1_bound_query()),
                    Scope.universal("all n ≥ 2, Q, B > 0")).as_step(),
    ]
    sizes = (2, 3) if ctx.quick else (2, 3, 4, 5)
    chains = [smt_result("L4", f"whole chain, n = {n}, exp abstracted", prove_forall(_chain_for(n), sat_refutes=False),
                          Scope.box(f"n = {n}")) for n in sizes]
    whole = corroborate("L4", "whole chain per n with exp abstracted (SMT)", chains)
    parts.append(whole.replace(role="proof", scope=Scope.box(f"n ∈ {{{', '.join(map(str, sizes))}}}, all g, b, c ≥ 0 "
                                                             "(exp abstracted by monotone positive variables)")))
    parts.append(_limit_part().as_corroboration())
    parts.append(corroborate("L4", "rigorous ball checks of the bound at random (g, b, c)", _instances(rng, 6 if ctx.quick else 30)))
    tie = check_saturation_limit(np.array([1.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    tie_part = Result.proved("L4", "with a tie the limit depends on b (limit claim refuted at g = (1, 1, 0), b = (0, 1, 0))",
                             Level.RIGOROUS, Scope.instance("g = (1, 1, 0)"), evidence=dict(tie.counterexample or {})) \
        if tie.outcome.value == "refuted" else tie
    parts.append(tie_part.as_corroboration())
    return L4.combine(parts)


L4.checker(check_L4)

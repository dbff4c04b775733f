"""L4 — softmax saturation: if g ∈ R^n has a unique maximum at i* with gap γ > 0 and b ∈ R^n, then
for c ≥ 0: ‖softmax(c g + b) − e_{i*}‖₁ ≤ 2(n−1) exp(−(cγ − 2‖b‖_∞)). With ties the limit depends on b.

Proof, as checked (SMT, universal; exp abstracted by positive variables and monotonicity):

1. exponent bound: x_i − x_{i*} ≤ −(cγ − 2β) for x = c g + b, β = ‖b‖_∞ (polynomial arithmetic);
2. with q_i = exp(x_i − x_{i*}) ≤ B = exp(−(cγ − 2β)) (exp is increasing) and Q = Σ_{i≠i*} q_i ≤ (n−1)B:
   s_{i*} = 1/(1+Q), Σ_{i≠i*} s_i = Q/(1+Q), so ‖s − e_{i*}‖₁ = 2Q/(1+Q) ≤ 2Q ≤ 2(n−1)B.

Instance checkers: :func:`check_saturation_bound` (rigorous, arb balls) and
:func:`check_saturation_limit` (refutes the limit claim on ties); proof-graph checker :func:`check_L4`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import arb

from ..arith.rigorous import arb_lower_float, ball_softmax, to_arb, working_precision
from ..arith.smt import exp_abstraction, exp_monotonicity, prove_forall
from ..checkers.context import CheckContext
from ..errors import InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array
from .common import corroborate, symbolic_identity

STATEMENT = "unique max of g at i* with gap γ > 0, c ≥ 0 ⇒ ‖softmax(cg + b) − e_{i*}‖₁ ≤ 2(n−1)exp(−(cγ − 2‖b‖_∞))"
PREC = 128


def _gap(g: np.ndarray) -> tuple[int, float, list[int]]:
    top = float(g.max())
    maximizers = [int(i) for i in np.flatnonzero(g == top)]
    rest = g[g < top]
    return maximizers[0], (top - float(rest.max())) if rest.size else np.inf, maximizers


def check_saturation_bound(g: Any, b: Any, c: float, *, constant: float = 2.0) -> Result:
    """Rigorously check ‖softmax(cg + b) − e_{i*}‖₁ ≤ constant·(n−1)·exp(−(cγ − 2‖b‖_∞)) at one (g, b, c).

    Inputs are taken at their exact float values; both sides are enclosed in arb balls. Proved if
    the left ball lies below the right one, refuted if it lies above (a counterexample to the bound
    with that constant), unknown if the balls overlap.
    """
    g = as_float_array(g, "g", 1)
    b = as_float_array(b, "b", 1)
    if b.shape != g.shape:
        raise InvalidArgumentError("b", f"shape {b.shape}", f"shape {g.shape} like g")
    if not (np.isfinite(c) and c >= 0):
        raise InvalidArgumentError("c", repr(c), "a finite c ≥ 0")
    i_star, gamma, maximizers = _gap(g)
    if len(maximizers) > 1:
        raise InvalidArgumentError("g", f"a tie between entries {maximizers}", "a unique maximum (use check_saturation_limit for ties)")
    n = g.size
    with working_precision(PREC):
        x = [to_arb(c) * to_arb(gi) + to_arb(bi) for gi, bi in zip(g, b)]
        # Σ_i s_i = 1, so ‖s − e_{i*}‖₁ = 2 Σ_{i≠i*} s_i = 2Q/(1+Q), Q = Σ_{i≠i*} exp(x_i − x_{i*}):
        # this form keeps relative accuracy when the distance is e^{-10^6}.
        Q = sum(((xi - x[i_star]).exp() for i, xi in enumerate(x) if i != i_star), arb(0))
        lhs = 2 * Q / (1 + Q)
        beta = to_arb(float(np.abs(b).max()))
        gap = to_arb(float(gamma)) if n > 1 else arb(0)
        rhs = to_arb(constant) * (n - 1) * (-(to_arb(c) * gap - 2 * beta)).exp()
    evidence = {"n": n, "c": c, "gamma": gamma, "beta": float(np.abs(b).max()), "constant": constant,
                "lhs_ball": lhs.str(radius=True), "rhs_ball": rhs.str(radius=True), "prec_bits": PREC}
    scope = Scope.instance("the exact real softmax at the stored (g, b, c)")
    stmt = f"‖softmax(cg+b) − e_i*‖₁ ≤ {constant}(n−1)exp(−(cγ−2β))"
    if lhs < rhs or (n == 1 and lhs <= rhs):
        with working_precision(PREC):
            slack = arb_lower_float(1 - lhs / rhs) if n > 1 else 1.0
        return Result.proved("L4", stmt, Level.RIGOROUS, scope, evidence=evidence, margins={"relative_slack": slack})
    if lhs > rhs:
        return Result.refuted("L4", stmt, Level.RIGOROUS, scope, counterexample={"g": g.tolist(), "b": b.tolist(), "c": c, **evidence}, evidence=evidence)
    return Result.unknown("L4", stmt, f"balls overlap at {PREC} bits", scope, evidence=evidence)


def check_saturation_limit(g: Any, b: Any) -> Result:
    """Decide whether softmax(cg + b) → e_{i*} as c → ∞ (i* = first maximizer of g).

    With a unique maximum the limit is e_{i*} (proved via the L4 bound, whose right side → 0). With
    a tie among the maximizers I the limit is softmax(b_I) on I, at ℓ1-distance 2(1 − softmax(b_I)_{i*})
    > 0 from e_{i*}: refuted, with that distance enclosed rigorously.
    """
    g, b = as_float_array(g, "g", 1), as_float_array(b, "b", 1)
    i_star, gamma, maximizers = _gap(g)
    scope = Scope.instance("the exact real limit c → ∞ at the stored (g, b)")
    stmt = "softmax(cg + b) → e_{i*} as c → ∞"
    if len(maximizers) == 1:
        return Result.proved("L4", stmt, Level.RIGOROUS, scope,
                             evidence={"i_star": i_star, "gamma": gamma, "why": "unique maximum: the L4 bound → 0"})
    with working_precision(PREC):
        limit = ball_softmax([b[i] for i in maximizers])
        distance = 2 * (1 - limit[0])
    cex = {"g": g.tolist(), "b": b.tolist(), "maximizers": maximizers,
           "limit_on_maximizers": [p.str(radius=True) for p in limit],
           "l1_distance_lower_bound": arb_lower_float(distance)}
    return Result.refuted("L4", stmt, Level.RIGOROUS, scope, counterexample=cex, evidence=cex)


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


def _smt_result(statement: str, outcome: Any, scope: Scope) -> Result:
    evidence = outcome.to_evidence()
    if outcome.proved:
        return Result.proved("L4", statement, Level.SMT, scope, evidence=evidence, seconds=outcome.seconds)
    if outcome.status == "refuted":
        return Result.refuted("L4", statement, Level.SMT, scope, counterexample=dict(outcome.model or {}), evidence=evidence)
    return Result.unknown("L4", statement, outcome.reason, scope, evidence=evidence)


def _limit_part() -> Result:
    import sympy as sp

    from ..arith.symbolic import limit_at_infinity

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
    """Proof-graph checker of L4: SMT chain (universal), per-n SMT chains with exp abstracted,
    a sympy limit, rigorous instances (incl. c = 1e6) and the tie behaviour."""
    rng = ctx.rng("L4")
    parts = [
        _smt_result("exponent bound x_i − x_{i*} ≤ −(cγ − 2β)", prove_forall(_exponent_bound), Scope.universal("all n, g, b, c ≥ 0")),
        _smt_result("Q ≤ (n−1)B ⇒ ‖s − e_{i*}‖₁ = 2Q/(1+Q) ≤ 2(n−1)B", prove_forall(l1_bound_query()), Scope.universal("all n ≥ 2, Q, B > 0")),
    ]
    chains = [_smt_result(f"whole chain, n = {n}, exp abstracted", prove_forall(_chain_for(n), sat_refutes=False),
                          Scope.box(f"n = {n}")) for n in ((2, 3) if ctx.quick else (2, 3, 4, 5))]
    parts.append(corroborate("L4", "whole chain per n with exp abstracted (SMT)", chains))
    parts.append(_limit_part().as_corroboration())
    parts.append(corroborate("L4", "rigorous ball checks of the bound at random (g, b, c)", _instances(rng, 6 if ctx.quick else 30)))
    tie = check_saturation_limit(np.array([1.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    tie_part = Result.proved("L4", "with a tie the limit depends on b (limit claim refuted at g = (1, 1, 0), b = (0, 1, 0))",
                             Level.RIGOROUS, Scope.instance("g = (1, 1, 0)"), evidence=dict(tie.counterexample or {})) \
        if tie.outcome.value == "refuted" else tie
    parts.append(tie_part.as_corroboration())
    return Result.combine("L4", STATEMENT, parts)

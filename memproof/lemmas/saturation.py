"""L4 — softmax saturation: if g ∈ R^n has a unique maximum at i* with gap γ > 0 and b ∈ R^n, then
for c ≥ 0: ‖softmax(c g + b) − e_{i*}‖₁ ≤ 2(n−1) exp(−(cγ − 2‖b‖_∞)). With ties the limit depends on b.

Proof, as checked (SMT, universal; exp abstracted by positive variables and monotonicity):

1. exponent bound: x_i − x_{i*} ≤ −(cγ − 2β) for x = c g + b, β = ‖b‖_∞ (polynomial arithmetic);
2. with q_i = exp(x_i − x_{i*}) ≤ B = exp(−(cγ − 2β)) (exp is increasing) and Q = Σ_{i≠i*} q_i ≤ (n−1)B:
   s_{i*} = 1/(1+Q), Σ_{i≠i*} s_i = Q/(1+Q), so ‖s − e_{i*}‖₁ = 2Q/(1+Q) ≤ 2Q ≤ 2(n−1)B.

Instance checkers: :func:`check_saturation_bound` (rigorous, arb balls) and
:func:`check_saturation_limit` (refutes the limit claim on ties); proof-graph checker: ``proofs/mahdavi2024/checkers/l4_saturation.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import arb, fmpq

from ..arith.rigorous import arb_lower_float, ball_softmax, to_arb, working_precision
from ..errors import InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array

PREC = 128


def _gap(g: np.ndarray) -> tuple[int, fmpq | None, list[int]]:
    """(i*, γ, maximizers) decided exactly on the stored floats: a tie is two equal floats (float
    comparison is exact), and γ = g_{i*} − max_{i≠i*} g_i is the exact rational difference
    (``None`` when n = 1). A float subtraction would round γ (e.g. 1e16+2 − (−1e16) → 2e16)."""
    top = float(g.max())
    maximizers = [int(i) for i in np.flatnonzero(g == top)]
    rest = g[g < top]
    gamma = fmpq(*top.as_integer_ratio()) - fmpq(*float(rest.max()).as_integer_ratio()) if rest.size else None
    return maximizers[0], gamma, maximizers


def _float_or_inf(q: fmpq | None) -> float:
    """Display value of an exact rational (evidence only, never used to decide)."""
    return float("inf") if q is None else float(arb(q).mid())


def check_saturation_bound(g: Any, b: Any, c: float, *, constant: float = 2.0) -> Result:
    """Rigorously check ‖softmax(cg + b) − e_{i*}‖₁ ≤ constant·(n−1)·exp(−(cγ − 2‖b‖_∞)) at one (g, b, c).

    Inputs are taken at their exact float values; γ and β = ‖b‖_∞ are exact rationals of those
    values (never float differences), and both sides are enclosed in arb balls. Proved if
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
        beta = to_arb(float(np.abs(b).max()))  # |b_i| and the maximum of floats are exact
        gap = arb(gamma) if gamma is not None else arb(0)  # exact rational, enclosed at PREC bits
        rhs = to_arb(constant) * (n - 1) * (-(to_arb(c) * gap - 2 * beta)).exp()
    evidence = {"n": n, "c": c, "gamma": _float_or_inf(gamma), "gamma_exact": str(gamma), "beta": float(np.abs(b).max()), "constant": constant,
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
                             evidence={"i_star": i_star, "gamma": _float_or_inf(gamma), "why": "unique maximum: the L4 bound → 0"})
    with working_precision(PREC):
        limit = ball_softmax([b[i] for i in maximizers])
        distance = 2 * (1 - limit[0])
    cex = {"g": g.tolist(), "b": b.tolist(), "maximizers": maximizers,
           "limit_on_maximizers": [p.str(radius=True) for p in limit],
           "l1_distance_lower_bound": arb_lower_float(distance)}
    return Result.refuted("L4", stmt, Level.RIGOROUS, scope, counterexample=cex, evidence=cex)



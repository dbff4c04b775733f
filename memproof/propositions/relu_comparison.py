"""P3 — ReLU comparison: a 2-layer ReLU network x ↦ W₂ relu(W₁x + b₁) + b₂ with m hidden units and
d_out outputs, whose inputs span only an n-dimensional subspace, memorizes arbitrary labels only if
T ≤ (n+1)m/d_out + (m+1) (effective parameter count). With equal Θ(Hd²) budgets both this bound and
Theorem 1 give O(Hd) when n = Θ(d).

Checked as a parameter count: on inputs x = P y (P ∈ R^{d×n}) only W₁P (m×n) acts, so the effective
parameters are mn + m + d_out·m + d_out; arbitrary labels need T·d_out of them (symbolic identity).
The budget comparison is a sympy limit. At small sizes with T·d_out > p the claim itself is decided by
z3 (:func:`unreachable_labels`: one label matrix that no parameter value reaches); for all sizes it is
the Coq lemma ``ReluComparison.P3_relu_memorization``. proof-graph checker: ``proofs/mahdavi2024/checkers/p3_relu_comparison.py``.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from fractions import Fraction

from ..errors import InvalidArgumentError
from ..lemmas.common import refuted_or_proved, smt_result
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


def unreachable_labels(U: Sequence[Sequence[int]], Y: Sequence[Sequence[int]], m: int, *,
                       timeout_ms: int = 20000) -> Result:
    """P3 at one instance, by SMT: no ReLU network reaches the labels ``Y`` on the inputs ``U``.

    The T inputs are x_t = B u_t (u_t = row t of ``U``, n coordinates, any B ∈ R^{d×n}); the network
    x ↦ W₂ relu(W₁x + b₁) + b₂ has m hidden units and d_out = len(Y[0]) outputs. On these inputs only
    W = W₁B (m×n) acts, and W ranges over a subset of R^{m×n}, so z3 deciding
    ``∃ W, b₁, W₂, b₂ ∀t: W₂ relu(W u_t + b₁) + b₂ = y_t`` unsatisfiable (nonlinear real arithmetic,
    relu as ``If(z > 0, z, 0)``: exact, no abstraction) proves that no network reaches Y. With
    T·d_out > p = (n+1)m + (m+1)d_out this is P3 at that instance (not every label matrix is
    memorized); a satisfying model refutes it with the parameters that reach Y.

    Raises
    ------
    InvalidArgumentError
        When ``U`` and ``Y`` are not T×n and T×d_out integer tables with T ≥ 1, n ≥ 1, d_out ≥ 1,
        or when T·d_out ≤ p (then P3's conclusion holds outright and the instance says nothing).
    """
    from ..arith.smt import prove_forall

    T, n, d_out = len(U), len(U[0]) if U else 0, len(Y[0]) if Y else 0
    if not (T >= 1 and n >= 1 and d_out >= 1 and len(Y) == T and all(len(r) == n for r in U)
            and all(len(r) == d_out for r in Y)):
        raise InvalidArgumentError("U, Y", f"{T} input rows, {len(Y)} label rows", "T×n inputs and T×d_out labels, T, n, d_out ≥ 1")
    bad = next((x for row in (*U, *Y) for x in row if isinstance(x, bool) or not isinstance(x, numbers.Integral)), None)
    if bad is not None:
        raise InvalidArgumentError("U, Y", repr(bad), "integer entries (they enter z3 exactly)")
    p = effective_parameters(n, m, d_out)
    if T * d_out <= p:
        raise InvalidArgumentError("T", T, f"T·d_out > p = {p} (n={n}, m={m}, d_out={d_out})")

    def build(z3):
        W = [[z3.Real(f"W_{j}_{i}") for i in range(n)] for j in range(m)]
        b1 = [z3.Real(f"b1_{j}") for j in range(m)]
        W2 = [[z3.Real(f"W2_{k}_{j}") for j in range(m)] for k in range(d_out)]
        b2 = [z3.Real(f"b2_{k}") for k in range(d_out)]
        reached = []
        for u, y in zip(U, Y):
            pre = [z3.Sum([W[j][i] * int(u[i]) for i in range(n)] + [b1[j]]) for j in range(m)]
            hidden = [z3.If(z > 0, z, z3.RealVal(0)) for z in pre]
            reached += [z3.Sum([W2[k][j] * hidden[j] for j in range(m)] + [b2[k]]) == int(y[k]) for k in range(d_out)]
        variables = [*(w for row in W for w in row), *b1, *(w for row in W2 for w in row), *b2]
        return variables, reached, z3.BoolVal(False)

    statement = (f"P3 at n={n}, m={m}, d_out={d_out}, T={T} (T·d_out = {T * d_out} > p = {p}): "
                 f"no ReLU network reaches the labels {[list(map(int, y)) for y in Y]} on u_t = {[list(map(int, u)) for u in U]}")
    return smt_result("P3", statement, prove_forall(build, timeout_ms=timeout_ms),
                      Scope.instance(f"n={n}, m={m}, d_out={d_out}, T={T}, every B"))

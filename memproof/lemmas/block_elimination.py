"""L6 — block elimination: for F = [[U, A], [V, C]] with U of full row rank r and G = V U⁺,
rank F ≥ r + rank(C − G A).

Proof (checked symbolically): with W = V − G U one has W U⁺ = V U⁺ − V U⁺ (U U⁺) = 0 because
U U⁺ = I_r. Row operations give rank F = rank [[U, A], [W, C − G A]]. If xᵀ[U, A] + yᵀ[W, C − GA] = 0
then multiplying the first block by U⁺ gives xᵀ = 0, so yᵀ(C − GA) = 0: the r rows of [U, A] and any
rank(C − GA) independent rows of [W, C − GA] are independent together.

Checker :func:`check_block_elimination` (exact, one instance); proof-graph checker: ``proofs/mahdavi2024/checkers/l6_block_elimination.py``.
"""
from __future__ import annotations

from typing import Any

from flint import fmpq_mat

from ..arith import exact
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from .common import EXACT_SCOPE, refuted_or_proved


def check_block_elimination(U: Any, A: Any, V: Any, C: Any, *, G: Any = None, extra: int = 0) -> Result:
    """Exactly check rank F ≥ r + rank(C − G A) + ``extra`` on one instance.

    ``G`` defaults to V U⁺ (the lemma's choice); passing another G, or ``extra`` > 0, tests a variant of
    the claim that can be false — the checker then refutes it with the exact ranks.
    Raises :class:`AssumptionViolatedError` when U is not of full row rank (witness: left null vector).
    """
    u, a, v, c = (exact.to_fmpq_mat(x, name) for x, name in ((U, "U"), (A, "A"), (V, "V"), (C, "C")))
    if u.nrows() != a.nrows() or v.nrows() != c.nrows() or u.ncols() != v.ncols() or a.ncols() != c.ncols():
        raise InvalidArgumentError("blocks", f"U {u.nrows()}x{u.ncols()}, A {a.nrows()}x{a.ncols()}, "
                                   f"V {v.nrows()}x{v.ncols()}, C {c.nrows()}x{c.ncols()}",
                                   "U, A with equal rows; V, C with equal rows; U, V and A, C with equal columns")
    r = u.nrows()
    if u.rank() < r:
        raise AssumptionViolatedError("L6: U has full row rank", f"rank U = {u.rank()} < r = {r}",
                                      {"left_null_vector": exact.left_nullspace(u)[0]})
    g = v * exact.pseudo_inverse(u) if G is None else exact.to_fmpq_mat(G, "G")
    F = fmpq_mat([ru + ra for ru, ra in zip(u.tolist() + v.tolist(), a.tolist() + c.tolist())])
    rank_F, rank_D = F.rank(), (c - g * a).rank()
    bound = r + rank_D + extra
    evidence = {"r": r, "rank_F": rank_F, "rank_C_minus_GA": rank_D, "extra": extra, "G": "V U⁺" if G is None else "given"}
    scope = Scope.instance(f"r={r}, |new rows|={v.nrows()}; {EXACT_SCOPE}")
    return refuted_or_proved("L6", f"rank F ≥ r + rank(C − GA){' + ' + str(extra) if extra else ''}", rank_F >= bound,
                             Level.EXACT, scope, evidence, {"rank_F": rank_F, "bound": bound}, margins={"rank_slack": rank_F - bound})



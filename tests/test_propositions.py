"""Propositions P2–P4: graph checkers prove; instance checkers refute false variants."""
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq_mat

from memproof.blueprint.context import CheckContext
from memproof.errors import InvalidArgumentError
from memproof.propositions import relu_comparison as P3, shared_context_ceiling as P2, trivial_layer as P4
from memproof_proofs.mahdavi2024.checkers import (p2_shared_context_ceiling as G2, p3_relu_comparison as G3,
                                                  p4_trivial_layer as G4)
from memproof.results import Level, Outcome, ScopeKind

QUICK = CheckContext(seed=5, quick=True)


@pytest.mark.parametrize("checker, level, scope", [
    (G2.check_P2, Level.EXACT, ScopeKind.BOX),
    (G4.check_P4, Level.EXACT, ScopeKind.INSTANCE),
])
def test_graph_checkers_prove(checker, level, scope):
    r = checker(QUICK)
    assert r.outcome is Outcome.PROVED, r.reason
    assert r.level is level and r.scope.kind is scope
    steps = [p for p in r.parts if p.role == "step"]
    assert steps and all(p.scope.kind is ScopeKind.UNIVERSAL and p.outcome is Outcome.PROVED for p in steps)


def test_P3_own_checks_decide_it_at_small_sizes():
    """Without Coq, P3 is proved by z3 on instances (an unreachable label matrix where T·d_out > p); the
    count identity, the budget comparison and the exact bounds corroborate (Coq lifts it to all sizes)."""
    r = G3.check_P3(QUICK)
    assert r.outcome is Outcome.PROVED and r.level is Level.SMT and r.scope.kind is ScopeKind.INSTANCE, r.reason
    proofs = [p for p in r.parts if p.role == "proof"]
    assert len(proofs) == 1 and len(proofs[0].parts) == 3 and "unreachable label matrix" in proofs[0].statement
    assert all(p.role == "corroboration" and p.outcome is Outcome.PROVED for p in r.parts if p is not proofs[0])
    assert r.statement.startswith("Over any real (ordered) field F") and G3.P3.coq.endswith("P3_relu_memorization")


def _relu_outputs(model: dict, U, m: int, d_out: int) -> list[list[Fraction]]:
    v = {k: Fraction(x) for k, x in model.items()}
    out = []
    for u in U:
        hidden = [max(sum(v[f"W_{j}_{i}"] * u[i] for i in range(len(u))) + v[f"b1_{j}"], Fraction(0)) for j in range(m)]
        out.append([sum(v[f"W2_{k}_{j}"] * hidden[j] for j in range(m)) + v[f"b2_{k}"] for k in range(d_out)])
    return out


@pytest.mark.parametrize("U, Y, m", [
    ([[t] for t in range(1, 6)], [[3]] * 5, 1),                              # constant labels: W₂ = 0, b₂ = 3
    ([[t] for t in range(1, 6)], [[0], [0], [0], [1], [2]], 1),              # relu(u − 3): one kink suffices
    ([[t] for t in range(1, 5)], [[0, 1], [0, 1], [1, 3], [2, 5]], 1),       # d_out = 2: relu(u − 2), 2 relu(u − 2) + 1
])
def test_P3_unreachable_labels_refutes_reachable_labels(U, Y, m):
    """False variants (labels a network does reach, T·d_out > p all the same): refuted by z3's model,
    which reaches the labels exactly when re-evaluated here in rationals."""
    r = P3.unreachable_labels(U, Y, m)
    assert r.outcome is Outcome.REFUTED and r.level is Level.SMT
    assert _relu_outputs(r.counterexample, U, m, len(Y[0])) == [[Fraction(y) for y in row] for row in Y]


def test_P3_unreachable_labels_decides_alternating_labels_and_refuses_small_T():
    r = P3.unreachable_labels([[t] for t in range(1, 6)], [[t % 2] for t in range(5)], 1)
    assert r.outcome is Outcome.PROVED and r.level is Level.SMT and "p = 4" in r.statement
    assert "(check-sat)" in r.evidence["smtlib"]
    with pytest.raises(InvalidArgumentError, match="T·d_out > p = 4"):  # T·d_out = 4 ≤ p: nothing to decide
        P3.unreachable_labels([[t] for t in range(1, 5)], [[t % 2] for t in range(4)], 1)
    with pytest.raises(InvalidArgumentError):
        P3.unreachable_labels([[1], [2, 3]], [[0], [1]], 1)
    with pytest.raises(InvalidArgumentError, match="integer entries"):  # 0.5 is not silently truncated to 0
        P3.unreachable_labels([[t] for t in range(1, 6)], [[0.5]] + [[t % 2] for t in range(1, 5)], 1)


def test_P2_ceiling_dimension_and_refutations():
    assert [P2.ceiling_dimension(H, n) for H, n in ((1, 3), (2, 3), (4, 5))] == [3, 5, 17]
    rng = np.random.default_rng(0)
    E = np.array([[1, 0, 0], [0, 1, 0]])
    S = fmpq_mat(P2.rational_attention(rng, 6, 2, 2))
    assert P2.check_ceiling(E, S, 2).outcome is Outcome.PROVED
    wrong = P2.check_ceiling(E, S, 2, bound=2)  # H(n − 1) instead of H(n − 1) + 1
    assert wrong.outcome is Outcome.REFUTED and wrong.counterexample["rank_Z"] == 3
    not_attention = fmpq_mat([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])  # rows not on the simplex
    assert P2.check_ceiling(E, not_attention, 2).outcome is Outcome.REFUTED


def test_P3_count_and_wrong_bound():
    assert P3.effective_parameters(3, 10, 4) == 84 and P3.relu_memorization_bound(3, 10, 4) == 21
    assert P3.check_relu_bound(3, 10, 4).outcome is Outcome.PROVED
    assert P3.check_relu_bound(3, 10, 4, bound=Fraction(30, 4) + 11).outcome is Outcome.REFUTED


def test_P4_layer_and_rank_losing_query_finding():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 6))
    assert np.allclose(P4.trivial_layer(X), (np.eye(4) + np.ones((4, 4)) / 4) @ X)
    assert P4.check_trivial_layer(X).outcome is Outcome.PROVED
    E = np.array([[2.0, 0, 1, 0, 0], [0, 1.0, 0, 0, 0], [0, 0, 0, 4.0, 0], [0, 0, 0, 0, 1.0]])  # n = 4: 9/4 is exact
    bad = np.vstack([P4.rank_losing_query(E), E])
    r = P4.check_trivial_layer(bad)
    assert r.outcome is Outcome.REFUTED and r.counterexample["rank_new_context"] == 3 and r.counterexample["query_is_A3_vector"]
    assert np.linalg.matrix_rank(P4.trivial_layer(bad)[1:]) == 3

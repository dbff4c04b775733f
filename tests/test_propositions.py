"""Propositions P2–P4: graph checkers prove; instance checkers refute false variants."""
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq_mat

from memproof.blueprint.context import CheckContext
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


def test_P3_is_not_established_by_its_steps():
    """Only the parameter-count arithmetic is checked: P3 is unknown, with every step proved."""
    r = G3.check_P3(QUICK)
    assert r.outcome is Outcome.UNKNOWN and "not checked by any part" in r.reason
    assert r.parts and all(p.role == "step" and p.outcome is Outcome.PROVED for p in r.parts)


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

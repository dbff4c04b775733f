"""Lemmas L1–L8: each proof-graph checker proves its claim, and each checker refutes false variants
(wrong constants, ties, rank-deficient inputs) with a witness that is itself re-checked here."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from flint import fmpq_mat
from hypothesis import given, settings, strategies as st

from memproof.arith import exact
from memproof.arith.smt import prove_forall
from memproof.blueprint.context import CheckContext
from memproof.errors import AssumptionViolatedError, InvalidArgumentError
from memproof.lemmas import (block_elimination as L6, prescribed_logits as L3, rank_budget as L8, rank_reduction as L1,
                             rank_stability as L7, readout_factorisation as L2, saturation as L4, simplex_points as L5)
from memproof.lemmas.common import symbolic_identity
from memproof_proofs.mahdavi2024.checkers import (l1_rank_reduction as G1, l2_readout_factorisation as G2,
                                                  l3_prescribed_logits as G3, l4_saturation as G4, l5_simplex_points as G5,
                                                  l6_block_elimination as G6, l7_rank_stability as G7, l8_rank_budget as G8)
from memproof.results import Level, Outcome, Scope, ScopeKind

QUICK = CheckContext(seed=3, quick=True)
EXPECTED = {  # claim: (checker, level, scope) — the scope each really has (issue: honest scopes)
    "L1": (G1.check_L1, Level.EXACT, ScopeKind.INSTANCE),
    "L2": (G2.check_L2, Level.SYMBOLIC, ScopeKind.UNIVERSAL),
    "L3": (G3.check_L3, Level.SYMBOLIC, ScopeKind.UNIVERSAL),
    "L4": (G4.check_L4, Level.SMT, ScopeKind.BOX),
    "L5": (G5.check_L5, Level.RIGOROUS, ScopeKind.INSTANCE),
    "L6": (G6.check_L6, Level.EXACT, ScopeKind.INSTANCE),
    "L7": (G7.check_L7, Level.EXACT, ScopeKind.INSTANCE),
    "L8": (G8.check_L8, Level.EXACT, ScopeKind.INSTANCE),
}
#: Lemmas whose universal parts are only steps of the argument (they must not lend their scope).
UNIVERSAL_STEPS = {"L1": 2, "L4": 2, "L6": 1, "L8": 2}
small = st.integers(-4, 4)


@pytest.mark.parametrize("claim", sorted(EXPECTED))
def test_graph_checker_proves_at_expected_level(claim):
    checker, level, scope = EXPECTED[claim]
    r = checker(QUICK)
    assert r.claim == claim and r.outcome is Outcome.PROVED, r.reason
    assert r.level is level and r.scope.kind is scope
    assert len(r.parts) >= 2 and all(p.outcome is Outcome.PROVED for p in r.parts)
    steps = [p for p in r.parts if p.role == "step"]
    assert len(steps) == UNIVERSAL_STEPS.get(claim, 0)
    assert all(p.scope.kind is ScopeKind.UNIVERSAL for p in steps)


def test_L6_substitution_is_a_checked_hypothesis():
    step = next(p for p in G6.check_L6(QUICK).parts if p.role == "step")
    assert step.evidence["hypotheses"] == ["U U⁺ = I_r for U⁺ = Uᵀ(UUᵀ)⁻¹"]
    assert any(p.statement.startswith("U U⁺ = I_r") and p.outcome is Outcome.PROVED for p in step.parts)


def test_false_substitution_hypothesis_does_not_hold():
    """With a false hand-typed substitution the identity would 'hold': the hypothesis check refutes it."""
    m = sp.Symbol("m", integer=True, positive=True)
    U = sp.MatrixSymbol("U", 3, m)
    wrong = symbolic_identity("L6", "Uᵀ U = I (false)", sp.MatMul(U.T, U, evaluate=False), sp.Identity(m),
                              Scope.universal("all U"))
    ident = symbolic_identity("L6", "x = 1 using the hypothesis", sp.Integer(1), sp.Integer(1), Scope.universal(),
                              hypotheses=[wrong])
    assert wrong.outcome is Outcome.UNKNOWN and ident.outcome is not Outcome.PROVED


def test_symbolic_identity_does_not_prove_a_false_identity():
    T, m, do = sp.symbols("T m d_o", integer=True, positive=True)
    Z, Y = sp.MatrixSymbol("Z", T, m), sp.MatrixSymbol("Y", T, do)
    wrong = sp.MatMul(Y.T, Z, Z.T, evaluate=False)  # forgot (ZZᵀ)⁻¹
    assert symbolic_identity("L1", "wrong", wrong, Y.T, Scope.universal()).outcome is Outcome.UNKNOWN


# ------------------------------------------------------------------------------------------- L1
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 3), st.data())
def test_L1_exact_readout_interpolates(T, extra, data):
    Z = np.array(data.draw(st.lists(st.lists(small, min_size=T + extra, max_size=T + extra), min_size=T, max_size=T)))
    Y = np.array(data.draw(st.lists(st.lists(small, min_size=2, max_size=2), min_size=T, max_size=T)))
    r = L1.check_interpolation(Z, Y, required_rank=0)
    if exact.rank(Z) == T:
        assert r.outcome is Outcome.PROVED
        assert np.allclose(L1.interpolating_readout(Z, Y) @ Z.T, Y.T, atol=1e-8)
    elif r.outcome is Outcome.REFUTED:  # the witness must be a genuine left null vector with xᵀY ≠ 0
        x = np.array(r.counterexample["left_null_vector"])
        assert not (x @ Z).any() and (x @ Y).any()


def test_L1_refutes_rank_deficient_premise():
    Z = np.array([[1, 2, 3], [2, 4, 6], [0, 1, 1]])
    r = L1.check_interpolation(Z, np.eye(3), required_rank=2)
    assert r.outcome is Outcome.REFUTED and r.level is Level.EXACT
    x = np.array(r.counterexample["left_null_vector"])
    assert not (x @ Z).any()
    with pytest.raises(AssumptionViolatedError, match="rank Z = 2 < 3"):
        L1.check_interpolation(Z, np.eye(3))


# ------------------------------------------------------------------------------------------- L2
def test_L2_refutes_too_small_value_dimension():
    r = L2.check_readout_factorisation(np.eye(3), d_v=2)
    assert r.outcome is Outcome.REFUTED and r.counterexample["rank_M_h"] == 3
    with pytest.raises(AssumptionViolatedError, match="d_v = 2 < min"):
        L2.factor_readout_block(np.eye(3), 2)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.randoms(use_true_random=False))
def test_L2_factorisation_is_exact(d_o, d, pad, rnd):
    M = np.array([[rnd.uniform(-5, 5) for _ in range(d)] for _ in range(d_o)])
    W_V, W_O = L2.factor_readout_block(M, min(d, d_o) + pad)
    assert np.array_equal(W_O @ W_V.T, M)
    assert L2.check_readout_factorisation(M, min(d, d_o) + pad).outcome is Outcome.PROVED


# ------------------------------------------------------------------------------------------- L3
def test_L3_refutes_rank_deficient_context_with_unreachable_targets():
    q = np.array([[0.0, 0.0, 1.0, 0.0]])
    E = np.array([[1.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]])  # rank 1 < n = 2
    r = L3.check_prescribed_logits(q, E, np.array([[1.0, 1.0]]))
    assert r.outcome is Outcome.REFUTED and r.counterexample["premise_violated"] == "A2"
    y = np.array(r.counterexample["unreachable_targets"][0])
    assert not (y @ E).any() and (y @ y) > 0  # yᵀ E W e = 0 for every W, but yᵀ a = yᵀy ≠ 0


def test_L3_refutes_identical_queries_with_conflicting_targets():
    E = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    q = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    r = L3.check_prescribed_logits(q, np.stack([E, E]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert r.outcome is Outcome.REFUTED and r.counterexample["premise_violated"] == "A1"
    with pytest.raises(AssumptionViolatedError, match="A1") as info:
        L3.prescribed_logits_matrix_exact(q, E, np.zeros((2, 2)))
    assert info.value.witness["subset"] == [0, 1]


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 4), st.integers(1, 3), st.data())
def test_L3_exact_construction_hits_targets(n, extra, data):
    d = n + extra
    k = data.draw(st.integers(1, n))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32)))
    q, E, a = rng.integers(-3, 4, (k, d)) / 4, rng.integers(-3, 4, (k, n, d)) / 2, rng.integers(-5, 6, (k, n)) / 3
    r = L3.check_prescribed_logits(q, E, a)
    assert r.outcome in (Outcome.PROVED, Outcome.REFUTED)
    if "premise_violated" not in r.evidence:
        assert r.outcome is Outcome.PROVED and r.evidence["rank_W_star"] <= k
        W = L3.prescribed_logits_matrix(q, E, a)
        assert np.allclose(np.einsum("knd,de,ke->kn", E, W, q), a, atol=1e-8)


def test_L3_float_residual_is_rigorous_and_refutable():
    rng = np.random.default_rng(0)
    q, E, a = rng.normal(size=(3, 9)), rng.normal(size=(3, 5, 9)), rng.normal(size=(3, 5))
    good = L3.check_prescribed_logits_float(q, E, a)
    assert good.outcome is Outcome.PROVED and good.level is Level.RIGOROUS and good.margins["residual_upper_bound"] < 1e-10
    assert L3.check_prescribed_logits_float(q, E, a, tol=1e-300).outcome is Outcome.REFUTED


# ------------------------------------------------------------------------------------------- L4
def test_L4_wrong_constant_refuted_by_smt_and_by_balls():
    out = prove_forall(G4.l1_bound_query(1.5))
    assert out.status == "refuted"
    m = {k: sp.Rational(v) for k, v in out.model.items()}
    assert m["Q"] <= (m["n"] - 1) * m["B"] and 2 * m["Q"] / (1 + m["Q"]) > sp.Rational(3, 2) * (m["n"] - 1) * m["B"]
    assert prove_forall(G4.l1_bound_query(2)).status == "proved"
    r = L4.check_saturation_bound([1.0, 0.0, 0.0], [0.0, 0.0, 0.0], 10.0, constant=1.5)
    assert r.outcome is Outcome.REFUTED and r.level is Level.RIGOROUS
    assert L4.check_saturation_bound([1.0, 0.0, 0.0], [0.0, 0.0, 0.0], 10.0).outcome is Outcome.PROVED


def test_L4_tie_refutes_the_limit_claim():
    r = L4.check_saturation_limit([1.0, 1.0, 0.0], [0.0, 1.0, 0.0])
    assert r.outcome is Outcome.REFUTED and r.counterexample["maximizers"] == [0, 1]
    e = np.e
    assert r.counterexample["l1_distance_lower_bound"] == pytest.approx(2 * e / (1 + e), rel=1e-12)
    assert L4.check_saturation_limit([2.0, 1.0, 0.0], [5.0, -3.0, 0.0]).outcome is Outcome.PROVED
    with pytest.raises(InvalidArgumentError, match="tie"):
        L4.check_saturation_bound([1.0, 1.0], [0.0, 0.0], 1.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=6, unique=True), st.data())
def test_L4_bound_holds_at_random_points(g, data):
    b = data.draw(st.lists(st.floats(-2, 2), min_size=len(g), max_size=len(g)))
    c = data.draw(st.sampled_from([0.0, 0.3, 7.0, 1e4]))
    r = L4.check_saturation_bound(g, b, c)
    assert r.outcome in (Outcome.PROVED, Outcome.UNKNOWN)  # never refuted: the lemma is true
    if r.outcome is Outcome.PROVED:
        assert r.margins["relative_slack"] >= 0


# ------------------------------------------------------------------------------------------- L5
def test_L5_refutes_rank_deficient_context_and_centroid_offsets():
    E = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])  # rank 2 < n = 3
    r = L5.check_simplex_points(E, np.zeros((3, 3)))
    assert r.outcome is Outcome.REFUTED and r.counterexample["reachable_dimension"] == 2
    F = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])  # n = 2, centroid exact
    r = L5.check_simplex_points(F, np.array([[0.3, -1.0], [2.0, 0.5]]), np.tile(F.mean(axis=0), (2, 1)))
    assert r.outcome is Outcome.REFUTED and r.counterexample["reachable_dimension"] == 1


def test_L5_constructor_certifies_points():
    rng = np.random.default_rng(5)
    E = rng.normal(size=(4, 7))
    logits, cert = L5.independent_simplex_points(E, k=3, offsets=rng.normal(size=(3, 7)), rng=1)
    assert cert.outcome is Outcome.PROVED and cert.level is Level.RIGOROUS and logits.shape == (3, 4)
    with pytest.raises(AssumptionViolatedError, match="L5"):
        L5.independent_simplex_points(E, k=5, rng=1)  # 5 points in the 4-dim row space


# ------------------------------------------------------------------------------------------- L6
def test_L6_refutes_wrong_G_and_wrong_constant():
    U, V, A, C = np.array([[1, 0]]), np.array([[1, 0]]), np.array([[1]]), np.array([[1]])
    assert L6.check_block_elimination(U, A, V, C).outcome is Outcome.PROVED
    assert L6.check_block_elimination(U, A, V, C, G=np.zeros((1, 1))).outcome is Outcome.REFUTED
    assert L6.check_block_elimination(U, A, V, C, extra=1).outcome is Outcome.REFUTED
    with pytest.raises(AssumptionViolatedError, match="full row rank") as info:
        L6.check_block_elimination(np.array([[1, 2], [2, 4]]), np.eye(2), V, np.array([[1, 1]]))
    assert info.value.witness["left_null_vector"] == [2, -1]


# ------------------------------------------------------------------------------------------- L7
def test_L7_refutes_wrong_constant_and_rejects_violated_premise():
    assert L7.check_rank_stability(np.eye(2), np.diag([1.0, 0.5]), 2).outcome is Outcome.PROVED
    r = L7.check_rank_stability(np.eye(2), np.diag([1.0, 0.0]), 2, factor=2.0)
    assert r.outcome is Outcome.REFUTED and r.counterexample["rank_D"] == 1
    with pytest.raises(AssumptionViolatedError, match="L7 premise"):
        L7.check_rank_stability(np.eye(2), np.diag([1.0, 0.0]), 2)


def test_L7_certificate_form_proves_and_refutes_the_non_strict_variant():
    I2 = np.eye(2)
    r = L7.check_rank_certificate(I2, np.array([[1.0, 0.25], [-0.25, 0.75]]), I2)
    assert r.outcome is Outcome.PROVED and r.evidence["max_abs_row_sum"] == "1/2" and r.margins["row_sum_slack"] == 0.5
    # Row sum exactly 1 (≤ instead of <): the rank drops. D* = R = I, D = diag(1, 0).
    variant = L7.check_rank_certificate(I2, np.diag([1, 0]), I2, strict=False)
    assert variant.outcome is Outcome.REFUTED and variant.counterexample["rank_D"] == 1
    assert variant.counterexample["max_abs_row_sum"] == "1" and "≤ 1" in variant.statement
    with pytest.raises(AssumptionViolatedError, match="L7 premise"):
        L7.check_rank_certificate(I2, np.diag([1, 0]), I2)
    # A wrong constant (2 for 1): D = 0 has row sum 1 < 2 and rank 0.
    assert L7.check_rank_certificate(I2, np.zeros((2, 2)), I2, bound=2).outcome is Outcome.REFUTED


def test_L7_certificate_row_sum_one_in_general_position():
    """Removing row i of any full-row-rank D* (R = D*⁺) gives ‖(D − D*) R‖_∞ = 1 exactly and rank k − 1."""
    D_star = np.array([[2, -1, 0, 3], [1, 1, 4, -2], [0, 5, -1, 1]])
    R = exact.pseudo_inverse(D_star)
    D = D_star.copy()
    D[1] = 0
    refuted = L7.check_rank_certificate(D_star, D, R, strict=False)
    assert refuted.outcome is Outcome.REFUTED and refuted.counterexample == {
        "rank_D": 2, "k": 3, "max_abs_row_sum": "1", "bound": "1", "relation": "≤"}
    # Row 1 scaled by 10⁻³⁰ instead of 0: row sum 1 − 10⁻³⁰ < 1 (equal to 1 in float64), full rank.
    D = np.array(D_star, dtype=object)
    D[1] = [Fraction(int(x), 10**30) for x in D_star[1]]
    proved = L7.check_rank_certificate(D_star, D, R)
    assert proved.outcome is Outcome.PROVED and proved.evidence["max_abs_row_sum"] == f"{10**30 - 1}/{10**30}"


def test_L7_certificate_premises_are_checked_exactly():
    with pytest.raises(AssumptionViolatedError, match="D\\* R = I_k"):
        L7.check_rank_certificate(np.eye(2), np.eye(2), np.diag([1.0, 1.0 + 2**-52]))
    over = np.array([[2 + Fraction(1, 10**30), 0], [0, 1]], dtype=object)  # row sum 1 + 10⁻³⁰
    with pytest.raises(AssumptionViolatedError, match="fails"):
        L7.check_rank_certificate(np.eye(2, dtype=int), over, np.eye(2, dtype=int))
    with pytest.raises(InvalidArgumentError, match="R"):
        L7.check_rank_certificate(np.eye(2), np.eye(2), np.eye(3))
    with pytest.raises(InvalidArgumentError, match="D"):
        L7.check_rank_certificate(np.eye(2), np.eye(3), np.eye(2))


def test_L7_certificate_instances_are_exact_and_harmful():
    rng = np.random.default_rng(0)
    for _ in range(10):
        ds, d, R = G7._certificate_instance(rng)
        k = ds.nrows()
        assert ds * R == fmpq_mat(k, k, [int(i == j) for i in range(k) for j in range(k)])
        assert Fraction(1, 2) <= Fraction(str(L7.max_abs_row_sum((d - ds) * R))) <= Fraction(99, 100)
        assert L7.check_rank_certificate(ds, d, R).outcome is Outcome.PROVED


def test_L7_eigenvalue_count_is_exact():
    S = fmpq_mat([[2, 1], [1, 2]])  # eigenvalues 1 and 3
    assert [L7.eigenvalues_above(S, exact.to_fmpq_mat([[x]])[0, 0]) for x in (0, 1, 2, 3)] == [2, 1, 1, 0]


# ------------------------------------------------------------------------------------------- L8
def test_L8_refutes_rank_over_budget_and_factors_exactly():
    r = L8.check_rank_budget(np.diag([1.0, 1.0, 0.0, 0.0]), np.diag([0.0, 0.0, 1.0, 0.0]), 3, d_h=2)
    assert r.outcome is Outcome.REFUTED and r.counterexample["rank_W"] == 3
    W = np.outer([1, 2, 3], [1, 0, 1]) + np.outer([0, 1, 1], [2, 1, 0])
    K, Q = L8.factor_keyquery_exact(W, d_h=3)
    assert K.ncols() == 3 and K * Q.transpose() == exact.to_fmpq_mat(W)
    with pytest.raises(AssumptionViolatedError, match="rank W = 2 > d_h = 1"):
        L8.factor_keyquery_exact(W, d_h=1)


@pytest.mark.parametrize("k", [6, 2])
def test_L4_gap_is_exact_at_extreme_magnitudes(k):
    """g = (1e16 + k, −1e16, −1e17): the float difference rounds the gap 2e16 + k by ±2 (k = 6: up,
    k = 2: down), which at c = 1 moves the right side by e^{∓2}. lhs ≈ 2e^{−cγ}, right side
    2·constant·e^{−cγ}: with the exact gap the true bound (constant 2) is proved and the false variant
    (constant 0.9) refuted, both ways; the float gap refuted the first (k = 6) or proved the second (k = 2)."""
    g, b = [1e16 + k, -1e16, -1e17], [0.0, 0.0, 0.0]
    assert int(g[0] - g[1]) != int(g[0]) - int(g[1])  # the float gap is wrong
    true = L4.check_saturation_bound(g, b, 1.0)
    assert true.outcome is Outcome.PROVED and true.evidence["gamma_exact"] == str(int(g[0]) - int(g[1]))
    assert L4.check_saturation_bound(g, b, 1.0, constant=0.9).outcome is Outcome.REFUTED

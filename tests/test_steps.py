"""Step checkers S1–S8, P1, T1 on constructed instances, and on corrupted constructions where they
must not prove (rank certificates stay unknown; exact checks refute)."""
import dataclasses

import numpy as np
import pytest
from flint import arb_mat

from memproof.arith.rigorous import to_arb_mat, working_precision
from memproof.blueprint.context import CheckContext
from memproof.construction import feature_enclosure
from memproof_proofs.mahdavi2024.checkers import head_quantities, instances, steps
from memproof.model import MHAWeights
from memproof.results import Level, Outcome, ScopeKind

QUICK = CheckContext(seed=0, quick=True)


@pytest.mark.parametrize("claim, level", [("S1", Level.RIGOROUS), ("S2", Level.RIGOROUS), ("S3", Level.EXACT),
                                          ("S4", Level.RIGOROUS), ("S5", Level.RIGOROUS), ("S6", Level.RIGOROUS),
                                          ("S7", Level.RIGOROUS), ("S8", Level.RIGOROUS), ("P1", Level.RIGOROUS),
                                          ("T1", Level.RIGOROUS)])
def test_step_checkers_prove_on_instances(claim, level):
    r = getattr(steps, f"check_{claim}")(QUICK)
    assert r.claim == claim and r.outcome is Outcome.PROVED, r.reason
    assert r.level is level and r.scope.kind is ScopeKind.INSTANCE and len(r.parts) >= 2


def corrupted(head: int, column: str, factor: float) -> instances.Instance:
    """The first quick instance with one column group of one head's factors scaled by ``factor``."""
    inst = instances.constructed_instances(QUICK)[0]
    w = inst.built.weights
    k = len(inst.built.partition[head])
    W_K, W_Q = w.W_K.copy(), w.W_Q.copy()
    if column == "nu":
        W_Q[head][:, k] *= factor
    elif column == "cu":
        W_K[head][:, k] *= factor
    else:
        W_K[head] *= factor
    new = MHAWeights(W_Q, W_K, w.W_V, w.W_O)
    return dataclasses.replace(inst, built=dataclasses.replace(inst.built, weights=new),
                               Z_ball=feature_enclosure(new, inst.queries, inst.contexts))


def test_S3_refutes_a_zero_suppression_direction():
    parts = steps.check_S3_instance(corrupted(1, "nu", 0.0))
    assert parts[0].outcome is Outcome.REFUTED and parts[0].evidence["min_abs_nu_dot_e_old"] == 0.0


def test_S4_refutes_saturation_towards_the_wrong_tokens():
    parts = steps.check_S4_instance(corrupted(1, "nu", -1.0))  # ν → −ν: the argmax of g_t becomes its argmin
    assert parts and parts[0].outcome is Outcome.REFUTED


def test_P1_refutes_a_head_given_more_than_n_bar_minus_1_new_examples():
    inst = instances.constructed_instances(QUICK)[0]
    part = [list(p) for p in inst.built.partition]
    top = inst.built.n_bar - 1
    assert len(part[1]) <= top and all(p.outcome is Outcome.PROVED for p in steps.check_P1_instance(inst))
    moved = part[2][: top + 1 - len(part[1])]
    part[1], part[2] = part[1] + moved, part[2][len(moved):]  # head 2 now takes n̄ new examples
    forged = dataclasses.replace(inst, built=dataclasses.replace(inst.built, partition=tuple(part)))
    head2 = steps.check_P1_instance(forged)[0]
    assert head2.outcome is Outcome.REFUTED
    count = next(p for p in head2.parts if p.statement.startswith("|N_2|"))
    assert count.outcome is Outcome.REFUTED and count.evidence == {"k": top + 1, "n_bar": top + 1}


def test_rank_steps_never_prove_a_dead_head():
    inst = corrupted(1, "keys", 0.0)  # head 2 attends uniformly: every row gets the same head-2 feature
    assert steps.inv(inst, 1, "S6").outcome is not Outcome.PROVED
    head2, head3 = steps.check_S2_instance(inst)
    assert head2.outcome is not Outcome.PROVED
    # head 3 eliminates with U = rows R_2 on heads 1..2, rank deficient now: G = V U⁺ no longer satisfies
    # G U = V, so L6's argument does not apply and the ball G is not formed (U Uᵀ singular)
    assert head3.outcome is Outcome.UNKNOWN and "not enclosed" in head3.reason
    healthy = instances.constructed_instances(QUICK)[0]
    assert steps.inv(healthy, 1, "S6").outcome is Outcome.PROVED


def test_S2_G_is_the_real_number_V_U_pinv():
    """L6 needs G U = V for the real U, V: the ball G satisfies it (0 in every entry of G U − V); the
    float least-squares G of the old checker does not (its residual ~1e-16 ≫ the balls' radii)."""
    inst = instances.constructed_instances(QUICK)[0]
    old, new = head_quantities.rows(inst, 1)
    U, V = inst.block(old, range(1)), inst.block(new, range(1))
    with working_precision(instances.PREC):
        G, _, _ = head_quantities.elimination(inst, 1)
        assert isinstance(G, arb_mat) and all(x.contains(0) for x in (G * U - V).entries())
        Uf, Vf = inst.built.Z[old][:, : inst.d], inst.built.Z[new][:, : inst.d]
        G_float = to_arb_mat(np.linalg.lstsq(Uf.T, Vf.T, rcond=None)[0].T)
        assert not all(x.contains(0) for x in (G_float * U - V).entries())
    assert all("G = V U⁺ (ball enclosure)" in p.statement for p in steps.check_S2_instance(inst) + steps.check_S5_instance(inst))


def test_S3a_stored_nu_is_exactly_orthogonal_and_a_leak_is_not_proved():
    inst = instances.constructed_instances(QUICK)[0]
    orth = [p for p in steps.check_S3_instance(inst) if "(3a)" in p.statement]
    assert orth and all(p.outcome is Outcome.PROVED and p.level is Level.EXACT for p in orth)
    w, k = inst.built.weights, len(inst.built.partition[1])
    W_Q = w.W_Q.copy()
    W_Q[1][0, k] = np.nextafter(W_Q[1][0, k], np.inf)  # one ulp: ν no longer exactly ⊥ the new queries
    leaky = dataclasses.replace(inst, built=dataclasses.replace(inst.built, weights=MHAWeights(W_Q, w.W_K, w.W_V, w.W_O)))
    head2 = next(p for p in steps.check_S3_instance(leaky) if "(3a)" in p.statement)
    assert head2.outcome is Outcome.UNKNOWN and head2.evidence["max_abs_nu_dot_e_new_exact"] > 0


def test_S4_and_S6_do_not_prove_a_scale_divided_by_a_million():
    inst = corrupted(1, "cu", 1e-6)  # the stored c·u of head 2 shrunk: far below c*, trace unchanged
    s4 = [p for p in steps.check_S4_instance(inst) if p.statement.startswith("head 2")]
    assert any(p.outcome is Outcome.REFUTED for p in s4)
    assert steps._scale_part(inst, 1).outcome is not Outcome.PROVED
    assert steps._scale_part(inst, 2).outcome is Outcome.PROVED  # head 3 untouched
    healthy = instances.constructed_instances(QUICK)[0]
    assert all(p.outcome is Outcome.PROVED for p in steps.check_S4_instance(healthy))


def test_S4_refutes_a_tie_instead_of_skipping_it():
    parts = steps.check_S4_instance(corrupted(1, "nu", 0.0))  # ν = 0: every c·g_t is 0, a tie of all n tokens
    tie = next(p for p in parts if "unique maximum" in p.statement)
    assert tie.outcome is Outcome.REFUTED and tie.counterexample["rows"]


def test_S2_S5_rank_step_never_proves_a_rank_deficient_reduced_matrix():
    """The loop S2 and S5 share: a reduced matrix of rank < k (C − C = 0; every row a copy of the first
    row of C − G A, rank 1 < k) is never proved to have full row rank k."""
    inst = instances.constructed_instances(QUICK)[0]

    def copies_of_first_row(h, G, C, A):
        D = C - G * A
        for i in range(1, D.nrows()):
            for j in range(D.ncols()):
                D[i, j] = D[0, j]
        return D

    for reduced, deficient in ((lambda h, G, C, A: C - C, lambda k: True), (copies_of_first_row, lambda k: k > 1)):
        ks = []
        parts = steps._rank_after_elimination(inst, "S5", lambda h, k: ks.append(k) or f"head {h + 1}: rank = k = {k}",
                                              lambda h: f"head {h + 1}", reduced)
        assert parts and any(deficient(k) for k in ks)
        assert all(p.outcome is not Outcome.PROVED for p, k in zip(parts, ks) if deficient(k))

"""Step checkers S1–S8, P1, T1 on constructed instances, and on corrupted constructions where they
must not prove (rank certificates stay unknown; exact checks refute)."""
import dataclasses

import pytest

from memproof.blueprint.context import CheckContext
from memproof.construction import feature_enclosure
from memproof_proofs.mahdavi2024.checkers import instances, steps
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


def test_rank_steps_never_prove_a_dead_head():
    inst = corrupted(1, "keys", 0.0)  # head 2 attends uniformly: every row gets the same head-2 feature
    assert steps.inv(inst, 1, "S6").outcome is not Outcome.PROVED
    head2, head3 = steps.check_S2_instance(inst)
    assert head2.outcome is not Outcome.PROVED and head3.outcome is Outcome.PROVED  # only head 2 is dead
    healthy = instances.constructed_instances(QUICK)[0]
    assert steps.inv(healthy, 1, "S6").outcome is Outcome.PROVED

"""Tests of the construction of Theorem 1 (S1–S8) and its paired checker (memproof.construction)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memproof.construction import (
    HeadTrace,
    MemorizingMHA,
    capacity,
    check_memorizes,
    construct_memorizing_mha,
    feature_enclosure,
    partition_examples,
)
from memproof.errors import AssumptionViolatedError, InvalidArgumentError, OutOfRangeError
from memproof.lemmas.prescribed_logits import prescribed_logits_matrix
from memproof.model import AttentionSpec, MHAWeights, feature_matrix, mha_batch
from memproof.results import Level, Outcome


def data(n, d, heads, d_h, *, shared, T=None, d_o=None, seed=0):
    rng = np.random.default_rng(seed)
    T = capacity(heads, min(n, d_h)) if T is None else T
    Q = rng.normal(size=(T, d))
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    Y = rng.normal(size=T) if d_o is None else rng.normal(size=(T, d_o))
    return Q, C, Y


# ------------------------------------------------------------------------------------- constructor
@pytest.mark.parametrize("shared", [True, False], ids=["shared", "distinct"])
def test_memorizes_and_certified_small(shared):
    Q, C, Y = data(4, 6, 3, 4, shared=shared, d_o=2)
    res = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=3)
    assert isinstance(res, MemorizingMHA)
    assert Q.shape[0] == res.capacity == 10
    assert res.max_abs_error < 1e-6
    assert np.abs(mha_batch(res.weights, C, Q) - Y).max() < 1e-6
    assert res.warnings == ()
    cert = check_memorizes(res.weights, Q, C, Y, certify="rigorous")
    assert cert.outcome is Outcome.PROVED and cert.level is Level.RIGOROUS
    assert cert.claim == "S8"
    rank_part = cert.parts[0]
    assert rank_part.evidence["rank_certificate"]["status"] == "proved"
    assert cert.parts[1].level is Level.EMPIRICAL and cert.parts[1].role == "corroboration"
    assert "real-number" in cert.scope.description
    json.dumps(cert.to_dict())  # evidence is JSON-ready


def test_head_dim_below_n():
    Q, C, Y = data(5, 8, 3, 3, shared=False)  # n̄ = 3, T = 7
    res = construct_memorizing_mha(Q, C, Y, heads=3, d_h=3, seed=0)
    assert res.n_bar == 3 and Q.shape[0] == 7
    assert res.weights.d_h == 3 and res.weights.W_K.shape == (3, 8, 3)
    assert all(t.rank_W_bound <= 3 for t in res.trace)
    assert all(t.rank_W_numerical <= t.rank_W_bound for t in res.trace)
    assert res.max_abs_error < 1e-6
    assert check_memorizes(res.weights, Q, C, Y).outcome is Outcome.PROVED


def test_scalar_and_vector_labels_and_value_dim():
    Q, C, _ = data(3, 5, 2, 3, shared=True)
    Ys = np.arange(5.0)
    r1 = construct_memorizing_mha(Q, C, Ys, heads=2, d_h=3, seed=1)
    assert r1.weights.d_o == 1 and r1.weights.d_v == 1
    assert np.abs(mha_batch(r1.weights, C, Q)[:, 0] - Ys).max() < 1e-6
    Yv = np.random.default_rng(2).normal(size=(5, 9))  # d_o = 9 > d = 5: d_v = min(d, d_o) = 5
    r2 = construct_memorizing_mha(Q, C, Yv, heads=2, d_h=3, seed=1)
    assert r2.weights.d_v == 5 and r2.weights.d_o == 9
    assert np.abs(mha_batch(r2.weights, C, Q) - Yv).max() < 1e-6
    r3 = construct_memorizing_mha(Q, C, Yv, heads=2, d_h=3, d_v=7, seed=1)
    assert r3.weights.d_v == 7 and r3.max_abs_error < 1e-6


def test_below_capacity_leaves_heads_unused():
    Q, C, Y = data(4, 6, 4, 4, shared=True, T=6)  # capacity 13
    res = construct_memorizing_mha(Q, C, Y, heads=4, d_h=4, seed=5)
    assert res.partition == ((0, 1, 2, 3), (4, 5), (), ())
    assert len(res.trace) == 2 and [t.head for t in res.trace] == [0, 1]
    assert not res.weights.W_K[2:].any() and not res.weights.W_Q[2:].any()
    assert res.max_abs_error < 1e-6
    assert check_memorizes(res.weights, Q, C, Y).outcome is Outcome.PROVED


def test_single_example_and_head_dim_one():
    Q, C, Y = data(3, 5, 2, 1, shared=False, T=1)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=1, seed=0)
    assert res.capacity == 1 and res.max_abs_error < 1e-9
    with pytest.raises(OutOfRangeError):
        construct_memorizing_mha(*data(3, 5, 2, 1, shared=False, T=2), heads=2, d_h=1)


def test_user_partition():
    Q, C, Y = data(3, 5, 2, 3, shared=True)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0, partition=[[4, 0, 2], [1, 3]])
    assert res.partition == ((4, 0, 2), (1, 3)) and res.trace[1].group == (1, 3)
    assert res.max_abs_error < 1e-6
    with pytest.raises(InvalidArgumentError):
        construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, partition=[[0, 1], [2, 3, 4]])


def test_deterministic_given_seed():
    Q, C, Y = data(4, 6, 3, 4, shared=False)
    a = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=11)
    b = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=11)
    c = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=12)
    for key in ("W_Q", "W_K", "W_V", "W_O"):
        assert np.array_equal(getattr(a.weights, key), getattr(b.weights, key))
    assert a.trace == b.trace
    assert not np.array_equal(a.weights.W_K, c.weights.W_K)


def test_trace_fields_sensible():
    Q, C, Y = data(5, 8, 4, 5, shared=True)
    res = construct_memorizing_mha(Q, C, Y, heads=4, d_h=5, seed=2)
    assert [t.group for t in res.trace] == list(res.partition)
    for t in res.trace:
        assert isinstance(t, HeadTrace)
        assert 0 < t.rank_margin <= 1
        assert t.rank_W_bound <= 5 and t.rank_W_bound == (t.k if t.head == 0 else t.k + 1)
        assert t.sigma_k_D_star > 0
        if t.head == 0:
            assert t.old == 0 and t.saturation_log_l1 == ()
            continue
        assert t.gamma > 0 and t.G_norm > 0 and t.beta >= 0
        assert t.c > t.c_star and t.c >= 1
        assert t.old == len(t.old_examples) == len(t.saturation_argmax) == len(t.saturation_log_l1)
        # the realised saturation obeys the L4 bound (float evaluation, small slack)
        assert all(a <= b + 1e-6 for a, b in zip(t.saturation_log_l1, t.saturation_log_bound))
        assert t.max_saturation_l1 < 1e-3
        # S6: the realised D(c) keeps full rank: σ_k(D(c)) ≥ σ_k(D*) − ‖G‖‖A(c) − A*‖ > 0
        assert t.sigma_k_D_realised > 0.5 * t.sigma_k_D_star
        assert abs(t.logit_leak) < 1e-6
        assert set(t.to_dict()) >= {"gamma", "c_star", "c", "rank_W_bound", "max_saturation_l1"}


def test_stored_factors_realise_L3_logits():
    """Head 1's stored factors reproduce the L3 matrix W* and its prescribed logits."""
    Q, C, Y = data(4, 6, 2, 4, shared=False)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=4, seed=0)
    W1 = res.weights.W_K[0] @ res.weights.W_Q[0].T
    N1 = list(res.partition[0])
    logits = np.einsum("tnd,de,te->tn", C[N1], W1, Q[N1])
    assert np.allclose(prescribed_logits_matrix(Q[N1], C[N1], logits), W1, atol=1e-9)


# ------------------------------------------------------------------------------------ range / A1 / A2
def test_out_of_range():
    Q, C, Y = data(4, 6, 3, 4, shared=True, T=11)  # capacity 10
    with pytest.raises(OutOfRangeError, match="capacity") as exc:
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)
    assert exc.value.claim == "T1"
    Q, C, Y = data(6, 6, 3, 4, shared=True, T=4)  # n = d
    with pytest.raises(OutOfRangeError, match="n < d"):
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)
    Q, C, Y = data(3, 5, 2, 3, shared=True, d_o=4)
    with pytest.raises(OutOfRangeError, match="d_v"):
        construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, d_v=3)
    with pytest.raises(OutOfRangeError):
        partition_examples(8, heads=3, n_bar=3)


def test_A1_identical_queries_in_a_group():
    Q, C, Y = data(4, 6, 3, 4, shared=True)
    Q[1] = Q[0]
    with pytest.raises(AssumptionViolatedError) as exc:
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)
    assert exc.value.assumption == "A1"
    assert exc.value.witness["subset"] == [0, 1]
    coeffs = exc.value.witness["null_vector"]
    assert coeffs[0] == -coeffs[1] != 0


def test_A1_old_query_in_span_of_later_group():
    Q, C, Y = data(4, 6, 3, 4, shared=False)  # N_1 = 0..3, N_2 = 4..6
    Q = np.random.default_rng(1).integers(-5, 6, size=Q.shape).astype(float)  # exact float arithmetic below
    Q[5] = 2.0 * Q[0] - Q[4]
    with pytest.raises(AssumptionViolatedError) as exc:
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)
    w = exc.value.witness
    assert exc.value.assumption == "A1" and w["group"] == 2  # N_2, as in the paper
    assert w["subset"] == [0, 4, 5]
    v = dict(zip(w["subset"], w["null_vector"]))
    assert not np.any(sum(v[i] * Q[i] for i in v))  # exact: integer data


def test_float_rounding_makes_A1_hold_exactly_but_not_numerically():
    """theorem.md §7.1: a float-planted dependency is usually exactly independent. A1 then holds (exact
    check passes) but float64 cannot separate the queries: a NumericalConstructionError names them."""
    from memproof.construction import NumericalConstructionError

    Q, C, Y = data(4, 6, 3, 4, shared=False)
    Q[5] = 0.3 * Q[0] - 0.7 * Q[4]
    from memproof.arith import exact

    assert exact.rank(Q[[0, 4, 5]]) == 3  # the planted float dependency is exactly independent (seeded data)
    with pytest.raises(NumericalConstructionError, match=r"Old queries \[0\]"):
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "distinct"])
def test_A2_rank_deficient_context(shared):
    Q, C, Y = data(4, 6, 3, 4, shared=shared)
    C = np.random.default_rng(1).integers(-9, 10, size=C.shape).astype(float)  # sums below are exact
    if shared:
        C[3] = C[0] + C[1]
        bad = 0
    else:
        C[7, 3] = C[7, 0] + C[7, 1]
        bad = 7
    with pytest.raises(AssumptionViolatedError) as exc:
        construct_memorizing_mha(Q, C, Y, heads=3, d_h=4)
    w = exc.value.witness
    assert exc.value.assumption == "A2" and w["example"] == bad and w["rank"] == 3
    E = C if shared else C[7]
    y = np.array(w["left_null_vector"], dtype=float)
    assert np.abs(y @ E).max() < 1e-12 and np.any(y)


def test_invalid_arguments():
    Q, C, Y = data(3, 5, 2, 3, shared=True)
    with pytest.raises(InvalidArgumentError):
        construct_memorizing_mha(Q, C, None, heads=2, d_h=3)
    with pytest.raises(InvalidArgumentError):
        construct_memorizing_mha(Q, C, Y, heads=0, d_h=3)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0)
    with pytest.raises(InvalidArgumentError):
        check_memorizes(res.weights, Q, C, Y, certify="exact")
    with pytest.raises(InvalidArgumentError):
        check_memorizes(res.weights, Q, C, np.zeros((5, 2)))  # d_o mismatch


# ----------------------------------------------------------------------------------------- checker
def test_checker_refutes_zero_weights_shared_context():
    Q, C, Y = data(3, 5, 2, 3, shared=True)
    w = MHAWeights.zeros(AttentionSpec(n=3, d=5, heads=2, d_h=3, d_v=1, d_o=1))
    for mode in ("rigorous", "empirical"):
        r = check_memorizes(w, Q, C, Y, certify=mode)
        assert r.outcome is Outcome.REFUTED and r.level is Level.EXACT
        assert r.counterexample["equal_rows"] == [0, 1] and r.counterexample["labels_differ"] is True
        assert not r
    # equal labels on the equal rows: these labels are not refuted, but 'every labelling' is
    Yeq = np.ones(5)
    r = check_memorizes(w, Q, C, Yeq)
    assert r.outcome is Outcome.UNKNOWN and "rank Z < T" in r.reason
    r_all = check_memorizes(w, Q, C, Yeq, for_all_labels=True)
    assert r_all.outcome is Outcome.REFUTED and r_all.claim == "S7"


def test_checker_refutes_broken_construction():
    Q, C, Y = data(4, 6, 3, 4, shared=True)
    res = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=0)
    w = res.weights
    broken = MHAWeights(np.zeros_like(w.W_Q), w.W_K, w.W_V, w.W_O)
    r = check_memorizes(broken, Q, C, Y)
    assert r.outcome is Outcome.REFUTED


def test_checker_dimension_count_refutations():
    rng = np.random.default_rng(0)
    w = MHAWeights.random(AttentionSpec(n=2, d=4, heads=1, d_h=2, d_v=1, d_o=1), rng=1)
    Q, E, Y = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=3)
    r = check_memorizes(w, Q, E, Y, for_all_labels=True)  # shared: rank Z ≤ H(n−1)+1 = 2 < 3
    assert r.outcome is Outcome.REFUTED and "P2" in r.counterexample["why"]
    assert check_memorizes(w, Q, E, Y).outcome is Outcome.UNKNOWN  # these labels: not decided
    Q5, C5 = rng.normal(size=(5, 4)), rng.normal(size=(5, 2, 4))  # T = 5 > H d = 4
    r = check_memorizes(w, Q5, C5, rng.normal(size=5), for_all_labels=True)
    assert r.outcome is Outcome.REFUTED and r.counterexample["rank_bound"] == 4


def test_checker_never_proves_on_non_memorizing_random_weights():
    rng = np.random.default_rng(3)
    w = MHAWeights.random(AttentionSpec(n=2, d=3, heads=1, d_h=1, d_v=1, d_o=1), rng=4)
    Q, C, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2, 3)), rng.normal(size=4)  # T = 4 > H d = 3
    r = check_memorizes(w, Q, C, Y)
    assert r.outcome is not Outcome.PROVED


def test_empirical_mode_and_float_readout_part():
    Q, C, Y = data(3, 5, 2, 3, shared=False)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0)
    r = check_memorizes(res.weights, Q, C, Y, certify="empirical")
    assert r.outcome is Outcome.PROVED and r.level is Level.EMPIRICAL
    # a wrong float readout does not affect the rank certificate, only the empirical part
    w = res.weights
    bad = MHAWeights(w.W_Q, w.W_K, w.W_V, w.W_O * 2.0)
    assert res.check("empirical").outcome is Outcome.PROVED
    r2 = check_memorizes(bad, Q, C, Y)
    assert r2.outcome is Outcome.PROVED and r2.level is Level.RIGOROUS
    assert r2.parts[1].outcome is Outcome.UNKNOWN and r2.margins["max_abs_error"] > 1e-3


def test_enclosure_contains_float_features_up_to_rounding():
    for shared in (True, False):
        Q, C, Y = data(3, 5, 2, 3, shared=shared)
        res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0)
        enc = feature_enclosure(res.weights, Q, C)
        Zf = feature_matrix(res.weights, C, Q)
        mids = np.array([[float(enc[i, j].mid()) for j in range(enc.ncols())] for i in range(enc.nrows())])
        rads = np.array([[float(enc[i, j].rad()) for j in range(enc.ncols())] for i in range(enc.nrows())])
        assert mids.shape == Zf.shape and np.abs(mids - Zf).max() < 1e-10 and rads.max() < 1e-20


def test_enclosure_shared_and_broadcast_agree():
    Q, C, Y = data(3, 5, 2, 3, shared=True)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0)
    a = feature_enclosure(res.weights, Q, C)
    b = feature_enclosure(res.weights, Q, np.broadcast_to(C, (5, 3, 5)).copy())
    assert all(x.overlaps(y) for x, y in zip(a.entries(), b.entries()))


# ------------------------------------------------------------------------------------- properties
@st.composite
def small_problem(draw):
    n = draw(st.integers(2, 4))
    d = n + draw(st.integers(1, 3))
    heads = draw(st.integers(1, 3))
    d_h = draw(st.integers(1, n + 1))
    cap = capacity(heads, min(n, d_h))
    T = draw(st.integers(1, cap))
    shared = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return n, d, heads, d_h, T, shared, seed


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problem())
def test_property_constructor_memorizes_certified(problem):
    n, d, heads, d_h, T, shared, seed = problem
    Q, C, Y = data(n, d, heads, d_h, shared=shared, T=T, seed=seed)
    res = construct_memorizing_mha(Q, C, Y, heads=heads, d_h=d_h, seed=seed)
    assert res.max_abs_error < 1e-6 * max(1.0, np.abs(Y).max())
    r = check_memorizes(res.weights, Q, C, Y)
    assert r.outcome is Outcome.PROVED and r.level is Level.RIGOROUS


# ----------------------------------------------------------------------------------------- slow
@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["shared", "distinct"])
def test_T_about_150_certified(shared):
    Q, C, Y = data(16, 32, 10, 16, shared=shared)  # T = 151
    res = construct_memorizing_mha(Q, C, Y, heads=10, d_h=16, seed=1)
    assert res.max_abs_error < 1e-6
    r = check_memorizes(res.weights, Q, C, Y)
    assert r.outcome is Outcome.PROVED and r.level is Level.RIGOROUS


@pytest.mark.slow
def test_T_about_1000_shared_context_certified():
    """d = 64, n = 32, H = 33: T = 1024 examples (the brief's scale target; ~1 min on one core)."""
    Q, C, Y = data(32, 64, 33, 32, shared=True)
    res = construct_memorizing_mha(Q, C, Y, heads=33, d_h=32, seed=1)
    assert Q.shape[0] == 1024 and res.max_abs_error < 1e-6
    r = check_memorizes(res.weights, Q, C, Y)
    assert r.outcome is Outcome.PROVED and r.level is Level.RIGOROUS

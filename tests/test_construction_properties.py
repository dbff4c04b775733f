"""Property-based tests of the constructor with memproof.strategies: valid datasets are memorized
(certified), invalid ones raise the right error with the right witness, and the float forward pass
of the constructed weights lies inside the rigorous enclosure."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from memproof import strategies as mst
from memproof.arith import exact
from memproof.arith.rigorous import working_precision
from memproof.construction import check_memorizes, construct_memorizing_mha, feature_enclosure
from memproof.errors import AssumptionViolatedError
from memproof.model import feature_matrix
from memproof.results import Level, Outcome

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sizes():
    return st.tuples(st.integers(2, 4), st.integers(1, 3), st.integers(1, 3)).map(
        lambda p: {"n": p[0], "d": p[0] + p[1], "heads": p[2]})


@SETTINGS
@given(sizes().flatmap(lambda s: st.tuples(st.just(s), mst.datasets(s["n"], s["d"], s["heads"] * (s["n"] - 1) + 1,
                                                                   kruskal_rank=s["d"]))))
def test_valid_datasets_are_memorized_and_certified(case):
    s, ds = case
    res = construct_memorizing_mha(ds.queries, ds.contexts, ds.labels, heads=s["heads"], d_h=s["n"], seed=0)
    r = check_memorizes(res.weights, ds.queries, ds.contexts, ds.labels)
    assert r.outcome is Outcome.PROVED and r.level is Level.RIGOROUS, r.reason
    assert res.max_abs_error < 1e-6 * max(1.0, float(np.abs(ds.labels).max()))
    Zb, Zf = feature_enclosure(res.weights, ds.queries, ds.contexts), feature_matrix(res.weights, ds.contexts, ds.queries)
    # float forward vs the exact features: the float logits E W_K W_Qᵀ e carry a rounding error of at most
    # (2d + d_h)·u·Σ|products| (standard dot-product bound, doubled); softmax then moves each attention
    # weight by at most that much, and a feature by n·max|x| times it.
    w, C = res.weights, np.broadcast_to(ds.contexts, (ds.T, ds.n, ds.d))
    abs_logits = np.einsum("tnd,hda,hea,te->thn", np.abs(C), np.abs(w.W_K), np.abs(w.W_Q), np.abs(ds.queries))
    tol = 2 * (2 * ds.d + w.d_h) * np.finfo(float).eps * abs_logits.max() * ds.n * np.abs(C).max() + 1e-12
    with working_precision(106):
        assert all(Zb[i, j].overlaps(type(Zb[i, j])(float(Zf[i, j]), tol)) for i in range(Zb.nrows()) for j in range(Zb.ncols()))


@SETTINGS
@given(st.integers(2, 4).flatmap(lambda n: mst.violating_datasets(n, n + 2, 2 * (n - 1) + 1)))
def test_violations_raise_with_the_witness_or_are_not_needed(v):
    """The constructor checks A1 exactly on the subsets it uses (and A2 on every context): a violation
    there raises with the witness; a dependent subset the construction never uses does not stop it,
    and the result is then certified like any other."""
    ds = v.dataset
    try:
        res = construct_memorizing_mha(ds.queries, ds.contexts, ds.labels, heads=2, d_h=ds.n, seed=0)
    except AssumptionViolatedError as err:
        assert err.assumption == v.assumption
        if v.assumption == "A2":
            assert err.witness["example"] == v.witness["example"]
        else:
            assert exact.rank(ds.queries[err.witness["subset"]]) < len(err.witness["subset"])
        return
    assert v.assumption == "A1"
    used = [list(g) for g in res.partition] + [[t, *g] for h, g in enumerate(res.partition) for p in res.partition[:h] for t in p]
    assert all(exact.rank(ds.queries[S]) == len(S) for S in used if S)
    assert check_memorizes(res.weights, ds.queries, ds.contexts, ds.labels).outcome is Outcome.PROVED

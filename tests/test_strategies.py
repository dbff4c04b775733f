"""memproof.strategies: generated datasets satisfy (or violate, where planted) the assumptions exactly."""
import itertools

import numpy as np
from hypothesis import given, settings, strategies as st

from memproof import strategies as mst
from memproof.arith import exact


def kruskal_rank_bruteforce(rows: np.ndarray) -> int:
    k = 0
    for size in range(1, len(rows) + 1):
        if all(exact.rank(rows[list(S)]) == size for S in itertools.combinations(range(len(rows)), size)):
            k = size
        else:
            break
    return k


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_queries_have_the_prescribed_kruskal_rank(data):
    d = data.draw(st.integers(2, 5))
    k = data.draw(st.integers(1, d))
    T = data.draw(st.integers(1, 7))
    q = data.draw(mst.queries(T, d, k))
    assert q.shape == (T, d) and kruskal_rank_bruteforce(q) == min(T, k)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.just(n), st.integers(n + 1, n + 3), st.integers(1, 6))).flatmap(
    lambda p: mst.datasets(*p)))
def test_datasets_satisfy_A1_and_A2(ds):
    n = ds.n
    for S in itertools.combinations(range(ds.T), min(n, ds.T)):
        assert exact.rank(ds.queries[list(S)]) == len(S)
    for t in range(ds.T):
        assert exact.rank(ds.context(t)) == n
    assert ds.labels.shape == (ds.T, 1)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 4).flatmap(lambda n: mst.violating_datasets(n, n + 2, n + 3)))
def test_violations_are_where_the_witness_says(v):
    ds = v.dataset
    if v.assumption == "A1":
        subset = v.witness["subset"]
        assert len(subset) <= ds.n and exact.rank(ds.queries[subset]) < len(subset)
    else:
        t = v.witness["example"]
        assert exact.rank(ds.context(t)) < ds.n
        assert all(exact.rank(ds.context(s)) == ds.n for s in range(ds.T) if s != t)


@settings(max_examples=20, deadline=None)
@given(mst.attention_specs())
def test_attention_specs_in_theorem_range(spec):
    assert spec.n < spec.d and spec.d_v >= min(spec.d, spec.d_o)
    spec.require_theorem_range()

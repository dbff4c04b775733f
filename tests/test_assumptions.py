"""A1, A2, A3 checkers: refute violating datasets with the right witness, prove valid ones."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from memproof.arith import exact
from memproof.assumptions import a3_family, check_a1, check_a1_targeted, check_a2, check_a3
from memproof.blueprint.context import CheckContext
from memproof.data import Dataset
from memproof.errors import InvalidArgumentError
from memproof.results import Level, Outcome, ScopeKind
from memproof_proofs.mahdavi2024.checkers.assumptions import check_A1, check_A2, check_A3


def gaussian(T=12, n=3, d=6, shared=False, seed=0):
    rng = np.random.default_rng(seed)
    ctx = rng.standard_normal((n, d)) if shared else rng.standard_normal((T, n, d))
    return Dataset(rng.standard_normal((T, d)), ctx)


@pytest.mark.parametrize("shared", [True, False])
def test_valid_gaussian_data_proves_all(shared):
    ds = gaussian(shared=shared)
    for r, claim in ((check_a1(ds), "A1"), (check_a2(ds), "A2"), (check_a3(ds), "A3")):
        assert r.claim == claim and r.outcome is Outcome.PROVED and r.level is Level.EXACT
        assert r.scope.kind is ScopeKind.INSTANCE and "exact rationals" in r.scope.description


def test_a1_identical_queries_refuted_with_witness():
    ds = gaussian()
    q = ds.queries.copy()
    q[9] = q[2]
    r = check_a1(Dataset(q, ds.contexts))
    assert r.outcome is Outcome.REFUTED and r.level is Level.EXACT
    assert r.counterexample["subset"] == [2, 9] and r.counterexample["null_vector"] == ["1", "-1"]
    assert len(r.counterexample["dependent_n_subset"]) == ds.n and {2, 9} <= set(r.counterexample["dependent_n_subset"])
    assert not bool(r)


def test_a1_planted_circuit_null_vector_is_exact():
    ds = gaussian(T=10, n=4, d=8, seed=3)
    q = ds.queries.copy()
    q[7] = q[1] + q[4]  # a float sum may round: the exact answer decides
    r = check_a1(Dataset(q, ds.contexts))
    if r.outcome is Outcome.REFUTED:
        sub = r.counterexample["subset"]
        x = [int(c) for c in r.counterexample["null_vector"]]
        tot = [sum(Fraction(c) * Fraction(float(q[i][j])) for c, i in zip(x, sub)) for j in range(q.shape[1])]
        assert all(t == 0 for t in tot)
    else:  # rounding made the sum exactly independent: then the exact check must say so
        assert r.outcome is Outcome.PROVED


def test_a2_rank_deficient_context_refuted_with_left_null_vector():
    ds = gaussian(T=8, n=3, d=5)
    c = ds.contexts.copy()
    c[5, 2] = 2.0 * c[5, 0]
    r = check_a2(Dataset(ds.queries, c))
    assert r.outcome is Outcome.REFUTED and r.counterexample["example"] == 5
    y = [int(v) for v in r.counterexample["left_null_vector"]]
    assert y == [2, 0, -1]
    shared = Dataset(ds.queries, np.vstack([c[5]]))
    r2 = check_a2(shared)
    assert r2.outcome is Outcome.REFUTED and "shared" in str(r2.counterexample["example"])


def test_a2_n_greater_than_d():
    rng = np.random.default_rng(0)
    r = check_a2(Dataset(rng.standard_normal((5, 2)), rng.standard_normal((3, 2))))
    assert r.outcome is Outcome.REFUTED


def test_a3_violated_while_a1_holds():
    # integer data so that the planted relation is exact: u_t = ((n+2) e_t + s_t)/(n+1), s_t = Σ_i E_t[i]
    rng = np.random.default_rng(4)
    T, n, d = 8, 3, 5
    q = rng.integers(-5, 6, (T, d)).astype(float)
    ctx = rng.integers(-5, 6, (T, n, d)).astype(float)
    s0 = ctx[0].sum(axis=0)
    target_s1 = (n + 2) * (q[0] - q[1]) + s0          # makes u_1 = u_0
    ctx[1, -1] = target_s1 - ctx[1, :-1].sum(axis=0)
    ds = Dataset(q, ctx)
    assert check_a1(ds).outcome is Outcome.PROVED
    r = check_a3(ds)
    assert r.outcome is Outcome.REFUTED and r.counterexample["subset"] == [0, 1]
    fam = a3_family(ds)
    assert fam.check_null_vector([0, 1], [int(c) for c in r.counterexample["null_vector"]])


def test_a3_family_matches_definition():
    ds = gaussian(T=4, n=2, d=3, seed=9)
    fam = a3_family(ds)
    rows = fam.exact_rows([1])[0]
    expect = ds.queries[1] + (ds.queries[1] + ds.contexts[1].sum(axis=0)) / 3
    assert np.allclose([float(x) for x in rows], expect)
    p = 16777213
    modp = fam.mod_p(p)[1]
    assert [int(x.p) % p * pow(int(x.q), -1, p) % p for x in rows] == modp.tolist()


def test_a3_family_hash_tells_context_layouts_apart():
    """(T, n, d) contexts and one shared (T·n, d) context flatten to the same rows, but their A3 vectors
    differ — so must their input hashes (a checkpoint of one must not resume the other)."""
    rng = np.random.default_rng(3)
    q, ctx = rng.standard_normal((2, 5)), rng.standard_normal((2, 2, 5))
    per_example, shared = Dataset(q, ctx), Dataset(q, ctx.reshape(4, 5))
    a, b = a3_family(per_example), a3_family(shared)
    assert [list(r) for r in a.exact_rows([0])] != [list(r) for r in b.exact_rows([0])]
    assert a.input_hash != b.input_hash
    assert a3_family(Dataset(q.copy(), ctx.copy())).input_hash == a.input_hash


def test_targeted_mode():
    ds = gaussian(T=7, n=3, d=6, seed=1)
    groups = [[0, 1, 2], [3, 4], [5, 6]]
    assert check_a1_targeted(ds, groups).outcome is Outcome.PROVED
    q = ds.queries.copy()
    q[5] = q[0]  # old query 0 with group 3 = {5, 6}: a subset the construction uses
    r = check_a1(Dataset(q, ds.contexts), groups=groups)
    assert r.outcome is Outcome.REFUTED and r.counterexample["subset"] == [0, 5, 6]
    assert r.counterexample["circuit"] == [0, 5]
    q2 = ds.queries.copy()
    q2[4] = 2.0 * q2[1]     # old query 1 with group 2 = {3, 4}: used
    assert check_a1_targeted(Dataset(q2, ds.contexts), groups).outcome is Outcome.REFUTED
    q3 = ds.queries.copy()
    q3[6] = 4.0 * q3[3]     # 3 in group 2 and 6 in group 3: old query 3 with group 3 -> used
    assert check_a1_targeted(Dataset(q3, ds.contexts), groups).outcome is Outcome.REFUTED


def test_targeted_mode_misses_unused_dependency():
    rng = np.random.default_rng(2)
    q = rng.integers(-4, 5, (7, 6)).astype(float)
    q[6] = q[0] + q[3] - q[5]   # the 4-set {0,3,5,6} is dependent; n = 3 subsets the construction uses are fine
    ctx = rng.standard_normal((3, 6))
    ds = Dataset(q, ctx)
    groups = [[0, 1, 2], [3, 4], [5, 6]]
    assert check_a1_targeted(ds, groups).outcome is Outcome.PROVED
    assert check_a1(ds).outcome is Outcome.PROVED   # n = 3: a 4-circuit does not violate A1 either
    q[6] = q[0] + q[3]           # now {0, 3, 6}: 0 old, 3 in group 2, 6 in group 3 -> never tested together
    ds = Dataset(q, ctx)
    assert check_a1_targeted(ds, groups).outcome is Outcome.PROVED
    full = check_a1(ds)
    assert full.outcome is Outcome.REFUTED and full.counterexample["subset"] == [0, 3, 6]


@pytest.mark.parametrize("groups", [[[0, 1, 2], [3, 4]], [[0, 1], [2, 3, 4], [5, 6]], [[0, 1, 2], [3, 4], [5, 5]], "x"])
def test_bad_groups(groups):
    with pytest.raises(InvalidArgumentError):
        check_a1_targeted(gaussian(T=7), groups)


def test_too_large_gives_unknown_with_evidence():
    ds = gaussian(T=80, n=30, d=40, shared=True, seed=5)
    r = check_a1(ds, budget=2.0, samples=50)
    assert r.outcome is Outcome.UNKNOWN
    kr = r.evidence["kruskal"]
    assert kr["sampling"]["samples"] == 50 and kr["exact"] is False
    assert "not a Kruskal rank" in kr["sampling"]["statement"]


@pytest.mark.parametrize("checker", [check_A1, check_A2, check_A3])
def test_graph_checkers(checker):
    r = checker(CheckContext(seed=1, quick=True))
    assert r.outcome is Outcome.PROVED and r.level is Level.EXACT and len(r.parts) == 2  # the proof's quick instances
    r = checker(CheckContext(seed=2, quick=False))
    assert r.outcome is Outcome.PROVED and len(r.parts) == 5
    assert r.to_dict()["claim"] == checker.__name__.split("_")[1]


@pytest.mark.parametrize("checker", [check_A1, check_A2, check_A3])
def test_graph_checkers_name_each_instance_and_charge_the_construction_as_shared(checker):
    """Each part says which dataset it is about; building the instances is shared time, not the claim's."""
    from memproof.assumptions import SCOPE_TEXT
    from memproof.results import Scope
    from memproof_proofs.mahdavi2024.checkers.instances import constructed_instances

    ctx = CheckContext(seed=1, quick=True)
    claim = checker.__name__.split("_")[1]
    r = checker(ctx)
    labels = [inst.label for inst in constructed_instances(ctx)]
    assert [p.statement for p in r.parts] == [f"{claim} on {label}" for label in labels]
    assert [p.scope for p in r.parts] == [Scope.instance(f"{label}; {SCOPE_TEXT}") for label in labels]
    assert list(ctx.costs.seconds) == ["construct and enclose the proof's instances (A1–A3, S1–S8, P1, T1)"]


def test_a3_forwards_its_options_and_records_what_it_decided():
    from memproof.assumptions import A3_STATEMENT

    rng = np.random.default_rng(0)
    ds = Dataset(rng.standard_normal((400, 8)), rng.standard_normal((400, 4, 8)))
    r = check_a3(ds, budget=0.01, samples=50, seed=3)   # C(400, 4) minors do not fit: sampling evidence only
    assert r.outcome is Outcome.UNKNOWN and r.statement == A3_STATEMENT
    assert r.evidence["vectors"] == "e_t + (e_t + Σ_i E_t[i]) / (n+1)" and r.evidence["n"] == 4
    kr = r.evidence["kruskal"]
    assert kr["at_least"] == 4 and kr["numerical"] is None and kr["input_hash"] == a3_family(ds).input_hash
    assert (kr["sampling"]["samples"], kr["sampling"]["seed"], kr["sampling"]["numerical"]) == (50, 3, None)
    small = Dataset(ds.queries[:30], ds.contexts[:30])
    done = check_a3(small)                              # no budget: decided exactly
    assert done.outcome is Outcome.PROVED and done.evidence["kruskal"]["at_least"] == 4
    with pytest.raises(InvalidArgumentError, match="mode"):
        check_a3(ds, mode="bogus")


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "distinct"])
def test_require_used_assumptions_refuses_a_rank_deficient_context(shared):
    from memproof.assumptions import require_used_assumptions
    from memproof.errors import AssumptionViolatedError

    rng = np.random.default_rng(1)
    q = rng.integers(-9, 10, (6, 5)).astype(float)
    c = rng.integers(-9, 10, (3, 5) if shared else (6, 3, 5)).astype(float)
    if shared:
        c[2] = c[0] - 2 * c[1]
    else:
        c[4, 2] = c[4, 0] - 2 * c[4, 1]
    bad = 0 if shared else 4
    with pytest.raises(AssumptionViolatedError) as err:
        require_used_assumptions(Dataset(q, c), [[0, 1, 2], [3, 4], [5]])
    e = err.value
    assert e.assumption == "A2"
    assert str(e).startswith(f"assumption A2 violated: context of example {bad} has rank 2 < n = 3"
                             + (" (shared context) (witness:" if shared else " (witness:"))
    assert e.witness == {"example": bad, "rank": 2, "n": 3, "shared_context": shared, "left_null_vector": [1, -2, -1]}
    ok = require_used_assumptions(Dataset(q, rng.integers(-9, 10, c.shape).astype(float)), [[0, 1, 2], [3, 4], [5]])
    assert ok["A2"] == f"exact: {1 if shared else 6} context(s) of rank n" and ok["A1"].startswith("exact: ")


@pytest.mark.parametrize("groups, passed, expected", [
    ("x", "'x'", "a list of lists of example indices"),
    ([[0, 1], None], "[[0, 1], None]", "a list of lists of example indices"),
    ([], "0 groups, the first empty", "a non-empty first group N_1"),
    ([[], [0, 1, 2, 3, 4, 5, 6]], "2 groups, the first empty", "a non-empty first group N_1"),
    ([[0, 1, 2], [3, 4]], "groups covering 5 distinct of 5 indices", "a partition of range(T) = range(7)"),
    ([[0, 1, 2], [3, 4], [5, 5]], "groups covering 6 distinct of 7 indices", "a partition of range(T) = range(7)"),
    ([[0, 1], [2, 3, 4], [5, 6]], "group sizes [2, 3, 2]", "|N_1| = n̄ = 2 and |N_h| ≤ n̄ - 1 = 1 for h ≥ 2 (theorem.md §6)"),
])
def test_bad_groups_are_refused_with_what_was_wrong(groups, passed, expected):
    ds = gaussian(T=7, n=3, d=6)
    with pytest.raises(InvalidArgumentError) as err:
        check_a1_targeted(ds, groups)
    assert (err.value.name, err.value.passed, err.value.expected) == ("groups", passed, expected)


def test_a_partition_with_empty_later_groups_is_accepted():
    ds = gaussian(T=4, n=3, d=6)
    r = check_a1_targeted(ds, [[0, 1, 2], [3], []])
    assert r.outcome is Outcome.PROVED and r.evidence["groups"] == [[0, 1, 2], [3], []]


def test_targeted_a1_refutes_a_dependent_group_with_its_circuit():
    ds = gaussian(T=7, n=3, d=6)
    q = ds.queries.copy()
    q[5] = q[4]                                   # N_3 = {4, 5} is dependent
    bad = Dataset(q, ds.contexts)
    r = check_a1_targeted(bad, [[0, 1, 2], [3], [4, 5], [6]])
    assert r.outcome is Outcome.REFUTED and r.claim == "A1" and r.level is Level.EXACT
    ce = r.counterexample
    assert (ce["group"], ce["subset"], ce["circuit"]) == (3, [4, 5], [4, 5])
    assert ce["null_vector"] == ce["circuit_null_vector"] and ce["null_vector"] in (["1", "-1"], ["-1", "1"])
    assert r.evidence == {"groups": [[0, 1, 2], [3], [4, 5], [6]], "subsets_checked": 6,
                          "method": "rank mod p with exact re-check of failures"}
    assert r.statement == ("A1 (targeted): for the partition N_1..N_4 (n̄ = 3) every group's queries and every old "
                           "query with a later group's queries are independent")
    assert "only the subsets the construction uses for the given partition" in r.scope.description


def test_targeted_a1_refutes_an_old_query_in_a_later_groups_span():
    ds = gaussian(T=7, n=3, d=6)
    q = ds.queries.copy()
    q[1] = q[4]                                   # old query 1 is in span(N_3) = span{q4, q5}
    r = check_a1_targeted(Dataset(q, ds.contexts), [[0, 1, 2], [3], [4, 5], [6]])
    ce = r.counterexample
    assert r.outcome is Outcome.REFUTED and (ce["group"], ce["subset"], ce["old_query"]) == (3, [1, 4, 5], 1)
    assert ce["circuit"] == [1, 4] and len(ce["null_vector"]) == 3 and ce["null_vector"][2] == "0"
    ok = check_a1_targeted(ds, [[0, 1, 2], [3], [4, 5], [6]])
    assert ok.outcome is Outcome.PROVED and ok.claim == "A1" and ok.level is Level.EXACT
    assert ok.evidence["subsets_checked"] == 1 + (1 + 3) + (1 + 4) + (1 + 6)   # each group, then each old query with it
    assert 0.0 <= ok.seconds < 60.0 and ok.statement.startswith("A1 (targeted): for the partition N_1..N_4 (n̄ = 3)")


def test_a2_with_n_above_d_is_refuted_with_a_null_vector():
    rng = np.random.default_rng(0)
    ds = Dataset(rng.integers(-5, 6, (5, 2)).astype(float), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    r = check_a2(ds)
    assert r.outcome is Outcome.REFUTED and r.claim == "A2" and r.level is Level.EXACT and r.seconds == 0.0
    assert r.counterexample == {"example": 0, "reason": "n = 3 > d = 2: no n × d matrix has rank n",
                                "left_null_vector": ["1", "1", "-1"]}


@pytest.mark.parametrize("d", [3, 1500])
def test_a2_decides_square_and_wide_contexts(d):
    rng = np.random.default_rng(4)
    c = rng.integers(-2**20, 2**20, (4, 3, d)).astype(float)
    good = check_a2(Dataset(rng.standard_normal((4, d)), c))
    assert good.outcome is Outcome.PROVED and good.evidence["contexts_checked"] == 4
    c[2, 1] = 3 * c[2, 0] - c[2, 2]
    bad = check_a2(Dataset(rng.standard_normal((4, d)), c))
    assert bad.outcome is Outcome.REFUTED and bad.counterexample["example"] == 2
    assert bad.counterexample["left_null_vector"] == ["3", "-1", "-1"]


def test_require_used_assumptions_refuses_a_dependent_group_with_its_circuit():
    from memproof.assumptions import require_used_assumptions
    from memproof.errors import AssumptionViolatedError

    ds = gaussian(T=7, n=3, d=6)
    q = ds.queries.copy()
    q[5] = q[4]
    with pytest.raises(AssumptionViolatedError) as err:
        require_used_assumptions(Dataset(q, ds.contexts), [[0, 1, 2], [3], [4, 5], [6]])
    e = err.value
    assert e.assumption == "A1"
    assert str(e).startswith("assumption A1 violated: the queries of examples [4, 5] are linearly dependent (used with group N_3)")
    assert e.witness == {"subset": [4, 5], "null_vector": e.witness["null_vector"], "group": 3, "checked_subset": [4, 5],
                         "why": "Σ null_vector[j] · e_{subset[j]} = 0 exactly; the construction needs these ≤ n queries independent"}
    assert e.witness["null_vector"] in ([1, -1], [-1, 1])


def test_a_too_large_second_group_is_refused():
    with pytest.raises(InvalidArgumentError) as err:
        check_a1_targeted(gaussian(T=7, n=3, d=6), [[0, 1, 2], [3, 4, 5], [6]])
    assert err.value.passed == "group sizes [3, 3, 1]"


def test_a3_family_is_named_by_its_data():
    ds, other = gaussian(T=8, n=3, d=6, seed=0), gaussian(T=8, n=3, d=6, seed=1)
    h = a3_family(ds).input_hash
    assert h.startswith("sha256:") and len(h) == len("sha256:") + 64
    assert h == a3_family(gaussian(T=8, n=3, d=6, seed=0)).input_hash != a3_family(other).input_hash
    assert h != a3_family(Dataset(ds.queries, other.contexts)).input_hash


def test_targeted_a1_rechecks_exactly_when_a_group_is_singular_mod_p():
    from memproof.kruskal.modular import SWEEP_PRIMES

    p = float(SWEEP_PRIMES[0])
    # N_2 = {3, 4} is independent over Q but equal mod p; the old query 0 = (q4 - q3)/p lies in its span,
    # which no residual mod p can show: only the exact re-check refutes {0, 3, 4}
    q = np.array([[0, 1, 0], [0, 0, 1], [1, 1, 1], [1, 0, 0], [1, p, 0]], dtype=float)
    ctx = np.random.default_rng(0).standard_normal((3, 3))
    r = check_a1_targeted(Dataset(q, ctx), [[0, 1, 2], [3, 4]])
    assert r.outcome is Outcome.REFUTED and r.counterexample["subset"] == [0, 3, 4] and r.counterexample["old_query"] == 0


def test_targeted_a1_checks_groups_after_an_empty_one():
    ds = gaussian(T=5, n=3, d=6)
    q = ds.queries.copy()
    q[4] = 2 * q[3]
    r = check_a1_targeted(Dataset(q, ds.contexts), [[0, 1, 2], [], [3, 4]])
    assert r.outcome is Outcome.REFUTED and r.counterexample["group"] == 3 and r.seconds > 0.0


def test_targeted_a1_refutes_an_old_query_that_is_a_combination():
    ds = gaussian(T=7, n=3, d=6)
    q = np.random.default_rng(2).integers(-9, 10, (7, 6)).astype(float)
    q[2] = 3 * q[4] - 2 * q[5]
    r = check_a1_targeted(Dataset(q, ds.contexts), [[0, 1, 2], [3], [4, 5], [6]])
    assert r.outcome is Outcome.REFUTED and r.counterexample["subset"] == [2, 4, 5] and r.counterexample["old_query"] == 2


def test_results_carry_statement_scope_evidence_and_time():
    from memproof.assumptions import A2_STATEMENT, SCOPE_TEXT

    ds = gaussian(T=7, n=3, d=6)
    ok = check_a1_targeted(ds, [[0, 1, 2], [3], [4, 5], [6]])
    assert ok.scope.description == SCOPE_TEXT + " (only the subsets the construction uses for the given partition)"
    assert ok.seconds > 0.0
    a2 = check_a2(ds)
    assert a2.statement == A2_STATEMENT and a2.scope.description == SCOPE_TEXT and a2.level is Level.EXACT and a2.seconds > 0.0
    assert a2.evidence == {"contexts_checked": 7, "shared": False, "prime": a2.evidence["prime"],
                           "method": "det of E_t·P mod p (nonzero ⇒ rank n), exact left-null vector otherwise"}
    c = ds.contexts.copy()
    c[0, 2] = c[0, 0]
    shared = Dataset(ds.queries, c[0])
    bad = check_a2(shared)
    assert (bad.claim, bad.statement, bad.level, bad.scope.description) == ("A2", A2_STATEMENT, Level.EXACT, SCOPE_TEXT)
    assert bad.counterexample == {"example": "shared context (all t)", "left_null_vector": ["1", "0", "-1"],
                                  "meaning": "Σ_i y[i] · E_t[i] = 0 exactly: rank E_t < n"}
    assert bad.evidence["shared"] is True and bad.evidence["contexts_checked"] == 1 and bad.seconds > 0.0
    wide = check_a2(Dataset(ds.queries[:, :2], c[:, :, :2]))
    assert (wide.statement, wide.scope.description) == (A2_STATEMENT, SCOPE_TEXT)


def test_a1_counterexamples_for_every_kind_of_upper_bound():
    from memproof.assumptions import A1_STATEMENT, SCOPE_TEXT

    q = np.eye(4)[[0, 1, 2, 3, 0]]
    r = check_a1(Dataset(q, np.eye(3, 4)))                      # n = 3: the circuit {0, 4} padded to 3 queries
    assert (r.outcome, r.claim, r.statement, r.level, r.scope.description) == (Outcome.REFUTED, "A1", A1_STATEMENT, Level.EXACT, SCOPE_TEXT)
    assert r.counterexample == {"subset": [0, 4], "null_vector": ["1", "-1"],
                                "meaning": "Σ_i null_vector[i] · v[subset[i]] = 0 exactly (a circuit)",
                                "dependent_n_subset": [0, 1, 4]}
    assert r.evidence["n"] == 3 and r.evidence["kruskal"]["n_vectors"] == 5 and r.seconds == pytest.approx(r.evidence["kruskal"]["seconds"], abs=1e-6)
    few = check_a1(Dataset(np.eye(4)[:2], np.eye(3, 4)))
    assert few.outcome is Outcome.REFUTED and few.counterexample == {"reason": "only 2 vectors, fewer than n = 3"}
    ok = check_a1(gaussian(T=8, n=3, d=6))
    assert (ok.outcome, ok.statement, ok.scope.description, ok.level) == (Outcome.PROVED, A1_STATEMENT, SCOPE_TEXT, Level.EXACT)
    assert ok.evidence["kruskal"]["at_least"] == 3 and ok.evidence["n"] == 3


def test_undecided_a1_says_what_is_known():
    rng = np.random.default_rng(0)
    ds = Dataset(rng.standard_normal((400, 8)), rng.standard_normal((400, 4, 8)))
    r = check_a1(ds, budget=0.01, samples=0)
    kr = r.evidence["kruskal"]
    assert r.outcome is Outcome.UNKNOWN and r.reason == (f"not decided within the budget: Kruskal rank in "
                                                         f"[{kr['kruskal_rank_lower']}, {kr['kruskal_rank_upper']}], need ≥ 4; no sampling")
    s = check_a1(ds, budget=0.01, samples=20, seed=1)
    assert s.reason.endswith(s.evidence["kruskal"]["sampling"]["statement"]) and s.evidence["kruskal"]["sampling"]["seed"] == 1


def test_targeted_mode_decides_combinations_exactly_at_extreme_magnitudes():
    """The old-query residual modulo span(N_h) (an exact product mod p) decides a dependence that is a
    combination of the group's queries, at magnitudes near 1e200 and 1e-200 (powers of two, so that the rows
    are exactly dependent as floats); one ulp away it is independent."""
    rng = np.random.default_rng(9)
    for scale in (2.0**660, 2.0**-660, 1.0):
        q = rng.integers(-9, 10, (7, 6)).astype(float) * scale
        q[0] = q[3] * 0.5 - q[4] * 4.0  # old query 0 lies in span(N_2 = {3, 4}), exactly (dyadic coefficients)
        ds = Dataset(q, rng.standard_normal((3, 6)))
        groups = [[0, 1, 2], [3, 4], [5, 6]]
        r = check_a1_targeted(ds, groups)
        assert r.outcome is Outcome.REFUTED and r.counterexample["subset"] == [0, 3, 4]
        q1 = q.copy()
        q1[0, np.flatnonzero(q1[0])[0]] = np.nextafter(q1[0, np.flatnonzero(q1[0])[0]], np.inf)
        assert check_a1_targeted(Dataset(q1, ds.contexts), groups).outcome is Outcome.PROVED
    # at 1e200 (not a power of two) the same recipe rounds: the verdict follows the exact rank of the floats
    q = rng.integers(-9, 10, (7, 6)).astype(float) * 1e200
    q[0] = q[3] * 0.5 - q[4] * 4.0
    independent = exact.rank(q[[0, 3, 4]]) == 3
    r = check_a1_targeted(Dataset(q, rng.standard_normal((3, 6))), [[0, 1, 2], [3, 4], [5, 6]])
    assert r.outcome is (Outcome.PROVED if independent else Outcome.REFUTED)


def test_matmul_mod_is_exact_at_the_largest_residues_and_across_chunks():
    """``matmul_mod`` (the float-split product the targeted A1 check relies on) against Python integers: all
    residues p − 1, an inner dimension past one 2^16 chunk, and a prime above 2^24 (the flint path)."""
    from memproof.kruskal.modular import SWEEP_PRIMES, matmul_mod

    for p, inner in ((SWEEP_PRIMES[0], 2**16 + 3), ((1 << 31) - 1, 5)):
        a = np.full((2, inner), p - 1, dtype=np.int64)
        a[1, ::7] = 1
        b = np.full((inner, 3), p - 1, dtype=np.int64)
        b[::5, 2] = 12345
        want = [[sum(int(x) * int(y) for x, y in zip(a[i], b[:, j])) % p for j in range(3)] for i in range(2)]
        assert matmul_mod(a, b, p).tolist() == want

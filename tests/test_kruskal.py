"""Kruskal rank engine: exact value against a brute-force oracle, certificates, resume, bad input."""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
from fractions import Fraction

import numpy as np

from memproof.positional import sinusoidal_encoding
import pytest
from flint import fmpq, fmpq_mat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memproof.errors import InvalidArgumentError, UndecidedError
from memproof.kruskal import (KruskalResult, VectorFamily, kruskal_rank,
                              numerical_kruskal_rank, run_sweep, sample_subsets, verify_certificate)
from memproof.kruskal.checkpoint import Checkpoint as _Checkpoint


# ------------------------------------------------------------------------------------- oracle
def _exact_rank(rows) -> int:
    if not rows:
        return 0
    return fmpq_mat([[fmpq(*Fraction(x).as_integer_ratio()) if isinstance(x, float) else fmpq(int(x)) for x in r] for r in rows]).rank()


def oracle(a, axis="rows") -> int:
    """Brute force: the largest k such that every k-subset has exact rank k (itertools + flint)."""
    m = np.asarray(a)
    vecs = [list(v) for v in (m if axis == "rows" else m.T)]
    k = 0
    for size in range(1, len(vecs) + 1):
        if all(_exact_rank([vecs[i] for i in S]) == size for S in itertools.combinations(range(len(vecs)), size)):
            k = size
        else:
            break
    return k


SETTINGS = settings(max_examples=int(__import__("os").environ.get("KR_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def dependent_int_matrices(draw):
    """Small integer matrices full of dependencies: entries in {-1,0,1,2}, duplicates, zeros, circuits."""
    n = draw(st.integers(1, 7))
    d = draw(st.integers(1, 5))
    m = np.array(draw(st.lists(st.lists(st.sampled_from([-1, 0, 1, 2]), min_size=d, max_size=d), min_size=n, max_size=n)), dtype=np.int64)
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["dup", "zero", "circuit", "scaled"]))
        i = draw(st.integers(0, n - 1))
        if kind == "zero":
            m[i] = 0
        elif kind == "dup":
            m[i] = m[draw(st.integers(0, n - 1))]
        elif kind == "scaled":
            m[i] = -2 * m[draw(st.integers(0, n - 1))]
        else:
            src = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
            coef = draw(st.lists(st.sampled_from([-2, -1, 1, 3]), min_size=len(src), max_size=len(src)))
            m[i] = sum(c * m[j] for c, j in zip(coef, src))
    return m


@SETTINGS
@given(dependent_int_matrices(), st.sampled_from(["rows", "cols"]))
def test_exact_matches_bruteforce_integer(m, axis):
    r = kruskal_rank(m, axis, numerical=False)
    assert r.exact and r.value == oracle(m, axis)
    assert r.verify(m)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_exact_matches_bruteforce_float(n, d, data):
    vals = [0.0, 0.5, -1.0, 1.5, 0.1, 0.3, 3.0, 1e-3, -2.25]
    m = np.array(data.draw(st.lists(st.lists(st.sampled_from(vals), min_size=d, max_size=d), min_size=n, max_size=n)))
    if n >= 2 and data.draw(st.booleans()):
        i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        m[i] = 2.0 * m[j]  # exact in binary floating point
    axis = data.draw(st.sampled_from(["rows", "cols"]))
    r = kruskal_rank(m, axis, numerical=False)
    assert r.exact and r.value == oracle(m.tolist(), axis)
    assert r.verify(m)


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 7), st.integers(2, 4), st.integers(0, 10**6))
def test_fraction_input_and_planted_circuit(n, d, seed):
    rng = np.random.default_rng(seed)
    rows = [[Fraction(int(rng.integers(-3, 4)), int(rng.integers(1, 4))) for _ in range(d)] for _ in range(n)]
    rows[-1] = [rows[0][j] * Fraction(1, 3) - rows[1][j] for j in range(d)]  # planted circuit of size ≤ 3
    r = kruskal_rank(rows, "rows", numerical=False)
    assert r.value == oracle([[float(x) for x in row] for row in rows]) or r.value == _oracle_fraction(rows)
    assert r.value <= 2
    assert r.verify(rows)


def _oracle_fraction(rows):
    vecs = rows
    k = 0
    for size in range(1, len(vecs) + 1):
        ok = all(fmpq_mat([[fmpq(x.numerator, x.denominator) for x in vecs[i]] for i in S]).rank() == size
                 for S in itertools.combinations(range(len(vecs)), size))
        if not ok:
            break
        k = size
    return k


def test_full_spark_gaussian_and_numpy_backend_agree():
    a = np.random.default_rng(3).standard_normal((14, 7))
    fam = VectorFamily.from_matrix(a, "rows")
    c1 = run_sweep(fam, 7, backend="numba").certificate
    c2 = run_sweep(fam, 7, backend="numpy").certificate
    assert c1.minors_visited == c2.minors_visited == math.comb(14, 7)
    assert c1.basis == c2.basis and {tuple(z["subset"]) for z in c1.zero_minors} == {tuple(z["subset"]) for z in c2.zero_minors}
    r = kruskal_rank(a)
    assert r.value == 7 and r.status == "exact" and r.subsets_checked >= math.comb(14, 7)


def test_zero_and_duplicate_vectors():
    a = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 1.0]])
    r = kruskal_rank(a, numerical=False)
    assert r.value == 0 and r.witness == [1] and r.verify(a)
    b = np.array([[1.0, 2.0, 0.5], [2.0, 4.0, 1.0], [0.0, 1.0, 1.0]])
    r = kruskal_rank(b, numerical=False)
    assert r.value == 1 and r.witness == [0, 1] and r.upper_certificate.null_vector == (2, -1)


def test_cols_axis_equals_rows_of_transpose():
    a = np.random.default_rng(0).integers(-1, 3, (4, 7))
    assert kruskal_rank(a, "cols", numerical=False).value == kruskal_rank(a.T, "rows", numerical=False).value == oracle(a, "cols")


# ------------------------------------------------------------------------------------- certificates
def _witness_case():
    a = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [2, -1, 5], [1, 2, 3]])
    return a, kruskal_rank(a, numerical=False)


def test_certificates_verify_and_round_trip():
    a, r = _witness_case()
    assert r.value == 2 and r.witness == [0, 1, 3]
    assert r.upper_certificate.kind == "circuit" and r.lower_certificate.k == 2
    assert r.verify(a) and r.lower_certificate.verify(a, mode="replay")
    again = KruskalResult.from_json(json.dumps(json.loads(r.to_json())))
    assert again.verify(a) and again.to_dict() == r.to_dict()
    for cert in (r.upper_certificate, r.lower_certificate):
        d = json.loads(json.dumps(cert.to_dict()))
        assert verify_certificate(a, d)


def test_corrupted_certificates_are_rejected():
    a, r = _witness_case()
    up, low = r.upper_certificate, r.lower_certificate
    import dataclasses as dc

    assert not dc.replace(up, null_vector=(1, -1, 2)).verify(a)
    assert not dc.replace(up, indices=(0, 1, 2)).verify(a)
    assert not dc.replace(low, minors_visited=low.minors_visited - 1).verify(a)
    assert not dc.replace(low, input_hash="sha256:" + "0" * 64).verify(a)
    assert not dc.replace(low, k=3).verify(a)
    assert not dc.replace(low, basis=low.basis[:1]).verify(a)
    b = a.copy()
    b[5, 2] = 4
    assert not up.verify(b) and not low.verify(b)
    with pytest.raises(InvalidArgumentError):
        dc.replace(up, null_vector=(1, 1, 1)).verify(a, strict=True)


def test_corrupted_zero_resolution_rejected():
    # A certificate that claims a dependent subset is a spurious zero must fail.
    a, r = _witness_case()
    low = r.lower_certificate
    import dataclasses as dc

    fake = dc.replace(low, zero_minors=({"subset": [0, 1, 3], "resolution": "spurious", "rank": 3},))
    # k=2 certificate: a 3-subset is not a k-subset
    assert not fake.verify(a)


def test_result_value_raises_on_interval():
    a = np.random.default_rng(0).standard_normal((40, 20))
    r = kruskal_rank(a, mode="sample", samples=20, numerical=False)
    assert not r.exact and r.lower >= 2 and r.upper == 20
    with pytest.raises(UndecidedError):
        _ = r.value
    assert r.sampling is not None and r.sampling.samples == 20 and r.sampling.dependent == 0
    assert "not a Kruskal rank" in r.sampling.statement
    assert r.estimate["subsets"] == math.comb(40, 20)


def test_result_json_round_trip_keeps_every_field():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((12, 6))
    a[5] = a[1] + a[2]  # a circuit of size 3: an upper certificate
    circuit = kruskal_rank(a, numerical=True)
    spark = kruskal_rank(rng.standard_normal((5, 5)), numerical=False)  # k-rank 5 = N: no upper certificate
    sampled = kruskal_rank(rng.standard_normal((40, 20)), mode="sample", samples=5, numerical=False)
    rich = dataclasses.replace(circuit, at_least=3, estimate={"subsets": 7, "seconds": 0.5}, sampling=sampled.sampling,
                               disagreement="float64 says 2", notes=("first", "second"), backend="numpy")
    assert circuit.upper_certificate is not None and circuit.numerical is not None and spark.upper_certificate is None
    d = circuit.to_dict()
    assert d["about"] == "the stored numbers as exact rationals (floats as exact dyadics)"  # which object it is about
    assert d["numerical"] == circuit.numerical.to_dict() and spark.to_dict()["numerical"] is None
    for r in (circuit, spark, sampled, rich):
        back = KruskalResult.from_json(r.to_json())
        assert back.to_dict() == r.to_dict()
        assert (back.at_least, back.estimate, back.sampling is None, back.disagreement, back.notes, back.backend) == \
            (r.at_least, r.estimate, r.sampling is None, r.disagreement, r.notes, r.backend)
    assert rich.to_json(indent=1).startswith('{\n "kruskal_rank_lower"')  # to_json forwards json.dumps options
    with pytest.raises(InvalidArgumentError) as err:
        circuit.verify(a, mode="proof")
    assert (err.value.name, err.value.passed, err.value.expected) == \
        ("mode", "'proof'", "'replay' (a proof) or 'spot' (a spot check, never a proof)")


def test_disagreement_between_exact_and_numerical_is_reported_both_ways():
    """Trust rule 7: a float answer that contradicts the exact interval is a finding, in either direction."""
    from memproof.kruskal.engine import _disagreement
    from memproof.kruskal.numerical import NumericalKruskal

    def num(upper, exact=None, tol=None, witness=None):
        return NumericalKruskal(tol, "float64", 5, exact, upper, exact is not None, witness, 10, 0.0)

    assert _disagreement(3, 3, num(3, 3)) is None  # agreement at the ends of the interval
    assert _disagreement(2, 4, num(2, 4)) is None
    assert _disagreement(3, 5, num(2, witness=[0, 4, 7])) == ("exact Kruskal rank ≥ 3, but numerically (tol=default, float64) ≤ 2: "
                                                            "the subset [0, 4, 7] is exactly independent but numerically deficient (numerical rank 5)")
    assert _disagreement(3, 5, num(2, tol=1e-6)) == "exact Kruskal rank ≥ 3, but numerically (tol=1e-06, float64) ≤ 2 (numerical rank 5)"
    assert _disagreement(1, 2, num(3, 3)) == ("exact Kruskal rank ≤ 2, but numerically (tol=default, float64) = 3: "
                                            "an exact dependency is invisible at this tolerance")


def test_tableau_circuits_find_planted_circuits_below_the_bound():
    """The cheap upper bound: fundamental circuits of random bases, smallest first, checked exactly."""
    from memproof.kruskal.engine import _tableau_circuits
    from memproof.kruskal.family import as_family

    p = 2147483647
    a = np.random.default_rng(5).integers(-9, 10, (20, 6))
    a[15] = a[0] - a[11] + a[13]  # a 4-circuit, not fundamental for the first basis (rows 0..5)
    four = as_family(a)
    assert _tableau_circuits(four, p, 1, 0, 6) is None
    assert _tableau_circuits(four, p, 50, 0, 6) == [0, 11, 13, 15]  # found in a random basis
    assert _tableau_circuits(four, p, 50, 0, 3) is None  # size 4 is not below 3 + 1
    a[7] = a[2] + a[3]  # and a 3-circuit, fundamental for the first basis
    both = as_family(a)
    assert _tableau_circuits(both, p, 1, 0, 6) == [2, 3, 7] == _tableau_circuits(both, p, 50, 0, 6)
    assert _tableau_circuits(both, p, 50, 0, 3) == [2, 3, 7] and _tableau_circuits(both, p, 50, 0, 2) is None
    assert _tableau_circuits(both, p, 0, 0, 6) is None


def test_cheap_upper_bounds_find_zero_vectors_parallel_pairs_and_rank_drops_exactly():
    from memproof.kruskal.engine import _parallel_pair, _rank_circuit, _zero_vector
    from memproof.kruskal.family import as_family

    p = 2147483647
    a = np.random.default_rng(4).integers(-9, 10, (8, 3))
    assert _zero_vector(as_family(a), p) is None and _parallel_pair(as_family(a), p) is None
    z = a.copy()
    z[3] = 0
    assert _zero_vector(as_family(z), p) == 3
    spurious = a.copy()
    spurious[3] = [p, 0, 0]  # zero mod p, not exactly
    assert _zero_vector(as_family(spurious), p) is None
    par = a.copy()
    par[5] = -3 * par[2]
    assert _parallel_pair(as_family(par), p) == [2, 5]
    assert _parallel_pair(as_family(np.array([[1, 2], [2, 4]])), p) == [0, 1]  # two vectors, parallel
    assert _parallel_pair(as_family(np.array([[1, 2], [0, 0]])), p) is None  # one nonzero vector
    assert _parallel_pair(as_family(np.array([[1, 2], [p + 1, 2]])), p) is None  # parallel mod p only
    assert _rank_circuit(as_family(a), p) is None  # rank 3 = min(N, dim): no rank drop to report
    flat = a.copy()
    flat[:, 2] = flat[:, 0] + flat[:, 1]  # every vector in a plane: rank 2 < 3
    S = _rank_circuit(as_family(flat), p)
    assert len(S) == 3 and as_family(flat).null_vector(S) is not None


# ------------------------------------------------------------------------------------- budget and resume
def test_budget_and_resume_from_checkpoint(tmp_path):
    a = np.random.default_rng(7).standard_normal((20, 10))
    ck = tmp_path / "kr.json"
    first = kruskal_rank(a, mode="exact", budget=1e-4, checkpoint=ck, numerical=False)
    assert first.status == "budget" and not first.exact and first.lower < first.upper
    saved = json.loads(ck.read_text())
    assert saved["sweep"] is not None and saved["sweep"]["next_unit"] > 0
    resumed = kruskal_rank(a, mode="exact", checkpoint=ck, numerical=False)
    fresh = kruskal_rank(a, mode="exact", numerical=False)
    assert resumed.exact and resumed.value == fresh.value == 10
    assert any("resumed" in n for n in resumed.notes)
    lc, fc = resumed.lower_certificate, fresh.lower_certificate
    assert (lc.minors_visited, lc.basis, lc.prime) == (fc.minors_visited, fc.basis, fc.prime)
    assert lc.verify(a, mode="replay")


def test_checkpoint_of_other_input_is_refused(tmp_path):
    a = np.random.default_rng(7).standard_normal((20, 10))
    ck = tmp_path / "kr.json"
    kruskal_rank(a, mode="exact", budget=1e-4, checkpoint=ck, numerical=False)
    with pytest.raises(InvalidArgumentError):
        _Checkpoint(ck, VectorFamily.from_matrix(a + 1.0), None).load()


def test_huge_input_gives_estimate_not_hang():
    a = np.random.default_rng(0).standard_normal((300, 150))
    r = kruskal_rank(a, budget=5, samples=10, numerical=False)
    assert not r.exact and r.estimate["seconds"] > 1e6
    assert any("not started" in n for n in r.notes)


# ------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [
    np.array([[1.0, np.nan]]), np.array([[np.inf, 1.0]]), np.zeros((0, 3)), np.zeros((3, 0)),
    [["a", "b"]], np.ones((2, 2, 2)), np.ones(3), [[1, None]], [[True, False]],
])
def test_bad_input_raises(bad):
    with pytest.raises(InvalidArgumentError):
        kruskal_rank(bad)


@pytest.mark.parametrize("kw", [{"axis": "diag"}, {"axis": 2}, {"mode": "fast"}, {"budget": -1}, {"samples": -5},
                                {"tol": float("nan")}, {"at_least": 0}])
def test_bad_options_raise(kw):
    with pytest.raises(InvalidArgumentError):
        kruskal_rank(np.eye(3), **kw)


# ------------------------------------------------------------------------------------- exact vs numerical
sinusoidal = sinusoidal_encoding


def test_sinusoidal_exact_full_numerical_deficient():
    pe = sinusoidal(32, 32)
    r = kruskal_rank(pe, budget=30)
    assert r.exact and r.value == 32
    assert r.numerical.rank < 32 and r.numerical.kruskal_rank_upper < 32
    assert r.disagreement is not None and "numerically" in r.disagreement


def test_float_planted_dependency_is_exactly_independent():
    rng = np.random.default_rng(11)
    a1, a2 = rng.standard_normal(6), rng.standard_normal(6)
    a = np.array([a1, a2, 0.3 * a1 + 1.7 * a2])
    r = kruskal_rank(a)
    assert r.value == 3                         # exactly independent
    assert r.numerical.rank == 2                # numerically dependent
    assert r.numerical.kruskal_rank == 2 and r.disagreement
    n = numerical_kruskal_rank(a, tol=1e-300)
    assert n.label.startswith("empirical")


def test_sampling_finds_exact_witness_and_compares_numerics():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((60, 20))
    a[7] = a[3]
    fam = VectorFamily.from_matrix(a)
    ev = sample_subsets(fam, 20, 300, seed=2, numerical=True)
    assert ev.dependent > 0 and ev.witnesses[0].indices == (3, 7) and ev.witnesses[0].verify(a)
    assert ev.numerical["disagreements"] == 0
    assert 0 < ev.dependent_fraction_upper < 1
    d = ev.to_dict()
    assert d["label"].startswith("sampling evidence")


def test_pure_numpy_fallback_without_numba():
    import subprocess
    import sys

    code = ("import numpy as np; from memproof.kruskal import kruskal_rank, kernel; assert not kernel.HAVE_NUMBA;"
            "a = np.random.default_rng(0).standard_normal((10, 5)); a[9] = a[2] * 0.5;"
            "r = kruskal_rank(a, numerical=False); assert r.value == 1 and r.witness == [2, 9], r.to_dict();"
            "b = np.random.default_rng(1).standard_normal((10, 5)); r = kruskal_rank(b, numerical=False);"
            "assert r.value == 5 and r.backend == 'numpy' and r.verify(b); print('ok')")
    env = {**__import__("os").environ, "MEMPROOF_NO_NUMBA": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr


def test_interrupt_saves_checkpoint_and_resumes(tmp_path, monkeypatch):
    from memproof.kruskal import kernel

    a = np.random.default_rng(8).standard_normal((20, 10))
    ck = tmp_path / "int.json"
    real = kernel.sweep_units
    calls = {"n": 0}

    def flaky(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(kernel, "sweep_units", flaky)
    first = kruskal_rank(a, mode="exact", checkpoint=ck, numerical=False)
    assert first.status == "interrupted" and not first.exact
    monkeypatch.setattr(kernel, "sweep_units", real)
    again = kruskal_rank(a, mode="exact", checkpoint=ck, numerical=False)
    assert again.exact and again.value == 10 and again.lower_certificate.minors_visited == math.comb(20, 10)
    assert again.lower_certificate.verify(a, mode="replay")


def test_progress_bar_goes_to_stderr(capsys):
    a = np.random.default_rng(9).standard_normal((16, 8))
    r = kruskal_rank(a, mode="exact", progress=True, numerical=False)
    assert r.value == 8
    cap = capsys.readouterr()
    assert cap.out == ""


@pytest.mark.parametrize("k,p", [(1, 5), (2, 3), (6, 3), (8, 101), (13, 7), (30, 4194301)])
def test_batched_dets_match_flint(k, p):
    from flint import nmod_mat

    from memproof.kruskal import kernel

    rng = np.random.default_rng(k * 1000 + p)
    g = rng.integers(0, p, (60, k))
    subs = np.sort(np.array([rng.choice(60, k, replace=False) for _ in range(200)]), axis=1)
    got = kernel.dets_nonzero(g.T, subs, p)
    want = np.array([nmod_mat(g[s].tolist(), p).det() != 0 for s in subs])
    assert (got == want).all()


def test_budget_stop_keeps_cheap_lower_bound():
    a = np.random.default_rng(0).standard_normal((36, 18))
    r = kruskal_rank(a, mode="exact", budget=3.0, numerical=False)
    assert r.status == "budget" and not r.exact and r.lower >= 2 and r.upper == 18
    assert r.lower_certificate is not None and r.lower_certificate.verify(a)


def test_paper_statistic_reproduced_exactly():
    from memproof.kruskal import paper_statistic

    rng = np.random.default_rng(12)
    a = rng.standard_normal((80, 30)).astype(np.float32).astype(np.float64)
    a[40] = a[10]  # identical "CLS" rows
    out = paper_statistic(a, 12, samples=400, seed=3, numerical=True)
    ev = out["evidence"]
    assert 0.9 < out["fraction_full_rank_exact"] < 1.0 and ev.dependent > 0
    assert ev.witnesses[0].indices == (10, 40)
    assert out["fraction_full_rank_float32"] == out["fraction_full_rank_exact"]  # no disagreement here
    assert ev.numerical["disagreements"] == 0


def test_integer_array_fast_path():
    a = np.random.default_rng(1).integers(-3, 4, (9, 4))
    r = kruskal_rank(a, numerical=False)
    assert r.value == oracle(a) and r.verify(a)


def test_docs_worked_example_runs():
    import pathlib
    import re

    doc = pathlib.Path(__file__).resolve().parents[1] / "docs" / "kruskal.md"
    code = "\n".join(re.findall(r"```python\n(.*?)```", doc.read_text(), re.S))
    exec(compile(code, str(doc), "exec"), {})


def test_budget_is_not_spent_on_compiling(monkeypatch):
    """A cold numba cache (first use on a machine) must not turn a tiny decided case into 'budget'."""
    from memproof.kruskal import kernel

    calls = []
    monkeypatch.setattr(kernel, "warmup", lambda: (calls.append(1), __import__("time").sleep(0.3)))
    q = np.random.default_rng(3).normal(size=(7, 5))
    r = kruskal_rank(q, "rows", at_least=3, budget=0.25, numerical=False)
    assert r.at_least_decided(3) is True
    assert calls == ([1] if kernel.HAVE_NUMBA else [])


def test_numerical_comparison_of_huge_rationals():
    """Exact rows whose numerators and denominators exceed float64 (value ≈ 10) are rounded correctly for
    the numerical comparison; a value beyond float64 skips that comparison with a note naming the entry,
    and the exact answer is unaffected."""
    from fractions import Fraction

    from memproof.errors import FloatRangeError
    from memproof.kruskal.family import as_family
    from memproof.kruskal.numerical import _as_float

    big = 10 ** 400
    a = np.array([[Fraction(big + 1, big // 10), Fraction(1)], [Fraction(2), Fraction(3)], [Fraction(1), Fraction(1)]], dtype=object)
    assert _as_float(as_family(a))[0, 0] == 10.0
    r = kruskal_rank(a)
    assert r.value == 2 and r.numerical.kruskal_rank == 2 and not r.notes
    a[0, 0] = Fraction(big)
    r = kruskal_rank(a)
    assert r.value == 2 and r.numerical is None
    assert any("numerical comparison skipped" in n and "rows[0][0]" in n for n in r.notes)
    with pytest.raises(FloatRangeError, match=r"rows\[0\]\[0\].*2\^1328"):
        numerical_kruskal_rank(a)

"""Tests written against mutants of the Kruskal sweep and its certificates that the rest of the suite
let survive (docs/mutation.md).

The sweep decides k-subsets mod a prime p ≈ 2^24, so random inputs never show it a *spurious* zero
(a minor ≡ 0 mod p of an exactly independent subset); the families here plant them: with
``v = (1, p)`` the minor of ``{(1, 0), v}`` is ``p`` — zero mod p, nonzero over Q. A sweep that
believed its residues (or never re-checked a zero) would turn these into false dependencies, and a
sweep that skipped a genuine zero would certify a false lower bound. Forged certificates (a
dependent subset recorded as a spurious zero, a zero left out, a composite prime, ...) must each be
refused for the reason stated.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import re
import time

import numpy as np
import pytest

from memproof.kruskal import VectorFamily, kernel, kruskal_rank, run_sweep
from memproof.kruskal.certificates import CIRCUIT_FORMAT, CertificateError, CircuitCertificate
from memproof.kruskal.combinatorics import plan_units, subtree_work, sweep_work
from memproof.kruskal.modular import SWEEP_PRIMES
from memproof.kruskal.sweep import MAX_TABLE_ROWS, SWEEP_FORMAT, SweepCertificate, SweepState, estimate_seconds

P = SWEEP_PRIMES[0]
#: {0, 2}, {0, 3}, {2, 3} have minors p, p, -p: zero mod p, nonzero over Q (Kruskal rank 2)
SPURIOUS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, float(P)], [2.0, float(P)]])
#: {0, 2} is exactly dependent (v2 = 2 v0): Kruskal rank 1
DEPENDENT = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])


def fam(a):
    return VectorFamily.from_matrix(a, "rows")


def zero_subsets(cert):
    return sorted(tuple(z["subset"]) for z in cert.zero_minors)


# ------------------------------------------------------------------------------ zero minors
@pytest.mark.parametrize("zero_buffer", [256, 1])
def test_spurious_zeros_are_resolved_exactly_and_recorded(zero_buffer):
    # zero_buffer=1: the kernel stops at every zero and resumes inside the unit (state.skip)
    out = run_sweep(fam(SPURIOUS), 2, zero_buffer=zero_buffer)
    assert out.status == "complete" and out.dependent is None
    cert = out.certificate
    assert cert.minors_visited == math.comb(4, 2) == out.minors_visited
    assert zero_subsets(cert) == [(0, 2), (0, 3), (2, 3)]
    assert all(z == {"subset": list(z["subset"]), "resolution": "spurious", "rank": 2, "checked": "rank mod 2147483647 or exact"}
               for z in cert.zero_minors)
    assert out.k == 2 and 0.0 < out.seconds < 60.0 and 0.0 < cert.seconds < 60.0 and out.state.minors == 6
    assert (cert.prime, cert.projection_seed, cert.basis, cert.k) == (P, None, (0, 1), 2)
    assert cert.verify(SPURIOUS) and cert.verify(SPURIOUS, mode="replay")


def test_spurious_zero_in_a_transposed_tableau():
    # 3 vectors at level 2: a 2×1 tableau, swept transposed; the zero of {0, 2} maps back to its subset
    a = SPURIOUS[:3]
    cert = run_sweep(fam(a), 2).certificate
    assert cert.transposed and zero_subsets(cert) == [(0, 2)] and cert.minors_visited == 3
    assert kruskal_rank(a, numerical=False).value == 2


def test_genuine_zero_stops_the_sweep_with_the_dependent_subset():
    out = run_sweep(fam(DEPENDENT), 2)
    assert out.status == "dependent" and out.dependent == [0, 2] and out.certificate is None
    assert out.reason == "zero minor confirmed exactly" and out.k == 2 and 0.0 <= out.seconds < 60.0
    assert out.minors_visited == out.state.minors == 3 and out.state.k == 2   # the whole first batch was swept
    assert fam(DEPENDENT).subset_rank([0, 2]) == 1


def test_planted_circuit_among_generic_vectors_is_found_by_the_projected_sweep():
    rng = np.random.default_rng(4)
    a = rng.integers(-4, 5, (9, 6)).astype(float)
    a[8] = a[1] + 2 * a[4] - a[6]              # {1, 4, 6, 8} is dependent; generic otherwise
    out = run_sweep(fam(a), 4)
    assert out.status == "dependent" and out.dependent == [1, 4, 6, 8]
    r = kruskal_rank(a, numerical=False)
    assert r.value == 3 and r.witness == [1, 4, 6, 8] and r.verify(a)


def test_kruskal_rank_of_planted_spurious_zeros_is_exact():
    r = kruskal_rank(SPURIOUS, numerical=False)
    assert r.exact and r.value == 2 and r.verify(SPURIOUS)


# ------------------------------------------------------------------------------ stop and resume
def test_deadline_stops_after_one_batch_and_the_state_resumes():
    a = np.random.default_rng(7).standard_normal((16, 8))
    seen = []
    first = run_sweep(fam(a), 8, deadline=time.perf_counter(), on_checkpoint=seen.append)
    assert first.status == "stopped" and first.reason == "time budget" and first.certificate is None
    assert first.k == 8 and 0.0 <= first.seconds < 60.0 and 0.0 <= first.state.seconds < 60.0
    assert 0 < first.state.next_unit and seen == [first.state]
    assert 1 < first.minors_visited < math.comb(16, 8)
    resumed = run_sweep(fam(a), 8, state=first.state.to_dict())
    fresh = run_sweep(fam(a), 8)
    assert resumed.status == fresh.status == "complete"
    assert resumed.certificate.minors_visited == fresh.certificate.minors_visited == math.comb(16, 8)
    assert resumed.certificate.basis == fresh.certificate.basis
    assert resumed.certificate.verify(a, mode="replay")
    assert resumed.resume.startswith("verified:")  # the checkpoint's claimed units were re-run, not trusted


def test_checkpoint_callback_runs_every_period():
    a = np.random.default_rng(7).standard_normal((16, 8))
    seen = []
    out = run_sweep(fam(a), 8, on_checkpoint=seen.append, checkpoint_every=0.0)
    assert out.status == "complete" and seen and all(s is out.state for s in seen)


def test_sweep_state_round_trips_through_json():
    s = SweepState(3, P, None, [0, 2, 5], 7, 2, 40, [{"subset": [0, 1, 2]}], 1.5)
    assert SweepState.from_dict(s.to_dict()) == s
    t = SweepState(3, P, 11, [0, 2, 5])
    assert SweepState.from_dict(t.to_dict()) == t and (t.next_unit, t.skip, t.minors, t.zeros) == (0, 0, 1, [])


def test_level_outside_range_is_refused():
    for k in (0, 3):
        with pytest.raises(ValueError, match=f"level k={k}"):
            run_sweep(fam(DEPENDENT), k)


# ------------------------------------------------------------------------------ work plan
def test_estimate_is_the_cost_model():
    assert estimate_seconds(10, 4, "numpy") == sweep_work(4, 6) * 10e-9 + math.comb(10, 4) * 20e-9
    assert estimate_seconds(10, 7, "numba") == sweep_work(3, 7) * 2e-9 + math.comb(10, 7) * 2e-9
    assert estimate_seconds(5, 6) == estimate_seconds(5, -1) == 0.0
    n = 2 * MAX_TABLE_ROWS + 4
    assert estimate_seconds(n, MAX_TABLE_ROWS + 1) == math.inf
    assert math.isfinite(estimate_seconds(n, MAX_TABLE_ROWS))


def _brute_subtree(a, b, depth, last):
    # minors below a node: extend its column subset by larger columns, choose as many rows
    free = range(last + 1, b)
    return sum(math.comb(a, depth + j) for j in range(0, b) for _ in itertools.combinations(free, j))


@pytest.mark.parametrize("a,b", [(3, 5), (4, 4), (5, 3), (2, 6)])
def test_subtree_work_counts_the_minors_below_a_node(a, b):
    for depth in range(1, min(a, b) + 1):
        for last in range(depth - 1, b):
            assert subtree_work(a, b, depth, last) == _brute_subtree(a, b, depth, last)


@pytest.mark.parametrize("a,b,smax,parts", [(12, 12, 12, 2000), (6, 9, 6, 2000), (14, 3, 3, 10)])
def test_units_partition_the_column_subsets_in_depth_first_order(a, b, smax, parts):
    prefixes, plens, subtree = plan_units(a, b, smax, parts)
    units = [(tuple(int(c) for c in prefixes[i, :plens[i]]), bool(subtree[i])) for i in range(len(plens))]
    assert [u for u, _ in units] == sorted(u for u, _ in units)          # depth first = lexicographic
    covered = {}
    for s in range(1, smax + 1):
        for cols in itertools.combinations(range(b), s):
            owners = [u for u, sub in units if (cols == u) or (sub and cols[:len(u)] == u)]
            covered[cols] = owners
    assert all(len(o) == 1 for o in covered.values())                  # every subset exactly once
    if a == b == 12:
        assert not all(sub for _, sub in units)                          # heavy nodes were split
        work = [math.comb(a, len(u)) if not sub else math.comb(a, len(u)) + subtree_work(a, b, len(u), u[-1]) - math.comb(a, len(u))
                for u, sub in units]
        assert sum(work) == sum(math.comb(a, s) * math.comb(b, s) for s in range(1, smax + 1))


# ------------------------------------------------------------------------------ forged sweep certificates
def _cert(a, k=2):
    return run_sweep(fam(a), k).certificate


def _problems(cert, a, **kw):
    """The certificate's problem list (tests compare whole problem strings, not substrings)."""
    return cert.problems(a, **kw)


def test_dependent_subset_recorded_as_spurious_zero_is_refused():
    # a forger claims the genuine zero of {0, 2} was spurious: a complete level-2 sweep of DEPENDENT
    f = fam(DEPENDENT)
    forged = SweepCertificate(f.input_hash, "rows", 3, 2, 2, P, None, (0, 1), 3,
                              ({"subset": [0, 2], "resolution": "spurious", "rank": 2},), 1, True)
    assert "the subset [0, 2] recorded as a spurious zero is exactly dependent" in _problems(forged, DEPENDENT)
    assert not forged.verify(DEPENDENT)
    with pytest.raises(CertificateError, match="exactly dependent"):
        forged.verify(DEPENDENT, strict=True)


def test_dependent_subset_left_out_of_the_zero_list_is_refused():
    f = fam(DEPENDENT)
    forged = SweepCertificate(f.input_hash, "rows", 3, 2, 2, P, None, (0, 1), 3, (), 1, True)
    spot = forged.spot_check(DEPENDENT, checks=3)
    assert spot.status == "rejected"
    assert spot.problems == ("the k-subset [0, 2] has a zero minor mod p that the certificate does not resolve",)
    assert _problems(forged, DEPENDENT) == ["replay found the exactly dependent k-subset [0, 2]"]
    assert not forged.verify(DEPENDENT, mode="replay")


def test_spurious_zero_left_out_is_refused():
    good = _cert(SPURIOUS)
    assert good.verify(SPURIOUS) and good.verify(SPURIOUS, mode="replay")
    zeros = {tuple(z["subset"]): z for z in good.zero_minors}
    without_23 = dataclasses.replace(good, zero_minors=(zeros[(0, 2)], zeros[(0, 3)]))
    assert without_23.problems(SPURIOUS) == [
        "replay found a different set of zero minors (not recorded: [(2, 3)]; recorded but not zero: [])"]
    without_02 = dataclasses.replace(good, zero_minors=(zeros[(0, 3)], zeros[(2, 3)]))
    assert without_02.problems(SPURIOUS) == [
        "replay found a different set of zero minors (not recorded: [(0, 2)]; recorded but not zero: [])"]
    extra = dataclasses.replace(good, zero_minors=good.zero_minors + ({"subset": [1, 2]},))
    assert extra.problems(SPURIOUS) == [
        "replay found a different set of zero minors (not recorded: []; recorded but not zero: [(1, 2)])"]


@pytest.mark.parametrize("change,message", [
    ({"minors_visited": 5}, "5 minors visited, but a complete level-2 sweep has C(4, 2) = 6"),
    ({"prime": P - 2}, f"{P - 2} is not an odd prime below 2^24 (the sweep's primes)"),          # 16777211 = 11 · 101 · 15101
    ({"prime": 2}, "2 is not an odd prime below 2^24 (the sweep's primes)"),
    ({"prime": 2147483659}, "2147483659 is not an odd prime below 2^24 (the sweep's primes)"),   # prime, but ≥ 2^31
    ({"k": 3}, "k = 3 outside [1, min(N, dim)] = [1, 2]"),
    ({"k": 0}, "k = 0 outside [1, min(N, dim)] = [1, 2]"),
    ({"basis": (0, 0)}, "basis [0, 0]... is not 2 distinct vector indices"),
    ({"basis": (0, 4)}, "basis [0, 4]... is not 2 distinct vector indices"),
    ({"basis": (-1, 0)}, "basis [-1, 0]... is not 2 distinct vector indices"),
    ({"basis": (0,)}, "basis [0]... is not 2 distinct vector indices"),
    ({"basis": (0, 2)}, "the basis is singular mod p"),
    ({"axis": "cols"}, "axis 'rows' differs from the certificate's 'cols'"),
    ({"n_vectors": 5}, "shape (N, dim) = (4, 2) differs from (5, 2)"),
    ({"dim": 3}, "shape (N, dim) = (4, 2) differs from (4, 3)"),
    ({"input_hash": "sha256:" + "0" * 64}, f"input hash {fam(SPURIOUS).input_hash} does not match the certificate's sha256:{'0' * 64}"),
    ({"basis": tuple(range(12))}, "basis [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]... is not 2 distinct vector indices"),
    ({"zero_minors": ({"subset": [0, 2, 3]},)}, "zero-minor record [0, 2, 3] is not a k-subset"),
    ({"zero_minors": ({"subset": [2, 2]},)}, "zero-minor record [2, 2] is not a k-subset"),
    ({"zero_minors": ({"subset": [0, 4]},)}, "zero-minor record [0, 4] is not a k-subset"),
    ({"zero_minors": ({"subset": [-1, 0]},)}, "zero-minor record [-1, 0] is not a k-subset"),
    ({"zero_minors": ({},)}, "zero-minor record [] is not a k-subset"),
])
def test_forged_field_is_refused_for_its_reason(change, message):
    forged = dataclasses.replace(_cert(SPURIOUS), **change)
    assert message in _problems(forged, SPURIOUS, axis="rows")
    assert not forged.verify(SPURIOUS, axis="rows")


def test_each_bad_zero_record_is_reported():
    good = _cert(SPURIOUS)
    forged = dataclasses.replace(good, zero_minors=({"subset": [0]}, {"subset": [1, 1]}) + good.zero_minors)
    probs = forged.problems(SPURIOUS)
    assert probs == ["zero-minor record [0] is not a k-subset", "zero-minor record [1, 1] is not a k-subset"]


def test_projection_must_be_recorded_below_full_dimension():
    a = np.random.default_rng(2).standard_normal((6, 4))
    cert = _cert(a, 3)
    assert cert.projection_seed is not None and cert.verify(a, mode="replay")
    forged = dataclasses.replace(cert, projection_seed=None)
    assert "projection missing at k = 3, dim = 4" in _problems(forged, a)
    # the residues are the projected ones: a different seed gives a different G
    f = fam(a)
    assert not np.array_equal(cert.residues(f), dataclasses.replace(cert, projection_seed=cert.projection_seed + 1).residues(f))
    assert cert.residues(f).shape == (3, 6)
    full = _cert(a[:, :3], 3)
    assert full.projection_seed is None and np.array_equal(full.residues(fam(a[:, :3])), fam(a[:, :3]).mod_p(P).T)


def test_replay_catches_a_wrong_minor_count_and_a_bad_mode():
    good = _cert(SPURIOUS)
    with pytest.raises(Exception, match="mode"):
        good.verify(SPURIOUS, mode="full")
    assert good.problems(SPURIOUS) == []


def test_sweep_certificate_round_trip_and_format():
    good = _cert(SPURIOUS)
    d = good.to_dict()
    assert d["format"] == SWEEP_FORMAT and d["projection"] == "identity" and d["minors_visited"] == 6
    again = SweepCertificate.from_dict(d)
    assert again == dataclasses.replace(good, seconds=round(good.seconds, 6))
    assert again.bound == 2 and again.verify(SPURIOUS)
    odd = SweepCertificate.from_dict({**d, "prefix_len": 3, "transposed": True, "backend": "numpy", "seconds": 2.5})
    assert (odd.prefix_len, odd.transposed, odd.backend, odd.seconds) == (3, True, "numpy", 2.5)
    a = np.random.default_rng(2).standard_normal((6, 4))
    proj = _cert(a, 3).to_dict()
    assert proj["projection"].startswith("splitmix64") and SweepCertificate.from_dict(proj).projection_seed == proj["projection_seed"]
    minimal = {k: d[k] for k in ("input_hash", "axis", "n_vectors", "dim", "k", "prime", "basis", "minors_visited")}
    m = SweepCertificate.from_dict(minimal)
    assert (m.projection_seed, m.zero_minors, m.prefix_len, m.transposed, m.backend, m.seconds) == (None, (), 1, False, "", 0.0)


# ------------------------------------------------------------------------------ forged circuit certificates
def test_circuit_certificate_found_is_minimal_and_verifies():
    c = CircuitCertificate.find(DEPENDENT, [0, 1, 2])
    assert (c.indices, c.null_vector, c.bound, c.kind) == ((0, 2), (2, -1), 1, "circuit")
    assert c.verify(DEPENDENT, strict=True)
    d = c.to_dict()
    assert d == {"format": CIRCUIT_FORMAT, "kind": "circuit", "input_hash": c.input_hash, "axis": "rows",
                 "indices": [0, 2], "bound": 1, "null_vector": ["2", "-1"]}
    assert CircuitCertificate.from_dict(d) == c
    dim = CircuitCertificate.dimension(fam(DEPENDENT))
    assert (dim.indices, dim.null_vector, dim.kind, dim.bound) == ((0, 1, 2), None, "dimension", 2)
    assert dim.verify(DEPENDENT) and CircuitCertificate.from_dict(dim.to_dict()) == dim
    no_kind = {k: v for k, v in d.items() if k != "kind"}
    assert CircuitCertificate.from_dict(no_kind).kind == "circuit"


THREE = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("indices,null_vector,kind,message", [
    ((0, 1), (2, 1), "circuit", "Σ x_i v_i ≠ 0 in exact arithmetic (or x = 0)"),
    ((0, 1), (0, 0), "circuit", "Σ x_i v_i ≠ 0 in exact arithmetic (or x = 0)"),
    ((0, 1, 3), (2, -1, 0), "circuit", "a circuit's null vector must have full support"),
    ((0, 1, 2), (1, 1, -1), "circuit", "the set has nullity > 1, so it is not a circuit"),
    ((0, 1), None, "circuit", "null vector missing or of the wrong length"),
    ((0, 1), (2, -1, 0), "circuit", "null vector missing or of the wrong length"),
    ((0, 0), (1, -1), "circuit", "indices [0, 0] are not distinct indices in [0, 4)"),
    ((0, 4), (1, -1), "circuit", "indices [0, 4] are not distinct indices in [0, 4)"),
    ((-1, 0), (1, -1), "circuit", "indices [-1, 0] are not distinct indices in [0, 4)"),
    ((), (), "circuit", "indices [] are not distinct indices in [0, 4)"),
    ((0, 1), (2, -1), "loop", "unknown kind 'loop'"),
    ((0, 3), None, "dimension", "2 vectors in dimension 2 need not be dependent"),
])
def test_forged_circuit_is_refused_for_its_reason(indices, null_vector, kind, message):
    c = CircuitCertificate(fam(THREE).input_hash, "rows", indices, null_vector, kind)
    assert message in c.problems(THREE) and not c.verify(THREE)
    with pytest.raises(CertificateError) as info:
        c.verify(THREE, strict=True)
    assert message in info.value.problems and info.value.name == "certificate"


def test_dependent_kind_needs_no_full_support_and_hash_and_axis_are_checked():
    h = fam(THREE).input_hash
    assert CircuitCertificate(h, "rows", (0, 1, 3), (2, -1, 0), "dependent").verify(THREE)
    assert CircuitCertificate(h, "rows", (0, 1, 2), (1, 1, -1), "dependent").verify(THREE)
    wrong_hash = CircuitCertificate("sha256:" + "0" * 64, "rows", (0, 1), (2, -1))
    assert wrong_hash.problems(THREE) == [f"input hash {h} does not match the certificate's sha256:{'0' * 64}"]
    cols = CircuitCertificate(VectorFamily.from_matrix(THREE.T, "cols").input_hash, "cols", (0, 1), (2, -1))
    assert cols.verify(THREE.T) and cols.problems(THREE.T, axis="cols") == []
    mislabeled = dataclasses.replace(cols, axis="rows")
    assert "axis 'cols' differs from the certificate's 'rows'" in mislabeled.problems(THREE.T, axis="cols")


def test_replay_uses_the_certificates_prime_and_projection_seed():
    # mod 101 spurious zeros are common, and which subsets they hit depends on the projection seed
    a = np.random.default_rng(1).standard_normal((10, 4))
    cert = run_sweep(fam(a), 3, prime=101, seed=4).certificate
    assert (cert.prime, cert.projection_seed) == (101, 4) and zero_subsets(cert) == [(6, 8, 9)]
    assert cert.problems(a) == []
    other = run_sweep(fam(SPURIOUS), 2, prime=SWEEP_PRIMES[1]).certificate   # no zero mod this prime
    assert other.zero_minors == () and other.problems(SPURIOUS) == []
    small = run_sweep(fam(SPURIOUS[:, :2]), 2, prime=3).certificate         # 3 is the smallest odd prime
    assert small.prime == 3 and small.problems(SPURIOUS[:, :2]) == []


def test_spot_mode_does_not_rerun_the_search(monkeypatch):
    from memproof.kruskal import sweep

    good = _cert(SPURIOUS)

    def no_search(*args, **kwargs):
        raise AssertionError("spot checks must not re-run the sweep")

    monkeypatch.setattr(sweep, "run_sweep", no_search)
    assert good.spot_check(SPURIOUS).status == "spot-checked" and good.verify(SPURIOUS, mode="spot").status == "spot-checked"


def test_certificate_error_carries_every_problem():
    err = CertificateError(["first", "second"])
    assert (err.name, err.passed, err.expected) == ("certificate", "first; second", "a certificate that verifies against this input")
    assert err.problems == ["first", "second"]
    assert CertificateError(["x" * 600]).passed == "x" * 500


def test_verify_uses_the_axis_it_is_given():
    cols = CircuitCertificate(VectorFamily.from_matrix(THREE.T, "cols").input_hash, "cols", (0, 1), (2, -1))
    assert cols.verify(THREE.T) and not cols.verify(THREE.T, axis="rows")
    good = _cert(SPURIOUS)
    assert good.verify(SPURIOUS) and not good.verify(SPURIOUS, axis="cols")


def test_sweep_state_defaults_and_certificate_dict():
    minimal = {"k": 2, "prime": P, "basis": [0, 1], "next_unit": 3, "skip": 1, "minors": 4}
    assert SweepState.from_dict(minimal) == SweepState(2, P, None, [0, 1], 3, 1, 4, [], 0.0)
    cert = dataclasses.replace(_cert(SPURIOUS), seconds=1.23456789)
    d = cert.to_dict()
    assert set(d) == {"format", "input_hash", "axis", "n_vectors", "dim", "k", "prime", "projection_seed", "projection",
                      "basis", "minors_visited", "zero_minors", "prefix_len", "transposed", "backend", "seconds"}
    assert d["seconds"] == 1.234568 and d["prefix_len"] == cert.prefix_len and d["transposed"] is False
    assert d["zero_minors"] == [dict(z) for z in cert.zero_minors] and d["backend"] == cert.backend


# ------------------------------------------------------------------------------ the plan: primes, seeds, bases
P1, P2, P3 = SWEEP_PRIMES[1:4]
DEFAULT_BACKEND = "numba" if kernel.HAVE_NUMBA else "numpy"


def test_rank_below_k_is_confirmed_exactly():
    parallel = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])          # rank 1 < k = 2 over Q
    out = run_sweep(fam(parallel), 2)
    assert (out.status, out.dependent, out.reason, out.minors_visited, out.k) == ("dependent", [0, 1], "rank below k", 0, 2)
    assert 0 <= out.seconds < 60 and out.certificate is None


def test_rank_drop_mod_p_only_is_retried_with_the_next_prime():
    # mod P the vectors span one line; over Q every pair is independent: the sweep moves on to P1
    a = np.array([[1.0, 0.0], [0.0, float(P)], [1.0, float(P)]])
    out = run_sweep(fam(a), 2)
    assert out.status == "complete" and out.certificate.prime == P1 and out.certificate.zero_minors == ()
    assert out.certificate.verify(a, mode="replay") and kruskal_rank(a, numerical=False).value == 2


def test_retries_use_the_next_primes_and_seeds():
    # k < dim (projected): singular mod P for every projection, then mod P and P1
    b = np.array([[1, 0, 0], [0, P, 0], [0, 0, P], [1, P, P]], dtype=float)
    assert (lambda c: (c.prime, c.projection_seed))(run_sweep(fam(b), 2).certificate) == (P1, 2)
    q = P * P1                                                           # < 2^53: exact in float64
    c = np.array([[1, 0, 0], [0, q, 0], [0, 0, q], [1, q, q]], dtype=float)
    cert = run_sweep(fam(c), 2).certificate
    assert (cert.prime, cert.projection_seed) == (P2, 3) and cert.verify(c, mode="replay")


def test_a_given_basis_is_kept_or_replaced_at_the_next_prime():
    assert run_sweep(fam(SPURIOUS), 2, basis=[1, 2]).certificate.basis == (1, 2)
    moved = run_sweep(fam(SPURIOUS), 2, basis=[0, 2]).certificate       # singular mod P, a basis mod P1
    assert (moved.basis, moved.prime) == ((0, 2), P1) and moved.verify(SPURIOUS, mode="replay")
    # singular modulo all four primes tried: the sweep says so instead of guessing
    big = np.array([[1, 0], [0, 1], [1, P * P1 * P2 * P3]], dtype=object)
    with pytest.raises(RuntimeError, match=r"^no basis of the level-2 projection found with 4 primes/seeds \(this should not happen\)$"):
        run_sweep(fam(big), 2, basis=[0, 2])


def test_a_tableau_beyond_the_tables_is_refused():
    a = np.random.default_rng(0).standard_normal((2 * MAX_TABLE_ROWS + 2, MAX_TABLE_ROWS + 1))
    with pytest.raises(ValueError, match=r"^tableau 27x27 too large for an exhaustive sweep$"):
        run_sweep(fam(a), MAX_TABLE_ROWS + 1)


def test_prefix_length_and_backend_are_recorded():
    full = run_sweep(fam(np.eye(2)), 2).certificate                     # k = N: one minor, no tableau
    assert (full.minors_visited, full.prefix_len, full.backend) == (1, 1, DEFAULT_BACKEND)
    a = np.random.default_rng(3).standard_normal((24, 12))
    cert = run_sweep(fam(a), 12).certificate
    assert cert.prefix_len == int(plan_units(12, 12, 12)[1].max()) > 1 and cert.backend == DEFAULT_BACKEND
    assert run_sweep(fam(a), 12, backend="numpy").certificate.backend == "numpy"
    assert estimate_seconds(10, 4) == estimate_seconds(10, 4, DEFAULT_BACKEND)
    assert estimate_seconds(5, 0, "numpy") == estimate_seconds(5, 5, "numpy") == 20e-9   # one (empty) minor


def test_default_projection_seed_is_zero_and_survives_a_resume():
    a = np.random.default_rng(5).standard_normal((16, 8))
    first = run_sweep(fam(a), 6, prime=P2, deadline=time.perf_counter())
    assert first.status == "stopped" and (first.state.seed, first.state.prime) == (0, P2)
    again = run_sweep(fam(a), 6, state=first.state.to_dict())
    assert (again.certificate.projection_seed, again.certificate.prime) == (0, P2)
    assert again.certificate.minors_visited == math.comb(16, 6) and again.certificate.verify(a, mode="replay")


def test_progress_bar_only_when_asked(capsys):
    a = np.random.default_rng(3).standard_normal((12, 6))
    run_sweep(fam(a), 6)
    assert capsys.readouterr().err == ""
    run_sweep(fam(a), 6, progress=True)
    err = capsys.readouterr().err
    assert "k=6 sweep" in err and "100%" in err and re.search(r"unit/s|s/unit", err)
    first = run_sweep(fam(a), 6, deadline=time.perf_counter())
    capsys.readouterr()
    run_sweep(fam(a), 6, state=first.state, progress=True)            # a resumed bar starts where it stopped
    assert "100%" in capsys.readouterr().err


# ------------------------------------------------------------------------------ verify forwards its arguments
def test_verify_forwards_mode_spot_checks_and_seed():
    # DEPENDENT with no zero recorded: the basis alone (checks=0) passes a spot check, a replay does not
    f = fam(DEPENDENT)
    forged = SweepCertificate(f.input_hash, "rows", 3, 2, 2, P, None, (0, 1), 3, (), 1, True)
    assert forged.problems(DEPENDENT) == ["replay found the exactly dependent k-subset [0, 2]"]
    assert forged.verify(DEPENDENT, mode="spot", spot_checks=0).status == "spot-checked"
    assert forged.verify(DEPENDENT) is False
    good = _cert(SPURIOUS)
    zeros = {tuple(z["subset"]): z for z in good.zero_minors}
    without_02 = dataclasses.replace(good, zero_minors=(zeros[(0, 3)], zeros[(2, 3)]))
    seen = set()
    for seed in range(8):                                                # the spot sample depends on the seed
        status = without_02.verify(SPURIOUS, mode="spot", spot_checks=1, seed=seed).status
        assert status == without_02.spot_check(SPURIOUS, checks=1, seed=seed).status
        seen.add(status)
    assert seen == {"spot-checked", "rejected"} and without_02.verify(SPURIOUS) is False
    from memproof.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError) as info:
        good.verify(SPURIOUS, mode="full")
    assert (info.value.name, info.value.passed) == ("mode", "'full'")


#: mod P the four vectors (1, 0), (1, P), (2, P), (3, P) are parallel: six spurious zeros, three in one unit
SIX_ZEROS = np.array([[1, 0], [0, 1], [1, P], [2, P], [3, P]], dtype=float)


@pytest.mark.parametrize("zero_buffer", [1, 2, 256])
def test_many_spurious_zeros_in_one_unit_with_a_small_buffer(zero_buffer):
    out = run_sweep(fam(SIX_ZEROS), 2, zero_buffer=zero_buffer)
    assert out.status == "complete" and out.certificate.minors_visited == math.comb(5, 2)
    assert zero_subsets(out.certificate) == [(0, 2), (0, 3), (0, 4), (2, 3), (2, 4), (3, 4)]
    assert out.certificate.verify(SIX_ZEROS, mode="replay")


def test_a_deadline_after_the_last_unit_completes_the_sweep():
    out = run_sweep(fam(np.array([[1.0, 0.0], [1.0, 1.0]])), 1, deadline=time.perf_counter())
    assert out.status == "complete" and out.certificate.minors_visited == 2


class _Clock:
    """A perf_counter that advances ``steps[i]`` seconds at its i-th call (the last step repeats)."""

    def __init__(self, steps):
        self.t, self.steps, self.calls = 0.0, list(steps), 0

    def perf_counter(self):
        self.t += self.steps[min(self.calls, len(self.steps) - 1)]
        self.calls += 1
        return self.t


@pytest.mark.parametrize("steps", [[2.0], [1e-6], [1e-6] * 12 + [2.0]],
                         ids=["every-batch-slow", "every-batch-fast", "fast-then-slow"])
def test_the_result_does_not_depend_on_batch_timing(monkeypatch, steps):
    from memproof.kruskal import sweep

    a = np.random.default_rng(3).standard_normal((24, 12))
    want = run_sweep(fam(a), 12).certificate
    monkeypatch.setattr(sweep, "time", _Clock(steps))         # batches double (1 µs each) and/or halve (2 s each)
    got = run_sweep(fam(a), 12).certificate
    assert (got.minors_visited, got.basis, got.zero_minors, got.prefix_len) == (want.minors_visited, want.basis, want.zero_minors, want.prefix_len)


def test_interrupt_stops_cleanly_with_a_checkpoint_and_resumes(monkeypatch):
    from memproof.kruskal import kernel as kern

    a = np.random.default_rng(7).standard_normal((16, 8))
    real, calls, seen = kern.sweep_units, {"n": 0}, []

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(kern, "sweep_units", interrupted)
    out = run_sweep(fam(a), 8, on_checkpoint=seen.append)
    assert (out.status, out.reason, out.k, out.certificate) == ("stopped", "interrupted", 8, None)
    assert seen == [out.state] and out.minors_visited == out.state.minors > 1 and 0.0 <= out.seconds < 60.0
    monkeypatch.setattr(kern, "sweep_units", real)
    again = run_sweep(fam(a), 8, state=out.state)
    assert again.status == "complete" and again.certificate.minors_visited == math.comb(16, 8)
    assert run_sweep(fam(a), 8, on_checkpoint=None).status == "complete"


# ------------------------------------------------------------------------------ claims read from a state
def _complete_state(a, k):
    out = run_sweep(fam(a), k)
    assert out.status == "complete"
    return out.state


def test_a_claimed_state_is_re_run_and_compared_zero_by_zero():
    st = _complete_state(SPURIOUS, 2)   # the three spurious zeros, 6 minors, the sweep's last position
    assert sorted(tuple(z["subset"]) for z in st.zeros) == [(0, 2), (0, 3), (2, 3)]
    end = st.next_unit
    verified = f"verified: units 0..{end} re-run; 6 minors and 3 zero minors as claimed"
    assert run_sweep(fam(SPURIOUS), 2, state=st).resume == verified            # a SweepState ...
    assert run_sweep(fam(SPURIOUS), 2, state=st.to_dict()).resume == verified  # ... or its dict
    shuffled = dataclasses.replace(st, zeros=[dict(z, subset=[int(i) for i in reversed(z["subset"])]) for z in st.zeros])
    assert run_sweep(fam(SPURIOUS), 2, state=shuffled).resume == verified       # a subset is a set
    for forged, claims in [(dataclasses.replace(st, zeros=st.zeros[:2]), "6 and 2"),        # a zero left out
                           (dataclasses.replace(st, minors=7), "7 and 3"),                  # the count alone is off
                           (dataclasses.replace(st, zeros=st.zeros[:2] + [{"subset": [0, 1]}]), "6 and 3"),
                           (dataclasses.replace(st, zeros=st.zeros[:2] + [{"resolution": "spurious"}]), "6 and 3")]:
        out = run_sweep(fam(SPURIOUS), 2, state=forged)
        assert out.resume == f"mismatch: re-running units 0..{end} gives 6 minors and 3 zero minors, the state claims {claims}"
        assert out.status == "complete" and zero_subsets(out.certificate) == [(0, 2), (0, 3), (2, 3)]  # its own work


def test_a_claim_at_the_start_is_verified_at_once():
    st = _complete_state(SPURIOUS, 2)
    start = dataclasses.replace(st, next_unit=0, skip=0, minors=1, zeros=[])
    assert run_sweep(fam(SPURIOUS), 2, state=start).resume == "verified: units 0..0 re-run; 1 minors and 0 zero minors as claimed"


@pytest.mark.parametrize("change, why", [
    ({"k": 1}, "level 1, not 2"),
    ({"prime": 7}, "prime 7 is not a sweep prime"),
    ({"seed": 0}, "projection seed inconsistent with k and dim"),      # k = dim: no projection
    ({"basis": [0, 0]}, "basis is not k distinct vector indices"),
    ({"basis": [0, 1, 0]}, "basis is not k distinct vector indices"),  # k distinct values, k + 1 entries
    ({"basis": [0, 1, 2]}, "basis is not k distinct vector indices"),
    ({"basis": [-1, 1]}, "basis is not k distinct vector indices"),
    ({"basis": [1, 4]}, "basis is not k distinct vector indices"),    # N = 4
    ({"next_unit": -1}, "negative position"),
    ({"skip": -1}, "negative position"),
    ({"shards": [{"start": 0, "end": 1}]}, "shards are those of a sharded (distributed) sweep"),
])
def test_an_ill_formed_claim_is_a_mismatch_with_its_reason(change, why):
    st = _complete_state(SPURIOUS, 2)
    out = run_sweep(fam(SPURIOUS), 2, state=dataclasses.replace(st, **change))
    assert out.resume == f"mismatch: the state's {why}"
    assert out.status == "complete" and out.certificate.verify(SPURIOUS)


def test_a_projected_claim_needs_its_seed():
    a = np.random.default_rng(3).standard_normal((7, 5))
    st = _complete_state(a, 3)
    assert st.seed == 0 and run_sweep(fam(a), 3, state=st).resume.startswith("verified:")
    out = run_sweep(fam(a), 3, state=dataclasses.replace(st, seed=None))
    assert out.resume == "mismatch: the state's projection seed inconsistent with k and dim"


def test_spot_check_verdicts_count_the_subsets_checked():
    cert = run_sweep(fam(SPURIOUS), 2).certificate
    ok = cert.spot_check(SPURIOUS, checks=3)
    assert (ok.status, ok.problems, ok.subsets_checked) == ("spot-checked", (), 4)          # the basis + 3 random
    assert cert.spot_check(SPURIOUS).subsets_checked == 1 + math.comb(4, 2)                # at most C(N, k) random
    bad = dataclasses.replace(cert, minors_visited=5).spot_check(SPURIOUS)
    assert (bad.status, bad.subsets_checked) == ("rejected", 0)
    assert bad.problems == ("5 minors visited, but a complete level-2 sweep has C(4, 2) = 6",)
    dropped = dataclasses.replace(cert, zero_minors=cert.zero_minors[1:]).spot_check(SPURIOUS, checks=64, seed=1)
    assert dropped.status == "rejected" and dropped.subsets_checked == 7
    assert dropped.problems == ("the k-subset [0, 2] has a zero minor mod p that the certificate does not resolve",)
    cols = run_sweep(VectorFamily.from_matrix(SPURIOUS.T, "cols"), 2).certificate
    assert cols.axis == "cols" and cols.spot_check(SPURIOUS.T).status == "spot-checked"   # the recorded axis


def test_a_spot_check_refuses_to_be_read_as_a_proof():
    spot = run_sweep(fam(SPURIOUS), 2).certificate.spot_check(SPURIOUS)
    with pytest.raises(TypeError) as err:
        bool(spot)
    assert str(err.value) == ("a spot check is not a proof: read .status ('spot-checked' or 'rejected') or .rejected; "
                              "verify(a) (full replay) decides whether the certificate holds")


def test_a_claim_read_from_a_dict_keeps_its_shards():
    st = _complete_state(SPURIOUS, 2)
    d = dict(st.to_dict(), shards=[{"start": 0, "end": 1}])
    assert SweepState.from_dict(d).shards == [{"start": 0, "end": 1}]
    out = run_sweep(fam(SPURIOUS), 2, state=d)
    assert out.resume == "mismatch: the state's shards are those of a sharded (distributed) sweep"


def test_a_run_stopped_before_the_claimed_position_leaves_the_claim_unchecked():
    a = np.random.default_rng(7).standard_normal((16, 8))
    st = _complete_state(a, 8)
    out = run_sweep(fam(a), 8, state=st, deadline=time.perf_counter())
    assert out.status == "stopped" and out.state.next_unit < st.next_unit
    assert out.resume == f"unchecked: stopped at unit {out.state.next_unit}, before the claimed unit {st.next_unit}"
    assert run_sweep(fam(a), 8, deadline=time.perf_counter()).resume is None      # no claim, no verdict

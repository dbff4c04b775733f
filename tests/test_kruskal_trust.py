"""Files are evidence, not authority: forged checkpoints and certificates never yield "proved"."""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
import warnings

import numpy as np
import pytest

from memproof.data import Dataset
from memproof.errors import InvalidArgumentError
from memproof.kruskal import kruskal_rank, verify_certificate
from memproof.kruskal.certificates import SpotCheck
from memproof.kruskal.modular import SWEEP_PRIMES


def _planted(seed: int = 3, T: int = 30, d: int = 8, n: int = 4) -> np.ndarray:
    """Integer queries with one dependent n-subset among the late rows (cheap bounds do not see it)."""
    q = np.random.default_rng(seed).integers(-50, 51, (T, d)).astype(np.float64)
    q[T - 1] = q[T - 4] + q[T - 3] - q[T - 2]  # rows T-4..T-1 dependent: an n = 4 circuit
    return q


def _forge_finished(path, a, k: int) -> None:
    """Rewrite the checkpoint as a forger would: no upper bound, a level-k sweep with a genuine plan
    marked finished (all C(N, k) minors, no zeros), re-signed when the format has a digest."""
    from memproof.kruskal import VectorFamily
    from memproof.kruskal.sweep import _plan

    fam = VectorFamily.from_matrix(a)
    plan = _plan(fam, k, SWEEP_PRIMES[0], 0, None)
    data = json.loads(path.read_text())
    data["upper"] = None
    data["sweep"].update(k=k, prime=SWEEP_PRIMES[0], seed=0, basis=list(plan.basis), next_unit=10**9, skip=0,
                         minors=math.comb(fam.N, k), zeros=[])
    if "digest" in data:
        data["digest"] = importlib.import_module("memproof.kruskal.checkpoint").content_digest(data)
    path.write_text(json.dumps(data))


def _checkpoint_with_sweep(a, path, at_least):
    for budget in (1e-4, 1e-3, 1e-2):
        path.unlink(missing_ok=True)
        kruskal_rank(a, at_least=at_least, mode="exact", budget=budget, checkpoint=path, numerical=False)
        if path.exists() and json.loads(path.read_text()).get("sweep"):
            return
    pytest.fail("no checkpoint with a running sweep was written")


def test_honest_run_refutes_the_planted_subset():
    q = _planted()
    r = kruskal_rank(q, at_least=4, numerical=False)
    assert r.at_least_decided(4) is False and len(r.witness) == 4


def test_forged_finished_checkpoint_does_not_prove_a1(tmp_path):
    q = _planted()
    ck = tmp_path / "a1.json"
    _checkpoint_with_sweep(q, ck, 4)
    _forge_finished(ck, q, 4)
    ds = Dataset(q, np.random.default_rng(0).standard_normal((4, 8)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = importlib.import_module("memproof.assumptions").check_a1(ds, checkpoint=ck)
    assert res.outcome.value == "refuted"
    assert sorted(res.counterexample["subset"]) == [26, 27, 28, 29]
    assert any("does not re-verify" in str(w.message) and "discarded" in str(w.message) for w in caught)


def test_forged_checkpoint_via_kruskal_rank_is_rederived(tmp_path):
    q = _planted(seed=5)
    ck = tmp_path / "kr.json"
    _checkpoint_with_sweep(q, ck, 4)
    _forge_finished(ck, q, 4)
    with pytest.warns(UserWarning, match="checkpoint"):
        r = kruskal_rank(q, at_least=4, checkpoint=ck, numerical=False)
    assert r.at_least_decided(4) is False and r.verify(q)


def test_honest_resume_is_verified_and_matches_a_fresh_run(tmp_path):
    a = np.random.default_rng(7).standard_normal((20, 10))
    ck = tmp_path / "ok.json"
    _checkpoint_with_sweep(a, ck, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an honest checkpoint raises no warning
        r = kruskal_rank(a, mode="exact", checkpoint=ck, numerical=False)
    assert r.value == 10 and any("verified" in n for n in r.notes)
    assert r.lower_certificate.minors_visited == math.comb(20, 10)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "edit_digest", "engine_version", "old_format", "bad_upper"])
def test_corrupted_or_foreign_version_checkpoints_are_discarded_with_a_warning(tmp_path, damage):
    a = _planted(seed=11)
    ck = tmp_path / "bad.json"
    _checkpoint_with_sweep(a, ck, 4)
    text = ck.read_text()
    data = json.loads(text)
    if damage == "truncate":
        ck.write_text(text[: len(text) // 2])
    elif damage == "garbage":
        ck.write_bytes(b"\x00\xff\xfe not json")
    elif damage == "edit_digest":
        data["sweep"]["minors"] += 1  # content changed, digest not recomputed
        ck.write_text(json.dumps(data))
    elif damage == "engine_version":
        data["engine_version"] = "memproof-kruskal-engine/1"
        data["digest"] = importlib.import_module("memproof.kruskal.checkpoint").content_digest(data)
        ck.write_text(json.dumps(data))
    elif damage == "old_format":
        data["format"] = "memproof-kruskal-checkpoint/1"
        ck.write_text(json.dumps(data))
    else:  # an upper-bound "circuit" that is not dependent, re-signed
        data["upper"] = {"format": "memproof-kruskal-circuit/1", "kind": "circuit", "input_hash": data["input_hash"],
                         "axis": "rows", "indices": [0, 1], "bound": 1, "null_vector": ["1", "1"]}
        data["digest"] = importlib.import_module("memproof.kruskal.checkpoint").content_digest(data)
        ck.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="discarded"):
        r = kruskal_rank(a, at_least=4, checkpoint=ck, numerical=False)
    assert r.at_least_decided(4) is False and r.upper == 3 and r.verify(a)


# ------------------------------------------------------------------------------------- sweep certificates
def _spurious_zero_case():
    """40 vectors in dimension 3 whose only zero minor mod p is {17, 23, 31} (det = p ≠ 0 exactly)."""
    p = SWEEP_PRIMES[0]
    a = np.random.default_rng(2).integers(-1000, 1001, (40, 3)).astype(np.int64)
    a[17], a[23], a[31] = [1, 0, 0], [0, 1, 0], [5, 7, p]
    return a


def test_default_verify_rejects_a_certificate_with_a_deleted_zero_minor():
    a = _spurious_zero_case()
    r = kruskal_rank(a, at_least=3, numerical=False)
    cert = r.lower_certificate
    assert r.at_least_decided(3) and [sorted(z["subset"]) for z in cert.zero_minors] == [[17, 23, 31]]
    forged = dataclasses.replace(cert, zero_minors=())
    assert cert.verify(a) is True
    assert forged.verify(a) is False
    assert verify_certificate(a, forged.to_dict()) is False
    assert dataclasses.replace(r, lower_certificate=forged).verify(a) is False


def test_default_verify_rejects_a_certificate_forged_for_a_dependent_input():
    q = _planted()
    honest = np.random.default_rng(3).integers(-50, 51, (30, 8)).astype(np.float64)
    cert = kruskal_rank(honest, at_least=4, numerical=False).lower_certificate
    assert cert is not None and cert.k == 4
    fam_hash = kruskal_rank(q, at_least=1, numerical=False).input_hash
    forged = dataclasses.replace(cert, input_hash=fam_hash)  # every field plausible, one dependent 4-subset omitted
    assert forged.verify(q) is False
    assert verify_certificate(q, forged.to_dict()) is False


def test_spot_mode_is_never_a_proof():
    a = _spurious_zero_case()
    cert = kruskal_rank(a, at_least=3, numerical=False).lower_certificate
    forged = dataclasses.replace(cert, zero_minors=())
    spot = forged.verify(a, mode="spot")
    assert spot.status == "spot-checked" and "not a proof" in spot.reason  # it cannot see the omission ...
    with pytest.raises(TypeError, match="not a proof"):
        bool(spot)  # ... and it cannot be used as one
    assert forged.spot_check(a).status == "spot-checked"
    bad = dataclasses.replace(cert, basis=(0, 1, 0))
    assert bad.spot_check(a).rejected
    assert verify_certificate(a, forged, mode="spot").status == "spot-checked"
    with pytest.raises(TypeError):
        assert kruskal_rank(a, at_least=3, numerical=False).verify(a, mode="spot")
    # the basis and 64 random k-subsets by default, ``checks`` when given, never more than C(N, k)
    assert [cert.spot_check(a).subsets_checked, cert.spot_check(a, checks=5).subsets_checked] == [65, 6]
    small = kruskal_rank(a[:5], at_least=3, numerical=False).lower_certificate
    assert small.spot_check(a[:5]).subsets_checked == 1 + math.comb(5, 3)


def test_verify_forwards_its_options(monkeypatch):
    """``verify`` replays with the kernel it is given and spot-checks with the count and seed it is given."""
    from memproof.kruskal import kernel

    a = _spurious_zero_case()
    cert = kruskal_rank(a, at_least=3, numerical=False).lower_certificate
    ran, real = [], kernel.sweep_units
    monkeypatch.setattr(kernel, "sweep_units", lambda *args, **kw: ran.append(kw["backend"]) or real(*args, **kw))
    assert cert.verify(a, backend="numpy") is True and set(ran) == {"numpy"}
    forged = dataclasses.replace(cert, zero_minors=())  # the one zero minor {17, 23, 31} omitted
    verdicts = [forged.spot_check(a, checks=300, seed=s).rejected for s in range(40)]
    caught = verdicts.index(True)  # a seed whose 300 random 3-subsets hit {17, 23, 31} (1 in 9880 each)
    assert not verdicts[0]
    assert forged.verify(a, mode="spot", spot_checks=300, seed=caught).rejected
    assert not forged.verify(a, mode="spot", spot_checks=300).rejected  # seed 0 misses it
    assert forged.verify(a, mode="spot", spot_checks=7).subsets_checked == 8


def test_result_verify_refuses_every_inconsistent_field():
    """KruskalResult.verify: another input, an inverted interval, an upper bound its circuit does not
    give, bounds without certificates, a sweep for another level — each refused (replay: False; spot:
    rejected, naming the problem)."""
    a = np.random.default_rng(0).integers(-9, 10, (12, 6))
    a[5] = a[1] + a[2]  # the circuit {1, 2, 5}: k-rank 2
    r = kruskal_rank(a, numerical=False)
    assert (r.lower, r.upper, r.upper_certificate.bound, r.lower_certificate.k) == (2, 2, 2, 2)
    assert r.verify(a) is True and r.verify(a, mode="spot").status == "spot-checked"
    assert r.verify(a, mode="spot").subsets_checked == 65
    other = a.copy()
    other[0, 0] += 1
    forged_nv = dataclasses.replace(r.upper_certificate, null_vector=tuple(2 * c if i == 0 else c for i, c in enumerate(r.upper_certificate.null_vector)))
    cases = {
        "input hash or interval does not match": [(r, other), (dataclasses.replace(r, lower=3, upper=2), a)],
        "the upper-bound certificate does not verify": [(dataclasses.replace(r, upper=3), a),
                                                        (dataclasses.replace(r, upper_certificate=forged_nv), a)],
        "upper bound 2 < N = 12 without a certificate": [(dataclasses.replace(r, upper_certificate=None), a)],
        "lower bound 2 > 0 without a certificate": [(dataclasses.replace(r, lower_certificate=None), a)],
        "the sweep certificate is for level 2, not 1": [(dataclasses.replace(r, lower=1), a)],
    }
    for problem, forged in cases.items():
        for res, data in forged:
            assert res.verify(data) is False, problem
            spot = res.verify(data, mode="spot")
            assert spot.status == "rejected" and problem in spot.problems, (problem, spot.problems)
    assert dataclasses.replace(r, lower_certificate=None).verify(a, mode="spot").subsets_checked == 0  # no sweep spot-checked
    trivial = dataclasses.replace(r, lower=0, lower_certificate=None)  # k-rank ≥ 0 needs no certificate
    assert trivial.verify(a) is True
    assert trivial.verify(a, mode="spot") == SpotCheck("spot-checked", (), 0)
    omitted = dataclasses.replace(r, lower_certificate=dataclasses.replace(r.lower_certificate, minors_visited=1))
    spot = omitted.verify(a, mode="spot")  # the sweep's own rejection is passed on with its count
    assert spot.status == "rejected" and spot.problems and spot.subsets_checked == 0


def test_result_decides_only_what_its_certificates_decide():
    a = np.random.default_rng(0).integers(-9, 10, (12, 6))
    a[5] = a[1] + a[2]
    r = kruskal_rank(a, numerical=False)
    interval = dataclasses.replace(r, lower=1, lower_certificate=None)  # [1, 2]: ≥ 2 not decided either way
    assert [interval.at_least_decided(k) for k in (1, 2, 3)] == [True, None, False]
    assert interval.to_result(statement="k-rank ≥ 2").outcome.value == "unknown"
    assert interval.summary().startswith("Kruskal rank in [1, 2] (") and r.summary().startswith("Kruskal rank = 2 (")
    nv = r.to_dict()["witness_null_vector"]
    assert nv == [str(c) for c in r.upper_certificate.null_vector] and len(nv) == 3 and r.to_dict()["witness"] == [1, 2, 5]
    spark = kruskal_rank(np.eye(4, dtype=int), numerical=False)
    assert spark.upper_certificate is None and spark.to_dict()["witness_null_vector"] is None


def test_result_to_result_says_what_the_interval_decides():
    """KruskalResult.to_result: proved / refuted (with the circuit, or the vector count) / unknown, about the stored numbers."""
    from memproof.kruskal import KruskalResult
    from memproof.kruskal.certificates import CircuitCertificate
    from memproof.kruskal.family import as_family
    from memproof.results import Level, Outcome, ScopeKind

    a = np.random.default_rng(0).integers(-9, 10, (12, 6))
    a[5] = a[1] + a[2]
    r = kruskal_rank(a, numerical=False)
    exact = r.to_result()
    assert (exact.claim, exact.statement, exact.outcome, exact.level) == \
        ("KR", "the 12 vectors (rows) have Kruskal rank ≥ 2", Outcome.PROVED, Level.EXACT)
    assert exact.scope.kind is ScopeKind.INSTANCE and exact.scope.description == "the stored float data as exact rationals"
    assert exact.evidence == r.to_dict() and exact.seconds == r.seconds
    above = dataclasses.replace(r, at_least=3).to_result("A1", "k-rank ≥ 3")
    assert (above.claim, above.statement, above.outcome, above.level) == ("A1", "k-rank ≥ 3", Outcome.REFUTED, Level.EXACT)
    assert above.counterexample == {"subset": [1, 2, 5], "null_vector": [str(c) for c in r.upper_certificate.null_vector],
                                    "kind": "circuit"}
    assert above.evidence == dataclasses.replace(r, at_least=3).to_dict() and above.seconds == r.seconds
    assert above.scope == exact.scope and dataclasses.replace(r, seconds=1.23456789).to_dict()["seconds"] == 1.234568
    by_dimension = dataclasses.replace(r, upper=6, upper_certificate=CircuitCertificate.dimension(as_family(a)), at_least=7)
    assert by_dimension.to_result().counterexample == {"subset": list(range(7)), "null_vector": None, "kind": "dimension"}
    assert dataclasses.replace(r, at_least=1).to_result().outcome is Outcome.PROVED
    interval = dataclasses.replace(r, lower=1, lower_certificate=None, at_least=2).to_result()
    assert interval.outcome is Outcome.UNKNOWN and interval.statement == "the 12 vectors (rows) have Kruskal rank ≥ 2"
    assert interval.claim == "KR"
    assert interval.reason == f"Kruskal rank only bounded: [1, 2] ({r.status})" and interval.evidence["kruskal_rank_lower"] == 1
    assert interval.level is None and interval.seconds == r.seconds and interval.scope == exact.scope  # unknown: no level reached
    spark = kruskal_rank(np.eye(4, dtype=int), numerical=False, at_least=4)
    few = dataclasses.replace(spark, at_least=5).to_result()
    assert few.outcome is Outcome.REFUTED and few.counterexample == {"reason": "only 4 vectors"}
    # a result without certificates (a zero vector: k-rank 0) and an old JSON without notes or backend read back
    z = np.eye(4, dtype=int)
    z[2] = 0
    zero = kruskal_rank(z, numerical=False)
    assert zero.lower == 0 and zero.lower_certificate is None
    assert KruskalResult.from_json(zero.to_json()).to_dict() == zero.to_dict()
    old = {k: v for k, v in r.to_dict().items() if k not in ("notes", "backend")}
    assert (KruskalResult.from_dict(old).notes, KruskalResult.from_dict(old).backend) == ((), "")


def test_sweep_certificate_record_problems_are_named():
    a = _spurious_zero_case()
    cert = kruskal_rank(a, at_least=3, numerical=False).lower_certificate  # k = dim = 3: no projection
    assert cert.projection_seed is None and cert.problems(a) == []
    above = dataclasses.replace(cert, prime=16777259)  # a prime, but above 2^24 (the kernel's float64 bound)
    assert above.problems(a) == ["16777259 is not an odd prime below 2^24 (the sweep's primes)"]
    assert dataclasses.replace(cert, projection_seed=0).problems(a) == ["projection recorded at k = 3, dim = 3"]
    b = np.random.default_rng(3).integers(-50, 51, (30, 8))
    low = kruskal_rank(b, at_least=4, numerical=False).lower_certificate  # k = 4 < dim = 8: projected
    assert low.projection_seed is not None and low.problems(b) == []
    assert dataclasses.replace(low, projection_seed=None).problems(b) == ["projection missing at k = 4, dim = 8"]
    # the axis is forwarded in both modes (the input hash covers the axis, so another axis is another input)
    from memproof.kruskal.family import as_family

    for axis in ("cols", "rows"):
        spot = cert.verify(a.T, axis, mode="spot")
        assert spot.rejected and as_family(a.T, axis).input_hash in spot.problems[0]
    assert cert.verify(a, "rows", mode="spot").status == "spot-checked"
    with pytest.raises(InvalidArgumentError) as err:
        cert.verify(a, mode="proof")
    assert (err.value.name, err.value.expected) == ("mode", "'replay' (a proof) or 'spot' (a spot check, never a proof)")


def test_no_import_cycle_between_certificates_and_sweep():
    import ast
    import pathlib

    src = pathlib.Path(importlib.import_module("memproof.kruskal.certificates").__file__).read_text()
    imported = {n.module for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom)}
    assert "sweep" not in imported and "memproof.kruskal.sweep" not in imported

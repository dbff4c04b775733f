"""Sharded Kruskal sweeps (memproof.kruskal.distributed): shard records are evidence, the merge must
reproduce the single-process certificate, a killed worker or an interrupted client changes nothing."""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from memproof.kruskal import CheckpointWarning, kernel, kruskal_rank
from memproof.kruskal.checkpoint import Checkpoint
from memproof.kruskal.distributed import check_record, run_sharded_sweep, shard_bounds
from memproof.kruskal.family import as_family
from memproof.kruskal.modular import SWEEP_PRIMES
from memproof.kruskal.sweep import SweepState, prepare, residues, run_sweep, sweep_range


def _gaussian(n=28, d=14, seed=1):
    """28 Gaussian rows in dimension 14: C(28, 14) ≈ 4·10⁷ subsets, five spurious zero minors mod p."""
    return np.random.default_rng(seed).standard_normal((n, d))


def _spurious_zero_case():
    """40 vectors in dimension 3 whose only zero minor mod p is {17, 23, 31} (det = p ≠ 0 exactly)."""
    p = SWEEP_PRIMES[0]
    a = np.random.default_rng(2).integers(-1000, 1001, (40, 3)).astype(np.int64)
    a[17], a[23], a[31] = [1, 0, 0], [0, 1, 0], [5, 7, p]
    return a


def _ten_spurious_zeros_case():
    """40 vectors in dimension 3 with ten zero minors mod p, all exactly nonzero: every triple of rows
    17 = e₁, 23 = e₂, 31, 35, 38 (third coordinate p); six of them lie in one work unit."""
    a = np.random.default_rng(2).integers(-1000, 1001, (40, 3)).astype(np.int64)
    a[17], a[23] = [1, 0, 0], [0, 1, 0]
    a[[31, 35, 38], 2] = SWEEP_PRIMES[0]
    return a


def _same(c1, c2):
    return dataclasses.replace(c1, seconds=0.0) == dataclasses.replace(c2, seconds=0.0)


# ----------------------------------------------------------------------------- shards (no cluster)
def test_shards_tile_the_units_and_their_minor_counts_add_up():
    fam = as_family(_gaussian(20, 10), "rows")
    prep = prepare(fam, 10)
    bounds = shard_bounds(prep, 16)
    assert bounds[0][0] == 0 and bounds[-1][1] == prep.units_total
    assert all(e0 == s1 for (_, e0), (s1, _) in zip(bounds, bounds[1:])) and all(s < e for s, e in bounds)
    per = prep.unit_minors()
    assert sum(per) == math.comb(20, 10) - 1  # every minor but the basis determinant
    cost = prep.unit_minors(weighted=True)
    work = [sum(cost[s:e]) for s, e in bounds]
    assert max(work) < 2 * sum(work) / len(work)  # balanced by work, not by unit count
    recs = [sweep_range(fam, prep, s, e) for s, e in bounds]
    assert [r["minors"] for r in recs] == [sum(per[s:e]) for s, e in bounds]


@pytest.mark.parametrize("zero_buffer", [1, 2, 256])
def test_shard_records_every_zero_minor_once_whatever_the_zero_buffer(zero_buffer):
    """A buffer smaller than a unit's zeros restarts the unit and skips the zeros already recorded."""
    fam = as_family(_ten_spurious_zeros_case(), "rows")
    prep = prepare(fam, 3)
    expected = [list(t) for t in itertools.combinations([17, 23, 31, 35, 38], 3)]
    one = run_sweep(fam, 3, zero_buffer=zero_buffer).certificate
    assert sorted(z["subset"] for z in one.zero_minors) == expected and one.minors_visited == math.comb(40, 3)
    t0 = time.perf_counter()
    rec = sweep_range(fam, prep, 0, prep.units_total, zero_buffer=zero_buffer)
    assert 0 <= rec["seconds"] <= time.perf_counter() - t0
    assert rec["minors"] == math.comb(40, 3) - 1 and rec["dependent"] is None
    assert (rec["input_hash"], rec["k"], rec["prime"], rec["seed"], rec["basis"], rec["start"], rec["end"]) == \
        (fam.input_hash, 3, prep.prime, prep.seed, list(prep.plan.basis), 0, prep.units_total)
    assert sorted(z["subset"] for z in rec["zeros"]) == expected  # each once: a list, not a set
    per_unit = [sweep_range(fam, prep, u, u + 1, zero_buffer=zero_buffer) for u in range(prep.units_total)]
    assert max(len(r["zeros"]) for r in per_unit) == 6
    assert sorted(z["subset"] for r in per_unit for z in r["zeros"]) == expected
    assert [r["minors"] for r in per_unit] == prep.unit_minors()


def test_shard_record_names_the_kernel_that_ran(monkeypatch):
    fam = as_family(_ten_spurious_zeros_case(), "rows")
    prep = prepare(fam, 3)
    ran, real = [], kernel.sweep_units
    monkeypatch.setattr(kernel, "sweep_units", lambda *a, **kw: ran.append(kw["backend"]) or real(*a, **kw))
    assert sweep_range(fam, prep, 0, prep.units_total, backend="numpy")["backend"] == "numpy" and set(ran) == {"numpy"}
    ran.clear()
    default = "numba" if kernel.HAVE_NUMBA else "numpy"
    assert kernel.resolve_backend(None) == default and kernel.resolve_backend("numpy") == "numpy"
    assert sweep_range(fam, prep, 0, prep.units_total)["backend"] == default and set(ran) == {default}


def test_unit_work_counts_every_minor_and_weighs_a_size_s_minor_s_plus_one():
    """Σ over units = Σ_s C(a, s)·C(b, s) minors of the a×b tableau (all k-subsets but the basis); weighted, each counts s + 1."""
    for rows, k in ((20, 10), (40, 3), (24, 6)):
        prep = prepare(as_family(_gaussian(rows, k), "rows"), k)
        kinds = {bool(x) for x in prep.subtree}
        sizes = range(1, prep.smax + 1)
        assert sum(prep.unit_minors()) == sum(math.comb(prep.a, s) * math.comb(prep.b, s) for s in sizes) == math.comb(rows, k) - 1
        assert sum(prep.unit_minors(weighted=True)) == sum(math.comb(prep.a, s) * math.comb(prep.b, s) * (s + 1) for s in sizes)
        if rows == 20:
            assert kinds == {True, False}  # both kinds of unit are counted


def test_check_record_rejects_forged_shards_and_settles_a_hidden_dependency():
    a = _spurious_zero_case()
    fam = as_family(a, "rows")
    prep = prepare(fam, 3)
    g = residues(fam, 3, prep.prime, prep.seed)
    s, e = 0, prep.units_total
    want = int(sum(prep.unit_minors()))
    rec = sweep_range(fam, prep, s, e)
    assert [z["subset"] for z in rec["zeros"]] == [[17, 23, 31]]
    assert check_record(fam, prep, rec, s, e, want, g) == ([], None)
    assert check_record(fam, prep, dict(rec, minors=want - 1), s, e, want, g)[0]
    assert check_record(fam, prep, dict(rec, end=e - 1), s, e, want, g)[0]
    assert check_record(fam, prep, dict(rec, input_hash="sha256:0"), s, e, want, g)[0]
    assert check_record(fam, prep, dict(rec, zeros=[{"subset": [0, 1, 2]}]), s, e, want, g)[0]  # nonzero mod p
    assert check_record(fam, prep, dict(rec, dependent=[0, 1, 2]), s, e, want, g)[0]  # independent
    # a worker that calls a genuinely dependent k-subset spurious: the coordinator finds it exactly
    q = a.copy()
    q[5] = q[17] + q[23]
    famq = as_family(q, "rows")
    prepq = prepare(famq, 3)
    gq = residues(famq, 3, prepq.prime, prepq.seed)
    recq = sweep_range(famq, prepq, 0, prepq.units_total)
    assert recq["dependent"] is not None
    forged = dict(recq, dependent=None, zeros=[{"subset": recq["dependent"], "resolution": "spurious"}])
    assert check_record(famq, prepq, forged, 0, prepq.units_total, int(sum(prepq.unit_minors())), gq) == ([], recq["dependent"])


# ----------------------------------------------------------------------------- a real local cluster
@pytest.fixture
def client(dask_client):
    return dask_client


def test_sharded_sweep_survives_a_killed_worker_and_matches_one_process(client):
    fam = as_family(_gaussian(), "rows")
    one = run_sweep(fam, 14)
    pids = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(done, total):
        if killed or done >= total:
            return
        busy = [w for w, keys in client.processing().items() if keys and w in pids]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append((pids[busy[0]], done, total))

    out = run_sharded_sweep(fam, 14, client, on_shard=kill_a_busy_worker)
    assert killed and killed[0][1] < killed[0][2], "no worker was killed mid-sweep"
    assert out.status == "complete" and len(out.certificate.zero_minors) == 5
    assert _same(out.certificate, one.certificate)  # the merged record is the single-process record
    assert out.certificate.verify(fam) is True
    client.wait_for_workers(2, timeout=60)
    assert killed[0][0] not in client.run(os.getpid).values()


def test_merged_certificate_with_an_omitted_zero_does_not_verify(client):
    a = _spurious_zero_case()
    r = kruskal_rank(a, at_least=3, numerical=False, client=client)
    cert = r.lower_certificate
    assert r.at_least_decided(3) and [z["subset"] for z in cert.zero_minors] == [[17, 23, 31]]
    assert _same(cert, kruskal_rank(a, at_least=3, numerical=False).lower_certificate)
    assert r.verify(a) is True
    assert dataclasses.replace(cert, zero_minors=()).verify(a) is False


def test_sharded_sweep_finds_a_planted_dependency(client):
    q = np.random.default_rng(4).integers(-99, 100, (24, 12))
    q[20] = q[:11].sum(axis=0)  # the rows 0..10 and 20: 12 exactly dependent vectors
    fam = as_family(q, "rows")
    out = run_sharded_sweep(fam, 12, client)
    assert out.status == "dependent" and not fam.is_independent(out.dependent) and len(out.dependent) == 12
    r = kruskal_rank(q, at_least=12, mode="exact", numerical=False, client=client)
    assert r.at_least_decided(12) is False and r.verify(q) is True


def test_interrupted_client_keeps_completed_shards_and_a_rerun_resumes(client, tmp_path):
    a = _gaussian()
    fam = as_family(a, "rows")
    saved = []

    def interrupt(done, total):
        if done == 3:
            raise KeyboardInterrupt

    out = run_sharded_sweep(fam, 14, client, on_shard=interrupt, on_checkpoint=saved.append)
    assert out.status == "stopped" and out.reason == "interrupted" and saved and saved[-1] is out.state
    st = out.state
    assert 3 <= len(st.shards) < 64 and st.minors == 1 + sum(r["minors"] for r in st.shards)
    # the rerun reuses the plan and re-derives the claimed shards (a claim, never trusted)
    ck = tmp_path / "ck.json"
    Checkpoint(ck, fam, 14).save(None, st, 0)
    r = kruskal_rank(a, at_least=14, mode="exact", numerical=False, client=client, checkpoint=ck)
    assert r.at_least_decided(14) is True and r.verify(a) is True
    assert any("resumed level-14" in n and "verified: the " in n for n in r.notes), r.notes
    # a forged claim (a shard's minor count and its zeros edited) is reported, the answer stands
    forged = json.loads(json.dumps(st.to_dict()))
    forged["shards"][0]["minors"] += 1
    forged["shards"][0]["zeros"] = [{"subset": list(range(14))}]
    again = run_sharded_sweep(fam, 14, client, state=forged)
    assert again.status == "complete" and again.resume.startswith("mismatch: shard")
    assert _same(again.certificate, run_sweep(fam, 14).certificate)
    Checkpoint(ck, fam, 14).save(None, SweepState.from_dict(forged), 0)  # re-signed: the digest is no defence
    with pytest.warns(CheckpointWarning, match="does not re-verify"):
        r2 = kruskal_rank(a, at_least=14, mode="exact", numerical=False, client=client, checkpoint=ck)
    assert r2.at_least_decided(14) is True and _same(r2.lower_certificate, r.lower_certificate)
    # a single-process checkpoint position is not taken for shards (and vice versa)
    assert run_sharded_sweep(fam, 14, client, state=dict(st.to_dict(), shards=[])).resume.startswith("mismatch")
    assert run_sweep(fam, 14, state=st).resume.startswith("mismatch")


def test_cli_scheduler_address_and_own_workers(client, tmp_path):
    m = tmp_path / "q.npy"
    np.save(m, _gaussian(20, 10, 5))
    addr = client.scheduler.address
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd()] + sys.path))
    run = subprocess.run([sys.executable, "-m", "memproof", "kruskal", str(m), "--k", "10", "--mode", "exact",
                          "--no-numerical", "--scheduler", addr, "--json"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    d = json.loads(run.stdout)
    assert d["kruskal_rank_lower"] == 10 and d["lower_certificate"]["minors_visited"] == math.comb(20, 10)
    own = subprocess.run([sys.executable, "-m", "memproof", "kruskal", str(m), "--k", "10", "--no-numerical",
                          "--workers", "1", "--shards", "4"], capture_output=True, text=True, env=env, timeout=120)
    assert own.returncode == 0 and "lower bound 10: complete level-10 sweep" in own.stdout, own.stderr[-2000:]
    bad = subprocess.run([sys.executable, "-m", "memproof", "kruskal", str(m), "--workers", "2", "--scheduler", addr],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 3 and "--workers" in bad.stderr

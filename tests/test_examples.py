"""The examples run and their certificates come out as documented."""
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def run_example(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "examples" / "check_lemma_on_my_numbers.py"), *args],
                          capture_output=True, text=True, timeout=300)


def test_lemma_example_on_generated_data():
    out = run_example()
    assert out.returncode == 0, out.stderr
    assert "L1: proved [exact; instance]" in out.stdout
    assert "L4: proved [rigorous; instance]" in out.stdout and "L3: proved [exact; instance]" in out.stdout


def test_lemma_example_on_user_file_with_rank_deficient_features(tmp_path):
    rng = np.random.default_rng(4)
    q = rng.normal(size=(6, 5))
    q[5] = q[4]  # two identical examples: Z has two equal rows, so L1 must exhibit unreachable labels
    path = tmp_path / "data.npz"
    np.savez(path, queries=q, contexts=rng.normal(size=(3, 5)))
    out = run_example(str(path))
    assert "L1 premise fails" in out.stdout and "L1: refuted [exact; instance]" in out.stdout
    assert "unreachable; x = [0, 0, 0, 0, 1, -1]" in out.stdout


def test_construct_certify_torch_example():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "construct_certify_torch.py"), "--n", "4", "--d", "6",
                          "--heads", "3", "--d-h", "4"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "S8: proved [rigorous; instance]" in out.stdout
    assert "torch (" in out.stdout or "torch is not installed" in out.stdout

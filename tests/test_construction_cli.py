"""`memproof construct`: JSON summary, weights file, errors with witnesses and exit codes."""
import json

import numpy as np

from memproof.cli import main
from memproof.model import MHAWeights, mha_batch


def test_construct_generated_data_json_and_weights(tmp_path, capsys):
    out = tmp_path / "w.npz"
    code = main(["construct", "--n", "4", "--d", "6", "--heads", "3", "--d-h", "3", "--shared-context", "--seed", "2",
                 "-o", str(out), "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["T"] == 7 and summary["rank_Z"] == 7 and summary["certified"] == "rigorous"
    assert summary["max_abs_error"] < 1e-8 and len(summary["trace"]) == 3 and summary["trace"][0]["gamma"] == "inf"
    assert all(t["c"] > t["c_star"] for t in summary["trace"][1:])
    assert summary["backend"]["library"] == "numpy" and summary["backend"]["dtype"] == "float64"
    assert all(t["rank_decision"] for t in summary["trace"])
    assert MHAWeights.load(out).heads == 3


def test_construct_user_file_reproduces_labels(tmp_path, capsys):
    rng = np.random.default_rng(0)
    q, c, y = rng.normal(size=(5, 6)), rng.normal(size=(5, 3, 6)), rng.normal(size=(5, 2))
    np.savez(tmp_path / "data.npz", queries=q, contexts=c, labels=y)
    assert main(["construct", str(tmp_path / "data.npz"), "--heads", "2", "--d-h", "3", "-o", str(tmp_path / "w.npz")]) == 0
    assert "S8: proved [rigorous; instance]" in capsys.readouterr().out
    w = MHAWeights.load(tmp_path / "w.npz")
    assert np.abs(mha_batch(w, c, q) - y).max() < 1e-8


def test_construct_errors_name_the_witness(tmp_path, capsys):
    rng = np.random.default_rng(1)
    q = rng.normal(size=(5, 6))
    q[3] = q[0]  # A1 fails on a subset the construction uses
    np.savez(tmp_path / "bad.npz", queries=q, contexts=rng.normal(size=(3, 6)), labels=rng.normal(size=5))
    assert main(["construct", str(tmp_path / "bad.npz"), "--heads", "2", "--d-h", "3"]) == 3
    err = capsys.readouterr().err
    assert "assumption A1 violated" in err and "subset" in err
    assert main(["construct", "--n", "3", "--d", "5", "--heads", "2", "--d-h", "3", "--T", "6"]) == 3  # capacity 5
    assert "outside the range of T1" in capsys.readouterr().err

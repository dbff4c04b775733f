"""The ``memproof kruskal`` subcommand (wired through ``add_subcommand``)."""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from memproof.kruskal.cli import EXIT_DECIDED, EXIT_REFUTED, EXIT_UNDECIDED, EXIT_USAGE, add_subcommand, main


def run_cli(argv):
    parser = argparse.ArgumentParser(prog="memproof")
    sub = parser.add_subparsers(dest="command")
    add_subcommand(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_json_output_exact(tmp_path, capsys):
    a = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    f = tmp_path / "m.npy"
    np.save(f, a)
    assert run_cli(["kruskal", str(f), "--json"]) == EXIT_DECIDED
    d = json.loads(capsys.readouterr().out)
    assert d["kruskal_rank_lower"] == d["kruskal_rank_upper"] == 2 and d["exact"] is True
    assert d["witness"] == [0, 1, 3] and d["subsets_checked"] > 0 and d["seconds"] >= 0


def test_cols_and_k(tmp_path, capsys):
    a = np.array([[1.0, 0, 1], [0, 1, 1]])
    f = tmp_path / "m.npy"
    np.save(f, a)
    assert run_cli(["kruskal", str(f), "--axis", "cols", "--k", "2"]) == EXIT_DECIDED
    assert "Kruskal rank = 2" in capsys.readouterr().out
    b = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]])
    np.save(f, b)
    assert main(["kruskal", str(f), "--k", "2", "--json"]) == EXIT_REFUTED


def test_budget_interval_and_sample(tmp_path, capsys):
    a = np.random.default_rng(0).standard_normal((60, 30))
    f = tmp_path / "m.npy"
    np.save(f, a)
    code = run_cli(["kruskal", str(f), "--mode", "sample", "--samples", "30", "--json", "--no-numerical"])
    assert code == EXIT_UNDECIDED
    d = json.loads(capsys.readouterr().out)
    assert d["exact"] is False and d["sampling"]["samples"] == 30 and d["estimate"]["seconds"] > 0


def test_bad_input_exit_code(tmp_path, capsys):
    f = tmp_path / "bad.npy"
    np.save(f, np.array([[1.0, np.nan]]))
    assert run_cli(["kruskal", str(f)]) == EXIT_USAGE
    assert "non-finite" in capsys.readouterr().err
    assert run_cli(["kruskal", str(tmp_path / "missing.npy")]) == EXIT_USAGE
    with pytest.raises(SystemExit):
        run_cli(["kruskal", str(f), "--axis", "diag"])


def test_human_output_reports_disagreement(tmp_path, capsys):
    rng = np.random.default_rng(1)
    a1, a2 = rng.standard_normal(5), rng.standard_normal(5)
    f = tmp_path / "m.csv"
    np.savetxt(f, np.array([a1, a2, 0.3 * a1 + 1.7 * a2]), delimiter=",", fmt="%.17g")
    assert run_cli(["kruskal", str(f)]) == EXIT_DECIDED
    out = capsys.readouterr().out
    assert "Kruskal rank = 3" in out and "DISAGREEMENT" in out

"""The ``memproof kruskal`` subcommand (wired through ``add_subcommand``)."""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pytest

from memproof.cli import main
from memproof.kruskal.cli import EXIT_DECIDED, EXIT_REFUTED, EXIT_UNDECIDED, EXIT_USAGE, add_subcommand

DOC = Path(__file__).resolve().parents[1] / "docs" / "kruskal.md"


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


def test_axis_columns_is_an_alias_of_cols(tmp_path, capsys):
    f = tmp_path / "m.npy"
    np.save(f, np.array([[1.0, 0, 1, 2], [0, 1, 1, 2]]))  # columns 2 and 3 are parallel: k-rank 1
    results = []
    for axis in ("cols", "columns"):
        assert main(["kruskal", str(f), "--axis", axis, "--json"]) == EXIT_DECIDED
        d = json.loads(capsys.readouterr().out)
        results.append((d["kruskal_rank_lower"], d["kruskal_rank_upper"], d["witness"], d["upper_certificate"]))
    assert results[0] == results[1] and results[0][:3] == (1, 1, [2, 3])
    with pytest.raises(SystemExit):
        main(["kruskal", "--help"])
    assert "alias: columns" in capsys.readouterr().out


def documented_exit_codes() -> dict[str, int]:
    """The ``| exit code | meaning |`` table of docs/kruskal.md: first word of the meaning -> code."""
    text = DOC.read_text(encoding="utf-8")
    head = re.search(r"^\|\s*exit code\s*\|\s*meaning\s*\|\s*$\n^\|[-|\s]+\|\s*$\n((?:^\|.*\|\s*$\n?)+)", text, re.MULTILINE)
    assert head, "docs/kruskal.md has no '| exit code | meaning |' table"
    table = {}
    for line in head.group(1).strip().splitlines():
        code, meaning = (c.strip() for c in line.strip().strip("|").split("|", 1))
        table[re.match(r"\w+", meaning).group(0)] = int(code)
    return table


def test_documented_exit_codes_are_the_cli_behaviour(tmp_path, capsys):
    generic = tmp_path / "generic.npy"
    np.save(generic, np.random.default_rng(0).standard_normal((6, 3)))   # full spark: k-rank 3
    parallel = tmp_path / "parallel.npy"
    np.save(parallel, np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]]))   # rows 0, 1 parallel: k-rank 1
    big = tmp_path / "big.npy"
    np.save(big, np.random.default_rng(1).standard_normal((60, 30)))
    cases = {
        "established": [["kruskal", str(generic)], ["kruskal", str(generic), "--k", "3"]],
        "refuted": [["kruskal", str(parallel), "--k", "2"]],
        "unknown": [["kruskal", str(big), "--mode", "sample", "--samples", "20", "--no-numerical"]],
        "error": [["kruskal", str(tmp_path / "missing.npy")], ["kruskal", str(generic), "--axis", "diagonal"]],
    }
    table = documented_exit_codes()
    assert set(table) == set(cases) and len(set(table.values())) == 4, table
    for meaning, runs in cases.items():
        for argv in runs:
            try:
                code = main(argv)
            except SystemExit as exc:  # usage errors leave through argparse
                code = exc.code
            assert code == table[meaning], (meaning, argv, code)
    capsys.readouterr()
    assert (table["established"], table["refuted"], table["unknown"], table["error"]) == (
        EXIT_DECIDED, EXIT_REFUTED, EXIT_UNDECIDED, EXIT_USAGE)

"""Every experiment in its tiny configuration on CPU: the numbers they produce, resume, and the CLI."""
from __future__ import annotations

import argparse
import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from memproof.experiments import EXPERIMENTS, experiment_module  # noqa: E402
from memproof.experiments.runner import RunContext, cell_key, linear_fit, run_cells  # noqa: E402

pytestmark = pytest.mark.torch


def ctx(tmp_path, **kw):
    return RunContext(tmp_path, mode="tiny", progress=False, **kw)


def test_registry_lists_all():
    assert set(EXPERIMENTS) == {"scale", "e1", "e2", "e3", "construct_vs_train", "probes"}
    for name in EXPERIMENTS:
        mod = experiment_module(name)
        assert mod.NAME == name and set(mod.CONFIGS) == {"tiny", "quick", "full"} and mod.TITLE


def test_resume_skips_finished_cells(tmp_path):
    calls = []

    def fn(cell):
        calls.append(cell["x"])
        return {"y": cell["x"] ** 2}

    c = ctx(tmp_path)
    first = run_cells(c, "demo", [{"x": 1}, {"x": 2}], fn)
    counter = {}
    second = run_cells(c, "demo", [{"x": 1}, {"x": 2}, {"x": 3}], fn, counter=counter)
    assert calls == [1, 2, 3] and counter == {"reused": 2, "computed": 1}
    assert [r["y"] for r in second] == [1, 4, 9] and first[0] == second[0]
    assert (tmp_path / "demo" / "cells" / f"{cell_key({'x': 3})}.json").exists()


def test_linear_fit():
    assert linear_fit([1, 2, 3], [3, 5, 7])["r2"] == 1.0


def test_e3_numbers(tmp_path):
    out = experiment_module("e3").run(ctx(tmp_path))
    by = {r["cell"]["representation"]: r for r in out.records}
    emb, p4 = by["embeddings"], by["trivial layer (P4)"]
    assert emb["A1_fraction_float32"] == 0.0 and emb["kruskal_certified"] == "1" and emb["A1_certified"] == "fails"
    assert p4["A1_fraction_float32"] == 1.0 and p4["A1_certified"] == "holds"
    assert by["random attention + skip"]["A1_fraction_float32"] == 1.0
    lr = by["low-rank queries"]
    assert lr["GP_fraction_float32"] == 0.0 and lr["GP_certified"] == "fails"
    assert all(r["A2_certified"] == "proved" for r in out.records)
    assert out.findings[0].outcome.value == "proved"
    assert (tmp_path / "e3" / "table.md").exists() and (tmp_path / "e3" / "results.csv").exists()
    again = experiment_module("e3").run(ctx(tmp_path))
    assert again.reused == len(out.records) and again.computed == 0


def test_e2_constructed_saturate_predicted_heads(tmp_path):
    out = experiment_module("e2").run(ctx(tmp_path))
    cons = [r for r in out.records if r["cell"]["kind"] == "constructed"]
    for r in cons:
        assert r["predicted_saturated"] == r["predicted_pairs"] == r["predicted_argmax_match"] > 0
        assert r["fraction_saturated_old"] == 1.0 and r["fraction_saturated_new"] == 0.0
        assert sum(r["histogram"]) == r["T"]
    trained = [r for r in out.records if r["cell"]["kind"] == "trained"]
    assert trained and sum(trained[0]["histogram"]) == trained[0]["cell"]["T"]
    assert out.findings[0].outcome.value == "proved"
    assert (tmp_path / "e2" / "e2_saturation_histograms.png").exists()


def test_scale_agreement(tmp_path):
    out = experiment_module("scale").run(ctx(tmp_path))
    agree = [r for r in out.records if r["cell"]["kind"] == "agreement"]
    assert all(r["rank_decisions_agree"] and r["max_rel_weight_diff"] < 1e-8 for r in agree)
    assert all(r["rigorous_outcome"] == "proved" for r in agree)
    sc = [r for r in out.records if r["cell"]["kind"] == "scale"]
    f64 = [r for r in sc if r["cell"]["dtype"] == "float64"][0]
    assert f64["full_row_rank"] and f64["interpolates_1e-8"] and f64["env"]["dtype"] == "float64"


def test_construct_vs_train(tmp_path):
    out = experiment_module("construct_vs_train").run(ctx(tmp_path))
    r = out.records[0]
    assert r["construct_max_error"] <= 1e-8 and r["ratio"] > 1
    assert r["train_reached"] == (not r["ratio_is_lower_bound"])


@pytest.mark.slow
def test_e1_tiny(tmp_path):
    out = experiment_module("e1").run(ctx(tmp_path))
    assert {r["cell"]["sweep"] for r in out.records} == {"heads", "context", "head_size", "heads_distinct", "heads_regression"}
    for r in out.records:
        assert 0 <= r["memorized"] <= r["cell"]["T"] and r["theorem_T"] == r["cell"]["H"] * (min(r["cell"]["n"], r["cell"]["d_h"]) - 1) + 1


@pytest.mark.slow
def test_probes_tiny(tmp_path):
    out = experiment_module("probes").run(ctx(tmp_path))
    ranks = [r for r in out.records if r["cell"]["probe"] == "rank"]
    for r in ranks:
        assert r["rank_random"] <= r["ceiling"] and r["rank_optimized"] <= r["ceiling"]
        if r["cell"]["shared"]:
            assert r["ceiling"] == r["p2_ceiling"]
    largest = [r for r in out.records if r["cell"]["probe"] == "largest_T"]
    assert all(r["construct_T"] == r["capacity"] for r in largest)


def test_cli_list_and_run(tmp_path, capsys):
    from memproof.experiments.cli import add_subcommand

    parser = argparse.ArgumentParser()
    add_subcommand(parser.add_subparsers())
    args = parser.parse_args(["experiment", "list"])
    assert args.func(args) == 0
    assert "e3" in capsys.readouterr().out
    args = parser.parse_args(["experiment", "e3", "--tiny", "--out", str(tmp_path), "--no-progress", "--no-figures"])
    assert args.func(args) == 0
    assert json.loads((tmp_path / "e3" / "findings.json").read_text())[0]["claim"] == "E3.A1"
    args = parser.parse_args(["experiment", "nope"])
    assert args.func(args) == 3

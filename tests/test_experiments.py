"""Every experiment in its tiny configuration on CPU: the numbers they produce, resume, and the CLI."""
from __future__ import annotations

import argparse
import json

import numpy as np
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
    runs = r["construct_seconds_runs"]
    assert len(runs) == 2 and min(runs) <= r["construct_seconds"] <= max(runs)  # the median of the timed runs
    fastest = min(r["construct_seconds"], r["construct_numpy_seconds"])  # the ratio is against the faster constructor
    assert r["ratio_against"] == ("torch" if r["construct_seconds"] <= r["construct_numpy_seconds"] else "numpy")
    assert r["ratio"] == pytest.approx(r["train_seconds"] / fastest)


def test_e1_tiny(tmp_path):
    out = experiment_module("e1").run(ctx(tmp_path))
    assert {r["cell"]["sweep"] for r in out.records} == {"heads", "context", "head_size", "heads_distinct", "heads_regression"}
    for r in out.records:
        assert r["seeds"] == [42, 43] and len(r["memorized_per_seed"]) == 2
        assert all(0 <= m <= r["cell"]["T"] for m in r["memorized_per_seed"]) and r["memorized"] == sum(r["memorized_per_seed"]) / 2
        assert r["theorem_T"] == r["cell"]["H"] * (min(r["cell"]["n"], r["cell"]["d_h"]) - 1) + 1
    # n = 1 with a shared context: every head attends to its single token, so the output is the same for all
    # examples and a run memorizes at most the most frequent label's examples
    (one,) = [r for r in out.records if r["cell"]["sweep"] == "context" and r["cell"]["n"] == 1]
    assert all(m <= top for m, top in zip(one["memorized_per_seed"], one["majority_label_count"]))
    assert {f.claim for f in out.findings} == {"E1.heads", "E1.heads_distinct", "E1.heads_regression", "E1.context", "E1.head_size"}
    assert all(f.outcome.value in ("proved", "refuted") for f in out.findings)
    assert not list((tmp_path / "e1" / "cells").glob("*.ckpt*"))  # finished cells leave no partial state behind


def test_checkpoint_path_is_per_cell_and_cleared_without_resume(tmp_path):
    path = ctx(tmp_path).checkpoint("e1", {"H": 2})
    assert path.parent == tmp_path / "e1" / "cells" and path.name == f"{cell_key({'H': 2})}.ckpt"
    path.write_text("partial")
    assert ctx(tmp_path).checkpoint("e1", {"H": 2}).exists()
    assert not ctx(tmp_path, resume=False).checkpoint("e1", {"H": 2}).exists()


def test_e1_trend_judges_refute_what_they_should():
    from memproof.experiments.e1_memorization import flat_beyond, grows_monotonically

    xs, se = np.array([1, 2, 4, 8]), np.array([1.0, 1.0, 1.0, 1.0])
    assert grows_monotonically(xs, np.array([1.0, 10, 20, 21]), se)["holds"]
    assert not grows_monotonically(xs, np.array([1.0, 10, 20, 12]), se)["holds"]  # a significant drop
    assert not grows_monotonically(xs, np.array([5.0, 5.5, 6, 6.5]), se)["holds"]  # no significant growth
    assert flat_beyond(xs, np.array([1.0, 5, 9, 9.5]), se, knee=4)["holds"]
    assert not flat_beyond(xs, np.array([1.0, 5, 9, 20]), se, knee=4)["holds"]  # still growing past the knee
    assert not flat_beyond(xs, np.array([9.0, 9, 9, 9]), se, knee=4)["holds"]  # never grew
    assert not flat_beyond(xs, np.array([1.0, 12, 5, 5]), se, knee=4)["holds"]  # peaked below the knee, then fell


def test_overrides_replace_config_keys_and_refuse_unknown(tmp_path):
    from memproof.errors import InvalidArgumentError

    c = ctx(tmp_path, overrides={"steps": 3, "sweeps": ["context"]})
    cfg = c.pick(experiment_module("e1").CONFIGS)
    assert cfg["steps"] == 3 and cfg["sweeps"] == ["context"] and cfg["seeds"] == 2
    with pytest.raises(InvalidArgumentError, match="stepz"):
        ctx(tmp_path, overrides={"stepz": 3}).pick(experiment_module("e1").CONFIGS)
    with pytest.raises(InvalidArgumentError, match="nope"):
        experiment_module("e1").run(ctx(tmp_path, overrides={"sweeps": ["nope"]}))


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

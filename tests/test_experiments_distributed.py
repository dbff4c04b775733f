"""Experiment grid cells as Dask tasks (``RunContext(client=...)``): same records, per-cell resume kept."""
from __future__ import annotations

import os
import pickle

from memproof.experiments.runner import RunContext, run_cells


def test_cells_run_on_workers_and_resume_per_cell(dask_client, tmp_path):
    ctx = RunContext(tmp_path, mode="tiny", progress=False, client=dask_client)
    worker_pids = set(dask_client.run(os.getpid).values())

    def square(cell):
        return {"y": cell["x"] ** 2, "pid": os.getpid()}

    cells = [{"x": x} for x in range(6)]
    counter = {}
    recs = run_cells(ctx, "toy", cells, square, counter=counter)
    assert [r["cell"] for r in recs] == cells and [r["y"] for r in recs] == [x * x for x in range(6)]
    assert {r["pid"] for r in recs} <= worker_pids and os.getpid() not in {r["pid"] for r in recs}
    assert counter == {"computed": 6}
    # per-cell resume: saved cells are reused, a missing one is recomputed (on a worker)
    next(iter(sorted((tmp_path / "toy" / "cells").glob("x=3_*.json")))).unlink()
    counter = {}
    again = run_cells(ctx, "toy", cells, square, counter=counter)
    assert counter == {"reused": 5, "computed": 1} and [r["y"] for r in again] == [r["y"] for r in recs]
    # a context shipped to a worker carries no client (cells run locally there)
    assert pickle.loads(pickle.dumps(ctx)).client is None and ctx.client is dask_client


def test_experiment_cli_refuses_workers_with_scheduler(tmp_path, capsys):
    from memproof.cli import main

    code = main(["experiment", "e3", "--tiny", "--out", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 3 and "--workers" in capsys.readouterr().err
    assert not (tmp_path / "e3").exists()

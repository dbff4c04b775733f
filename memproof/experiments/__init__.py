"""Experiments: the construction at scale, the paper's synthetic experiments, and tightness probes.

Run one with ``memproof experiment NAME [--quick|--full] [--device cpu|cuda] [--out DIR] [--seed S]``
(``memproof experiment list`` lists them). Every experiment module has ``NAME``, ``TITLE``,
``CONFIGS`` (``tiny`` for tests, ``quick`` for a 2-core CPU in minutes, ``full`` for a GPU) and
``run(ctx: RunContext) -> ExperimentOutput``; grid cells are saved one JSON per cell as they finish
(resumable), tables as CSV/JSON, findings as memproof Results (empirical, scope stated), plots as PNG/SVG.

torch (and matplotlib for plots) are imported only when an experiment runs.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from .runner import ExperimentOutput, RunContext

#: experiment name → module (relative to this package), in the recommended order
EXPERIMENTS = {
    "scale": ".scale",
    "e3": ".e3_assumptions",
    "e2": ".e2_saturation",
    "construct_vs_train": ".construct_vs_train",
    "e1": ".e1_memorization",
    "probes": ".probes",
}

__all__ = ["EXPERIMENTS", "experiment_module", "run_experiment", "RunContext", "ExperimentOutput"]


def experiment_module(name: str) -> ModuleType:
    """The module of experiment ``name`` (KeyError with the available names otherwise)."""
    if name not in EXPERIMENTS:
        raise KeyError(f"unknown experiment {name!r}; available: {', '.join(EXPERIMENTS)}")
    return importlib.import_module(EXPERIMENTS[name], __name__)


def run_experiment(name: str, ctx: RunContext) -> ExperimentOutput:
    """Run experiment ``name`` in ``ctx`` (mode, device, seed, output folder)."""
    return experiment_module(name).run(ctx)

"""``memproof experiment``: run the experiments (one command each) or list them.

Usage::

    memproof experiment list
    memproof experiment NAME [--quick | --full] [--device cpu|cuda] [--out DIR] [--seed S] [--no-resume]
    memproof experiment all --quick
    memproof experiment e1 --quick --set steps=16000 --set seeds=8   # override configuration keys
    memproof experiment e1 --quick --workers 2                       # cells as tasks on a local Dask cluster
    memproof experiment e1 --full --scheduler tcp://host:8786        # ... or on a running one

Cells already saved under ``--out`` are reused (resume); ``--no-resume`` recomputes them. Progress bars go
to stderr. Exit code 0 when the run finished, 3 on an error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..cluster import add_arguments, client_for, close
from ..errors import InvalidArgumentError


def cmd_experiment(args: argparse.Namespace) -> int:
    from . import EXPERIMENTS, experiment_module

    if args.name in (None, "list"):
        for name in EXPERIMENTS:
            mod = experiment_module(name)
            print(f"{name:<20} {mod.TITLE}")
        return 0
    names = list(EXPERIMENTS) if args.name == "all" else [args.name]
    if any(n not in EXPERIMENTS for n in names):
        print(f"memproof: error: unknown experiment {args.name!r}; available: {', '.join(EXPERIMENTS)} (or 'all', 'list')",
              file=sys.stderr)
        return 3
    mode = "full" if args.full else ("tiny" if args.tiny else "quick")
    try:
        overrides = parse_overrides(args.set or [])
    except ValueError as exc:
        print(f"memproof: error: {exc}", file=sys.stderr)
        return 3
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    try:
        client = client_for(args.workers, args.scheduler)
    except InvalidArgumentError as exc:
        print(f"memproof: error: {exc}", file=sys.stderr)
        return 3
    try:
        return _run_all(args, names, mode, overrides, client)
    finally:
        if client is not None:
            close(client, own=args.workers is not None)


def _run_all(args: argparse.Namespace, names: list[str], mode: str, overrides: dict[str, Any], client: Any) -> int:
    from . import experiment_module
    from .runner import RunContext

    for name in names:
        ctx = RunContext(Path(args.out), mode=mode, device=args.device, seed=args.seed, resume=not args.no_resume,
                         progress=not args.no_progress, figures=not args.no_figures, overrides=overrides, client=client)
        try:
            out = experiment_module(name).run(ctx)
        except InvalidArgumentError as exc:
            print(f"memproof: error: {name}: {exc}", file=sys.stderr)
            return 3
        print(f"{name}: {len(out.records)} cells ({out.computed} computed, {out.reused} reused); wrote:")
        for p in out.files:
            print(f"  {p}")
        for f in out.findings:
            print(f"  finding {f.summary()}: {f.statement}")
        if args.json:
            print(json.dumps({"name": name, "summary": out.summary}, default=str, indent=1))
    return 0


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` items → a dict (each value parsed as JSON, else kept as text).

    >>> parse_overrides(["steps=16000", "seeds=8", 'sweeps=["context"]', "tag=x"])
    {'steps': 16000, 'seeds': 8, 'sweeps': ['context'], 'tag': 'x'}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def add_subcommand(sub: Any) -> None:
    p = sub.add_parser("experiment", help="run an experiment (scale, e1, e2, e3, construct_vs_train, probes) or list them")
    p.add_argument("name", nargs="?", default="list", help="experiment name, 'all', or 'list' (default)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="small configuration for a CPU, minutes (default)")
    g.add_argument("--full", action="store_true", help="the paper-scale configuration (GPU)")
    g.add_argument("--tiny", action="store_true", help="the test configuration (seconds)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--out", default="experiments-out", help="output folder (default ./experiments-out)")
    p.add_argument("--seed", type=int, default=42, help="seed (default 42, the authors')")
    p.add_argument("--no-resume", action="store_true", help="recompute cells already saved under --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: torch's)")
    p.add_argument("--json", action="store_true", help="print the summaries as JSON")
    add_arguments(p, "the grid cells (Dask tasks; cells already saved are reused as usual)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override one key of the mode's configuration (value as JSON), e.g. --set steps=16000 --set seeds=8")
    p.set_defaults(func=cmd_experiment)

"""Grid runner of the experiments: resumable cells, tables, findings and figures.

Each grid *cell* is a dict of parameters; its record is written as one JSON file
``OUT/<experiment>/cells/<key>.json`` the moment it finishes, so an interrupted run resumes without
recomputing (``resume=True``, the default); a training cell also checkpoints its partial state to
``cells/<key>.ckpt`` about every minute (:meth:`RunContext.checkpoint`), so even a cell cut off midway
resumes where it stopped. Tables go to ``results.csv`` / ``results.json``, findings
(memproof :class:`~memproof.results.Result` objects at :attr:`~memproof.results.Level.EMPIRICAL` unless
certified) to ``findings.json``, plots to ``.png`` and ``.svg`` (matplotlib, Agg backend).
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..errors import InvalidArgumentError
from ..results import Result, jsonable

__all__ = ["RunContext", "ExperimentOutput", "cell_key", "run_cells", "write_table", "save_figure", "write_findings"]


@dataclasses.dataclass
class RunContext:
    """Where and how an experiment runs: ``mode`` is ``"quick"``, ``"full"`` or ``"tiny"`` (tests).

    ``client`` (a :class:`distributed.Client`, optional): :func:`run_cells` runs the cells as Dask
    tasks on its cluster (the workers must see ``out``: a local cluster, or a shared filesystem for the
    checkpoints of long cells). It is not pickled: a context shipped to a worker runs locally there.
    """

    out: Path
    mode: str = "quick"
    device: str = "cpu"
    seed: int = 42
    resume: bool = True
    progress: bool = True
    figures: bool = True
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
    client: Any = dataclasses.field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "client": None}

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.mode not in ("tiny", "quick", "full"):
            raise ValueError(f"mode must be 'tiny', 'quick' or 'full', got {self.mode!r}")

    def folder(self, name: str) -> Path:
        path = self.out / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def cells_folder(self, name: str) -> Path:
        """``OUT/<name>/cells``: one file per finished cell, and the partial state of a running one."""
        path = self.folder(name) / "cells"
        path.mkdir(exist_ok=True)
        return path

    def checkpoint(self, name: str, cell: dict[str, Any]) -> Path:
        """Where a long-running cell of experiment ``name`` keeps its partial state (next to the finished cells);
        without :attr:`resume` an old one is removed first."""
        path = self.cells_folder(name) / f"{cell_key(cell)}.ckpt"
        if not self.resume:
            path.unlink(missing_ok=True)
        return path

    def pick(self, configs: dict[str, Any]) -> Any:
        """The configuration of this mode (``configs["tiny"|"quick"|"full"]``) with :attr:`overrides` applied.

        An override must name a key the configuration has (``memproof experiment e1 --set steps=16000``):

        >>> RunContext(".", overrides={"steps": 5}).pick({"quick": {"steps": 1, "seeds": 2}})
        {'steps': 5, 'seeds': 2}
        """
        cfg = configs[self.mode]
        unknown = sorted(set(self.overrides) - set(cfg))
        if unknown:
            raise InvalidArgumentError("--set", ", ".join(unknown), f"keys of the {self.mode} configuration: {', '.join(sorted(cfg))}")
        return {**cfg, **self.overrides}


@dataclasses.dataclass
class ExperimentOutput:
    """What an experiment produced: table records, findings, written files and a short summary."""

    name: str
    records: list[dict[str, Any]]
    findings: list[Result]
    files: list[Path]
    summary: dict[str, Any]
    computed: int = 0
    reused: int = 0


def cell_key(cell: dict[str, Any]) -> str:
    """Stable file name of a cell: readable ``k=v`` parts plus a short hash of the canonical JSON.

    >>> cell_key({"H": 2, "task": "cls"})
    'H=2_task=cls_784ae187'
    """
    canon = json.dumps(jsonable(cell), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha1(canon.encode()).hexdigest()[:8]
    readable = "_".join(f"{k}={v}" for k, v in sorted(cell.items()) if isinstance(v, (int, float, str, bool)))
    readable = "".join(ch if ch.isalnum() or ch in "=_-." else "-" for ch in readable)[:80]
    return f"{readable}_{digest}"


def progress_bar(enabled: bool, **kw: Any) -> Any:
    """A transient tqdm bar on stderr (``kw`` go to tqdm), or ``None`` when disabled or tqdm is not installed."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with the experiments extra
        return None
    return tqdm(file=sys.stderr, leave=False, **kw)


def _timed(fn: Callable[[dict[str, Any]], dict[str, Any]], cell: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    rec = {"cell": cell, **fn(cell)}
    rec["seconds"] = round(time.perf_counter() - t0, 4)
    return rec


def _save(path: Path, rec: dict[str, Any]) -> dict[str, Any]:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(jsonable(rec), indent=1, allow_nan=False))
    os.replace(tmp, path)
    return json.loads(path.read_text())


def run_cells(ctx: RunContext, name: str, cells: list[dict[str, Any]], fn: Callable[[dict[str, Any]], dict[str, Any]],
              *, counter: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Run ``fn(cell)`` for every cell, saving each record as it finishes; reuse saved cells on resume.

    A record is ``{"cell": cell, **fn(cell), "seconds": …}``; ``counter`` (if given) counts
    ``computed`` and ``reused`` cells. With ``ctx.client`` the cells to compute run as Dask tasks
    (``fn`` is pickled with cloudpickle); each record is saved here the moment its task finishes, so
    an interrupted run resumes the same way, and a task lost with a worker is re-run by the scheduler.
    """
    folder = ctx.cells_folder(name)
    records: dict[int, dict[str, Any]] = {}
    todo: list[tuple[int, dict[str, Any], Path]] = []
    counter = counter if counter is not None else {}
    for i, cell in enumerate(cells):
        path = folder / f"{cell_key(cell)}.json"
        if ctx.resume and path.exists():
            try:
                records[i] = json.loads(path.read_text())
                counter["reused"] = counter.get("reused", 0) + 1
                continue
            except json.JSONDecodeError:
                pass  # a torn write: recompute
        todo.append((i, cell, path))
    bar = progress_bar(ctx.progress, total=len(cells), initial=len(records), desc=name)
    if ctx.client is None:
        done = ((i, path, _timed(fn, cell)) for i, cell, path in todo)
    else:
        from distributed import as_completed

        futures = {ctx.client.submit(_timed, fn, cell, pure=False): (i, path) for i, cell, path in todo}
        done = ((*futures[f], f.result()) for f in as_completed(futures))
    try:
        for i, path, rec in done:
            records[i] = _save(path, rec)
            counter["computed"] = counter.get("computed", 0) + 1
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return [records[i] for i in range(len(cells))]


def _flat(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k == "cell" and isinstance(v, dict):
            out.update({kk: vv for kk, vv in v.items()})
        elif isinstance(v, (int, float, str, bool)) or v is None:
            out[k] = v
    return out


def write_table(ctx: RunContext, name: str, records: list[dict[str, Any]], stem: str = "results") -> list[Path]:
    """``stem.json`` (full records) and ``stem.csv`` (scalar columns, cell parameters first)."""
    folder = ctx.folder(name)
    pj, pc = folder / f"{stem}.json", folder / f"{stem}.csv"
    pj.write_text(json.dumps(jsonable(records), indent=1, allow_nan=False))
    rows = [_flat(r) for r in records]
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    with pc.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    return [pj, pc]


def write_findings(ctx: RunContext, name: str, findings: list[Result]) -> Path:
    path = ctx.folder(name) / "findings.json"
    path.write_text(json.dumps([f.to_dict() for f in findings], indent=1, allow_nan=False))
    return path


def save_figure(ctx: RunContext, name: str, fig: Any, stem: str) -> list[Path]:
    """Save a matplotlib figure as PNG and SVG under ``OUT/<name>/`` and close it."""
    import matplotlib.pyplot as plt

    folder = ctx.folder(name)
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    fig.tight_layout()
    fig.savefig(paths[0], dpi=120)
    fig.savefig(paths[1])
    plt.close(fig)
    return paths


def pyplot() -> Any:
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def linear_fit(x: list[float], y: list[float]) -> dict[str, float]:
    """Least-squares line ``y ≈ a x + b`` with R² (1.0 for a perfect fit; nan with < 2 points).

    >>> linear_fit([1, 2, 3], [2, 4, 6])
    {'slope': 2.0, 'intercept': 0.0, 'r2': 1.0}
    """
    import numpy as np

    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if xa.size < 2 or np.ptp(xa) == 0:
        return {"slope": float("nan"), "intercept": float("nan"), "r2": float("nan")}
    a, b = np.polyfit(xa, ya, 1)
    ss_res = float(((ya - (a * xa + b)) ** 2).sum())
    ss_tot = float(((ya - ya.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return {"slope": round(float(a), 12), "intercept": round(float(b), 12) + 0.0, "r2": round(r2, 12)}

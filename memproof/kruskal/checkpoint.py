"""Checkpoints of a Kruskal computation: evidence to re-verify, never authority.

A checkpoint (JSON) records the input hash and axis, the engine version, the best upper-bound
certificate so far, the state of the running sweep and a SHA-256 digest of its own content. Reading
one back (:meth:`Checkpoint.load`):

- a file of **another input** (hash or axis) raises :class:`~memproof.errors.InvalidArgumentError`
  (it is someone else's work: pass another path rather than overwrite it);
- an **unreadable, truncated or edited** file (bad JSON, wrong digest), another **format** or another
  **engine version**, or an upper-bound certificate that does not verify exactly, is discarded with a
  :class:`CheckpointWarning` and the work is redone;
- the sweep state is a *claim*: :func:`memproof.kruskal.sweep.run_sweep` reuses its plan and re-runs
  the units it claims done; a claim that does not re-derive is reported (the engine warns) and only
  this run's own work is used. A resumed sweep therefore costs what a fresh one costs; what a
  checkpoint saves is the exactly re-verified upper bound (the sweep starts at the right level).

The digest detects corruption, not forgery (anyone can recompute it): soundness comes from the
re-verification.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any, Mapping

from ..errors import InvalidArgumentError
from .certificates import CircuitCertificate
from .family import VectorFamily
from .sweep import SweepState

CHECKPOINT_FORMAT = "memproof-kruskal-checkpoint/2"
#: Version of what a checkpoint's sweep state means (plan, units, positions): bump when it changes.
ENGINE_VERSION = "memproof-kruskal-engine/2"


class CheckpointWarning(UserWarning):
    """A checkpoint was discarded (or its sweep record did not re-verify) and the work is redone."""


def content_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of a checkpoint's content: canonical JSON of every field except ``digest``."""
    body = {k: v for k, v in data.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Checkpoint:
    """The JSON checkpoint at ``path`` of the family ``fam`` (``path=None``: no checkpointing)."""

    def __init__(self, path: str | os.PathLike | None, fam: VectorFamily, at_least: int | None):
        self.path = Path(path) if path is not None else None
        self.fam, self.at_least = fam, at_least

    def warn(self, why: str) -> None:
        warnings.warn(f"Kruskal checkpoint {self.path}: {why}; discarded, the work is redone", CheckpointWarning, stacklevel=3)

    def load(self) -> dict | None:
        """The checkpoint's content once it passes the checks of the module docstring, else ``None``."""
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.warn(f"unreadable or truncated ({type(exc).__name__}: {exc})")
            return None
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            self.warn(f"format {data.get('format') if isinstance(data, dict) else type(data).__name__!r}, not {CHECKPOINT_FORMAT}")
            return None
        if data.get("input_hash") != self.fam.input_hash or data.get("axis") != self.fam.axis:
            raise InvalidArgumentError("checkpoint", f"{self.path} for input {data.get('input_hash')} axis {data.get('axis')}",
                                       f"a checkpoint of this input ({self.fam.input_hash}, axis {self.fam.axis})",
                                       "delete it or pass another path")
        if data.get("engine_version") != ENGINE_VERSION:
            self.warn(f"written by engine {data.get('engine_version')!r}, this is {ENGINE_VERSION}")
            return None
        if data.get("digest") != content_digest(data):
            self.warn("its content digest does not match (edited or corrupted)")
            return None
        try:
            upper = CircuitCertificate.from_dict(data["upper"]) if data.get("upper") is not None else None
            if data.get("sweep") is not None:
                SweepState.from_dict(data["sweep"])
        except (KeyError, TypeError, ValueError) as exc:
            self.warn(f"malformed record ({type(exc).__name__}: {exc})")
            return None
        if upper is not None and not upper.verify(self.fam):
            self.warn(f"its upper-bound certificate (vectors {list(upper.indices)[:10]}) does not verify exactly")
            return None
        return data

    def save(self, upper: CircuitCertificate | None, state: SweepState | None, checked: int) -> None:
        if self.path is None:
            return
        data = {"format": CHECKPOINT_FORMAT, "engine_version": ENGINE_VERSION, "input_hash": self.fam.input_hash,
                "axis": self.fam.axis, "at_least": self.at_least, "upper": upper.to_dict() if upper is not None else None,
                "sweep": state.to_dict() if state is not None else None, "subsets_checked": checked, "saved_at": time.time()}
        data["digest"] = content_digest(data)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)

"""Proofs as blueprints: parse the Markdown, build the dependency graph, run checkers, draw it."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import ProofGraphError
from .graph import dependency_graph
from .parse import Blueprint, Claim, load_blueprint, parse_blueprint
from .runner import ClaimEntry, exit_code, run_blueprint

DEFAULT_PROOF = "mahdavi2024"

__all__ = [
    "Blueprint", "Claim", "ClaimEntry", "dependency_graph", "exit_code", "load_blueprint",
    "parse_blueprint", "run_blueprint", "default_blueprint_path",
]


def default_blueprint_path(name: str = DEFAULT_PROOF) -> Path:
    """Locate ``proofs/<name>/blueprint.md``: ``$MEMPROOF_PROOFS``, the source tree, or the cwd."""
    candidates = []
    if env := os.environ.get("MEMPROOF_PROOFS"):
        candidates.append(Path(env) / name)
    candidates.append(Path(__file__).resolve().parents[2] / "proofs" / name)
    candidates.append(Path.cwd() / "proofs" / name)
    for folder in candidates:
        if (folder / "blueprint.md").is_file():
            return folder / "blueprint.md"
    tried = ", ".join(str(c) for c in candidates)
    raise ProofGraphError(f"proof {name!r} not found (tried {tried}); pass --proof PATH or set MEMPROOF_PROOFS")

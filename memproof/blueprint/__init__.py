"""Proofs as blueprints: parse the Markdown, bind claims to their declared checks, build the
dependency graph, run checkers, draw it."""
from __future__ import annotations

from .declare import ClaimDeclaration, ClaimRegistry, StatementMismatchError, bind, declare
from .graph import dependency_graph
from .parse import Blueprint, Claim, load_blueprint, parse_blueprint
from .proofs import DEFAULT_PROOF, default_blueprint_path, load_registry, locate_proof
from .runner import ClaimEntry, exit_code, run_blueprint

__all__ = [
    "Blueprint", "Claim", "ClaimDeclaration", "ClaimEntry", "ClaimRegistry", "DEFAULT_PROOF",
    "StatementMismatchError", "bind", "declare", "default_blueprint_path", "dependency_graph",
    "exit_code", "load_blueprint", "load_registry", "locate_proof", "parse_blueprint", "run_blueprint",
]

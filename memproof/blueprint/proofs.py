"""Where a proof lives and how its checkers are loaded.

A proof is a folder ``<root>/<name>/`` with ``blueprint.md`` and a Python package ``checkers/``
whose ``__init__`` defines ``REGISTRY`` (a :class:`~memproof.blueprint.declare.ClaimRegistry`). The
folder is imported as ``memproof_proofs.<name>``: memproof itself never imports from ``proofs/``,
and the checkers of a proof are found only through its registry.
"""
from __future__ import annotations

import importlib
import os
import sys
import types
from pathlib import Path

from ..errors import ProofGraphError
from .declare import ClaimRegistry

DEFAULT_PROOF = "mahdavi2024"
PACKAGE = "memproof_proofs"


def proof_candidates(name: str = DEFAULT_PROOF) -> list[tuple[Path, str]]:
    """Folders tried for proof ``name``, in order, each with where it comes from."""
    out = []
    if env := os.environ.get("MEMPROOF_PROOFS"):
        out.append((Path(env) / name, "$MEMPROOF_PROOFS"))
    out.append((Path(__file__).resolve().parents[2] / "proofs" / name, "the memproof source checkout"))
    out.append((Path.cwd() / "proofs" / name, "the working directory"))
    return out


def locate_proof(name: str = DEFAULT_PROOF) -> tuple[Path, str]:
    """``(folder, origin)`` of proof ``name``: ``$MEMPROOF_PROOFS``, the source checkout, or the cwd."""
    tried = proof_candidates(name)
    for folder, origin in tried:
        if (folder / "blueprint.md").is_file():
            return folder.resolve(), origin
    raise ProofGraphError(f"proof {name!r} not found (tried {', '.join(str(f) for f, _ in tried)}); "
                          "pass --proof PATH or set MEMPROOF_PROOFS to the folder holding it")


def default_blueprint_path(name: str = DEFAULT_PROOF) -> Path:
    """``proofs/<name>/blueprint.md`` as found by :func:`locate_proof`."""
    return locate_proof(name)[0] / "blueprint.md"


def proof_package(folder: str | Path) -> str:
    """Make the proof in ``folder`` importable as ``memproof_proofs.<folder name>``; return that name."""
    folder = Path(folder).resolve()
    if not (folder / "checkers" / "__init__.py").is_file():
        raise ProofGraphError(f"proof folder {folder} has no checkers/__init__.py defining REGISTRY")
    root = sys.modules.get(PACKAGE)
    if root is None:
        root = types.ModuleType(PACKAGE, "Proofs loaded by memproof (one sub-package per proof folder).")
        root.__path__ = []  # type: ignore[attr-defined]
        sys.modules[PACKAGE] = root
    name = f"{PACKAGE}.{folder.name}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        where = Path(next(iter(loaded.__path__))).resolve()
        if (where / "checkers").resolve() != (folder / "checkers").resolve():
            raise ProofGraphError(f"a different proof named {folder.name!r} is already loaded from {where}; "
                                  f"rename one of the folders to load {folder}")
        return name  # the same checkers (e.g. a copy of the blueprint beside a link to them)
    if str(folder.parent) not in root.__path__:  # type: ignore[attr-defined]
        root.__path__.append(str(folder.parent))  # type: ignore[attr-defined]
    importlib.invalidate_caches()
    return name


def load_registry(folder: str | Path) -> ClaimRegistry:
    """The ``REGISTRY`` of the proof in ``folder`` (a folder, or its ``blueprint.md``)."""
    folder = Path(folder)
    folder = folder.parent if folder.suffix == ".md" else folder
    module = importlib.import_module(proof_package(folder) + ".checkers")
    registry = getattr(module, "REGISTRY", None)
    if not isinstance(registry, ClaimRegistry):
        raise ProofGraphError(f"{folder}/checkers/__init__.py defines no REGISTRY (a ClaimRegistry)")
    return registry

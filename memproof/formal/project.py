"""Read and validate a Coq project's ``_CoqProject`` file.

Only what a proof needs is accepted: ``-R``/``-Q`` mappings, warning flags (``-arg -w -arg ...``)
and ``.v`` files inside the project. Anything that could change Coq's logic or load code
(``-I`` plugins, ``-arg -impredicative-set``, ``-arg -type-in-type``, ``.ml``/``.mlg`` files) or
that maps the project onto a name Coq or MathComp owns is rejected, because the formal level
trusts the Coq kernel *as installed* and the fully qualified names of the axiom allow-list.
"""
from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path, PurePosixPath

from ..errors import InvalidArgumentError

COQPROJECT = "_CoqProject"
RESERVED_PREFIXES = ("Coq", "mathcomp", "Ltac2", "elpi")


@dataclasses.dataclass(frozen=True)
class LoadPath:
    """One ``-R``/``-Q`` line: physical folder (relative, POSIX) → logical prefix."""

    flag: str
    physical: str
    logical: str


@dataclasses.dataclass(frozen=True)
class CoqProject:
    """A parsed ``_CoqProject``: mappings, warning flags and ``.v`` files (relative POSIX paths)."""

    root: Path
    mappings: tuple[LoadPath, ...]
    files: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def coq_flags(self, root: Path | None = None, warnings: bool = True) -> list[str]:
        """Flags for coqc: ``-R``/``-Q`` mappings (under ``root``) and, if ``warnings``, ``-w``
        (coqchk takes the mappings only)."""
        base = Path(root or self.root)
        flags: list[str] = []
        for m in self.mappings:
            flags += [m.flag, str(base / m.physical), m.logical]
        for w in self.warnings if warnings else ():
            flags += ["-w", w]
        return flags

    def logical_name(self, file: str) -> str:
        """Logical library name of ``file`` (``theories/Clean.v`` → ``Fixture.Clean``)."""
        path = PurePosixPath(file).with_suffix("")
        best: tuple[int, str] | None = None
        for m in self.mappings:
            phys = PurePosixPath(m.physical)
            parts = () if str(phys) == "." else phys.parts
            if path.parts[: len(parts)] == parts and (best is None or len(parts) > best[0]):
                rest = path.parts[len(parts):]
                best = (len(parts), ".".join((m.logical, *rest)) if m.logical else ".".join(rest))
        if best is None:
            raise InvalidArgumentError("file", repr(file), "a file under a -R/-Q folder of the _CoqProject")
        return best[1]


def _inside(root: Path, relative: str, what: str) -> str:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts:
        raise InvalidArgumentError(what, repr(relative), "a relative path inside the project (no '..')")
    if not (root / path).exists():
        raise InvalidArgumentError(what, repr(relative), f"a path that exists under {root}")
    return str(path)


def _check_logical(name: str) -> str:
    head = name.split(".", 1)[0]
    if head in RESERVED_PREFIXES:
        raise InvalidArgumentError(
            "_CoqProject", f"logical name {name!r}", f"a name outside {', '.join(RESERVED_PREFIXES)}",
            "these prefixes belong to Coq and MathComp; the axiom allow-list relies on them",
        )
    return name


def read_coqproject(root: str | Path) -> CoqProject:
    """Parse and validate ``root/_CoqProject``.

    Raises
    ------
    InvalidArgumentError
        No ``_CoqProject``, an option outside the accepted set, a path leaving the project, or a
        logical name Coq or MathComp owns.
    """
    root = Path(root).resolve()
    spec = root / COQPROJECT
    if not spec.is_file():
        raise InvalidArgumentError("root", str(root), f"a folder holding a {COQPROJECT} file")
    lines = [line.split("#", 1)[0] for line in spec.read_text().splitlines()]
    tokens = shlex.split("\n".join(lines))
    mappings: list[LoadPath] = []
    files: list[str] = []
    warnings: list[str] = []
    args: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("-R", "-Q"):
            if i + 2 >= len(tokens):
                raise InvalidArgumentError("_CoqProject", f"{tok} without folder and name", f"{tok} <folder> <name>")
            mappings.append(LoadPath(tok, _inside(root, tokens[i + 1], tok), _check_logical(tokens[i + 2])))
            i += 3
        elif tok == "-arg":
            if i + 1 >= len(tokens):
                raise InvalidArgumentError("_CoqProject", "-arg without a value", "-arg <coqc option>")
            args += shlex.split(tokens[i + 1])
            i += 2
        elif tok.endswith(".v") and not tok.startswith("-"):
            files.append(_inside(root, tok, "file"))
            i += 1
        else:
            raise InvalidArgumentError(
                "_CoqProject", f"option {tok!r}", "-R, -Q, -arg -w <warnings> and .v files",
                "plugins and logic-changing flags are not accepted on the formal level",
            )
    j = 0
    while j < len(args):
        if args[j] != "-w" or j + 1 >= len(args):
            raise InvalidArgumentError("_CoqProject", f"-arg {args[j]!r}", "only -arg -w -arg <warnings>")
        warnings.append(args[j + 1])
        j += 2
    if not mappings or not files:
        raise InvalidArgumentError("_CoqProject", f"{len(mappings)} mappings, {len(files)} files", "at least one -R/-Q and one .v file")
    project = CoqProject(root, tuple(mappings), tuple(files), tuple(warnings))
    for f in files:
        project.logical_name(f)  # every file must lie under a mapping
    return project

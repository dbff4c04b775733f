"""Ask Coq, in a batch, for the statement and the assumptions of compiled lemmas.

Canonical statement form
------------------------
The statement a formal result binds is the lemma's type printed by ``Check @lemma`` under
``Set Printing All`` (no notations, no coercions hidden, every implicit argument shown), with every
global reference then replaced by its **fully qualified** path, exactly as Coq resolved it:
the printed text is read back by Coq (``Definition _ : <text> := @lemma``, which also checks that
the lemma proves it) with ``-dump-glob``, and each reference the ``.glob`` records is rewritten
to ``<library>.<module path>.<name>``. Bound variables keep their names; whitespace is collapsed
to single spaces. Coq 8.16 has no "print fully qualified" option, and the shortest names it prints
depend on what else is loaded, so this read-back is what makes the form independent of the batch
and of any notation or name a project declares. A token the read-back does not account for makes
the statement fail to canonicalise (an error, never a silent pass). Example (MathComp)::

    forall (R : mathcomp.algebra.ssralg.GRing.ComRing.type) (m n p : Coq.Init.Datatypes.nat)
    (A : mathcomp.algebra.matrix.matrix (mathcomp.algebra.ssralg.GRing.ComRing.sort R) m n) ...,
    @Coq.Init.Logic.eq (...) (@mathcomp.algebra.matrix.trmx ...) (...)

The *readable* form (default printing, notations on) is for reports only and is never compared.

Assumptions
-----------
``Print Assumptions`` (under ``Printing All``) is parsed into :class:`Assumption` entries; axiom
names are resolved to full paths the same way. An ``Admitted`` lemma appears as an axiom named
after itself. Any section other than ``Axioms:`` (assumed guardedness, positivity, type-in-type)
becomes an assumption of that kind, so nothing Coq reports can be lost.

All queries of a batch run in one ``coqc`` for the statements and one for the read-back; a query
that makes Coq fail (unknown name, unreadable statement) is recorded as that lemma's error and the
batch is re-run without it.
"""
from __future__ import annotations

import dataclasses
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import InvalidArgumentError
from .build import Build, FileStatus, error_text, run_limited

QUALIFIED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_']*(?:\.[A-Za-z_][A-Za-z0-9_']*)+")
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_']*(?:\.[A-Za-z_][A-Za-z0-9_']*)*")
_KEYWORDS = frozenset(
    b"forall fun let in match with end as return fix cofix struct if then else Type Prop Set SProp _".split()
)
_QUERY = "memproof_query"
_EXPANDS = re.compile(r"Expands to: (\w+) (\S+)")
_LOCATION = re.compile(r'File "[^"]*", line (\d+)')


@dataclasses.dataclass(frozen=True)
class Assumption:
    """One entry of ``Print Assumptions``: fully qualified ``name``, ``kind`` (``"axiom"`` or the
    section Coq printed it under) and its type as printed."""

    name: str
    kind: str
    type: str = ""


@dataclasses.dataclass(frozen=True)
class LemmaReport:
    """What Coq says about one lemma; ``error`` is set when the queries failed for it."""

    name: str
    canonical: str | None = None
    readable: str | None = None
    assumptions: tuple[Assumption, ...] = ()
    error: str | None = None

    @property
    def closed(self) -> bool:
        """``Print Assumptions`` said "Closed under the global context"."""
        return self.error is None and not self.assumptions

    @property
    def admitted(self) -> bool:
        """The lemma itself is an assumption (it was ``Admitted``)."""
        return any(a.name == self.name for a in self.assumptions)


@dataclasses.dataclass(frozen=True)
class QueryBatch:
    reports: dict[str, LemmaReport]
    seconds: float
    coqc_runs: int


def query_lemmas(build: Build, names: Iterable[str], *, timeout: float = 300.0) -> QueryBatch:
    """Canonical statement, readable statement and assumptions of each lemma in ``names``.

    Parameters
    ----------
    build : Build
        A build from :func:`memproof.formal.build.build_project` (fresh or cached: the queries
        always run on its ``.vo`` files).
    names : iterable of str
        Fully qualified lemma names (``MemproofFixture.Clean.trmx_mul_rev``).
    timeout : float
        Wall-clock limit for the whole batch.
    """
    names = list(dict.fromkeys(names))
    for name in names:
        if not QUALIFIED_NAME.fullmatch(name):
            raise InvalidArgumentError("name", repr(name), "a fully qualified Coq name such as Lib.File.lemma")
    if not build.available:
        raise InvalidArgumentError("build", f"unavailable build ({build.reason})", "a build made with a Coq toolchain")
    start, deadline = time.perf_counter(), time.monotonic() + float(timeout)
    reports: dict[str, LemmaReport] = {}
    libraries: dict[str, str] = {}
    for name in names:
        fb = build.library_of(name)
        if fb is None:
            reports[name] = LemmaReport(name, error=f"no library of the project contains {name}")
        elif fb.status is not FileStatus.COMPILED:
            reports[name] = LemmaReport(name, error=f"{fb.file} {fb.status.value}")
        else:
            libraries[name] = fb.library
    runs = 0
    with tempfile.TemporaryDirectory(prefix="memproof-coq-query-") as tmp:
        folder = Path(tmp)
        raw, n = _statements(build, libraries, folder, deadline, reports)
        runs += n
        canon, n = _read_back(build, libraries, raw, folder, deadline, reports)
        runs += n
    for name, (stmt, readable, assumptions) in raw.items():
        if name in reports:
            continue
        resolved = tuple(dataclasses.replace(a, name=canon["ax"].get(a.name, a.name)) for a in assumptions)
        unresolved = [a.name for a in assumptions if a.kind == "axiom" and a.name not in canon["ax"]]
        if unresolved:
            reports[name] = LemmaReport(name, error="could not resolve the axioms " + ", ".join(unresolved))
        else:
            reports[name] = LemmaReport(name, canon["stmt"][name], readable, resolved)
    return QueryBatch({name: reports[name] for name in names}, time.perf_counter() - start, runs)


def _run_batch(build, folder, deadline, items, render, glob=False):
    """Run ``coqc`` on the lines ``render(items)`` returns, dropping each item that makes Coq fail.

    ``render`` returns ``(text, line_owner)`` with ``line_owner[line] = item or None``. Yields the
    final text and a dict ``item → error`` for the dropped items.
    """
    items, errors, runs = list(items), {}, 0
    while True:
        text, owner = render(items)
        source = folder / f"{_QUERY}.v"
        source.write_bytes(text)
        args = [build.toolchain.tool("coqc"), *build.project.coq_flags(), f"{_QUERY}.v"]
        if glob:
            args[1:1] = ["-dump-glob", f"{_QUERY}.glob"]
        rc, out, _ = run_limited(args, folder, deadline)
        runs += 1
        if rc == 0:
            return text, items, errors, runs
        message = "time limit reached" if rc is None else error_text(out)
        match = _LOCATION.search(message)
        culprit = owner.get(int(match.group(1))) if match else None
        if culprit is None:  # not attributable to one item: every remaining item fails
            errors.update({item: message for item in items})
            return text, [], errors, runs
        errors[culprit] = message
        items = [item for item in items if item != culprit]


def _statements(build, libraries, folder, deadline, reports):
    """Pass 1: About / Check @ / Print Assumptions for every lemma in one coqc run."""

    def render(names):
        lines, owner = [], {}
        for lib in dict.fromkeys(libraries[n] for n in names):
            lines.append(f"Require {lib}.")
            owner[len(lines)] = ("lib", lib)
        lines.append("Set Printing Width 100000.")
        for i, name in enumerate(names):
            block = [
                f'Redirect "q{i}_about" About {name}.',
                "Set Printing All.",
                f'Redirect "q{i}_stmt" Check @{name}.',
                f'Redirect "q{i}_asm" Print Assumptions {name}.',
                "Unset Printing All.",
                f'Redirect "q{i}_read" Check @{name}.',
            ]
            for line in block:
                lines.append(line)
                owner[len(lines)] = ("lemma", name)
        return ("\n".join(lines) + "\n").encode(), owner

    names = list(libraries)
    _, kept, errors, runs = _run_batch(build, folder, deadline, names, _owned(render, libraries))
    for name, message in errors.items():
        reports[name] = LemmaReport(name, error=message)
    raw = {}
    for i, name in enumerate(kept):
        about = (folder / f"q{i}_about.out").read_text()
        expands = _EXPANDS.search(about)
        if not expands or expands.groups() != ("Constant", name):
            found = " ".join(expands.groups()) if expands else about.strip()[:200]
            reports[name] = LemmaReport(name, error=f"{name} is not a constant of that name (Coq: {found})")
            continue
        stmt = _type_of((folder / f"q{i}_stmt.out").read_text())
        readable = _type_of((folder / f"q{i}_read.out").read_text())
        raw[name] = (stmt, readable, parse_assumptions((folder / f"q{i}_asm.out").read_text()))
    return raw, runs


def _owned(render, libraries):
    """Adapt ``render`` so that a failing ``Require`` line drops every lemma of that library."""

    def wrapped(names):
        text, owner = render(names)
        mapped = {}
        for line, (kind, what) in owner.items():
            mapped[line] = what if kind == "lemma" else next((n for n in names if libraries[n] == what), None)
        return text, mapped

    return wrapped


def _type_of(check_output: str) -> str:
    """The type in ``Check`` output (``name\\n     : type``), whitespace collapsed."""
    head, _, rest = check_output.partition("\n")
    body = rest.strip()
    if body.startswith(":"):
        body = body[1:]
    return " ".join(body.split())


def parse_assumptions(text: str) -> tuple[Assumption, ...]:
    """Entries of ``Print Assumptions`` output (``()`` for "Closed under the global context").

    Unknown lines are kept as assumptions of kind ``"unparsed"``, never dropped.

    >>> parse_assumptions("Closed under the global context\\n")
    ()
    >>> parse_assumptions("Axioms:\\nM.ax : @eq nat O O\\n")
    (Assumption(name='M.ax', kind='axiom', type='@eq nat O O'),)
    """
    if text.strip() == "Closed under the global context":
        return ()
    entries: list[list[str]] = []
    kind = "unparsed"
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and entries:
            entries[-1][2] += " " + line.strip()
        elif line.rstrip().endswith(":") and " : " not in line:
            header = line.strip()[:-1]
            kind = "axiom" if header == "Axioms" else header
        else:
            name, _, typ = line.partition(" : ")
            entries.append([name.strip(), kind, typ.strip()])
    return tuple(Assumption(n, k, " ".join(t.split())) for n, k, t in entries)


def _read_back(build, libraries, raw, folder, deadline, reports):
    """Pass 2: read every printed statement and axiom name back with -dump-glob; qualify names."""
    axiom_names = sorted({a.name for _, _, asm in raw.values() for a in asm if a.kind == "axiom"})
    items = [("stmt", n) for n in raw] + [("ax", a) for a in axiom_names]
    spans: dict[tuple[str, str], tuple[int, int]] = {}

    def render(chosen):
        needed = dict.fromkeys(libraries[n] for n in raw)
        out, owner, line = b"", {}, 0
        for lib in needed:
            out += f"Require {lib}.\n".encode()
            line += 1
        for k, (kind, what) in enumerate(chosen):
            if kind == "stmt":
                prefix = f"Definition memproof_stmt_{k} : ".encode()
                body, suffix = raw[what][0].encode(), f" := @{what}.\n".encode()
            else:
                prefix, body, suffix = f"Definition memproof_ax_{k} := @".encode(), what.encode(), b".\n"
            spans[(kind, what)] = (len(out) + len(prefix), len(body))
            out += prefix + body + suffix
            line += 1
            owner[line] = (kind, what)
        return out, owner

    text, kept, errors, runs = _run_batch(build, folder, deadline, items, render, glob=True)
    for (kind, what), message in errors.items():
        if kind == "stmt":
            reports[what] = LemmaReport(what, error=f"Coq could not read back the printed statement of {what}: {message}")
    refs, covered = _glob_entries((folder / f"{_QUERY}.glob").read_text() if kept else "")
    canon: dict[str, dict[str, str]] = {"stmt": {}, "ax": {}}
    for kind, what in kept:
        start, length = spans[(kind, what)]
        qualified = _qualify(text, start, length, refs, covered)
        if isinstance(qualified, Exception):
            if kind == "stmt":
                reports[what] = LemmaReport(what, error=f"cannot canonicalise the statement of {what}: {qualified}")
            continue
        canon[kind][what] = " ".join(qualified.split())
    return canon, runs


def _glob_entries(glob: str):
    """``refs[start] = (end, full name or None for a bound variable)``; ``covered`` binder spans."""
    refs: dict[int, tuple[int, str | None]] = {}
    covered: set[tuple[int, int]] = set()
    for line in glob.splitlines():
        if line.startswith("R"):
            pos, lib, mod, name, kind = line[1:].split()
            s, e = map(int, pos.split(":"))
            full = None if kind == "var" else ".".join(p for p in (lib, "" if mod == "<>" else mod, name) if p)
            refs[s] = (e, full)
        elif line.startswith("binder "):
            s, e = map(int, line.split()[1].split(":"))
            covered.add((s, e))
    return refs, covered


def _qualify(text: bytes, start: int, length: int, refs, covered) -> str | Exception:
    """Rewrite every global reference in ``text[start:start+length]`` to its full path."""
    body = text[start:start + length]
    out, last = [], 0
    for match in _IDENT.finditer(body):
        s, e = start + match.start(), start + match.end() - 1
        token = match.group()
        if s in refs and refs[s][0] == e:
            full = refs[s][1]
            if full is not None:
                if full.rsplit(".", 1)[-1] != token.rsplit(b".", 1)[-1].decode():
                    return ValueError(f"Coq resolved {token.decode()!r} to {full!r}")
                out.append(body[last:match.start()].decode() + full)
                last = match.end()
        elif (s, e) not in covered and token not in _KEYWORDS:
            return ValueError(f"Coq's read-back does not account for the token {token.decode()!r}")
    out.append(body[last:].decode())
    return "".join(out)

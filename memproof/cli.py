"""The ``memproof`` command: ``list``, ``verify``, ``versions`` (and subcommands of other modules).

Exit codes of ``verify``: 0 all requirements met, 1 something refuted, 2 unknown or below the
required level, 3 error (bad input or usage, a failing checker, a blueprint that disagrees with its checkers; as argparse's usage errors: never 2, which means
"unknown"). A closed output pipe (``memproof list | head -1``) ends the command quietly with 141
(128 + SIGPIPE), as coreutils do when killed by SIGPIPE.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import MemproofError

EXIT_OK, EXIT_REFUTED, EXIT_UNDECIDED, EXIT_ERROR = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # the shell's status of a process killed by SIGPIPE (coreutils' `seq 9999999 | head -1`)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors exiting :data:`EXIT_ERROR` (argparse's own 2 means "unknown" here)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _blueprint(args: argparse.Namespace):
    """``(blueprint, origin)``: the proof named by ``--proof``, else the default one, and where it came from."""
    from .blueprint import load_blueprint, locate_proof

    if args.proof:
        return load_blueprint(args.proof), "--proof"
    folder, origin = locate_proof()
    return load_blueprint(folder), origin


def cmd_list(args: argparse.Namespace) -> int:
    from .blueprint import bind, dependency_graph, load_registry

    bp, origin = _blueprint(args)
    dependency_graph(bp)  # validates: dangling ids, cycles
    bound = bind(bp, load_registry(bp.source))  # validates: statements, premises, checkers as declared
    print(f"{bp.title}\n{bp.source} (resolved from {origin}; checkers from its checkers/ registry, "
          f"{len(bound)} claims bound to their declared statements)\n")
    width = max(len(c.id) for c in bp.claims)
    for c in bp.claims:
        how = c.checker or f"not yet checked ({c.planned or 'no checker'})"
        uses = ", ".join(c.uses) or "—"
        print(f"{c.id:<{width}}  {c.kind:<11} {c.title}\n{'':<{width}}  uses: {uses}; checker: {how}")
    return EXIT_OK


def _progress(entry) -> None:
    r = entry.result
    level = r.level.label if r.level else "-"
    scope = r.scope.kind.value if r.outcome.value == "proved" else "-"
    est = ""
    if entry.established and (entry.established != r.level or entry.established_scope != r.scope.kind):
        est = f" (established: {entry.established.label}, {entry.established_scope.value})"
    note = "" if r.outcome.value == "proved" else f" — {r.reason}"
    print(f"  {entry.claim.id:<4} {r.outcome.value:<8} {level:<9} {scope:<9}{est} {r.seconds:6.2f} s{note}",
          file=sys.stderr, flush=True)


def cmd_verify(args: argparse.Namespace) -> int:
    from .blueprint import exit_code, run_blueprint
    from .blueprint.context import SharedCosts
    from .blueprint.runner import INTERRUPTED
    from .errors import InvalidArgumentError
    from .report import Report, load_findings
    from .results import Level
    from .versions import collect_versions

    bp, _ = _blueprint(args)
    claims = [c.strip() for c in args.claims.split(",") if c.strip()] if args.claims else None
    require = Level.parse(args.require)
    print(f"memproof verify: {bp.title} (seed {args.seed})", file=sys.stderr)
    try:
        findings = tuple(load_findings(*args.findings)) if args.findings else ()
    except InvalidArgumentError as exc:
        print(f"memproof: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    costs = SharedCosts()
    entries = run_blueprint(bp, claims=claims, seed=args.seed, quick=args.quick, on_result=_progress, costs=costs)
    code = exit_code(entries, require=require, strict=args.strict)
    report = Report(bp, tuple(entries), seed=args.seed, quick=args.quick, require=require, strict=args.strict,
                    versions=collect_versions(include_device=False), exit_code=code, findings=findings,
                    shared_seconds=dict(costs.seconds))
    written = []
    if args.json:
        written.append(report.write_json(args.json))
    if args.md:
        written.append(report.write_markdown(args.md))
    if args.graph:
        from .blueprint.draw import draw_graph

        written.append(draw_graph(bp, entries, args.graph))
    if args.html:
        from .report_site import write_site

        written.append(write_site(report, args.html))
    s = report.summary()
    print("\n" + ", ".join(f"{v} {k}" for k, v in s.items() if v) + f"; required level {require.label}; exit code {code}")
    for path in written:
        print(f"wrote {path}")
    if any(e.result.reason == INTERRUPTED for e in entries):
        print("memproof: interrupted; the report holds the claims checked so far", file=sys.stderr)
        return 130
    return code


def cmd_versions(args: argparse.Namespace) -> int:
    from .versions import collect_versions, format_versions

    print(format_versions(collect_versions()))
    return EXIT_OK


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``memproof`` parser; with ``command``, only the module of that subcommand is imported.

    The other modules' subcommands (``construct``, ``kruskal``, ``experiment``) import numpy, flint and
    their packages: ``memproof list`` should not pay for them. Without ``command`` (``--help``, an
    unknown command) every subcommand is registered, so the usage lists them all.
    """
    parser = _Parser(prog="memproof", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the claims of the proof blueprint")
    p.add_argument("--proof", type=Path, help="blueprint file or folder (default: proofs/mahdavi2024)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", help="check the proof's claims in dependency order and write a report")
    p.add_argument("--proof", type=Path, help="blueprint file or folder (default: proofs/mahdavi2024)")
    p.add_argument("--claims", help="comma-separated claim ids (their premises are checked too)")
    p.add_argument("--require", default="empirical", help="minimum level: formal, exact, rigorous, smt, symbolic, empirical")
    p.add_argument("--strict", action="store_true", help="claims without a checker yet also count as not established")
    p.add_argument("--json", type=Path, help="write the JSON report here")
    p.add_argument("--md", type=Path, help="write the Markdown report here")
    p.add_argument("--graph", type=Path, help="draw the coloured dependency graph here (.svg/.png)")
    p.add_argument("--html", type=Path, metavar="DIR",
                   help="write the report as a static site into DIR (open DIR/index.html; no network needed)")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--quick", action="store_true", help="small instance sizes")
    p.add_argument("--findings", type=Path, action="append", metavar="DIR",
                   help="add the experiments' empirical findings (every findings.json under DIR) to the report")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("versions", help="versions of python, numpy, sympy, python-flint, z3, torch, and the device")
    p.set_defaults(func=cmd_versions)

    if command not in sub.choices:
        modules = [_SUBCOMMAND_MODULES[command]] if command in _SUBCOMMAND_MODULES else _SUBCOMMAND_MODULES.values()
        for module in modules:
            importlib.import_module(module).add_subcommand(sub)
    return parser


#: subcommand name -> the module whose ``add_subcommand(subparsers)`` registers it
_SUBCOMMAND_MODULES = {"construct": "memproof.construction.cli", "kruskal": "memproof.kruskal.cli",
                       "experiment": "memproof.experiments.cli"}


def _run(argv: list[str]) -> int:
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return int(args.func(args))
    except MemproofError as exc:
        print(f"memproof: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("memproof: interrupted", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``memproof ARGV``; returns the exit code (see the module docstring)."""
    try:
        try:
            return _run(list(sys.argv[1:] if argv is None else argv))
        finally:
            sys.stdout.flush()  # a closed pipe must raise here (also after --help), not at the interpreter's exit
    except BrokenPipeError:
        # the reader went away (`memproof list | head -1`): stop quietly, as coreutils do; stdout is
        # pointed at /dev/null first, or the interpreter's final flush would fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE

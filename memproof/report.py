"""Verification reports: versioned JSON (validated by a shipped JSON Schema) and Markdown.

JSON layout (schema ``memproof/schemas/report-v1.json``)::

    {"schema": "memproof-report", "schema_version": "1.2", "memproof_version": ..., "created": ...,
     "proof": {"title", "source"}, "settings": {"seed", "quick", "require", "strict", "claims"},
     "versions": {...}, "summary": {"proved": .., ...}, "exit_code": 0,
     "claims": [{"id", "title", "kind", "uses", "checker", "planned", "selected",
                 "established_level", "established_scope", "result": <Result.to_dict()>}],
     "shared_seconds": {"what": seconds},    # work several claims share, charged to none of them (1.2)
     "findings": [{"source", "result": <Result.to_dict()>}]}   # experiments' empirical findings (1.1)
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from .blueprint.parse import Blueprint
from .blueprint.runner import ClaimEntry
from .errors import InvalidArgumentError
from .results import Level, Outcome, Result

SCHEMA_VERSION = "1.2"
_EVIDENCE_CHARS = 1500
#: What the experiments' findings are (and are not), for every report format.
FINDINGS_NOTE = ("Read from the experiments' `findings.json` files; they are observations about trained or constructed "
                 "models at the stated scope, not steps of the proof, and do not change the exit code.")


@dataclasses.dataclass(frozen=True)
class Report:
    """The outcome of ``memproof verify``: entries plus the settings and versions behind them."""

    blueprint: Blueprint
    entries: tuple[ClaimEntry, ...]
    seed: int
    quick: bool
    require: Level
    strict: bool
    versions: dict[str, str]
    exit_code: int
    created: str = dataclasses.field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    findings: tuple[tuple[str, Result], ...] = ()
    shared_seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        counts = Counter(e.result.outcome.value for e in self.entries)
        return {o.value: counts.get(o.value, 0) for o in Outcome}

    def to_dict(self) -> dict[str, Any]:
        from . import __version__

        return {
            "schema": "memproof-report",
            "schema_version": SCHEMA_VERSION,
            "memproof_version": __version__,
            "created": self.created,
            "proof": {"title": self.blueprint.title, "source": str(self.blueprint.source or "")},
            "settings": {
                "seed": self.seed,
                "quick": self.quick,
                "require": self.require.label,
                "strict": self.strict,
                "claims": [e.claim.id for e in self.entries if e.selected],
            },
            "versions": self.versions,
            "summary": self.summary(),
            "exit_code": self.exit_code,
            "claims": [
                {
                    "id": e.claim.id,
                    "title": e.claim.title,
                    "kind": e.claim.kind,
                    "uses": list(e.claim.uses),
                    "checker": e.claim.checker,
                    "planned": e.claim.planned,
                    "selected": e.selected,
                    "established_level": e.established.label if e.established else None,
                    "established_scope": e.established_scope.value if e.established_scope else None,
                    "result": e.result.to_dict(),
                }
                for e in self.entries
            ],
            "shared_seconds": {k: round(v, 6) for k, v in self.shared_seconds.items()},
            "findings": [{"source": source, "result": r.to_dict()} for source, r in self.findings],
        }

    def write_json(self, path: str | Path) -> Path:
        data = self.to_dict()
        validate_report(data)
        return _write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def write_markdown(self, path: str | Path) -> Path:
        return _write(path, to_markdown(self))


def _write(path: str | Path, text: str) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)  # atomic: an interrupted run never leaves half a report
    return p


def report_schema() -> dict[str, Any]:
    """The JSON Schema of version-1 reports (shipped with the package)."""
    text = resources.files("memproof").joinpath("schemas/report-v1.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate_report(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``data`` is not a valid version-1 report."""
    import jsonschema

    jsonschema.validate(data, report_schema())


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def own_level_scope(entry: ClaimEntry) -> str:
    """``level · scope`` of the claim's own result (what establishes it)."""
    r = entry.result
    if r.outcome is not Outcome.PROVED or r.level is None:
        return "—"
    return f"{r.level.label} · {r.scope.kind.value}"


def through_premises(entry: ClaimEntry) -> str:
    """``level · scope`` as established through the premises (weakest level, narrowest scope)."""
    if entry.established is None or entry.established_scope is None:
        return "—"
    return f"{entry.established.label} · {entry.established_scope.value}"


_PARTS_SHOWN = 4


def _part_lines(result: Result, depth: int = 0) -> list[str]:
    lines = []
    parts = result.parts if depth == 0 or len(result.parts) <= _PARTS_SHOWN + 1 else result.parts[:_PARTS_SHOWN]
    for part in parts:
        level = part.level.label if part.level else "—"
        note = f" — {part.reason}" if part.reason and part.outcome is not Outcome.PROVED else ""
        lines.append(f"{'  ' * depth}- *{part.role}* · {part.outcome.value} · {level} · {part.scope}: {part.statement}{note}")
        lines.extend(_part_lines(part, depth + 1))
    if len(parts) < len(result.parts):
        rest = result.parts[len(parts):]
        outcomes = ", ".join(sorted({p.outcome.value for p in rest}))
        lines.append(f"{'  ' * depth}- … {len(rest)} more sub-checks ({outcomes}; all listed in the JSON report)")
    return lines


def to_markdown(report: Report) -> str:
    """The report as Markdown: a summary table, then evidence per claim."""
    s = report.summary()
    out = [
        f"# memproof verification report — {report.blueprint.title}",
        "",
        f"- created: {report.created}; seed {report.seed}; required level: {report.require.label}"
        f"{'; quick sizes' if report.quick else ''}; exit code {report.exit_code}",
        "- outcomes: " + ", ".join(f"{k} {v}" for k, v in s.items() if v),
        "- versions: " + ", ".join(f"{k} {v}" for k, v in report.versions.items() if v != "not installed"),
        "",
        "Levels, strongest first: formal > exact > rigorous > SMT > symbolic > empirical; scopes, widest first: "
        "universal > box > instance. *Own* is what establishes the claim itself; *through premises* is the weakest "
        "level and the narrowest scope along the claim and everything it rests on. *Scope* names every object the "
        "claim's own result is about.",
        "",
        "| claim | title | own level · scope | through premises | outcome | scope | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in report.entries:
        r = e.result
        outcome = r.outcome.value if r.outcome is Outcome.PROVED else f"{r.outcome.value}: {r.reason}"
        scope = "—" if r.outcome is not Outcome.PROVED else r.scope
        out.append(f"| {e.claim.id} | {_cell(e.claim.title)} | {own_level_scope(e)} | {through_premises(e)} | {_cell(outcome)} "
                   f"| {_cell(scope)} | {r.seconds:.2f} s |")
    if report.shared_seconds:
        out += ["", "Shared work, charged to none of the claims: "
                + "; ".join(f"{what}: {sec:.2f} s" for what, sec in report.shared_seconds.items()) + "."]
    out += ["", "## Evidence", ""]
    for e in report.entries:
        r = e.result
        out += [f"### {e.claim.id} — {e.claim.title}", "", e.claim.statement, ""]
        if e.claim.uses:
            out.append(f"Uses: {', '.join(e.claim.uses)}.")
        out.append(f"Outcome: **{r.outcome.value}**" + (f" ({r.reason})" if r.reason else "") + ".")
        if r.margins:
            out.append("Margins: " + ", ".join(f"{k} = {v:.4g}" for k, v in r.margins.items()) + ".")
        if r.counterexample:
            out += ["", "Counterexample:", "", "```json", _clip(json.dumps(r.to_dict()["counterexample"], indent=1)), "```"]
        out += _part_lines(r)
        if r.evidence:
            out += ["", "```json", _clip(json.dumps(r.to_dict()["evidence"], indent=1)), "```"]
        out.append("")
    out += _findings_markdown(report)
    return "\n".join(out)


def _findings_markdown(report: Report) -> list[str]:
    if not report.findings:
        return []
    out = ["## Empirical findings of the experiments", "",
           FINDINGS_NOTE, "",
           "| finding | statement | scope | level | outcome | source |", "|---|---|---|---|---|---|"]
    for source, r in report.findings:
        level = r.level.label if r.level else "—"
        out.append(f"| {r.claim} | {_cell(r.statement)} | {_cell(r.scope)} | {level} | {r.outcome.value} | {_cell(source)} |")
    return out + [""]


def load_findings(*folders: str | Path) -> list[tuple[str, Result]]:
    """Every ``findings.json`` under ``folders`` (experiment outputs, or ``docs/figures``) as ``(source, Result)``.

    Raises :class:`~memproof.errors.InvalidArgumentError` for a folder that does not exist or holds none.
    """
    found: list[tuple[str, Result]] = []
    for folder in folders:
        root = Path(folder)
        files = sorted(root.rglob("findings.json")) if root.is_dir() else []
        if not files:
            raise InvalidArgumentError("--findings", str(folder), "a folder with experiment outputs (…/<name>/findings.json)",
                                       hint="run `memproof experiment all --quick --out DIR` first, or pass docs/figures")
        for path in files:
            found.extend((str(path), Result.from_dict(d)) for d in json.loads(path.read_text(encoding="utf-8")))
    return found


def _clip(text: str) -> str:
    if len(text) <= _EVIDENCE_CHARS:
        return text
    return text[:_EVIDENCE_CHARS] + f"\n… ({len(text) - _EVIDENCE_CHARS} more characters in the JSON report)"

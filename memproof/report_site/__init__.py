"""The report as a static site (``memproof verify --html DIR``): opens from disk, needs no network.

Layout of ``DIR``::

    index.html        summary, settings, versions, the dependency graph (inline SVG, one link per claim), the claims table
    claims/ID.html    one page per claim of the blueprint: prose statement, checked statement (Coq text for formal
                      claims), premises and dependents as links, outcome, level and scope, margins, timings,
                      versions, the evidence of every part, and the command that re-checks it
    findings.html     the experiments' empirical findings, apart from the proof

Pages carry their style inline and no script; long evidence is collapsed in ``<details>``, never cut.

>>> from memproof.report_site.pages import value_block
>>> value_block("smt", "(assert (< x 0))")
'<div class="evidence"><code>smt</code><pre>(assert (&lt; x 0))</pre></div>'
"""
from __future__ import annotations

import shlex
from html import escape
from pathlib import Path

from ..blueprint.parse import Claim
from ..blueprint.runner import ClaimEntry
from ..formal.check import INSTANCE
from ..report import FINDINGS_NOTE, Report, own_level_scope, through_premises
from ..results import Outcome, Result
from .pages import badge, page, parts_tree, result_details
from .svg import graph_svg, legend_html


def recheck_command(report: Report, claim_id: str) -> str:
    """The shell command that re-checks ``claim_id`` (and its premises) with this report's settings."""
    from ..blueprint.proofs import default_blueprint_path

    words = ["memproof", "verify", "--claims", claim_id, "--seed", str(report.seed), "--require", report.require.label]
    if report.quick:
        words.append("--quick")
    if report.strict:
        words.append("--strict")
    source = report.blueprint.source
    if source is not None and Path(source).resolve() != default_blueprint_path().resolve():
        words += ["--proof", str(source)]
    return shlex.join(words)


def _links(ids: list[str], root: str = "") -> str:
    return ", ".join(f'<a href="{root}claims/{escape(i)}.html">{escape(i)}</a>' for i in ids) or "none"


def _table(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _versions(versions: dict[str, str]) -> str:
    return _table([(escape(k), escape(str(v))) for k, v in versions.items()])


def _formal_section(claim: Claim, result: Result) -> str:
    """The Coq lemma, its statement as the blueprint binds it and as Coq printed it (when it was checked)."""
    if not claim.coq:
        return ""
    out = [f"<h2>Checked statement in Coq</h2><p>lemma <code>{escape(claim.coq)}</code></p>"]
    if claim.coq_statement:
        out.append(f"<p>statement (canonical, as the blueprint binds it):</p><pre class=\"coq\">{escape(claim.coq_statement)}</pre>")
    formal = next((p for p in result.parts if p.evidence.get("lemma") == claim.coq), None)
    if formal is not None and formal.evidence.get("readable_statement"):
        out.append(f"<p>as Coq prints it (notations on):</p><pre class=\"coq\">{escape(formal.evidence['readable_statement'])}</pre>")
    if formal is not None:
        out.append(f"<p>formal part: {badge(formal.outcome.value)}"
                   + (f" — {escape(formal.reason)}" if formal.reason else "") + "</p>")
        if formal.evidence.get(INSTANCE):
            out.append(_instance_section(formal.evidence[INSTANCE]))
    return "".join(out)


def _instance_section(found: dict) -> str:
    """What Coq said of the claim's ``coq-instance:`` lemma (evidence beside the claim, not its verdict)."""
    def names(items: list[str]) -> str:
        return ", ".join(f"<code>{escape(a)}</code>" for a in items) or "none"

    said = (f"not queried: {escape(found['error'])}" if found.get("error") else
            f"assumptions: {names(found['assumptions'])}; outside the allow-list: {names(found['outside_allowed'])}")
    return (f"<h3>Instance (reported beside the claim, not bound to it)</h3>"
            f"<p>lemma <code>{escape(found['lemma'])}</code> — {said}</p>")


def claim_page(report: Report, claim: Claim, entry: ClaimEntry | None) -> str:
    """The page of one claim (``claims/ID.html``)."""
    bp = report.blueprint
    dependents = [c.id for c in bp.claims if claim.id in c.uses]
    head = [("kind", escape(claim.kind)), ("premises (uses)", _links(list(claim.uses), "../")),
            ("dependents (used by)", _links(dependents, "../"))]
    body = [f'<p class="claim-id" data-claim="{escape(claim.id)}"><strong>{escape(claim.id)}</strong> — {escape(claim.title)}</p>',
            f'<h2>Statement</h2><div class="prose">{escape(claim.statement)}</div>']
    if entry is None:
        head.append(("outcome", "not checked in this run"))
        body.insert(1, _table(head))
        note = "" if claim.checker else f"<p>no checker yet: {escape(claim.planned or 'none planned')}</p>"
        body.append(f"{note}<h2>Re-check</h2><pre>{escape(recheck_command(report, claim.id))}</pre>")
        return page(f"{claim.id} — {claim.title}", "".join(body), root="../")
    r = entry.result
    own, est = own_level_scope(entry), through_premises(entry)
    head += [("outcome", badge(r.outcome.value)), ("own level · scope", escape(own)),
             ("through premises", escape(est)),
             ("scope", escape(str(r.scope)) if r.outcome is Outcome.PROVED else "—"),
             ("checker", escape(claim.checker or "none")), ("time", f"{r.seconds:.3f} s"),
             ("seed", escape(str(r.seed)))]
    body.insert(1, _table(head))
    body.append(f"<h2>Checked statement</h2><pre>{escape(r.statement)}</pre>")
    body.append(_formal_section(claim, r))
    body.append(f"<h2>Result</h2>{result_details(r)}")
    if r.parts:
        body.append(f"<h2>Parts ({len(r.parts)})</h2>{parts_tree(r.parts)}")
    commands = recheck_command(report, claim.id) + ("\nmake formal-check" if claim.coq else "")
    body.append(f"<h2>Re-check</h2><pre>{escape(commands)}</pre>")
    body.append(f"<h2>Versions</h2>{_versions({**report.versions, **dict(r.versions or {})})}")
    return page(f"{claim.id} — {claim.title}", "".join(body), root="../")


def index_page(report: Report) -> str:
    """``index.html``: summary, graph with legend, claims table, shared timings, versions."""
    by_id = {e.claim.id: e for e in report.entries}
    summary = " ".join(f"{badge(k)} {v}" for k, v in report.summary().items() if v)
    settings = _table([("created", escape(report.created)), ("seed", str(report.seed)),
                       ("required level", escape(report.require.label)), ("quick sizes", str(report.quick)),
                       ("strict", str(report.strict)), ("exit code", str(report.exit_code)),
                       ("blueprint", escape(str(report.blueprint.source or "")))])
    rows = []
    for c in report.blueprint.claims:
        e = by_id.get(c.id)
        if e is None:
            rows.append(f'<tr><td><a href="claims/{escape(c.id)}.html">{escape(c.id)}</a></td><td>{escape(c.title)}</td>'
                        f"<td>—</td><td>—</td><td>not checked</td><td></td></tr>")
            continue
        reason = f" {escape(e.result.reason)}" if e.result.reason and e.result.outcome.value != "proved" else ""
        rows.append(f'<tr><td><a href="claims/{escape(c.id)}.html">{escape(c.id)}</a></td><td>{escape(c.title)}</td>'
                    f"<td>{escape(own_level_scope(e))}</td><td>{escape(through_premises(e))}</td>"
                    f"<td>{badge(e.result.outcome.value)}{reason}</td><td>{e.result.seconds:.2f} s</td></tr>")
    shared = "".join(f"<li>{escape(what)}: {sec:.2f} s</li>" for what, sec in report.shared_seconds.items())
    body = [f"<p>outcomes: {summary}; exit code {report.exit_code}</p>",
            "<h2>Dependency graph</h2><p>Arrows go from a premise to the claim that uses it; click a claim for its page. "
            "Label: the claim's own level · scope, in brackets what it is established at through its premises; "
            "colour: the established level (or the outcome); shape: the established scope.</p>",
            f'<div class="graphbox">{graph_svg(report.blueprint, by_id)}</div>', legend_html(),
            "<h2>Claims</h2><table><tr><th>claim</th><th>title</th><th>own level · scope</th><th>through premises</th>"
            f"<th>outcome</th><th>time</th></tr>{''.join(rows)}</table>",
            f"<h2>Settings</h2>{settings}",
            f"<h2>Shared work</h2><p>Charged to none of the claims:</p><ul>{shared}</ul>" if shared else "",
            f'<p>The experiments\' empirical findings ({len(report.findings)}) are on <a href="findings.html">their own page</a>, '
            "apart from the proof.</p>",
            f"<h2>Versions</h2>{_versions(report.versions)}"]
    return page(f"memproof verification report — {report.blueprint.title}", "".join(body))


def findings_page(report: Report) -> str:
    """``findings.html``: the experiments' findings, each with its evidence."""
    if not report.findings:
        body = "<p>No empirical findings in this report (add them with <code>--findings DIR</code>).</p>"
    else:
        items = []
        for source, r in report.findings:
            level = r.level.label if r.level else "—"
            items.append(f'<section class="finding" id="{escape(r.claim)}"><h2>{escape(r.claim)} {badge(r.outcome.value)}</h2>'
                         f'<div class="prose">{escape(r.statement)}</div>'
                         + _table([("scope", escape(str(r.scope))), ("level", level), ("source", escape(source)),
                                   ("time", f"{r.seconds:.2f} s")])
                         + result_details(r) + parts_tree(r.parts) + "</section>")
        body = "".join(items)
    return page("Empirical findings of the experiments", f"<p>{escape(FINDINGS_NOTE)}</p>{body}")


def write_site(report: Report, folder: str | Path) -> Path:
    """Write the site into ``folder`` (created); returns the path of ``index.html``."""
    root = Path(folder)
    (root / "claims").mkdir(parents=True, exist_ok=True)
    by_id = {e.claim.id: e for e in report.entries}
    for claim in report.blueprint.claims:
        (root / "claims" / f"{claim.id}.html").write_text(claim_page(report, claim, by_id.get(claim.id)), encoding="utf-8")
    (root / "findings.html").write_text(findings_page(report), encoding="utf-8")
    index = root / "index.html"
    index.write_text(index_page(report), encoding="utf-8")
    return index


__all__ = ["claim_page", "findings_page", "index_page", "recheck_command", "write_site"]

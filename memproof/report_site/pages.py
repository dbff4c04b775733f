"""HTML pieces of the report site: the page frame, evidence blocks, a result's parts, a claim's page.

All text is escaped (:func:`html.escape`): statements, reasons and evidence come from files and checkers
and may contain ``<``, ``&`` or markup. Long evidence (SMT-LIB text, certificates, tracebacks) is put in
a ``<details>`` block, collapsed, and never shortened.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from ..results import Outcome, Result

#: Evidence longer than this (characters, or lines) is collapsed.
COLLAPSE_CHARS, COLLAPSE_LINES = 400, 8
#: A part's statement longer than this is shortened in its summary line and given in full inside.
SUMMARY_CHARS = 200

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;color:#eceff1;padding:.8rem 1.5rem}header a{color:#b3e5fc}
nav a{margin-right:1rem}main{padding:1rem 1.5rem;max-width:1400px}
h1{font-size:1.4rem;margin:.3rem 0}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #cfd8dc}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #cfd8dc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eceff1}pre{background:#f5f5f5;border:1px solid #e0e0e0;padding:.5rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-word;margin:.3rem 0}.prose{white-space:pre-wrap;background:#fff;border-left:4px solid #90a4ae;padding:.5rem .8rem}
details{margin:.25rem 0 .25rem .8rem}summary{cursor:pointer}.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;
font-size:.85rem;border:1px solid #90a4ae}.proved{background:#c8e6c9}.refuted{background:#ffcdd2}.unknown{background:#ffe0b2}
.error{background:#e1bee7}.skipped{background:#eceff1}.graphbox{overflow-x:auto;background:#fff;border:1px solid #cfd8dc;padding:.5rem}
svg.graph{max-width:100%;height:auto}svg.graph .edges path{fill:none;stroke:#90a4ae;stroke-width:1.3;marker-end:url(#arrow)}
svg.graph g[class^=border] > *{stroke:#37474f;stroke-width:1.6}svg.graph a.node:hover g > *{stroke:#ff6f00;stroke-width:3}
svg.graph text{font-size:12px;font-weight:600;pointer-events:none}svg.graph tspan.id{font-size:14px}
.border-dashed > *{stroke-dasharray:6 3}.border-dotted > *{stroke-dasharray:2 3}
svg.swatch g > *{stroke:#37474f;stroke-width:1.2}ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
ul.legend li{display:flex;align-items:center;gap:.3rem;font-size:.85rem}code{background:#eceff1;padding:0 .2rem}
"""


def page(title: str, body: str, *, root: str = "") -> str:
    """A complete HTML page (style inline, no script, no network); ``root`` is the path back to ``index.html``'s folder."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f'<title>{escape(title)}</title><style>{STYLE}</style></head><body><header><nav>'
            f'<a href="{root}index.html">summary and graph</a><a href="{root}findings.html">empirical findings</a></nav>'
            f'<h1>{escape(title)}</h1></header><main>\n{body}\n</main></body></html>\n')


def badge(outcome: str) -> str:
    return f'<span class="badge {escape(outcome)}">{escape(outcome)}</span>'


def value_block(name: str, value: Any) -> str:
    """One evidence value: strings as they are, other values as indented JSON; collapsed when long."""
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    body = f"<pre>{escape(text)}</pre>"
    if len(text) > COLLAPSE_CHARS or text.count("\n") >= COLLAPSE_LINES:
        lines = text.count("\n") + 1
        return (f'<details class="evidence"><summary><code>{escape(name)}</code> — {len(text):,} characters, '
                f'{lines:,} lines</summary>{body}</details>')
    return f'<div class="evidence"><code>{escape(name)}</code>{body}</div>'


def mapping_blocks(data: Mapping[str, Any] | None) -> str:
    return "".join(value_block(str(k), v) for k, v in (data or {}).items())


def margins_table(margins: Mapping[str, float]) -> str:
    if not margins:
        return ""
    rows = "".join(f"<tr><td><code>{escape(k)}</code></td><td>{v:.6g}</td></tr>" for k, v in margins.items())
    return f"<table><tr><th>margin</th><th>value</th></tr>{rows}</table>"


def result_details(r: Result) -> str:
    """Outcome, reason, margins, counterexample and evidence of one result (no parts)."""
    out = [] if r.reason or r.margins or r.evidence or r.counterexample is not None else ["<p>no evidence of its own (see its parts)</p>"]
    if r.reason:
        out.append(f"<p>reason: </p><pre>{escape(r.reason)}</pre>")
    out.append(margins_table(r.margins))
    if r.counterexample is not None:
        out.append(f"<h3>counterexample</h3>{mapping_blocks(r.to_dict()['counterexample'])}")
    if r.evidence:
        out.append(f"<h3>evidence</h3>{mapping_blocks(r.to_dict()['evidence'])}")
    return "".join(out)


def parts_tree(parts: Iterable[Result]) -> str:
    """Each part as a ``<details>`` (open when not proved), its own parts nested inside."""
    out = []
    for p in parts:
        level = p.level.label if p.level else "—"
        open_ = "" if p.outcome is Outcome.PROVED else " open"
        short = p.statement if len(p.statement) <= SUMMARY_CHARS else p.statement[:SUMMARY_CHARS] + " …"
        full = f"<pre>{escape(p.statement)}</pre>" if short != p.statement else ""
        out.append(f'<details class="part"{open_}><summary><em>{escape(p.role)}</em> · {badge(p.outcome.value)} · {level} · '
                   f'{escape(str(p.scope))}: {escape(short)}</summary>{full}{result_details(p)}{parts_tree(p.parts)}</details>')
    return "".join(out)


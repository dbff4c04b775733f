"""The dependency graph as inline SVG: one link per claim, coloured by outcome and level, shaped by scope.

Layers follow :func:`~memproof.blueprint.draw.layered` (premises on the left, Theorem 1 on the right); the
fill is :func:`~memproof.blueprint.draw.node_colour` (the *established* level when proved, else the
outcome), the label :func:`~memproof.blueprint.draw.node_label`. The shape is the scope the claim is
established at through its premises: a pill for universal, a rectangle for a box, a clipped octagon for
an instance; a claim not established has a dashed border, one not checked in this run a dotted one.
Every node is ``<a href="claims/ID.html">`` with ``data-claim``, ``data-outcome``, ``data-level`` and
``data-scope`` attributes, so the page needs no script.
"""
from __future__ import annotations

from collections.abc import Mapping
from html import escape

from ..blueprint.draw import (
    LEVEL_COLOURS,
    OUTCOME_COLOURS,
    layered,
    node_colour,
    node_label,
)
from ..blueprint.parse import Blueprint
from ..blueprint.runner import ClaimEntry
from ..results import ScopeKind

NODE_W, NODE_H = 128, 54
COLUMN, ROW, MARGIN = 178, 70, 24


def _is_dark(colour: str) -> bool:
    """Whether white text reads better than black on ``#rrggbb`` (relative luminance below one half)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


def scope_shape(scope: ScopeKind | None, x: float, y: float) -> str:
    """The outline of a node centred at ``(x, y)``: pill (universal), rectangle (box), octagon (instance)."""
    w, h = NODE_W / 2, NODE_H / 2
    if scope is ScopeKind.UNIVERSAL:
        return f'<rect x="{x - w:.1f}" y="{y - h:.1f}" width="{NODE_W}" height="{NODE_H}" rx="{h:.1f}"/>'
    if scope is ScopeKind.INSTANCE:
        c = 14
        points = [(x - w + c, y - h), (x + w - c, y - h), (x + w, y - h + c), (x + w, y + h - c),
                  (x + w - c, y + h), (x - w + c, y + h), (x - w, y + h - c), (x - w, y - h + c)]
        return '<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>'
    return f'<rect x="{x - w:.1f}" y="{y - h:.1f}" width="{NODE_W}" height="{NODE_H}" rx="3"/>'


def _node(claim_id: str, title: str, entry: ClaimEntry | None, x: float, y: float, href: str) -> str:
    fill = node_colour(entry)
    outcome = entry.result.outcome.value if entry else "not checked"
    level = entry.established.label if entry and entry.established else "none"
    scope = entry.established_scope if entry else None
    border = "solid" if scope is not None else ("dotted" if entry is None else "dashed")
    lines = node_label(claim_id, entry)
    text_colour = "#ffffff" if _is_dark(fill) else "#000000"
    top = y - 8 * (len(lines) - 1)
    spans = "".join(f'<tspan x="{x:.1f}" y="{top + 16 * i + 4:.1f}" class="{"id" if i == 0 else "level"}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    tip = f"{claim_id} — {title}: {outcome}" + (f", established {level} · {scope.value}" if scope else "")
    return (f'<a href="{escape(href)}" class="node" data-claim="{escape(claim_id)}" data-outcome="{escape(outcome)}" '
            f'data-level="{level}" data-scope="{scope.value if scope else "none"}">'
            f'<title>{escape(tip)}</title><g fill="{fill}" class="border-{border}">{scope_shape(scope, x, y)}</g>'
            f'<text fill="{text_colour}" text-anchor="middle">{spans}</text></a>')


def graph_svg(blueprint: Blueprint, entries: Mapping[str, ClaimEntry], href: str = "claims/{id}.html") -> str:
    """The ``<svg>`` element of the dependency graph; ``href`` is formatted with each claim's ``id``."""
    layers = layered(blueprint)
    tallest = max(len(layer) for layer in layers)
    width = 2 * MARGIN + (len(layers) - 1) * COLUMN + NODE_W
    height = 2 * MARGIN + (tallest - 1) * ROW + NODE_H
    pos = {}
    for col, layer in enumerate(layers):
        for rank, claim_id in enumerate(layer):
            pos[claim_id] = (MARGIN + NODE_W / 2 + col * COLUMN, height / 2 + (rank - (len(layer) - 1) / 2) * ROW)
    edges = []
    for claim in blueprint.claims:
        x2, y2 = pos[claim.id]
        for premise in claim.uses:
            x1, y1 = pos[premise]
            a, b = x1 + NODE_W / 2, x2 - NODE_W / 2 - 4
            mid = (a + b) / 2
            edges.append(f'<path d="M{a:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {b:.1f},{y2:.1f}" '
                         f'data-from="{escape(premise)}" data-to="{escape(claim.id)}"/>')
    nodes = [_node(c.id, c.title, entries.get(c.id), *pos[c.id], href.format(id=c.id)) for c in blueprint.claims]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="dependency graph of {escape(blueprint.title)}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>'
            f'<g class="edges">{"".join(edges)}</g><g class="nodes">{"".join(nodes)}</g></svg>')


def legend_html() -> str:
    """The colour and shape legend (HTML with small inline SVG swatches)."""
    def swatch(fill: str, shape: str = "", border: str = "solid") -> str:
        body = shape or '<rect x="1" y="1" width="26" height="16" rx="3"/>'
        return (f'<svg class="swatch" width="28" height="18" viewBox="0 0 28 18"><g fill="{fill}" '
                f'class="border-{border}">{body}</g></svg>')

    items = [(swatch(c), f"proved · established {lv.label}") for lv, c in LEVEL_COLOURS.items()]
    items += [(swatch(c, border="dashed"), o.value) for o, c in OUTCOME_COLOURS.items()]
    items.append((swatch("#ffffff", border="dotted"), "not checked in this run"))
    shapes = [('<rect x="1" y="1" width="26" height="16" rx="8"/>', "universal"),
              ('<rect x="1" y="1" width="26" height="16" rx="1"/>', "box"),
              ('<polygon points="6,1 22,1 27,6 27,12 22,17 6,17 1,12 1,6"/>', "instance")]
    items += [(swatch("#eceff1", shape), f"scope: {name}") for shape, name in shapes]
    return '<ul class="legend">' + "".join(f"<li>{s} {escape(text)}</li>" for s, text in items) + "</ul>"


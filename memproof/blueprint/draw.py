"""Draw the blueprint's dependency graph, each node coloured by outcome and level (SVG/PNG).

Proved claims are green, darker for stronger *established* levels (exact darkest, empirical palest);
the label shows the claim's own level and, in brackets, a weaker level inherited from premises; refuted red,
unknown orange, error purple, skipped (not yet checked, or premises not established) grey. Layers
follow the dependency order: premises on the left, Theorem 1 on the right.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from ..results import Level, Outcome, ScopeKind
from .graph import dependency_graph
from .parse import Blueprint
from .runner import ClaimEntry

LEVEL_COLOURS = {
    Level.FORMAL: "#08306b",
    Level.EXACT: "#00441b",
    Level.RIGOROUS: "#1b7837",
    Level.SMT: "#41ab5d",
    Level.SYMBOLIC: "#a1d99b",
    Level.EMPIRICAL: "#f7fcb9",
}
_SCOPE_SHORT = {ScopeKind.UNIVERSAL: "univ", ScopeKind.BOX: "box", ScopeKind.INSTANCE: "inst"}
OUTCOME_COLOURS = {
    Outcome.REFUTED: "#d32f2f",
    Outcome.UNKNOWN: "#ffa726",
    Outcome.ERROR: "#8e24aa",
    Outcome.SKIPPED: "#cfd8dc",
}


def node_colour(entry: ClaimEntry | None) -> str:
    """Fill colour for a claim: by established level when proved, else by outcome."""
    if entry is None:
        return "#ffffff"
    if entry.result.outcome is Outcome.PROVED:
        level = entry.established or entry.result.level
        return LEVEL_COLOURS[level] if level is not None else OUTCOME_COLOURS[Outcome.UNKNOWN]
    return OUTCOME_COLOURS[entry.result.outcome]


def layered(blueprint: Blueprint) -> list[list[str]]:
    """Claim ids by topological generation (premises first), each layer in document order."""
    order = {c.id: i for i, c in enumerate(blueprint.claims)}
    return [sorted(nodes, key=order.__getitem__) for nodes in nx.topological_generations(dependency_graph(blueprint))]


def node_label(node: str, entry: ClaimEntry | None) -> list[str]:
    """Label lines of a node: the id; the claim's own ``level · scope``; in brackets, a weaker level or narrower
    scope it is established at through its premises."""
    own = entry.result.level if entry is not None and entry.result.outcome is Outcome.PROVED else None
    if own is None:
        return [node]
    lines = [node, f"{own.label} · {_SCOPE_SHORT[entry.result.scope.kind]}"]
    if entry.established is not None and (entry.established < own or entry.established_scope is not entry.result.scope.kind):
        lines.append(f"({entry.established.label} · {_SCOPE_SHORT[entry.established_scope]})")
    return lines


def draw_graph(blueprint: Blueprint, entries: Iterable[ClaimEntry], path: str | Path) -> Path:
    """Write the coloured dependency graph to ``path`` (format from the suffix: .svg, .png, .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    graph = dependency_graph(blueprint)
    by_id = {e.claim.id: e for e in entries}
    layers = layered(blueprint)
    pos = {node: (float(x), (len(nodes) - 1) / 2.0 - rank) for x, nodes in enumerate(layers) for rank, node in enumerate(nodes)}
    width = 2.0 * len(layers)
    tallest = max(len(nodes) for nodes in layers)
    fig, ax = plt.subplots(figsize=(max(9.0, 1.2 * width), max(6.0, 0.9 * tallest + 1.5)))
    colours = [node_colour(by_id.get(n)) for n in graph.nodes]
    dark = {LEVEL_COLOURS[Level.FORMAL], LEVEL_COLOURS[Level.EXACT], LEVEL_COLOURS[Level.RIGOROUS], LEVEL_COLOURS[Level.SMT],
            OUTCOME_COLOURS[Outcome.REFUTED], OUTCOME_COLOURS[Outcome.ERROR]}
    nx.draw_networkx_edges(graph, pos, ax=ax, arrowstyle="-|>", arrowsize=10, edge_color="#90a4ae",
                           node_size=2600, connectionstyle="arc3,rad=0.06")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=2600, edgecolors="#37474f")
    for node, (x, y) in pos.items():
        entry = by_id.get(node)
        label = "\n".join(node_label(node, entry))
        ax.text(x, y, label, ha="center", va="center", fontsize=5.2 if "(" in label else 5.8, fontweight="bold",
                color="white" if node_colour(entry) in dark else "black")
    legend = [Patch(facecolor=c, edgecolor="#37474f", label=f"proved · {lv.label}") for lv, c in LEVEL_COLOURS.items()]
    legend += [Patch(facecolor=c, edgecolor="#37474f", label=o.value) for o, c in OUTCOME_COLOURS.items()]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"{blueprint.title}\narrows: premise → claim; label: the claim's own level · scope (univ, box, inst), "
                 "(in brackets) what it is established at through its premises; colour: the established level", fontsize=9)
    ax.axis("off")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
    return out

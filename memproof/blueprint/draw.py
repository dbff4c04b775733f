"""Draw the blueprint's dependency graph, each node coloured by outcome and level (SVG/PNG).

Proved claims are green, darker for stronger levels (exact darkest, empirical palest); refuted red,
unknown orange, error purple, skipped (not yet checked, or premises not established) grey. Layers
follow the dependency order: premises on the left, Theorem 1 on the right.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from ..results import Level, Outcome
from .graph import dependency_graph
from .parse import Blueprint
from .runner import ClaimEntry

LEVEL_COLOURS = {
    Level.EXACT: "#1b5e20",
    Level.RIGOROUS: "#2e7d32",
    Level.SMT: "#43a047",
    Level.SYMBOLIC: "#81c784",
    Level.EMPIRICAL: "#dce775",
}
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


def draw_graph(blueprint: Blueprint, entries: Iterable[ClaimEntry], path: str | Path) -> Path:
    """Write the coloured dependency graph to ``path`` (format from the suffix: .svg, .png, .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    graph = dependency_graph(blueprint)
    by_id = {e.claim.id: e for e in entries}
    for layer, nodes in enumerate(nx.topological_generations(graph)):
        for node in nodes:
            graph.nodes[node]["layer"] = layer
    pos = nx.multipartite_layout(graph, subset_key="layer", align="vertical", scale=1.0)
    width = 2.2 * (1 + max(nx.get_node_attributes(graph, "layer").values()))
    fig, ax = plt.subplots(figsize=(max(8.0, width), 7.0))
    colours = [node_colour(by_id.get(n)) for n in graph.nodes]
    dark = {LEVEL_COLOURS[Level.EXACT], LEVEL_COLOURS[Level.RIGOROUS], LEVEL_COLOURS[Level.SMT],
            OUTCOME_COLOURS[Outcome.REFUTED], OUTCOME_COLOURS[Outcome.ERROR]}
    nx.draw_networkx_edges(graph, pos, ax=ax, arrowstyle="-|>", arrowsize=10, edge_color="#90a4ae",
                           node_size=900, connectionstyle="arc3,rad=0.06")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=900, edgecolors="#37474f")
    for node, (x, y) in pos.items():
        ax.text(x, y, node, ha="center", va="center", fontsize=8, fontweight="bold",
                color="white" if node_colour(by_id.get(node)) in dark else "black")
    legend = [Patch(facecolor=c, edgecolor="#37474f", label=f"proved · {lv.label}") for lv, c in LEVEL_COLOURS.items()]
    legend += [Patch(facecolor=c, edgecolor="#37474f", label=o.value) for o, c in OUTCOME_COLOURS.items()]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"{blueprint.title}\n(arrows: premise → claim)", fontsize=10)
    ax.axis("off")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
    return out

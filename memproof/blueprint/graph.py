"""The dependency graph of a blueprint (networkx): premises → claim.

Rejects dangling ids and cycles with errors that name them.
"""
from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ..errors import ProofGraphError
from .parse import Blueprint


def dependency_graph(blueprint: Blueprint) -> nx.DiGraph:
    """Directed graph with an edge ``u → v`` when claim ``v`` uses claim ``u``.

    Raises
    ------
    ProofGraphError
        A ``uses`` entry names an id the blueprint does not define, or the graph has a cycle.
    """
    graph = nx.DiGraph()
    for claim in blueprint.claims:
        graph.add_node(claim.id, claim=claim)
    for claim in blueprint.claims:
        for premise in claim.uses:
            if premise not in graph:
                raise ProofGraphError(f"claim {claim.id} (line {claim.line}) uses {premise!r}, which the blueprint does not define")
            if premise == claim.id:
                raise ProofGraphError(f"claim {claim.id} uses itself")
            graph.add_edge(premise, claim.id)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return graph
    path = " → ".join([u for u, _ in cycle] + [cycle[0][0]])
    raise ProofGraphError(f"the blueprint's uses form a cycle: {path}")


def check_order(graph: nx.DiGraph) -> list[str]:
    """Claims in dependency order (premises first; ties broken by document order)."""
    position = {node: i for i, node in enumerate(graph.nodes)}
    return list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))


def with_premises(graph: nx.DiGraph, selected: Iterable[str]) -> set[str]:
    """``selected`` plus every claim they rest on, transitively."""
    out: set[str] = set()
    for claim_id in selected:
        if claim_id not in graph:
            raise ProofGraphError(f"unknown claim id {claim_id!r}; known: {', '.join(graph.nodes)}")
        out |= {claim_id} | nx.ancestors(graph, claim_id)
    return out

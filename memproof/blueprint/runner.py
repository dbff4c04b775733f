"""Run a blueprint's checkers in dependency order (``memproof verify``).

Before anything runs, every claim is bound to its checker's declaration
(:func:`~memproof.blueprint.declare.bind`): a blueprint whose statement, premises or checker differ
from what the checker declares is refused. A claim is checked only when every premise it uses is
established; otherwise it is *skipped* with the premises that are not, never run blind. A claim with
no checker yet is skipped with its ``planned`` note, visibly. A result about another claim or another
statement than the declared one is an error. A claim is *established* at the weakest level and the
narrowest scope among the claim itself and everything it rests on (assumptions it names as hypotheses
excepted: see :func:`_established`).
"""
from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Callable, Iterable

from ..errors import ProofGraphError
from ..results import Level, Outcome, Result, Scope, ScopeKind
from .context import CheckContext, SharedCosts
from .declare import ClaimDeclaration, ClaimRegistry, bind, normalise
from .formal_stage import formal_parts, with_formal
from .graph import check_order, dependency_graph, with_premises
from .parse import Blueprint, Claim
from .proofs import load_registry

#: Reason of the claims left unchecked when the run was interrupted (Ctrl-C).
INTERRUPTED = "interrupted by the user before this claim was checked"


@dataclasses.dataclass(frozen=True)
class ClaimEntry:
    """A claim, its result, and the level and scope it is established at through its premises."""

    claim: Claim
    result: Result
    established: Level | None
    selected: bool = True
    established_scope: ScopeKind | None = None


def _established(result: Result, premises: list[ClaimEntry]) -> tuple[Level | None, ScopeKind | None]:
    """Weakest level and narrowest scope along the claim and its premises (None: not established).

    A premise of kind *assumption* (A1, A2, ...) is a hypothesis the claim's statement names, not a
    fact the claim rests on: it must be established (checked on the proof's instances) for the claim
    to run, but it does not narrow the claim's level or scope — "for every dataset satisfying A1 and
    A2, ..." is universal whatever the instances on which A1 and A2 were checked.
    """
    if result.outcome is not Outcome.PROVED or result.level is None:
        return None, None
    if any(p.established is None for p in premises):
        return None, None
    facts = [p for p in premises if p.claim.kind != "assumption"]
    level = min([result.level] + [p.established for p in facts])  # type: ignore[type-var]
    scope = min([result.scope.kind] + [p.established_scope for p in facts], key=lambda kind: kind.breadth)  # type: ignore[arg-type]
    return level, scope


def _run_checker(claim: Claim, decl: ClaimDeclaration, ctx: CheckContext) -> Result:
    start = time.perf_counter()
    ctx.costs.in_current_claim = 0.0
    try:
        result = decl.check(ctx)  # type: ignore[misc]
        if not isinstance(result, Result):
            raise TypeError(f"checker {decl.name} returned {type(result).__name__}, not Result")
    except Exception as exc:  # noqa: BLE001 - a failing checker is reported, never fatal
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Result.error(claim.id, claim.title, f"checker raised {tb}", seconds=time.perf_counter() - start,
                            evidence={"traceback": traceback.format_exc(limit=8)})
    seconds = time.perf_counter() - start - ctx.costs.in_current_claim
    if not decl.matches(result):
        return Result.error(claim.id, claim.title,
                            f"checker {decl.name} returned a result about {result.claim}: {normalise(result.statement)!r}, "
                            f"not about the declared statement of {claim.id}", seconds=seconds,
                            evidence={"result": result.to_dict()})
    return result.replace(seconds=seconds, seed=ctx.seed)


def run_blueprint(
    blueprint: Blueprint,
    *,
    registry: ClaimRegistry | None = None,
    claims: Iterable[str] | None = None,
    seed: int = 0,
    quick: bool = False,
    on_result: Callable[[ClaimEntry], None] | None = None,
    costs: SharedCosts | None = None,
) -> list[ClaimEntry]:
    """Check ``claims`` (default: all) and the claims they rest on, premises first.

    Parameters
    ----------
    blueprint : Blueprint
        The parsed proof.
    registry : ClaimRegistry, optional
        The checkers' declarations; default: the ``REGISTRY`` of the proof folder the blueprint was
        loaded from. A disagreement raises :class:`~memproof.blueprint.declare.StatementMismatchError`
        before any checker runs.
    claims : iterable of str, optional
        Claim ids to check; their premises are checked too (marked ``selected=False``).
    seed : int
        Master seed handed to every checker through :class:`CheckContext`.
    quick : bool
        Small instance sizes (used by the test suite).
    on_result : callable, optional
        Called with each :class:`ClaimEntry` as soon as it is known (progress display).
    costs : SharedCosts, optional
        Collects the time of work shared by several claims (reported apart from the claims').

    Notes
    -----
    On Ctrl-C the claim being checked and all later ones are returned as skipped with reason
    :data:`INTERRUPTED`, so that the caller can still write the report of what was done.
    """
    graph = dependency_graph(blueprint)
    if registry is None:
        if blueprint.source is None:
            raise ProofGraphError("a blueprint parsed from text needs an explicit registry of its checkers")
        registry = load_registry(blueprint.source)
    declarations = bind(blueprint, registry)
    costs = costs if costs is not None else SharedCosts()
    selected = set(graph.nodes) if claims is None else set(claims)
    needed = with_premises(graph, selected)
    formal = formal_parts(blueprint, (graph.nodes[c]["claim"] for c in check_order(graph) if c in needed), costs)
    entries: dict[str, ClaimEntry] = {}
    interrupted = False
    for claim_id in check_order(graph):
        if claim_id not in needed:
            continue
        claim: Claim = graph.nodes[claim_id]["claim"]
        open_premises = [p for p in claim.uses if entries[p].established is None]
        if interrupted:
            result = Result.skipped(claim.id, claim.title, INTERRUPTED)
        elif claim.checker is None:
            why = f"not yet checked ({claim.planned})" if claim.planned else "not yet checked: no checker in the blueprint"
            result = Result.skipped(claim.id, claim.title, why, scope=Scope.universal("not checked"))
        elif open_premises:
            result = Result.skipped(claim.id, claim.title, "premises not established: " + ", ".join(open_premises))
        else:
            ctx = CheckContext(seed=seed, quick=quick, premises={p: entries[p].result for p in claim.uses}, costs=costs)
            try:
                result = with_formal(_run_checker(claim, declarations[claim.id], ctx), formal.get(claim.id))
            except KeyboardInterrupt:  # keep what is done; the caller writes the partial report
                interrupted = True
                result = Result.skipped(claim.id, claim.title, INTERRUPTED)
        level, scope = _established(result, [entries[p] for p in claim.uses])
        entry = ClaimEntry(claim, result, level, selected=claim_id in selected, established_scope=scope)
        entries[claim_id] = entry
        if on_result is not None:
            on_result(entry)
    return [entries[c] for c in check_order(graph) if c in entries]


def exit_code(entries: Iterable[ClaimEntry], require: Level = Level.EMPIRICAL, strict: bool = False) -> int:
    """0 all requirements met, 1 something refuted, 3 internal error, 2 unknown or below ``require``.

    Claims with no checker yet count only when ``strict`` is set.
    """
    entries = list(entries)
    if any(e.result.outcome is Outcome.REFUTED for e in entries):
        return 1
    if any(e.result.outcome is Outcome.ERROR for e in entries):
        return 3
    for e in entries:
        if not e.selected or (e.claim.checker is None and not strict):
            continue
        if e.established is None or e.established < require:
            return 2
    return 0

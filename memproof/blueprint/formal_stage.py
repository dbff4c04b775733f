"""The formal stage of ``memproof verify``: claims whose blueprint section names a Coq lemma.

The proof's ``formal/`` folder is compiled once (on a copy, cached by digest; :mod:`memproof.formal`),
and each such claim gets a FORMAL part when its file compiled, the blueprint's ```coq``` block equals
the lemma's canonical statement and ``Print Assumptions`` stays within the allow-list. The claim's own
checks then become corroboration under the formal proof. When Coq is unavailable or the lemma rests on
an axiom outside the allow-list (or ``Admitted``), the claim keeps the level of its own checks and the
report says why it is not formal; a statement that disagrees, or a file that fails to compile, is an
error of that claim only. A claim's ``coq-instance:`` lemma (its lemma at a concrete structure) is
queried in the same batch and reported in its formal part's evidence only.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..results import Outcome, Result
from .context import SharedCosts
from .parse import Blueprint, Claim

#: Evidence key under which a claim records why it is not at the formal level.
NOT_FORMAL = "formal_level_not_reached"


def formal_parts(blueprint: Blueprint, claims: Iterable[Claim], costs: SharedCosts, *,
                 timeout: float = 600.0) -> dict[str, Result]:
    """Formal results for ``claims`` that name a Coq lemma, by claim id (one build, one query batch)."""
    wanted = [c for c in claims if c.coq]
    if not wanted:
        return {}
    from ..formal import build_project, ensure_toolchain, formal_results

    folder = Path(blueprint.source).parent / "formal"  # type: ignore[arg-type]
    with costs.shared("compile and query the Coq proofs (formal/)"):
        toolchain = ensure_toolchain(install=False)
        build = build_project(folder, jobs=2, timeout=timeout, toolchain=toolchain)
        instances = {c.id: c.coq_instance for c in wanted if c.coq_instance}
        return dict(formal_results([(c.id, c.coq, c.coq_statement) for c in wanted], build, instances=instances))


def with_formal(checked: Result, formal: Result | None) -> Result:
    """The claim's result once its formal part is known (see the module docstring)."""
    if formal is None:
        return checked
    if formal.outcome is Outcome.PROVED:
        combined = Result.combine(checked.claim, checked.statement, [formal, checked.as_corroboration()])
        return combined.replace(seconds=checked.seconds, seed=checked.seed)
    if formal.outcome is Outcome.ERROR:
        return formal.replace(claim=checked.claim, parts=(formal, checked.as_corroboration()), seconds=checked.seconds)
    return checked.replace(evidence={**checked.evidence, NOT_FORMAL: formal.reason},
                           parts=(*checked.parts, formal.as_corroboration().replace(outcome=Outcome.SKIPPED)))

"""A1–A3 on the proof's instances: the datasets that the step checkers construct and certify
(engine: :mod:`memproof.assumptions`, exact Kruskal rank and ranks of the stored numbers)."""
from __future__ import annotations

from memproof.assumptions import SCOPE_TEXT, check_a1, check_a2, check_a3
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import ClaimDeclaration, declare
from memproof.data import Dataset
from memproof.results import Result, Scope

from .instances import constructed_instances

A1 = declare("A1", statement="""
The queries {e_t} have Kruskal rank ≥ n: every n of them are linearly independent.
""")

A2 = declare("A2", statement="""
Every context has full row rank: rank E_t = n (so n ≤ d).
""")

A3 = declare("A3", statement="""
The vectors {x_{t,0} + mean_i x_{t,i}} (query plus the mean of the whole sequence) have Kruskal
rank ≥ n. Used by P4 only.
""")


def _on_instances(declaration: ClaimDeclaration, check, ctx: CheckContext) -> Result:
    """``check`` on every instance's dataset; the claim's scope names each of them."""
    parts = []
    for inst in constructed_instances(ctx):
        r = check(Dataset(inst.queries, inst.contexts, inst.labels))
        parts.append(r.replace(statement=f"{declaration.id} on {inst.label}",
                               scope=Scope.instance(f"{inst.label}; {SCOPE_TEXT}")))
    return declaration.combine(parts)


def check_A1(ctx: CheckContext) -> Result:
    """A1 on the instances (each exhaustive at level n)."""
    return _on_instances(A1, lambda ds: check_a1(ds, budget=2.0, samples=200, seed=ctx.seed), ctx)


A1.checker(check_A1)


def check_A2(ctx: CheckContext) -> Result:
    """A2 on the instances."""
    return _on_instances(A2, check_a2, ctx)


A2.checker(check_A2)


def check_A3(ctx: CheckContext) -> Result:
    """A3 on the instances."""
    return _on_instances(A3, lambda ds: check_a3(ds, budget=2.0, samples=200, seed=ctx.seed), ctx)


A3.checker(check_A3)

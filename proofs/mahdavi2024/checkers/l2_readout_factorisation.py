"""L2 — Readout factorisation: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.readout_factorisation`)."""
from __future__ import annotations

from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    corroborate,
    small_integer_matrix,
    symbolic_identity,
)
from memproof.lemmas.readout_factorisation import check_readout_factorisation
from memproof.results import Result, Scope

L2 = declare("L2", uses=(), statement="""
Over any field: if d_v ≥ min(d, d_o), every block M_h ∈ R^{d_o×d} equals W_O^h W_V^hᵀ for some
W_V^h ∈ R^{d×d_v} and W_O^h ∈ R^{d_o×d_v}.
""",
    coq="Memproof.Mahdavi2024.ReadoutFactorisation.L2_readout_factorisation",
    coq_sha256="58b3e7697314549823436afdd4c76a1724760ede2b2bd67400ee8b0015607e89")


def _symbolic_parts() -> list[Result]:
    import sympy as sp

    d, do, dv = sp.symbols("d d_o d_v", integer=True, positive=True)
    M = sp.MatrixSymbol("M_h", do, d)
    wide = sp.MatMul(sp.BlockMatrix([[M, sp.ZeroMatrix(do, dv - d)]]),
                     sp.BlockMatrix([[sp.Identity(d), sp.ZeroMatrix(d, dv - d)]]).T, evaluate=False)
    tall = sp.MatMul(sp.BlockMatrix([[sp.Identity(do), sp.ZeroMatrix(do, dv - do)]]),
                     sp.BlockMatrix([[M.T, sp.ZeroMatrix(d, dv - do)]]).T, evaluate=False)
    return [
        symbolic_identity("L2", "d ≤ d_o: [M_h | 0][I_d | 0]ᵀ = M_h", wide, M, Scope.universal("all d ≤ d_v, d_o")),
        symbolic_identity("L2", "d_o < d: [I_{d_o} | 0][M_hᵀ | 0]ᵀ = M_h", tall, M, Scope.universal("all d_o ≤ d_v, d")),
    ]


def check_L2(ctx: CheckContext) -> Result:
    """Proof-graph checker of L2: symbolic block identities (universal) + exact instances."""
    rng = ctx.rng("L2")
    checks = []
    for _ in range(3 if ctx.quick else 8):
        d_o, d = (int(x) for x in rng.integers(1, 6, size=2))
        d_v = min(d, d_o) + int(rng.integers(0, 3))
        checks.append(check_readout_factorisation(small_integer_matrix(rng, d_o, d) / 7.0, d_v))
    return L2.combine(_symbolic_parts() + [
        corroborate("L2", f"exact factorisation on {len(checks)} random blocks", checks)])


L2.checker(check_L2)

"""L5 — choosing independent new rows: for rank-n E, C = {Eᵀs : s in the open simplex} is an open
piece of an (n−1)-dimensional affine subspace missing 0; so (a) with offsets g_t, k ≤ n − 1 points
v_t ∈ C_t − g_t can be chosen linearly independent, and (b) with zero offsets even k ≤ n.

Random logits work almost surely, but memproof never relies on genericity: the realised points are
certified. Constructor :func:`independent_simplex_points`; checker :func:`check_simplex_points`
(exact dimension count + rigorous full-rank certificate of the real-number points); proof-graph checker: ``proofs/mahdavi2024/checkers/l5_simplex_points.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..arith import exact
from ..arith.empirical import sigma_ratio, softmax
from ..arith.rigorous import ball_softmax, certify_full_row_rank, to_arb, working_precision
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array
from .common import refuted_or_proved

PREC = 106


def _validate(contexts: Any, logits: Any, offsets: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    a = as_float_array(logits, "logits", 2)
    k, n = a.shape
    ctx = as_float_array(contexts, "contexts", (2, 3))
    ctx = np.broadcast_to(ctx, (k, *ctx.shape)) if ctx.ndim == 2 else ctx
    if ctx.shape[:2] != (k, n):
        raise InvalidArgumentError("contexts", f"shape {ctx.shape}", f"(k, n, d) with (k, n) = {(k, n)} as in logits, or a shared (n, d)")
    g = None if offsets is None else as_float_array(offsets, "offsets", 2)
    if g is not None and g.shape != (k, ctx.shape[2]):
        raise InvalidArgumentError("offsets", f"shape {g.shape}", f"(k, d) = {(k, ctx.shape[2])}")
    return ctx, a, g


def reachable_dimension(contexts: np.ndarray, offsets: np.ndarray | None) -> int:
    """Exact dimension of span ∪_t (C_t − g_t): spanned by the directions x_{t,i} − x_{t,n} and the
    points mean_i x_{t,i} − g_t. No choice of logits gives more independent points than this."""
    # exact rationals of the stored data (float differences and means would be rounded)
    exact_rows = []
    for t, E in enumerate(contexts):
        Eq = exact.to_fmpq_mat(E)
        n = Eq.nrows()
        for i in range(n - 1):
            exact_rows.append([Eq[i, j] - Eq[n - 1, j] for j in range(Eq.ncols())])
        g = exact.to_fmpq_mat(offsets[t:t + 1]) if offsets is not None else None
        exact_rows.append([sum((Eq[i, j] for i in range(n)), 0) / n - (g[0, j] if g is not None else 0) for j in range(Eq.ncols())])
    return exact.rank(np.array(exact_rows, dtype=object))


def simplex_points(contexts: Any, logits: Any, offsets: Any = None) -> np.ndarray:
    """Float points v_t = E_tᵀ softmax(a_t) − g_t, shape (k, d)."""
    ctx, a, g = _validate(contexts, logits, offsets)
    v = np.einsum("tn,tnd->td", softmax(a, axis=1), ctx)
    return v if g is None else v - g


def check_simplex_points(contexts: Any, logits: Any, offsets: Any = None) -> Result:
    """Decide whether the points v_t = E_tᵀ softmax(a_t) − g_t are linearly independent.

    First an exact count: if the points' reachable span has dimension < k, refuted for every choice
    of logits (e.g. k = n with offsets on the affine hull, or a rank-deficient context). Otherwise
    the real-number points of the stored logits are enclosed in balls and certified to have full row
    rank (proved, rigorous), or unknown if precision does not suffice.
    """
    ctx, a, g = _validate(contexts, logits, offsets)
    k = a.shape[0]
    dim = reachable_dimension(ctx, g)
    scope = Scope.instance(f"k={k}, n={ctx.shape[1]}, d={ctx.shape[2]}; real-number points of the stored logits")
    if dim < k:
        return refuted_or_proved("L5", "k independent points exist", False, Level.EXACT, scope,
                                 {"reachable_dimension": dim, "k": k},
                                 {"reachable_dimension": dim, "k": k, "why": "all points lie in a subspace of dimension < k"})
    with working_precision(PREC):
        from flint import arb_mat

        rows = []
        for t in range(k):
            s = ball_softmax(a[t])
            rows.append([sum((s[i] * to_arb(float(ctx[t, i, j])) for i in range(ctx.shape[1])), to_arb(0))
                         - (to_arb(float(g[t, j])) if g is not None else 0) for j in range(ctx.shape[2])])
        cert = certify_full_row_rank(arb_mat(rows), prec=PREC)
    margins = {"sigma_min_over_sigma_max": sigma_ratio(simplex_points(ctx, a, g))}
    evidence = {"reachable_dimension": dim, "certificate": cert.to_evidence()}
    if cert.proved:
        return Result.proved("L5", "realised points v_t are linearly independent", Level.RIGOROUS, scope,
                             evidence=evidence, margins=margins)
    return Result.unknown("L5", "realised points v_t are linearly independent", cert.reason, scope, evidence=evidence, margins=margins)


def independent_simplex_points(contexts: Any, k: int | None = None, offsets: Any = None, *,
                               rng: np.random.Generator | int | None = None, tries: int = 8) -> tuple[np.ndarray, Result]:
    """Random logits (k, n) whose simplex points are certified independent, with the certificate.

    Raises :class:`AssumptionViolatedError` if no choice can work (exact dimension count) or
    :class:`~memproof.errors.MemproofError` subclasses from validation; tries ``tries`` draws.
    """
    rng = np.random.default_rng(rng)
    ctx = as_float_array(contexts, "contexts", (2, 3))
    k = ctx.shape[0] if k is None else k
    ctx = np.broadcast_to(ctx, (k, *ctx.shape)) if ctx.ndim == 2 else ctx
    last = None
    for _ in range(tries):
        logits = rng.normal(size=ctx.shape[:2])
        last = check_simplex_points(ctx, logits, offsets)
        if last.outcome.value == "proved":
            return logits, last
        if last.outcome.value == "refuted":
            raise AssumptionViolatedError("L5", "no logits give independent points", dict(last.counterexample or {}))
    raise AssumptionViolatedError("L5", f"no certified choice in {tries} tries", {"last_reason": last.reason if last else ""})



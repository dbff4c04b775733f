"""The public constructor of Theorem 1 (theorem.md §6, S1–S8): :func:`construct_memorizing_mha`."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..arith.empirical import log_softmax, sigma_ratio
from ..assumptions import require_used_assumptions
from ..data import Dataset
from ..errors import InvalidArgumentError, OutOfRangeError
from ..lemmas.rank_reduction import interpolating_readout
from ..lemmas.readout_factorisation import factor_readout_block
from ..model import AttentionSpec, MHAWeights, feature_matrix, mha_batch
from ..validation import describe, positive_int
from .heads import RTOL, HeadChoice, context_times, first_head, head_logits, later_head
from .partition import partition_examples, validate_partition
from .rowspace import RowSpace
from .trace import HeadTrace, MemorizingMHA

__all__ = ["construct_memorizing_mha"]

#: interpolation error (relative to max(1, ‖Y‖_∞)) above which the result carries a warning
ERROR_TOL = 1e-6
#: with ``target_dtype``: the error *measured in that dtype* (relative likewise) above which a warning is added
DTYPE_ERROR_TOL = {"float32": 1e-3, "bfloat16": 0.1, "float16": 0.1}


def _one_head_features(W_K: np.ndarray, W_Q: np.ndarray, contexts: Any, queries: np.ndarray, scale: float) -> np.ndarray:
    d, d_h = W_K.shape
    w = MHAWeights(W_Q[None], W_K[None], np.zeros((1, d, 1)), np.zeros((1, 1, 1)), scale=scale)
    return feature_matrix(w, contexts, queries)


def resolve_scale(scale: Any, d: int, d_h: int) -> float:
    """The logit scale ``s`` from ``None`` (1, the paper's model), ``"1/sqrt(d_h)"``, ``"1/sqrt(d)"`` or a number > 0.

    >>> resolve_scale(None, 16, 4), resolve_scale("1/sqrt(d_h)", 16, 4), resolve_scale("1/sqrt(d)", 16, 4)
    (1.0, 0.5, 0.25)
    """
    if scale is None:
        return 1.0
    if isinstance(scale, str):
        table = {"1/sqrt(d_h)": 1.0 / math.sqrt(d_h), "1/sqrt(d)": 1.0 / math.sqrt(d)}
        if scale not in table:
            raise InvalidArgumentError("scale", repr(scale), "None, '1/sqrt(d_h)', '1/sqrt(d)' or a number > 0")
        return table[scale]
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) or not (math.isfinite(scale) and scale > 0):
        raise InvalidArgumentError("scale", describe(scale), "None, '1/sqrt(d_h)', '1/sqrt(d)' or a finite number > 0")
    return float(scale)


def construction_problem(queries: Any, contexts: Any, labels: Any, *, heads: int, d_h: int, d_v: int | None,
                         seed: Any, partition: Any) -> tuple[Dataset, AttentionSpec, tuple[tuple[int, ...], ...]]:
    """Validate a construction request: the dataset, the spec inside Theorem 1's range (n < d,
    d_v ≥ min(d, d_o), T ≤ H(n̄ − 1) + 1) and the partition N_1..N_H. Shared by the numpy and torch paths."""
    if labels is None:
        raise InvalidArgumentError("labels", "None", "labels y_t of shape (T,) or (T, d_o)")
    ds = Dataset(queries, contexts, labels)
    H, d_h = positive_int(heads, "heads"), positive_int(d_h, "d_h")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise InvalidArgumentError("seed", describe(seed), "an integer seed or None")
    d, d_o = ds.d, ds.labels.shape[1]
    d_v = min(d, d_o) if d_v is None else positive_int(d_v, "d_v")
    if d_v < min(d, d_o):
        raise OutOfRangeError("T1", f"Theorem 1 needs d_v ≥ min(d, d_o) = {min(d, d_o)} (lemma L2); got d_v = {d_v}")
    spec = AttentionSpec(n=ds.n, d=d, heads=H, d_h=d_h, d_v=d_v, d_o=d_o).require_theorem_range()
    groups = partition_examples(ds.T, H, spec.n_bar) if partition is None else validate_partition(partition, ds.T, H, spec.n_bar)
    return ds, spec, tuple(tuple(g) for g in groups)


def construct_memorizing_mha(
    queries: Any,
    contexts: Any,
    labels: Any,
    *,
    heads: int,
    d_h: int,
    d_v: int | None = None,
    seed: int | None = None,
    partition: Any = None,
    draws: int = 4,
    check_assumptions: bool = True,
    scale: Any = None,
    target_dtype: str | None = None,
) -> MemorizingMHA:
    """Build an MHA layer that memorizes ``(E_t, e_t) ↦ y_t`` by the proof of Theorem 1 (S1–S8).

    Parameters
    ----------
    queries : array_like, shape (T, d)
        Query tokens ``e_t``.
    contexts : array_like, shape (T, n, d) or (n, d)
        Contexts ``E_t`` or one shared context; ``n < d`` (else ``OutOfRangeError("T1")``).
    labels : array_like, shape (T,) or (T, d_o)
        Labels ``y_t`` (scalar labels become ``d_o = 1``).
    heads : int
        ``H``.
    d_h : int
        Head (key/query) dimension; ``n̄ = min(n, d_h)``.
    d_v : int, optional
        Value dimension, at least ``min(d, d_o)`` (L2); default ``min(d, d_o)``.
    seed : int, optional
        Seed of every random choice (the result is deterministic given it).
    partition : sequence of H sequences of int, optional
        ``N_1, …, N_H`` (``|N_1| ≤ n̄``, ``|N_h| ≤ n̄ − 1``); default consecutive groups.
    draws : int
        Random draws per choice (directions, logits); the best by the S6 scale is kept.
    check_assumptions : bool
        Decide A1 (on the query subsets used) and A2 exactly first (default True).
    scale : {None, "1/sqrt(d_h)", "1/sqrt(d)"} or float
        Logit scale ``s`` of the model ``softmax(s · E W_K W_Qᵀ e)`` (default 1, the paper's model;
        ``"1/sqrt(d_h)"`` for scaled dot-product attention). The construction's key–query matrix
        ``W^h`` is the same; the stored ``W_Q`` is ``W_Q / s`` and ``weights.scale = s``.
    target_dtype : {None, "float64", "float32", "bfloat16", "float16"}
        Build for evaluation in this dtype (``torch.nn.MultiheadAttention`` export, see
        :mod:`memproof.export`): the choices are tuned for margin (:mod:`.heads`, ``tune``), every
        head's ``W_Q, W_K`` are rounded to the dtype in the export layout (``√p`` folded into ``W_Q``,
        ``weights.scale = 1/√p``, ``p`` the export's head dimension) *before* the next head is built,
        the readout is solved against the features of those rounded weights and rounded in turn; for a
        dtype other than float64 it is then refitted to the features *as the exported layer computes
        them in that dtype* and refined there (:func:`memproof.export.readout_fit.fit_readout`; only
        ``W_V, W_O`` change, so the rank certificate of ``W_K, W_Q`` is unaffected; ``max_abs_error``
        stays the float64 evaluation, the dtype's measured error is ``error_budget.readout_fit``), and
        ``error_budget`` holds the evaluation-error bounds in the dtype
        (:func:`memproof.export.evaluation_error_bound`). ``scale`` is then ignored.

    Returns
    -------
    MemorizingMHA
        ``weights``, ``partition``, per-head ``trace``, float ``Z``, ``max_abs_error`` and
        ``warnings``. Everything there is float64 (empirical); certify with
        :func:`~memproof.construction.check_memorizes` (or ``result.check()``).

    Raises
    ------
    OutOfRangeError
        ``T > H(n̄ − 1) + 1``, ``n ≥ d`` or ``d_v < min(d, d_o)`` (claim ``T1``).
    AssumptionViolatedError
        A1 or A2 fails on the data, with an exact witness.
    NumericalConstructionError
        A random choice could not be made reliably in float64 (see the message).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> E = rng.normal(size=(3, 5))                  # shared context: n = 3 < d = 5
    >>> res = construct_memorizing_mha(rng.normal(size=(5, 5)), E, rng.normal(size=5), heads=2, d_h=3, seed=1)
    >>> res.partition, res.max_abs_error < 1e-9
    (((0, 1, 2), (3, 4)), True)
    >>> [t.c > t.c_star for t in res.trace[1:]], res.trace[1].rank_W_bound   # head 1 has no scale
    ([True], 3)
    """
    ds, spec, groups = construction_problem(queries, contexts, labels, heads=heads, d_h=d_h, d_v=d_v, seed=seed,
                                            partition=partition)
    draws = positive_int(draws, "draws")
    H, d, d_h, n_bar, Y = spec.heads, ds.d, spec.d_h, spec.n_bar, ds.labels
    d_o, d_v = spec.d_o, spec.d_v
    assumptions = require_used_assumptions(ds, groups) if check_assumptions else {"A1": "not checked", "A2": "not checked"}

    s = resolve_scale(scale, d, d_h)
    tune = target_dtype is not None
    if tune:
        from ..export.torch_mha import export_head_dim, round_to_dtype

        rnd = lambda x: round_to_dtype(x, target_dtype)  # noqa: E731
        p = export_head_dim(H, d, d_h, d_v, d_o)
        s = 1.0 / math.sqrt(p)
    rng = np.random.default_rng(seed)
    Q = ds.queries
    C = np.ascontiguousarray(ds.contexts)  # (T, n, d) or one shared (n, d)
    W_K = np.zeros((H, d, d_h))
    W_Q = np.zeros((H, d, d_h))
    order = np.array([t for g in groups for t in g], dtype=int)  # rows in the order the heads take them
    Zo = np.zeros((ds.T, H * d))  # Z[order]: R_h is the leading block; columns filled head by head
    rows = RowSpace()  # Z[R_h, heads 1..h] = L W, updated as heads and rows arrive (S2, Inv(h))
    traces: list[HeadTrace] = []
    warnings: list[str] = []
    old: list[int] = []
    for h, group in enumerate(groups):
        group = list(group)
        r, k, cols = len(old), len(group), slice(0, h * d)
        if group:
            if h == 0 or not old:
                ch = first_head(Q, C, group, d_h, rng, draws)
            else:
                G = rows.project(Zo[r:r + k, cols], Zo[:r, cols])  # S2: G = V U⁺
                ch = later_head(Q, C, old, group, G, d_h, rng, draws, tune, ds.shared_context)
            if tune:  # the numbers the export will hold: √p folded into W_Q, rounded once
                W_K[h], W_Q[h] = rnd(ch.W_K), rnd(math.sqrt(p) * ch.W_Q)
            else:
                W_K[h], W_Q[h] = ch.W_K, (ch.W_Q if s == 1.0 else ch.W_Q / s)
        z_h = _one_head_features(W_K[h], W_Q[h], ds.contexts, Q, s)
        Zo[:, h * d:(h + 1) * d] = z_h[order]
        rows.add_columns(Zo[:r, h * d:(h + 1) * d])
        if group:
            cols = slice(0, (h + 1) * d)
            rows.add_rows(Zo[r:r + k, cols], Zo[:r, cols])
            traces.append(_trace(h, group, old, ch, C, Q, rows.sigma_ratio(), z_h, warnings))
            old = old + group

    Z = np.empty_like(Zo)
    Z[order] = Zo
    M = interpolating_readout(Z, Y)
    W_V = np.zeros((H, d, d_v))
    W_O = np.zeros((H, d_o, d_v))
    for h in range(H):
        W_V[h], W_O[h] = factor_readout_block(M[:, h * d:(h + 1) * d], d_v)
    if tune:
        W_V, W_O = rnd(W_V), rnd(W_O)
    weights = MHAWeights(W_Q, W_K, W_V, W_O, spec, s)
    Z = feature_matrix(weights, ds.contexts, Q)
    err = float(np.abs(mha_batch(weights, ds.contexts, Q) - Y).max())
    fit = None
    if tune and target_dtype != "float64":  # W_V, W_O only: the rank certificate is about W_K, W_Q
        from ..export.readout_fit import fit_readout

        try:
            weights, fit = fit_readout(weights, ds.queries, ds.contexts, Y, target_dtype, Z=Z)
            err = float(np.abs(mha_batch(weights, ds.contexts, Q) - Y).max())
        except ImportError as exc:  # torch is optional
            warnings.append(f"readout not fitted in {target_dtype} (it needs torch: {exc}); the float64-fitted readout is kept")
    if fit is not None and fit.error > DTYPE_ERROR_TOL[target_dtype] * max(1.0, float(np.abs(Y).max())):
        warnings.append(f"the readout fitted in {target_dtype} reaches only max error {fit.error:.3g} there (measured in the "
                        f"exported layer; cond Z = {1 / sigma_ratio(Z):.3g}): try fewer examples per head or another seed")
    elif fit is None and err > ERROR_TOL * max(1.0, float(np.abs(Y).max())):
        warnings.append(
            f"S8: the float readout interpolates only to max error {err:.3g} (σ_min/σ_max of Z = {sigma_ratio(Z):.3g}). "
            "The key–query weights may still admit an exact readout: certify with check_memorizes(..., certify='rigorous'); "
            "to improve the float readout use fewer examples per head, another seed, or solve the readout in higher precision")
    budget = None
    if tune:
        from ..export.error_bound import evaluation_error_bound

        budget = evaluation_error_bound(weights, ds.queries, ds.contexts, Y, target_dtype, Z=Z, readout_fit=fit)
    return MemorizingMHA(weights, groups, tuple(traces), Z, err, n_bar, spec.capacity, seed, tuple(warnings), ds, assumptions,
                         target_dtype, budget)


def _trace(h: int, group: list[int], old: list[int], ch: HeadChoice, C: np.ndarray, Q: np.ndarray,
           margin: float, z_h: np.ndarray, warnings: list[str]) -> HeadTrace:
    """Realised (float64) margins of one head: saturation of the old rows; ``margin`` is σ_min/σ_max of
    ``Z[R_h, heads 1..h]`` (from the updated factor, :class:`~.rowspace.RowSpace`)."""
    k, n = len(group), C.shape[-2]
    if margin <= RTOL:
        warnings.append(
            f"head {h}: Z restricted to rows R_h (heads 1..{h + 1}) has σ_min/σ_max = {margin:.3g}: float64 cannot "
            "confirm Inv(h); the rigorous check may still prove rank Z = T. Try fewer examples per head or another seed")
    Wh = ch.W_K @ ch.W_Q.T
    s = np.linalg.svd(Wh, compute_uv=False)
    rank_num = int((s > RTOL * s[0]).sum()) if s[0] > 0 else 0
    rank_bound = int(np.count_nonzero(np.abs(ch.W_K).sum(axis=0) * np.abs(ch.W_Q).sum(axis=0)))
    log_l1: tuple[float, ...] = ()
    log_bound: tuple[float, ...] = ()
    leak = 0.0
    sk_real = ch.sigma_k_D_star
    if old:
        L = head_logits(C, old, ch.W_K, Q[old] @ ch.W_Q)
        ls = log_softmax(L, axis=1)
        idx = np.arange(len(old))
        # log ‖s − e_i‖₁ = log(2 (1 − s_i)) = log 2 + log Σ_{j≠i} s_j, evaluated from log-softmax
        others = ls.copy()
        others[idx, ch.argmax_old] = -np.inf
        with np.errstate(divide="ignore"):
            log_rest = np.logaddexp.reduce(others, axis=1)
        log_l1 = tuple(float(math.log(2.0) + x) for x in log_rest)
        log_bound = tuple(float(math.log(2.0 * (n - 1)) - (ch.c * g - 2.0 * b)) for g, b in zip(ch.gaps_old, ch.beta_old))
        realised_argmax = np.argmax(L, axis=1)
        if (realised_argmax != ch.argmax_old).any():
            bad = [old[i] for i in np.flatnonzero(realised_argmax != ch.argmax_old)][:5]
            warnings.append(f"head {h}: old examples {bad} do not attend mostly to the predicted token i_t in float64 (S4)")
        A = z_h[old]
        D = z_h[group] - ch.G @ A
        sv = np.linalg.svd(D, compute_uv=False)
        sk_real = float(sv[-1]) if sv.size >= k else 0.0
        qn = Q[group] @ ch.nu
        leak = float(ch.c * (np.abs(qn)[:, None] * np.abs(context_times(C, group, ch.u))).max())
    return HeadTrace(
        head=h, group=tuple(group), old=len(old), k=k, gamma=ch.gamma, beta=ch.beta, G_norm=ch.G_norm,
        sigma_k_D_star=ch.sigma_k_D_star, sigma_k_D_realised=sk_real, c_star=ch.c_star, c=ch.c,
        rank_W_bound=rank_bound, rank_W_numerical=rank_num, saturation_argmax=tuple(int(i) for i in ch.argmax_old),
        saturation_log_l1=log_l1, saturation_log_bound=log_bound, old_examples=tuple(old), rank_margin=margin,
        logit_leak=leak, draws=ch.draws,
    )

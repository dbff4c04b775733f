"""The constructor of Theorem 1 (theorem.md §6, S1–S8): :func:`build_layer`, written once against the
array API standard (:mod:`.backend`: numpy, or torch on CPU/CUDA), and its numpy entry point
:func:`construct_memorizing_mha` (the torch one is :func:`memproof.torchpath.construct_memorizing_mha_torch`)."""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..arith.empirical import sigma_ratio
from ..assumptions import require_used_assumptions
from ..data import Dataset
from ..errors import InvalidArgumentError, OutOfRangeError
from ..lemmas.readout_factorisation import factor_readout_block
from ..model import AttentionSpec, MHAWeights, mha_batch
from ..validation import describe, positive_int
from .backend import Backend
from .heads import HeadChoice, context_times, first_head, head_logits, later_head
from .partition import partition_examples, validate_partition
from .rowspace import RowSpace
from .trace import RTOL, HeadTrace, MemorizingMHA

__all__ = ["construct_memorizing_mha", "build_layer", "Layer"]

#: interpolation error (relative to max(1, ‖Y‖_∞)) above which the result carries a warning
ERROR_TOL = 1e-6
#: with ``target_dtype``: the error *measured in that dtype* (relative likewise) above which a warning is added
DTYPE_ERROR_TOL = {"float32": 1e-3, "bfloat16": 0.1, "float16": 0.1}


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
    d_v ≥ min(d, d_o), T ≤ H(n̄ − 1) + 1) and the partition N_1..N_H (numpy, whatever library builds)."""
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
        ``weights``, ``partition``, per-head ``trace``, float ``Z``, ``max_abs_error``, ``warnings``,
        ``backend`` (numpy, cpu, float64: :func:`build_layer` is the one implementation, also behind
        :func:`memproof.torchpath.construct_memorizing_mha_torch`) and ``timings``. Everything there is
        float64 (empirical); certify with :func:`~memproof.construction.check_memorizes` (or ``result.check()``).

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
    assumptions = require_used_assumptions(ds, groups) if check_assumptions else {"A1": "not checked", "A2": "not checked"}
    bk = Backend.numpy()
    layer = build_layer(bk, ds, spec, groups, seed=seed, draws=draws, scale=scale, target_dtype=target_dtype)
    weights = MHAWeights(layer.W_Q, layer.W_K, layer.W_V, layer.W_O, spec, layer.scale)
    err, warnings, budget, fit = layer.max_abs_error, list(layer.warnings), None, None
    if target_dtype not in (None, "float64"):  # W_V, W_O only: the rank certificate is about W_K, W_Q
        from ..export.readout_fit import fit_readout

        try:
            weights, fit = fit_readout(weights, ds.queries, ds.contexts, ds.labels, target_dtype, Z=layer.Z)
            err = float(np.abs(mha_batch(weights, ds.contexts, ds.queries) - ds.labels).max())
        except ImportError as exc:  # torch is optional
            warnings.append(f"readout not fitted in {target_dtype} (it needs torch: {exc}); the float64-fitted readout is kept")
        if fit is not None and fit.error > DTYPE_ERROR_TOL[target_dtype] * max(1.0, float(np.abs(ds.labels).max())):
            warnings.append(f"the readout fitted in {target_dtype} reaches only max error {fit.error:.3g} there (measured in the "
                            f"exported layer; cond Z = {1 / sigma_ratio(layer.Z):.3g}): try fewer examples per head or another seed")
    if target_dtype is not None:
        from ..export.error_bound import evaluation_error_bound

        budget = evaluation_error_bound(weights, ds.queries, ds.contexts, ds.labels, target_dtype, Z=layer.Z, readout_fit=fit)
    return MemorizingMHA(weights, groups, layer.trace, layer.Z, err, spec.n_bar, spec.capacity, seed,
                         tuple(warnings), ds, assumptions, target_dtype, budget, bk.record(), layer.timings)


@dataclasses.dataclass(frozen=True, eq=False)
class Layer:
    """What :func:`build_layer` returns: the weights ``W_Q, W_K`` (H, d, d_h), ``W_V`` (H, d, d_v),
    ``W_O`` (H, d_o, d_v) and ``Z`` (T, H d) as arrays of the backend's library (on its device, in its
    dtype), the logit scale ``s``, the interpolation error, the per-head traces, the warnings and the timings."""

    W_Q: Any
    W_K: Any
    W_V: Any
    W_O: Any
    Z: Any
    scale: float
    max_abs_error: float
    trace: tuple[HeadTrace, ...]
    warnings: tuple[str, ...]
    timings: dict[str, float]


def build_layer(bk: Backend, ds: Dataset, spec: AttentionSpec, groups: tuple[tuple[int, ...], ...], *, seed: Any,
                draws: int, scale: Any = None, target_dtype: str | None = None, track_margins: bool = True) -> Layer:
    """S1–S8 for a validated problem (:func:`construction_problem`) in the array library of ``bk``.

    This is the one implementation of the construction: :func:`construct_memorizing_mha` runs it with
    numpy, :func:`memproof.torchpath.construct_memorizing_mha_torch` with torch (CPU or CUDA). Every
    random choice is drawn from ``numpy.random.default_rng(seed)`` in the same order whatever the
    library, so both give the same weights up to rounding. ``track_margins=False`` skips the
    ``σ_min/σ_max`` of ``Z[R_h, heads 1..h]`` (an SVD or Lanczos run on the CPU per head; the traces then
    hold ``rank_margin = nan``). ``target_dtype`` is described in :func:`construct_memorizing_mha`.
    """
    xp = bk.xp
    H, d, d_h, Y = spec.heads, ds.d, spec.d_h, bk.asarray(ds.labels)
    d_o, d_v = spec.d_o, spec.d_v
    s = resolve_scale(scale, d, d_h)
    tune = target_dtype is not None
    if tune:
        from ..export.torch_mha import export_head_dim, round_to_dtype

        rnd = lambda x: bk.asarray(round_to_dtype(bk.to_numpy(x), target_dtype))  # noqa: E731
        p = export_head_dim(H, d, d_h, d_v, d_o)
        s = 1.0 / math.sqrt(p)
    rng = np.random.default_rng(seed)
    Q = bk.asarray(ds.queries)
    C = bk.asarray(np.ascontiguousarray(ds.contexts))  # (T, n, d) or one shared (n, d)
    zeros = lambda *shape: xp.zeros(shape, dtype=bk.dtype, device=bk.device)  # noqa: E731
    W_K, W_Q = zeros(H, d, d_h), zeros(H, d, d_h)
    order = [t for g in groups for t in g]  # rows in the order the heads take them
    Zo = zeros(ds.T, H * d)  # Z[order]: R_h is the leading block; columns filled head by head
    rows = RowSpace(bk)  # Z[R_h, heads 1..h] = L W, updated as heads and rows arrive (S2, Inv(h))
    traces: list[HeadTrace] = []
    warnings: list[str] = []
    timings: dict[str, float] = {}
    old: list[int] = []
    for h, group in enumerate(groups):
        group = list(group)
        r, k, cols = len(old), len(group), slice(0, h * d)
        if group:
            with bk.timer(timings, "heads"):
                if h == 0 or not old:
                    ch = first_head(bk, Q, C, group, d_h, rng, draws)
                else:
                    G = rows.project(Zo[r:r + k, cols], Zo[:r, cols])  # S2: G = V U⁺
                    ch = later_head(bk, Q, C, old, group, G, d_h, rng, draws, tune, ds.shared_context)
                if tune:  # the numbers the export will hold: √p folded into W_Q, rounded once
                    W_K[h], W_Q[h] = rnd(ch.W_K), rnd(math.sqrt(p) * ch.W_Q)
                else:
                    W_K[h], W_Q[h] = ch.W_K, (ch.W_Q if s == 1.0 else ch.W_Q / s)
        with bk.timer(timings, "features"):
            z_h = bk.features(W_K[h], W_Q[h], C, Q, s)
            Zo[:, h * d:(h + 1) * d] = bk.take(z_h, order)
        with bk.timer(timings, "rowspace"):
            rows.add_columns(Zo[:r, h * d:(h + 1) * d])
            if group:
                cols = slice(0, (h + 1) * d)
                rows.add_rows(Zo[r:r + k, cols], Zo[:r, cols])
                margin = rows.sigma_ratio() if track_margins else math.nan
        if group:
            traces.append(_trace(bk, h, group, old, ch, C, Q, margin, z_h, warnings))
            old = old + group

    with bk.timer(timings, "readout"):
        # S8: M = Yᵀ(ZZᵀ)⁻¹Z, the minimum-norm M Zᵀ = Yᵀ (L1); row order does not change M, so the factor of
        # Z[order] solves it, and least squares when it cannot
        X = rows.min_norm_solve(Zo, bk.take(Y, order))
        M = bk.to_numpy(bk.lstsq(bk.take(Zo, np.argsort(order)), Y) if X is None else X).T
        blocks = [factor_readout_block(M[:, h * d:(h + 1) * d], d_v) for h in range(H)]  # L2
        W_V, W_O = bk.asarray(np.stack([b[0] for b in blocks])), bk.asarray(np.stack([b[1] for b in blocks]))
        if tune:
            W_V, W_O = rnd(W_V), rnd(W_O)
    with bk.timer(timings, "evaluate"):
        Z, out = bk.evaluate(W_Q, W_K, W_V, W_O, C, Q, s)
        err = float(xp.max(xp.abs(out - Y)))
    if err > ERROR_TOL * max(1.0, float(xp.max(xp.abs(Y)))):
        warnings.append(
            f"S8: the float readout interpolates only to max error {err:.3g} (σ_min/σ_max of Z = {sigma_ratio(bk.to_numpy(Z)):.3g}). "
            "The key–query weights may still admit an exact readout: certify with check_memorizes(..., certify='rigorous'); "
            "to improve the float readout use fewer examples per head, another seed, or solve the readout in higher precision")
    return Layer(W_Q, W_K, W_V, W_O, Z, s, err, tuple(traces), tuple(warnings), timings)


def _trace(bk: Backend, h: int, group: list[int], old: list[int], ch: HeadChoice, C: Any, Q: Any,
           margin: float, z_h: Any, warnings: list[str]) -> HeadTrace:
    """Realised margins of one head (in ``bk``'s library and dtype): saturation of the old rows; ``margin``
    is σ_min/σ_max of ``Z[R_h, heads 1..h]`` (from the updated factor, :class:`~.rowspace.RowSpace`)."""
    xp = bk.xp
    k, n = len(group), C.shape[-2]
    if margin <= RTOL:
        warnings.append(
            f"head {h}: Z restricted to rows R_h (heads 1..{h + 1}) has σ_min/σ_max = {margin:.3g}: {bk.dtype_name} cannot "
            "confirm Inv(h); the rigorous check may still prove rank Z = T. Try fewer examples per head or another seed")
    s = xp.linalg.svdvals(ch.W_K @ ch.W_Q.T)
    rank_num = int(xp.sum(xp.astype(s > RTOL * s[0], xp.int64))) if float(s[0]) > 0 else 0
    used = xp.sum(xp.abs(ch.W_K), axis=0) * xp.sum(xp.abs(ch.W_Q), axis=0)
    rank_bound = int(xp.sum(xp.astype(used != 0, xp.int64)))
    log_l1: tuple[float, ...] = ()
    log_bound: tuple[float, ...] = ()
    leak = 0.0
    sk_real = ch.sigma_k_D_star
    if old:
        L = head_logits(bk, C, old, ch.W_K, bk.take(Q, old) @ ch.W_Q)
        ls = bk.log_softmax(L, axis=1)
        # log ‖s − e_i‖₁ = log(2 (1 − s_i)) = log 2 + log Σ_{j≠i} s_j, evaluated from log-softmax
        top = xp.arange(n, device=bk.device)[None, :] == ch.argmax_old[:, None]
        log_rest = bk.logsumexp(xp.where(top, -math.inf, ls), axis=1)
        log_l1 = tuple(float(math.log(2.0) + x) for x in bk.to_numpy(log_rest))
        log_bound = tuple(float(math.log(2.0 * (n - 1)) - (ch.c * g - 2.0 * b))
                          for g, b in zip(bk.to_numpy(ch.gaps_old), bk.to_numpy(ch.beta_old)))
        wrong = bk.indices(xp.argmax(L, axis=1) != ch.argmax_old)
        if wrong:
            warnings.append(f"head {h}: old examples {[old[i] for i in wrong][:5]} do not attend mostly to the predicted "
                            f"token i_t in {bk.dtype_name} (S4)")
        D = bk.take(z_h, group) - ch.G @ bk.take(z_h, old)
        sv = xp.linalg.svdvals(D)
        sk_real = float(sv[-1]) if sv.shape[0] >= k else 0.0
        qn = bk.take(Q, group) @ ch.nu
        leak = float(ch.c * xp.max(xp.abs(qn)[:, None] * xp.abs(context_times(bk, C, group, ch.u))))
    return HeadTrace(
        head=h, group=tuple(group), old=len(old), k=k, gamma=ch.gamma, beta=ch.beta, G_norm=ch.G_norm,
        sigma_k_D_star=ch.sigma_k_D_star, sigma_k_D_realised=sk_real, c_star=ch.c_star, c=ch.c,
        rank_W_bound=rank_bound, rank_W_numerical=rank_num,
        saturation_argmax=tuple(int(i) for i in bk.to_numpy(ch.argmax_old)),
        saturation_log_l1=log_l1, saturation_log_bound=log_bound, old_examples=tuple(old), rank_margin=margin,
        logit_leak=leak, draws=ch.draws, sigma_1_D_star=ch.sigma_1_D_star,
    )

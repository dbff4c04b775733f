"""A bound on the evaluation error of the exported layer in a floating-point dtype: :func:`evaluation_error_bound`.

The exported ``torch.nn.MultiheadAttention`` (:mod:`.torch_mha`) holds the stored weights exactly (they
are representable in the dtype: build with ``target_dtype``). Evaluated in a dtype with unit roundoff
``u`` it computes, per example ``t`` and head ``h``, the projections ``q = W_q ẽ``, ``k_i = W_k x_i``,
``v_i = W_v x_i``, the logits ``l_i = q·k_i/√p``, the softmax, the mix ``Σ_i p_i v_i`` and ``out_proj``.
The bound compares that with the labels:

    |ŷ − y| ≤ |ŷ − y*| + |y* − y|,   y* = M z_t (the real-number layer of the stored numbers).

``|y* − y|`` (the readout's residual) is enclosed in arb balls from the real-number feature enclosure
(:func:`memproof.construction.feature_enclosure`). ``|ŷ − y*|`` follows the steps above with the
standard model ``fl(a ∘ b) = (a ∘ b)(1 + δ)``, ``|δ| ≤ u``, ``γ_m = m u/(1 − m u)``:

- projections (inputs rounded to the dtype first): ``|q̂ − q| ≤ γ_{d+1} |W_q||ẽ|`` (same for k, v);
- logits: ``Δ_i ≤ s[(1 + γ_{p+3}) Σ_a (|q_a| + δq_a)(|k_ia| + δk_ia) − Σ_a |q_a||k_ia|]`` (dot product and
  two scalings);
- softmax, normalised at the exact top entry ``i*`` (``w_i = exp(l_i − l_{i*})``): computed weights
  ``ω_i ∈ w_i exp(±(τ_i + τ_{i*}))``, ``τ_i = Δ_i + u(|l_i − l_{i*}| + 2Δ) + 2u/(1 − 2u)`` (exp accurate to
  2u — hypothesis), hence ``|p̂_i − p_i| ≤ ε_i + w_i σ + β(w_i + ε_i)/S`` with ``ε_i = w_i(e^{τ_i+τ_{i*}} − 1)``,
  ``σ = Σ_{i≠i*} ε_i``, ``β = 2γ_{n+2}`` (sum and division, with room for an online-softmax kernel), plus
  an absolute underflow term;
- mix and ``out_proj``: ``γ_n`` and ``γ_{Hp}`` dot-product bounds on the perturbed operands.

This a priori bound allows any summation order, so it is at least the worst-case rounding of the
final dot products, ``≈ u · max_t Σ_j |M_j||z_{t,j}|`` (``rounding_floor``; 1.3·10⁻³ in float32 at the
authors' default size, where ``Σ|M||z|`` is 2·10⁴), and in practice far more: a logit error ``Δ`` is
``γ_{p+3} Σ|q||k|``, and the suppression column ``c·u`` of the saturating heads makes ``Σ|q||k|`` of 10⁴
while the logits of the new examples are O(1). The a posteriori :func:`observed_error_bound` encloses
instead the error of the evaluation that actually ran (exact arithmetic on its outputs).

Every error term is a sum of non-negative float64 numbers; the float64 evaluation of these sums is
covered by a final factor ``1 + 10⁻⁹`` (their length is below 10⁶, so their own relative rounding is
below ``γ_{10⁶} < 10⁻⁹`` in float64). Hypotheses (stated in the result): IEEE arithmetic in the dtype
with round-to-nearest and no overflow, any summation order (FMA allowed), exp accurate to 2u, inputs
rounded once to the dtype.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..data import Dataset
from ..errors import InvalidArgumentError
from ..model import MHAWeights
from ..validation import describe
from .torch_mha import export_head_dim, round_to_dtype

__all__ = ["ErrorBudget", "ObservedBound", "evaluation_error_bound", "observed_error_bound", "unit_roundoff"]

_UNIT = {"float64": 2.0**-53, "float32": 2.0**-24, "bfloat16": 2.0**-8, "float16": 2.0**-11}
_TINY = {"float64": 2.0**-1074, "float32": 2.0**-149, "bfloat16": 2.0**-133, "float16": 2.0**-24}
_SAFETY = 1.0 + 1e-9

HYPOTHESES = ("IEEE binary arithmetic in the dtype, round to nearest, no overflow; any summation order (FMA allowed)",
              "exp in the dtype accurate to 2 units of roundoff; the queries and context tokens rounded once to the dtype",
              "torch evaluates softmax(q·k/√p) then the value mix (math path) or an online softmax with at most two "
              "extra roundings per term")


def unit_roundoff(dtype: Any) -> float:
    """``u`` of a dtype name: float64 ``2⁻⁵³``, float32 ``2⁻²⁴``, bfloat16 ``2⁻⁸``, float16 ``2⁻¹¹``.

    >>> unit_roundoff("float32") == 2.0**-24
    True
    """
    name = _dtype_name(dtype)
    return _UNIT[name]


def _dtype_name(dtype: Any) -> str:
    name = dtype if isinstance(dtype, str) else str(dtype).replace("torch.", "")
    if name not in _UNIT:
        raise InvalidArgumentError("dtype", describe(dtype), "'float64', 'float32', 'bfloat16' or 'float16'")
    return name


def _gamma(m: int, u: float) -> float:
    if m * u >= 1:
        return math.inf
    return m * u / (1 - m * u)


@dataclasses.dataclass(frozen=True)
class ErrorBudget:
    """The error budget of a layer evaluated in ``dtype`` (see the module docstring for the bound).

    Attributes
    ----------
    dtype : str
    bound : float
        Guaranteed ``max_t ‖ŷ_t − y_t‖_∞`` under the hypotheses.
    residual_bound : float
        Upper bound of ``max |y* − y|`` (real-number layer of the stored numbers vs labels; arb).
    evaluation_bound : float
        Upper bound of ``max |ŷ − y*|`` (rounding in the dtype).
    argmax_margin : float or None
        For one-hot labels: a lower bound of ``min_t (ŷ_{t,c_t} − max_{o≠c_t} ŷ_{t,o})``; positive
        means every argmax is certified. ``None`` for other labels.
    max_logit, max_logit_error : float
        ``max |l|`` over all logits and the largest logit error bound ``Δ``.
    M_norm, M_abs_max : float
        ``‖M‖₂`` and ``max |M_ij|`` of the readout ``M = [W_O^h W_V^hᵀ]``.
    cond_Z : float
        ``σ_max(Z)/σ_min(Z)`` (float64, empirical).
    hypotheses : tuple of str
    observed : ObservedBound or None
        A posteriori: the actual error of one evaluation of the export in the dtype, enclosed exactly.
    readout_fit : ReadoutFit or None
        What :func:`~.readout_fit.fit_readout` did (measured errors per refinement step).
    rounding_floor : float
        ``u · max_t Σ_j |M_j||z_{t,j}|``: below this no bound that allows any summation order can go.
    """

    dtype: str
    bound: float
    residual_bound: float
    evaluation_bound: float
    argmax_margin: float | None
    max_logit: float
    max_logit_error: float
    M_norm: float
    M_abs_max: float
    cond_Z: float
    hypotheses: tuple[str, ...] = HYPOTHESES
    observed: ObservedBound | None = None
    readout_fit: Any = None
    rounding_floor: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["readout_fit"] = self.readout_fit.to_dict() if self.readout_fit is not None else None
        return out

    def summary(self) -> str:
        margin = "" if self.argmax_margin is None else f", certified argmax margin {self.argmax_margin:.3g}"
        seen = "" if self.observed is None else "; " + self.observed.summary()
        return (f"error budget in {self.dtype}: max |output − label| ≤ {self.bound:.3g} guaranteed a priori "
                f"(readout residual ≤ {self.residual_bound:.2g}, rounding ≤ {self.evaluation_bound:.3g}, of which the "
                f"last dot products alone may cost u·max_t Σ|M||z_t| = {self.rounding_floor:.3g}){margin}{seen}; "
                f"max |logit| {self.max_logit:.3g}, ‖M‖₂ {self.M_norm:.3g}, cond Z {self.cond_Z:.3g}")


OBSERVED_SCOPE = ("the exported torch.nn.MultiheadAttention (to_torch_mha, batch_first=False, pad_keys=False) evaluated "
                  "once in the dtype on this machine's CPU backend, on these inputs in one batch: the bound holds for "
                  "every evaluation that reproduces those output bits (CPU kernels are deterministic for fixed shapes, "
                  "torch version and thread count; another backend, e.g. CUDA or TF32, may round otherwise)")


@dataclasses.dataclass(frozen=True)
class ObservedBound:
    """A posteriori: the error of one actual evaluation of the export, enclosed exactly.

    Attributes
    ----------
    bound : float
        An upper bound of ``max_t ‖ŷ_t − y_t‖_∞`` for the computed outputs ``ŷ`` (float64 differences of
        the dtype's outputs and the labels, each rounded up by one ulp: rigorous).
    argmax_margin : float or None
        One-hot labels: a lower bound of ``min_t (ŷ_{t,c_t} − max_{o≠c_t} ŷ_{t,o})`` (rounded down);
        positive means every computed argmax is the label's class.
    scope : str
        What evaluation the bound is about (:data:`OBSERVED_SCOPE`).
    environment : dict
        torch version, threads, dtype of the evaluation.
    """

    bound: float
    argmax_margin: float | None
    scope: str
    environment: dict

    def summary(self) -> str:
        margin = "" if self.argmax_margin is None else f", argmax margin ≥ {self.argmax_margin:.3g}"
        return f"observed evaluation (torch CPU, a posteriori, rigorous for that evaluation): max |output − label| ≤ {self.bound:.3g}{margin}"


def observed_error_bound(weights: MHAWeights, queries: Any, contexts: Any, labels: Any, dtype: Any) -> ObservedBound:
    """Evaluate the export in ``dtype`` (torch, CPU) and enclose its actual error (see :class:`ObservedBound`).

    Every computed output is a number of the dtype, exactly a float64; ``|ŷ − y|`` is computed in float64
    (round to nearest, relative error ≤ 2⁻⁵³) and rounded up by one ulp, the margins rounded down likewise,
    so the bound is rigorous for the evaluation that produced ``ŷ``.

    Examples
    --------
    >>> from memproof.model import AttentionSpec
    >>> w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2, d_h=3, d_v=1, d_o=1), rng=0)
    >>> rng = np.random.default_rng(1)
    >>> Q, E = rng.uniform(size=(5, 4)), rng.uniform(size=(3, 4))
    >>> from memproof.model import mha_batch
    >>> ob = observed_error_bound(w, Q, E, mha_batch(w, E, Q), "float32")
    >>> 0 < ob.bound < 1e-5
    True
    """
    import torch

    from .readout_fit import exported_outputs

    name = _dtype_name(dtype)
    ds = Dataset(queries, contexts, labels)
    Y = ds.labels
    out = exported_outputs(weights, ds.queries, ds.contexts, name)
    if not np.all(np.isfinite(out)):
        return ObservedBound(math.inf, None if _one_hot_classes(Y) is None else -math.inf, OBSERVED_SCOPE, {})
    diff = np.nextafter(np.abs(out - Y), np.inf)
    classes = _one_hot_classes(Y)
    margin = None
    if classes is not None:
        rows = np.arange(ds.T)
        rest = out.copy()
        rest[rows, classes] = -np.inf
        margin = float(np.nextafter(out[rows, classes] - rest.max(axis=1), -np.inf).min())
    env = {"torch": torch.__version__, "threads": torch.get_num_threads(), "dtype": name, "device": "cpu"}
    return ObservedBound(float(diff.max()), margin, OBSERVED_SCOPE, env)


def _one_hot_classes(Y: np.ndarray) -> np.ndarray | None:
    if Y.shape[1] < 2 or not np.all((Y == 0) | (Y == 1)) or not np.all(Y.sum(axis=1) == 1):
        return None
    return np.argmax(Y, axis=1)


def _residual_bound(weights: MHAWeights, ds: Dataset, Y: np.ndarray) -> np.ndarray:
    """Upper bounds (T, d_o) of |M z_t − y_t| for the real-number features (arb)."""
    from flint import arb_mat

    from ..arith.rigorous import arb_upper_float, working_precision
    from ..construction.certify import feature_enclosure

    Zb = feature_enclosure(weights, ds.queries, ds.contexts)
    M = weights.readout()
    with working_precision(106):
        Mt = arb_mat(M.shape[1], M.shape[0], np.ascontiguousarray(M.T).ravel().tolist())
        R = Zb * Mt
        T, d_o = Y.shape
        out = np.empty((T, d_o))
        for t in range(T):
            for o in range(d_o):
                out[t, o] = arb_upper_float(abs(R[t, o] - Y[t, o]))
    return out


def evaluation_error_bound(weights: MHAWeights, queries: Any, contexts: Any, labels: Any, dtype: Any,
                           *, Z: np.ndarray | None = None, readout_fit: Any = None, observe: bool = True) -> ErrorBudget:
    """Rigorous bound (under :data:`HYPOTHESES`) on ``max |ŷ − y|`` of the exported layer evaluated in ``dtype``.

    Parameters
    ----------
    weights : MHAWeights
        Weights representable in ``dtype`` with ``scale = 1/√p`` (what ``target_dtype`` builds), so the
        export holds them exactly; otherwise ``InvalidArgumentError``.
    queries, contexts, labels : array_like
        The dataset (contexts (T, n, d) or a shared (n, d)).
    dtype : str or torch.dtype
    Z : numpy.ndarray, optional
        Float64 features (for ``cond Z``); recomputed if absent.
    readout_fit : ReadoutFit, optional
        Recorded in the budget (what :func:`~.readout_fit.fit_readout` did).
    observe : bool
        Also evaluate the export in ``dtype`` and enclose its actual error (:func:`observed_error_bound`,
        needs torch; skipped when torch is missing).

    Notes
    -----
    The a priori bound allows any summation order, so it can never be smaller than the worst-case
    rounding of the last dot products, about ``u · max_t Σ_j |M_j| |z_{t,j}|`` (reported as
    ``rounding_floor``): with ``‖M‖`` of 10³ and ``T`` of 10³ that is already 10⁻³ in float32 before
    any logit error is counted. The observed bound is the meaningful one at such sizes.
    """
    name = _dtype_name(dtype)
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    ds = Dataset(queries, contexts, labels)
    Y = ds.labels
    H, d, d_h, d_v, d_o = weights.heads, weights.d, weights.d_h, weights.d_v, weights.d_o
    p = export_head_dim(H, d, d_h, d_v, d_o)
    if abs(weights.scale * math.sqrt(p) - 1.0) > 4 * 2.0**-52:
        raise InvalidArgumentError("weights", f"scale {weights.scale!r}", f"scale 1/√p = {1 / math.sqrt(p)!r} (build with target_dtype)")
    for k in ("W_Q", "W_K", "W_V", "W_O"):
        if not np.array_equal(round_to_dtype(getattr(weights, k), name), getattr(weights, k)):
            raise InvalidArgumentError("weights", f"{k} not representable in {name}", f"weights built with target_dtype={name!r}")
    u = _UNIT[name]
    s = weights.scale
    n, T = ds.n, ds.T
    Qa = ds.queries
    C = ds.all_contexts()  # (T, n, d)
    Qa_abs, C_abs = np.abs(Qa), np.abs(C)
    g_in = _gamma(d + 1, u)
    g64 = _gamma(2 * d + p + 3, 2.0**-53)
    gl = _gamma(p + 3, u)
    beta = 2 * _gamma(n + 2, u)
    exp_err = 2 * u / (1 - 2 * u)
    eta = _TINY[name] * 4
    out_err = np.zeros((T, d_o))
    o_abs = np.zeros((T, H, d_v))  # |ô| upper bounds
    o_err = np.zeros((T, H, d_v))
    max_logit, max_delta = 0.0, 0.0
    for h in range(H):
        Wq, Wk, Wv = weights.W_Q[h], weights.W_K[h], weights.W_V[h]
        q = Qa @ Wq  # (T, d_h)
        dq = g_in * (Qa_abs @ np.abs(Wq))
        k = C @ Wk  # (T, n, d_h)
        dk = g_in * (C_abs @ np.abs(Wk))
        l = s * np.einsum("ta,tia->ti", q, k)
        mag = np.einsum("ta,tia->ti", np.abs(q) + dq, np.abs(k) + dk)
        base = np.einsum("ta,tia->ti", np.abs(q), np.abs(k))
        delta = s * ((1 + gl) * mag - base) + s * g64 * mag  # + the float64 error of l itself
        max_logit = max(max_logit, float(np.abs(l).max()))
        max_delta = max(max_delta, float(delta.max()))
        top = np.argmax(l, axis=1)
        rows = np.arange(T)
        dist = l[rows, top][:, None] - l  # ≥ 0
        w = np.exp(-dist)
        D = delta.max(axis=1, keepdims=True)
        tau = delta + u * (dist + 2 * D) + exp_err
        tau_top = tau[rows, top][:, None]
        eps = w * np.expm1(tau + tau_top)
        eps[rows, top] = 0.0
        sigma = eps.sum(axis=1, keepdims=True)
        S = w.sum(axis=1, keepdims=True)
        pw = w / S
        perr = eps + w * sigma + beta * (w + eps) / S + eta
        v = C @ Wv  # (T, n, d_v)
        dv = g_in * (C_abs @ np.abs(Wv))
        pabs = pw + perr
        vabs = np.abs(v) + dv
        o_abs[:, h] = np.einsum("ti,tic->tc", pabs, vabs)
        o_err[:, h] = (_gamma(n, u) * o_abs[:, h] + np.einsum("ti,tic->tc", perr, vabs)
                       + np.einsum("ti,tic->tc", pw, dv))
    g_out = _gamma(H * p, u)
    for o in range(d_o):
        Wo = np.abs(weights.W_O[:, o, :])  # (H, d_v)
        out_err[:, o] = (g_out * np.einsum("thc,hc->t", o_abs + o_err, Wo) + np.einsum("thc,hc->t", o_err, Wo))
    out_err *= _SAFETY
    res = _residual_bound(weights, ds, Y)
    total = out_err + res
    classes = _one_hot_classes(Y)
    margin = None
    if classes is not None:
        rows = np.arange(T)
        low = 1.0 - total[rows, classes]
        high = total.copy()
        high[rows, classes] = -np.inf
        margin = float((low - high.max(axis=1)).min())
    if Z is None:
        from ..model import feature_matrix

        Z = feature_matrix(weights, ds.contexts, ds.queries)
    sv = np.linalg.svd(Z, compute_uv=False)
    M = weights.readout()
    floor = u * float((np.abs(Z) @ np.abs(M).T).max())
    observed = None
    if observe:
        try:
            import torch  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the environment
            observe = False
    if observe:
        observed = observed_error_bound(weights, ds.queries, ds.contexts, Y, name)
    return ErrorBudget(name, float(total.max()), float(res.max()), float(out_err.max()), margin, max_logit, max_delta,
                       float(np.linalg.norm(M, 2)), float(np.abs(M).max()),
                       float(sv[0] / sv[-1]) if sv[-1] > 0 else math.inf, observed=observed, readout_fit=readout_fit,
                       rounding_floor=floor)

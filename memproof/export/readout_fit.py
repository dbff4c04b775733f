"""The readout fitted to the features *as the exported layer computes them* in a dtype (issue #13).

The S8 readout ``M`` solves ``Z M ᵀ = Y`` for the real-number features ``Z`` of the stored ``W_K, W_Q``.
Evaluated in float32, ``torch.nn.MultiheadAttention`` computes other features ``Ẑ`` (the logits
``q·k/√p`` of the saturating heads reach 10⁴, so their float32 rounding moves the softmax), and
``(Ẑ − Z) Mᵀ`` is the dominant float32 error (1.9·10⁻³ at the authors' default size, against
4.5·10⁻⁵ for rounding ``M`` itself). This module removes it:

- :func:`dtype_features` reads ``Ẑ`` off the exported module itself: the same ``W_q, W_k`` (so the
  same logits, softmax and kernel, bit for bit) with ``W_v`` selecting ``p`` coordinates of the
  context tokens and ``out_proj`` the identity, ``⌈d/p⌉`` calls;
- :func:`fit_readout` solves ``Ẑ Mᵀ = Y`` (float64, minimum norm), factors ``M`` into
  ``W_V, W_O`` (L2) rounded to the dtype, and refines: the residual ``Y − ŷ`` of the exported layer
  evaluated in the dtype, a correction ``Ẑ ΔMᵀ = Y − ŷ`` solved in float64 and added, repeated while the
  measured maximum error falls (the best readout is kept).

Only ``W_V, W_O`` change. The rank certificate (S7/S8, :func:`~memproof.construction.check_memorizes`)
is about ``W_K, W_Q`` alone, so it stays valid; the fitted readout is an empirical object, judged by
the measured error in the dtype (and the a posteriori bound of :mod:`.error_bound`).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..data import Dataset
from ..errors import InvalidArgumentError
from ..lemmas.readout_factorisation import factor_readout_block
from ..model import MHAWeights
from ..validation import describe, positive_int
from .torch_mha import export_head_dim, round_to_dtype, to_torch_mha

__all__ = ["ReadoutFit", "dtype_features", "exported_outputs", "fit_readout"]


@dataclasses.dataclass(frozen=True)
class ReadoutFit:
    """What :func:`fit_readout` did.

    Attributes
    ----------
    dtype : str
    errors : tuple of float
        Measured ``max |ŷ − y|`` of the exported layer in ``dtype`` after the first solve and after each
        refinement step.
    kept : int
        Index in ``errors`` of the readout returned (the smallest error).
    feature_shift : float
        ``max |Ẑ − Z|`` (dtype features vs float64 features of the same stored numbers).
    float64_readout_error : float
        The error in ``dtype`` of the float64-fitted readout (``M`` from ``Z``), for comparison.
    """

    dtype: str
    errors: tuple[float, ...]
    kept: int
    feature_shift: float
    float64_readout_error: float

    @property
    def error(self) -> float:
        return self.errors[self.kept]

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "error": self.error}


def exported_outputs(weights: MHAWeights, queries: Any, contexts: Any, dtype: Any) -> np.ndarray:
    """``ŷ`` (T, d_o), float64: the exported ``torch.nn.MultiheadAttention`` evaluated in ``dtype`` (CPU)."""
    return to_torch_mha(weights, dtype=dtype)(contexts, queries).double().numpy()


def dtype_features(weights: MHAWeights, queries: Any, contexts: Any, dtype: Any) -> np.ndarray:
    """The feature matrix ``Ẑ`` (T, H d) as the exported layer computes it in ``dtype`` (CPU).

    Row ``t``, block ``h`` is ``Σ_i p̂_{t,h,i} x_{t,i}``, the softmax weights ``p̂`` being those of the
    exported module (same ``W_q, W_k``, shapes and kernel); each coordinate ``x_{t,i,j}`` passes through
    ``W_v`` (a 0/1 selection) and ``out_proj`` (the identity) exactly, so ``Ẑ`` carries the rounding of
    the logits, the softmax and the mix. Inputs are rounded to ``dtype`` as the export rounds them.

    Examples
    --------
    >>> from memproof.model import AttentionSpec, feature_matrix
    >>> w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2, d_h=3, d_v=1, d_o=1), rng=0)
    >>> rng = np.random.default_rng(1)
    >>> Q, E = rng.uniform(size=(5, 4)), rng.uniform(size=(3, 4))
    >>> bool(np.allclose(dtype_features(w, Q, E, "float64"), feature_matrix(w, E, Q), atol=1e-14))
    True
    """
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    ds = Dataset(queries, contexts)
    H, d, d_h = weights.heads, weights.d, weights.d_h
    p = export_head_dim(H, d, d_h, weights.d_v, weights.d_o)
    W_O = np.zeros((H, H * p, p))
    for h in range(H):
        W_O[h, h * p:(h + 1) * p] = np.eye(p)
    Zh = np.empty((ds.T, H, d))
    for c0 in range(0, d, p):
        width = min(p, d - c0)
        W_V = np.zeros((H, d, p))
        W_V[:, c0:c0 + width, :width] = np.eye(width)
        # d_v = p, d_o = H p keep the export's head dimension p (p ≥ d_h), hence its layout and W_q, W_k
        probe = MHAWeights(weights.W_Q, weights.W_K, W_V, W_O, scale=weights.scale)
        out = exported_outputs(probe, ds.queries, ds.contexts, dtype).reshape(ds.T, H, p)
        Zh[:, :, c0:c0 + width] = out[:, :, :width]
    return Zh.reshape(ds.T, H * d)


def _factor(M: np.ndarray, H: int, d: int, d_v: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    d_o = M.shape[0]
    W_V, W_O = np.zeros((H, d, d_v)), np.zeros((H, d_o, d_v))
    for h in range(H):
        W_V[h], W_O[h] = factor_readout_block(M[:, h * d:(h + 1) * d], d_v)
    return round_to_dtype(W_V, dtype), round_to_dtype(W_O, dtype)


def fit_readout(weights: MHAWeights, queries: Any, contexts: Any, labels: Any, dtype: str, *,
                Z: np.ndarray | None = None, refine: int = 6) -> tuple[MHAWeights, ReadoutFit]:
    """``W_V, W_O`` fitted to the features the exported layer computes in ``dtype``, refined in it.

    Parameters
    ----------
    weights : MHAWeights
        The layer (``W_K, W_Q`` kept bit for bit; its ``W_V, W_O`` give the float64 comparison).
    queries, contexts, labels : array_like
        The dataset.
    dtype : str
        ``"float32"``, ``"bfloat16"``, ``"float16"`` or ``"float64"``.
    Z : numpy.ndarray, optional
        Float64 features of ``weights`` (for :attr:`ReadoutFit.feature_shift`); recomputed if absent.
    refine : int
        Most refinement steps; they stop after two steps without a smaller error.

    Returns
    -------
    (MHAWeights, ReadoutFit)
        Same ``W_Q, W_K, scale``; ``W_V, W_O`` representable in ``dtype``.
    """
    from ..model import feature_matrix

    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    if refine < 0 or isinstance(refine, bool) or not isinstance(refine, (int, np.integer)):
        raise InvalidArgumentError("refine", describe(refine), "an integer ≥ 0")
    ds = Dataset(queries, contexts, labels)
    Y = ds.labels
    H, d, d_v = weights.heads, weights.d, positive_int(weights.d_v, "d_v")
    if Y.shape[1] != weights.d_o:
        raise InvalidArgumentError("labels", f"d_o = {Y.shape[1]}", f"d_o = {weights.d_o} as the weights' W_O")
    Zh = dtype_features(weights, ds.queries, ds.contexts, dtype)
    if Z is None:
        Z = feature_matrix(weights, ds.contexts, ds.queries)

    def layer(M: np.ndarray) -> tuple[MHAWeights, np.ndarray]:
        W_V, W_O = _factor(M, H, d, d_v, dtype)
        w = MHAWeights(weights.W_Q, weights.W_K, W_V, W_O, weights.spec, weights.scale)
        return w, Y - exported_outputs(w, ds.queries, ds.contexts, dtype)

    base = float(np.abs(Y - exported_outputs(weights, ds.queries, ds.contexts, dtype)).max())
    M = np.linalg.lstsq(Zh, Y, rcond=None)[0].T
    w, R = layer(M)
    best, errors, kept, stale = w, [float(np.abs(R).max())], 0, 0
    for _ in range(refine):
        M = w.readout() + np.linalg.lstsq(Zh, R, rcond=None)[0].T
        w, R = layer(M)
        errors.append(float(np.abs(R).max()))
        if errors[-1] < errors[kept]:
            best, kept, stale = w, len(errors) - 1, 0
        else:
            stale += 1
            if stale == 2:
                break
    if base <= errors[kept]:  # never worse than the float64-fitted readout
        best = weights
        errors.append(base)
        kept = len(errors) - 1
    return best, ReadoutFit(str(dtype), tuple(errors), kept, float(np.abs(Zh - Z).max()), base)

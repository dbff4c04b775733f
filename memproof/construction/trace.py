"""Records of the construction (theorem.md §6): one :class:`HeadTrace` per head and the result
:class:`MemorizingMHA` of :func:`~memproof.construction.construct_memorizing_mha`.

Every number in a trace is a floating-point (*empirical*) quantity about the stored float weights, computed
in the array library, device and dtype that the result's ``backend`` names, unless its field says otherwise; the rigorous statement about the weights is made by
:func:`~memproof.construction.check_memorizes`.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..arith.empirical import sigma_ratio
from ..errors import MemproofError
from ..results import Result

__all__ = ["HeadTrace", "MemorizingMHA", "NumericalConstructionError", "RTOL"]

#: relative size below which a float quantity is treated as numerically zero (rank decisions of S1, S5, Inv(h))
RTOL = 1e-12


class NumericalConstructionError(MemproofError, ArithmeticError):
    """A step of the construction could not be carried out reliably in float64.

    Raised e.g. when no random draw gives a numerically full-rank ``D*`` (S5) or distinct entries of
    the suppression directions (S3c). The message says what to try (another seed, fewer examples
    per head, more draws).
    """


@dataclasses.dataclass(frozen=True)
class HeadTrace:
    """What the construction chose for one head ``h`` (0-based ``head``) and how much margin it has.

    Attributes
    ----------
    head : int
        Head index (0-based; the paper's ``h`` is ``head + 1``).
    group : tuple of int
        ``N_h``: the examples this head makes independent (dataset indices).
    old : int
        ``r = |R_{h−1}|``: examples handled by earlier heads (saturated by this head; 0 for head 1).
    k : int
        ``|N_h|``.
    gamma : float
        ``γ = min_t γ_t``: smallest gap between the largest and second largest entry of the
        suppression logit directions ``g_t = (ν·e_t) E_t u`` over old examples (S3c); ``inf`` if none.
    beta : float
        ``β = max_t ‖E_t W* e_t‖_∞`` over old examples (S4), with the stored ``W*``.
    G_norm : float
        ``‖G‖₂``, ``G = V U⁺`` (S2).
    sigma_k_D_star : float
        ``σ_k(D*)``, ``D* = C − G A*`` (S5; head 1: ``σ_k`` of its new feature rows).
    sigma_k_D_realised : float
        ``σ_k(C − G A(c))`` with the realised (float) old features ``A(c)``.
    c_star : float
        The explicit scale of S6 (``0`` if ``G = 0`` or no old examples).
    c : float
        The scale used, ``max(2c*, c* + 1, 1)``; always ``> c_star`` (head 1 has no scale: ``c = c* = 0``).
    rank_W_bound : int
        Exact upper bound of ``rank W^h``: the number of nonzero columns of the stored factors
        ``W_K^h``, ``W_Q^h`` (``k + 1`` for ``h ≥ 2``, ``k`` for head 1); structural, not numerical.
    rank_W_numerical : int
        Numerical rank (float64 SVD, relative tolerance ``1e-12``) of the stored ``W_K^h W_Q^hᵀ``.
    saturation_argmax : tuple of int
        ``i_t`` for each old example (S3c), aligned with ``old_examples``.
    saturation_log_l1 : tuple of float
        ``log ‖softmax(logits) − e_{i_t}‖₁`` per old example, evaluated stably in float64 from the
        realised logits (``-inf`` only if the float logits give exactly one-hot attention with a gap
        beyond ``exp`` range).
    saturation_log_bound : tuple of float
        ``log`` of the L4 bound ``2(n−1) exp(−(c γ_t − 2 β_t))`` per old example.
    old_examples : tuple of int
        The old examples (``R_{h−1}``) in the order of the saturation arrays.
    rank_margin : float
        ``σ_min / σ_max`` of ``Z`` restricted to rows ``R_h`` and heads ``1..h`` — the margin of
        ``Inv(h)`` (``nan`` when the torch path was asked not to track margins).
    logit_leak : float
        Float estimate of how much ``c W⁺`` moves the new examples' logits:
        ``c · max_t |ν·e_t| · ‖E_t u‖_∞`` over ``t ∈ N_h`` (zero in exact arithmetic, S3a).
    draws : int
        Random draws tried (directions ``u, ξ`` and logits), the best kept.
    sigma_1_D_star : float
        ``σ_1(D*)`` of the kept draw (the scale of the rank decision :attr:`rank_decision`).
    """

    head: int
    group: tuple[int, ...]
    old: int
    k: int
    gamma: float
    beta: float
    G_norm: float
    sigma_k_D_star: float
    sigma_k_D_realised: float
    c_star: float
    c: float
    rank_W_bound: int
    rank_W_numerical: int
    saturation_argmax: tuple[int, ...] = ()
    saturation_log_l1: tuple[float, ...] = ()
    saturation_log_bound: tuple[float, ...] = ()
    old_examples: tuple[int, ...] = ()
    rank_margin: float = float("nan")
    logit_leak: float = 0.0
    draws: int = 0
    sigma_1_D_star: float = float("nan")

    @property
    def rank_decision(self) -> bool:
        """The numerical full-rank decision of S1/S5: ``σ_k(D*) > RTOL · σ_1(D*)``."""
        return self.sigma_k_D_star > RTOL * max(self.sigma_1_D_star, 1e-300)

    @property
    def max_saturation_l1(self) -> float:
        """``max_t ‖s_t − e_{i_t}‖₁`` over old examples (0 if none)."""
        return float(np.exp(max(self.saturation_log_l1))) if self.saturation_log_l1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["max_saturation_l1"] = self.max_saturation_l1
        out["rank_decision"] = self.rank_decision
        return out


@dataclasses.dataclass(frozen=True, eq=False)
class MemorizingMHA:
    """Result of :func:`~memproof.construction.construct_memorizing_mha`.

    Attributes
    ----------
    weights : MHAWeights
        The constructed layer (numpy float64; ``weights.to_torch()`` for torch).
    partition : tuple of tuple of int
        ``N_1, …, N_H`` (dataset indices; later groups may be empty).
    trace : tuple of HeadTrace
        One record per head that received examples.
    Z : numpy.ndarray, shape (T, H d)
        Float64 feature matrix of the stored weights.
    max_abs_error : float
        ``max_t ‖MHA(E_t, e_t) − y_t‖_∞`` of the stored float layer (empirical).
    n_bar : int
        ``n̄ = min(n, d_h)``.
    capacity : int
        ``H (n̄ − 1) + 1``.
    seed : int or None
    warnings : tuple of str
        Numerical concerns with what to try (empty when none).
    dataset : Dataset
        The data the layer was built for (used by :meth:`check`).
    assumptions : dict
        What A1/A2 checks the constructor ran.
    target_dtype : str or None
        The dtype the layer was built for (``None``: float64, untuned).
    error_budget : ErrorBudget or None
        With ``target_dtype``: c, ‖M‖, cond Z and the rigorous evaluation-error bound in that dtype
        (:func:`memproof.export.evaluation_error_bound`).
    backend : dict
        The array library (and its version), device and dtype the construction computed in
        (:meth:`memproof.construction.backend.Backend.record`).
    timings : dict
        Wall seconds of the construction's phases (``heads``, ``features``, ``rowspace``, ``readout``, ``evaluate``).
    """

    weights: Any
    partition: tuple[tuple[int, ...], ...]
    trace: tuple[HeadTrace, ...]
    Z: np.ndarray
    max_abs_error: float
    n_bar: int
    capacity: int
    seed: int | None
    warnings: tuple[str, ...]
    dataset: Any
    assumptions: dict = dataclasses.field(default_factory=dict)
    target_dtype: str | None = None
    error_budget: Any = None
    backend: dict = dataclasses.field(default_factory=dict)
    timings: dict = dataclasses.field(default_factory=dict)

    @property
    def rank_margin(self) -> float:
        """``σ_min(Z)/σ_max(Z)`` (float64)."""
        return sigma_ratio(self.Z)

    def to_torch_mha(self, dtype: Any = None, *, batch_first: bool = False, device: Any = None, pad_keys: bool = False) -> Any:
        """A ready ``torch.nn.MultiheadAttention`` and its adapter facts (:func:`memproof.export.to_torch_mha`).

        ``dtype`` defaults to the dtype the layer was built for (float64 unless ``target_dtype``).
        """
        from ..export import to_torch_mha

        return to_torch_mha(self.weights, dtype=self._dtype(dtype), device=device, batch_first=batch_first, pad_keys=pad_keys)

    def state_dict(self, dtype: Any = None, *, pad_keys: bool = False) -> dict[str, Any]:
        """The ``torch.nn.MultiheadAttention`` state dict of :meth:`to_torch_mha` (torch tensors)."""
        from ..export import mha_layout

        return mha_layout(self.weights, pad_keys=pad_keys).state_dict(self._dtype(dtype))

    def to_torch_module(self, dtype: Any = None, device: Any = None) -> Any:
        """memproof's own layer as a ``torch.nn.Module`` (:func:`memproof.torchpath.memorizing_module`)."""
        from ..torchpath.module import memorizing_module

        return memorizing_module(self.weights, dtype=self._dtype(dtype), device=device)

    def _dtype(self, dtype: Any) -> Any:
        return dtype if dtype is not None else getattr(self, "target_dtype", None)

    def check(self, certify: str = "rigorous", **kw: Any) -> Result:
        """:func:`~memproof.construction.check_memorizes` on the stored weights and data."""
        from .certify import check_memorizes

        ds = self.dataset
        return check_memorizes(self.weights, ds.queries, ds.contexts, ds.labels, certify=certify, **kw)

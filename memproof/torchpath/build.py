"""The construction of Theorem 1 (theorem.md §6, S1–S8) with torch tensors: :func:`construct_memorizing_mha_torch`.

There is one construction, :func:`memproof.construction.construct.build_layer`, written against the
array API standard (:mod:`memproof.construction.backend`); this module runs it with torch on a device
(CPU, CUDA) in float64 or float32 and keeps the tensors there. Every random choice comes from
``numpy.random.default_rng(seed)`` in the same order as in
:func:`memproof.construction.construct_memorizing_mha`, so with the same seed and partition both give
the same weights up to rounding. Results are empirical; certify with
:func:`memproof.construction.check_memorizes` on :meth:`TorchConstruction.to_numpy_weights`.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ..construction.backend import Backend
from ..construction.construct import build_layer, construction_problem
from ..construction.trace import HeadTrace
from ..model import MHAWeights
from ..validation import positive_int
from .env import require_torch, torch_info

__all__ = ["construct_memorizing_mha_torch", "TorchConstruction", "numerical_rank"]


@dataclasses.dataclass(frozen=True, eq=False)
class TorchConstruction:
    """Result of :func:`construct_memorizing_mha_torch` (tensors stay on their device).

    ``trace`` holds one :class:`~memproof.construction.HeadTrace` per head that received examples;
    ``backend`` names the array library, device and dtype (``{"library": "torch", ...}``), ``env`` the
    torch environment (:func:`~memproof.torchpath.torch_info`: TF32 flags, threads), ``timings`` the
    wall seconds of the phases (``total``, ``heads``, ``features``, ``rowspace``, ``readout``, ``evaluate``).
    """

    W_Q: Any
    W_K: Any
    W_V: Any
    W_O: Any
    Z: Any
    partition: tuple[tuple[int, ...], ...]
    trace: tuple[HeadTrace, ...]
    max_abs_error: float
    n_bar: int
    capacity: int
    seed: int | None
    timings: dict[str, float]
    env: dict[str, Any]
    warnings: tuple[str, ...] = ()
    scale: float = 1.0
    backend: dict = dataclasses.field(default_factory=dict)

    def to_numpy_weights(self, n: int | None = None) -> MHAWeights:
        """The weights as a float64 :class:`~memproof.model.MHAWeights` (for the rigorous checker)."""
        arrs = [t.detach().to("cpu", dtype=require_torch().float64).numpy() for t in (self.W_Q, self.W_K, self.W_V, self.W_O)]
        w = MHAWeights(*arrs, scale=self.scale)
        return w if n is None else w.with_spec(w.spec_for(n))

    def summary(self) -> dict[str, Any]:
        """JSON-ready record: sizes, error, timings, backend, environment, per-head traces."""
        return {"T": int(self.Z.shape[0]), "H": int(self.W_Q.shape[0]), "d": int(self.W_Q.shape[1]),
                "d_h": int(self.W_Q.shape[2]), "n_bar": self.n_bar, "capacity": self.capacity, "seed": self.seed,
                "max_abs_error": self.max_abs_error, "timings": dict(self.timings), "backend": dict(self.backend),
                "env": dict(self.env), "warnings": list(self.warnings), "trace": [t.to_dict() for t in self.trace]}


def numerical_rank(Z: Any, rtol: float | None = None) -> dict[str, Any]:
    """Numerical rank of a (T × m) tensor: singular values above ``rtol · σ_max`` (default
    ``max(T, m) · eps``, numpy's rule), with ``σ_min/σ_max`` of the first ``min(T, m)`` values. Empirical."""
    torch = require_torch()
    s = torch.linalg.svdvals(Z)
    eps = float(torch.finfo(Z.dtype).eps)
    tol = (max(Z.shape) * eps if rtol is None else rtol) * float(s[0]) if s.numel() else 0.0
    rank = int((s > tol).sum())
    return {"rank": rank, "rows": int(Z.shape[0]), "full_row_rank": rank == Z.shape[0],
            "sigma_max": float(s[0]) if s.numel() else 0.0, "sigma_min": float(s[-1]) if s.numel() else 0.0,
            "sigma_ratio": float(s[-1] / s[0]) if s.numel() and float(s[0]) > 0 else 0.0, "tolerance": tol}


def construct_memorizing_mha_torch(
    queries: Any, contexts: Any, labels: Any, *, heads: int, d_h: int, d_v: int | None = None,
    seed: int | None = None, partition: Any = None, draws: int = 4, device: Any = None, dtype: Any = None,
    track_margins: bool | None = None, check_assumptions: bool = False,
) -> TorchConstruction:
    """Build an MHA layer that memorizes ``(E_t, e_t) ↦ y_t`` (S1–S8) with torch on ``device`` in ``dtype``.

    Parameters are those of :func:`memproof.construction.construct_memorizing_mha` plus

    device : str or torch.device, optional
        ``"cpu"`` (default) or ``"cuda"``.
    dtype : torch.float64 (default) or torch.float32 (or their names)
    track_margins : bool, optional
        Compute ``σ_min/σ_max`` of ``Z[R_h, heads 1..h]`` after every head (from the updated row-space
        factor, on the CPU; the default does it only while ``T·H·d ≤ 4e6``).
    check_assumptions : bool
        Decide A1 (on the subsets used) and A2 exactly first, with the numpy checker (slow at scale;
        default False here — the numerical checks of every step still run).

    Inputs may be numpy arrays or tensors. Returns a :class:`TorchConstruction`.
    """
    torch = require_torch()
    bk = Backend.torch(device, dtype)
    timings: dict[str, float] = {}
    with bk.timer(timings, "total"):
        as_np = lambda x: x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x  # noqa: E731
        ds, spec, groups = construction_problem(as_np(queries), as_np(contexts), as_np(labels), heads=heads, d_h=d_h,
                                                d_v=d_v, seed=seed, partition=partition)
        draws = positive_int(draws, "draws")
        if check_assumptions:
            from ..assumptions import require_used_assumptions

            with bk.timer(timings, "assumptions"):
                require_used_assumptions(ds, groups)
        if track_margins is None:
            track_margins = ds.T * spec.heads * ds.d <= 4_000_000
        layer = build_layer(bk, ds, spec, groups, seed=seed, draws=draws, track_margins=track_margins)
    timings.update(layer.timings)
    return TorchConstruction(layer.W_Q, layer.W_K, layer.W_V, layer.W_O, layer.Z, groups, layer.trace, layer.max_abs_error,
                             spec.n_bar, spec.capacity, seed, timings, torch_info(bk.device, bk.dtype), layer.warnings,
                             layer.scale, bk.record())

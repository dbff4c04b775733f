"""The torch path: the model, the features ``Z`` and the construction of Theorem 1 in torch.

The model (:mod:`.model`) is torch's evaluation of :mod:`memproof.model`; the construction is *not* a
second implementation: :func:`construct_memorizing_mha_torch` runs the one construction
(:func:`memproof.construction.construct.build_layer`, written against the array API standard) with
torch tensors on any device (CPU, CUDA), in float64 or float32. Results record the array library,
device, dtype, TF32 settings and timings. torch is imported
lazily: ``import memproof.torchpath`` works without torch; calling anything that computes needs it.

- :mod:`.env` — :func:`torch_info`, :func:`resolve_device`, :func:`resolve_dtype`, timers;
- :mod:`.model` — :func:`attention`, :func:`head_features`, :func:`feature_matrix`, :func:`mha_batch`;
- :mod:`.build` — :func:`construct_memorizing_mha_torch` (S1–S8), :class:`TorchConstruction`,
  :func:`numerical_rank`;
- :mod:`.module` — :func:`memorizing_module`: memproof's layer as a ``torch.nn.Module`` (its own layout;
  for ``torch.nn.MultiheadAttention`` see :func:`memproof.export.to_torch_mha`).

The construction draws its random choices from the same ``numpy.random.default_rng(seed)`` stream,
in the same order, as :func:`memproof.construction.construct_memorizing_mha` (the same code), so with
the same seed and partition both give the same weights up to rounding (and the same rank decisions). Its results are
*empirical*; certify a constructed instance with :func:`memproof.construction.check_memorizes`
(``TorchConstruction.to_numpy_weights()``).
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "torch_info", "resolve_device", "resolve_dtype",
    "attention", "head_features", "feature_matrix", "mha_batch",
    "construct_memorizing_mha_torch", "TorchConstruction", "numerical_rank", "memorizing_module",
]

_LAZY = {
    "torch_info": "env", "resolve_device": "env", "resolve_dtype": "env",
    "attention": "model", "head_features": "model", "feature_matrix": "model", "mha_batch": "model",
    "construct_memorizing_mha_torch": "build", "TorchConstruction": "build", "numerical_rank": "build",
    "memorizing_module": "module",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

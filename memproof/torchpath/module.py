"""memproof's own layer (theorem.md §1) as a ``torch.nn.Module``: :func:`memorizing_module`.

Unlike the ``torch.nn.MultiheadAttention`` export (:func:`memproof.export.to_torch_mha`) this module keeps
memproof's layout and symbols — parameters ``W_Q, W_K`` (H, d, d_h), ``W_V`` (H, d, d_v),
``W_O`` (H, d_o, d_v), the logit scale ``s`` — and its forward is :func:`memproof.torchpath.model.mha_batch`::

    forward(contexts, queries) = [Σ_h W_O^h W_V^hᵀ E_tᵀ softmax(s · E_t W_K^h W_Q^hᵀ e_t)]_t    (T, d_o)

with ``contexts`` (T, n, d) or one shared (n, d) and ``queries`` (T, d).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..model import MHAWeights
from ..errors import InvalidArgumentError
from ..validation import describe
from . import model as tm
from .env import require_torch, resolve_device

__all__ = ["memorizing_module"]


@lru_cache(maxsize=1)
def _module_class() -> type:
    torch = require_torch()

    class MemorizingAttention(torch.nn.Module):
        """The theorem's multi-head attention layer read at the query (no skip connection)."""

        def __init__(self, W_Q: Any, W_K: Any, W_V: Any, W_O: Any, scale: float = 1.0) -> None:
            super().__init__()
            self.W_Q, self.W_K = torch.nn.Parameter(W_Q), torch.nn.Parameter(W_K)
            self.W_V, self.W_O = torch.nn.Parameter(W_V), torch.nn.Parameter(W_O)
            self.scale = float(scale)

        def forward(self, contexts: Any, queries: Any) -> Any:
            return tm.mha_batch(self.W_Q, self.W_K, self.W_V, self.W_O, contexts, queries, scale=self.scale)

        def extra_repr(self) -> str:
            H, d, d_h = self.W_Q.shape
            return f"H={H}, d={d}, d_h={d_h}, d_v={self.W_V.shape[2]}, d_o={self.W_O.shape[1]}, scale={self.scale!r}"

    return MemorizingAttention


def memorizing_module(weights: MHAWeights, *, dtype: Any = None, device: Any = None) -> Any:
    """A ``torch.nn.Module`` with memproof's layout holding ``weights`` (``dtype`` default float64).

    >>> import numpy as np, torch
    >>> from memproof.model import AttentionSpec, MHAWeights, mha_batch
    >>> w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2), rng=0)
    >>> m = memorizing_module(w)
    >>> E, q = np.ones((3, 4)) + np.eye(3, 4), np.eye(4)
    >>> bool(np.allclose(m(torch.tensor(E), torch.tensor(q)).detach().numpy(), mha_batch(w, E, q)))
    True
    """
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights (e.g. built.weights)")
    from ..export.torch_mha import _torch_dtype

    torch = require_torch()
    dt, dev = _torch_dtype(dtype), resolve_device(device)
    ts = [torch.tensor(getattr(weights, k), dtype=dt, device=dev) for k in ("W_Q", "W_K", "W_V", "W_O")]
    return _module_class()(*ts, scale=weights.scale)

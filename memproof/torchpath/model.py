"""The attention layer of Theorem 1 in torch, batched over examples (and heads).

Same mathematics and layout as :mod:`memproof.model` (theorem.md §1)::

    s_{t,h} = softmax(s · E_t W_K^h W_Q^hᵀ e_t),  z_{t,h} = E_tᵀ s_{t,h},  MHA(E_t, e_t) = Σ_h W_O^h W_V^hᵀ z_{t,h}

``contexts`` is (T, n, d) or one shared (n, d); weights are stacked over heads: ``W_Q, W_K`` (H, d, d_h),
``W_V`` (H, d, d_v), ``W_O`` (H, d_o, d_v). The softmax is torch's (shifted, log-sum-exp stable), so
saturated heads with logits of 1e8 give exact one-hot attention. ``scale`` is the logit scale ``s``
(:attr:`memproof.model.MHAWeights.scale`; 1 in the paper, ``1/√d_h`` for scaled dot-product attention).

The logits are evaluated as ``E_t (W_K^h (W_Q^hᵀ e_t))`` — O(T H (d d_h + n d)) instead of forming
``E_t W_K^h`` — the order :mod:`memproof.model` uses for per-example contexts.
"""
from __future__ import annotations

from typing import Any

from .env import require_torch


def _as(x: Any, like: Any) -> Any:
    torch = require_torch()
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def logits(W_Q: Any, W_K: Any, contexts: Any, queries: Any, scale: float = 1.0) -> Any:
    """``s · E_t W_K^h W_Q^hᵀ e_t``: shape (T, H, n)."""
    torch = require_torch()
    q = torch.einsum("td,hda->tha", queries, W_Q)  # W_Q^hᵀ e_t
    v = torch.einsum("hka,tha->thk", W_K, q)  # W^h e_t  (T, H, d)
    a = torch.einsum("nk,thk->thn", contexts, v) if contexts.dim() == 2 else torch.einsum("tnk,thk->thn", contexts, v)
    return a if scale == 1.0 else a * scale


def attention(W_Q: Any, W_K: Any, contexts: Any, queries: Any, scale: float = 1.0) -> Any:
    """Attention vectors ``s_{t,h}``: shape (T, H, n), each on the simplex."""
    return require_torch().softmax(logits(W_Q, W_K, contexts, queries, scale), dim=-1)


def head_features(W_Q: Any, W_K: Any, contexts: Any, queries: Any, scale: float = 1.0) -> Any:
    """Head features ``z_{t,h} = E_tᵀ s_{t,h}``: shape (T, H, d)."""
    return _mix(attention(W_Q, W_K, contexts, queries, scale), contexts)


def _mix(s: Any, contexts: Any) -> Any:
    """``E_tᵀ s_{t,h}`` for attention ``s`` (T, H, n)."""
    torch = require_torch()
    if contexts.dim() == 2:
        return torch.einsum("thn,nd->thd", s, contexts)
    return torch.einsum("thn,tnd->thd", s, contexts)


def feature_matrix(W_Q: Any, W_K: Any, contexts: Any, queries: Any, scale: float = 1.0) -> Any:
    """``Z ∈ R^{T × H d}`` (row t = ``[z_{t,1}; …; z_{t,H}]``), the layout of :func:`memproof.model.feature_matrix`."""
    z = head_features(W_Q, W_K, contexts, queries, scale)
    return z.reshape(z.shape[0], -1)


def mha_batch(W_Q: Any, W_K: Any, W_V: Any, W_O: Any, contexts: Any, queries: Any, *, with_attention: bool = False,
              scale: float = 1.0) -> Any:
    """Layer outputs ``MHA(E_t, e_t)``: shape (T, d_o); with ``with_attention`` also the attention (T, H, n)."""
    torch = require_torch()
    s = attention(W_Q, W_K, contexts, queries, scale)
    v = torch.einsum("thd,hdv->thv", _mix(s, contexts), W_V)
    out = torch.einsum("thv,hov->to", v, W_O)
    return (out, s) if with_attention else out

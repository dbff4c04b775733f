"""Constructed layers as portable objects: ``torch.nn.MultiheadAttention`` export and dtype error bounds.

- :mod:`.torch_mha` — :func:`mha_layout` (numpy), :func:`to_torch_mha`, :func:`save_torch_mha`,
  :func:`load_torch_mha`: the theorem's layer in ``torch.nn.MultiheadAttention``'s layout, with the
  adapter facts (``query_pad``, ``key_pad``, ``output_slice``) and the ``1/√head_dim`` folded into ``W_Q``.
- :mod:`.error_bound` — :func:`evaluation_error_bound`: a rigorous bound on ``max |output − label|`` of
  the exported layer evaluated in a floating-point dtype (IEEE rounding model, ball arithmetic).

torch is imported only by the functions that build tensors.
"""
from __future__ import annotations

from .torch_mha import TorchMHAExport, TorchMHALayout, load_torch_mha, mha_layout, save_torch_mha, to_torch_mha

__all__ = ["TorchMHAExport", "TorchMHALayout", "mha_layout", "to_torch_mha", "save_torch_mha", "load_torch_mha"]

"""Constructed layers as portable objects: ``torch.nn.MultiheadAttention`` export and dtype error bounds.

- :mod:`.torch_mha` — :func:`mha_layout` (numpy), :func:`to_torch_mha`, :func:`save_torch_mha`,
  :func:`load_torch_mha`: the theorem's layer in ``torch.nn.MultiheadAttention``'s layout, with the
  adapter facts (``query_pad``, ``key_pad``, ``output_slice``) and the ``1/√head_dim`` folded into ``W_Q``.
- :mod:`.readout_fit` — :func:`fit_readout`: ``W_V, W_O`` fitted to the features the exported layer
  computes in a dtype (read off the module itself) and refined in it.
- :mod:`.error_bound` — :func:`evaluation_error_bound`: a rigorous a priori bound on ``max |output − label|``
  of the exported layer evaluated in a floating-point dtype (IEEE rounding model, ball arithmetic), and
  :func:`observed_error_bound`, the exact enclosure of one actual evaluation's error (a posteriori).
- :mod:`.select` — :func:`construct_for_dtype`: the best of a few seeds by the measured error in the dtype.

torch is imported only by the functions that build tensors.
"""
from __future__ import annotations

from .error_bound import ErrorBudget, ObservedBound, evaluation_error_bound, observed_error_bound
from .readout_fit import ReadoutFit, dtype_features, fit_readout
from .select import construct_for_dtype
from .torch_mha import TorchMHAExport, TorchMHALayout, load_torch_mha, mha_layout, save_torch_mha, to_torch_mha

__all__ = ["TorchMHAExport", "TorchMHALayout", "mha_layout", "to_torch_mha", "save_torch_mha", "load_torch_mha",
           "ErrorBudget", "ObservedBound", "evaluation_error_bound", "observed_error_bound", "ReadoutFit",
           "dtype_features", "fit_readout", "construct_for_dtype"]

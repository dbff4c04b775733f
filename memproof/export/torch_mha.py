"""Export a constructed layer to ``torch.nn.MultiheadAttention`` (theorem.md §1 → torch's layout).

The theorem's layer, read at one query ``e_t`` attending to its context ``E_t`` (no skip connection,
the query does not attend to itself), is

    MHA(E_t, e_t) = Σ_h W_O^h W_V^hᵀ E_tᵀ softmax(s · E_t W_K^h W_Q^hᵀ e_t)

(``s`` = :attr:`~memproof.model.MHAWeights.scale`). ``torch.nn.MultiheadAttention`` with query
``q`` (1 token), key = value = the ``n`` context tokens computes, per head ``h`` (rows
``h·p … h·p + p − 1`` of its projections, ``p`` = ``head_dim``),
``softmax((W_q q)_h · (W_k x_i)_h / √p)`` mixing ``(W_v x_i)_h``, then ``out_proj``. The layout:

==========================  ===============================================================
``head_dim`` ``p``           ``max(d_h, d_v, ⌈max(d, d_o)/H⌉)`` (``embed_dim = H p`` must hold the
                             query and the output)
``embed_dim``                ``H p``; ``kdim = vdim = d`` (``= embed_dim`` with ``pad_keys``)
``query_pad``                ``embed_dim − d`` zeros appended to each query token
``key_pad``                  zeros appended to each context token (0, or ``embed_dim − d``)
``W_q`` rows of head h       ``fold · W_Q^hᵀ`` with ``fold = s √p`` (torch divides by √p)
``W_k``, ``W_v`` rows        ``W_K^hᵀ``, ``W_V^hᵀ`` (zero rows pad ``d_h``, ``d_v`` up to ``p``)
``out_proj`` columns         ``W_O^h`` in rows ``0 … d_o − 1`` (the ``output_slice``)
==========================  ===============================================================

No biases (``bias=False``), no dropout. When ``kdim = vdim = embed_dim`` torch packs the three input
projections into ``in_proj_weight`` ((3·embed_dim) × embed_dim); otherwise it keeps
``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``. ``fold`` is exactly 1 when the layer was
built with ``scale = 1/√p`` (up to the last bit of the float ``s``), so no bit of ``W_Q`` changes.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..model import MHAWeights
from ..validation import describe

__all__ = ["TorchMHALayout", "TorchMHAExport", "mha_layout", "to_torch_mha", "save_torch_mha", "load_torch_mha"]

#: version of the file written by :func:`save_torch_mha`
EXPORT_FORMAT = 1
_EPS64 = float(np.finfo(np.float64).eps)


@dataclasses.dataclass(frozen=True, eq=False)
class TorchMHALayout:
    """``torch.nn.MultiheadAttention`` keyword arguments, state dict (float64 numpy) and adapter facts.

    Attributes
    ----------
    config : dict
        Keyword arguments of ``torch.nn.MultiheadAttention`` (``embed_dim``, ``num_heads``, ``kdim``,
        ``vdim``, ``bias=False``, ``dropout=0.0``, ``add_bias_kv``, ``add_zero_attn``).
    arrays : dict of str to numpy.ndarray
        The module's state dict in float64 (fresh writable arrays).
    query_pad, key_pad : int
        Zeros appended to each query token / each context token.
    output_slice : tuple of int
        ``[start, stop)`` of the output channels that hold the labels.
    head_dim : int
        ``p = embed_dim / num_heads``.
    fold : float
        ``s √p``: the factor multiplied into ``W_Q`` (1.0 when nothing was folded).
    """

    config: dict
    arrays: dict
    query_pad: int
    key_pad: int
    output_slice: tuple[int, int]
    head_dim: int
    fold: float

    def state_dict(self, dtype: Any = None, device: Any = None) -> dict[str, Any]:
        """The state dict as torch tensors in ``dtype`` (default float64), rounded once from float64."""
        from ..torchpath.env import require_torch, resolve_device

        torch = require_torch()
        dt = _torch_dtype(dtype)
        return {k: torch.tensor(v, dtype=dt, device=resolve_device(device)) for k, v in self.arrays.items()}

    def facts(self) -> dict[str, Any]:
        """The adapter facts as plain Python values."""
        return {"query_pad": self.query_pad, "key_pad": self.key_pad, "output_slice": list(self.output_slice),
                "head_dim": self.head_dim, "fold": self.fold}


def _torch_dtype(dtype: Any) -> Any:
    from ..torchpath.env import require_torch

    torch = require_torch()
    if dtype is None:
        return torch.float64
    table = {"float64": torch.float64, "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if isinstance(dtype, str):
        if dtype not in table:
            raise InvalidArgumentError("dtype", repr(dtype), "'float64', 'float32', 'bfloat16' or 'float16'")
        return table[dtype]
    if dtype not in table.values():
        raise InvalidArgumentError("dtype", repr(dtype), "torch.float64, torch.float32, torch.bfloat16 or torch.float16")
    return dtype


def mha_layout(weights: MHAWeights, *, pad_keys: bool = False) -> TorchMHALayout:
    """The ``torch.nn.MultiheadAttention`` layout of ``weights`` (numpy only; see the module table).

    Parameters
    ----------
    weights : MHAWeights
        ``W_Q, W_K`` (H, d, d_h), ``W_V`` (H, d, d_v), ``W_O`` (H, d_o, d_v) and the logit scale ``s``.
    pad_keys : bool
        Make ``kdim = vdim = embed_dim`` (context tokens padded with ``key_pad`` zeros; torch then uses
        the packed ``in_proj_weight``), as for a self-attention block of width ``embed_dim``.

    Examples
    --------
    >>> from memproof.model import AttentionSpec
    >>> w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2, d_h=3, d_v=1, d_o=1), rng=0)
    >>> lay = mha_layout(w)
    >>> lay.config["embed_dim"], lay.head_dim, lay.query_pad, lay.key_pad, lay.output_slice
    (6, 3, 2, 0, (0, 1))
    >>> sorted(lay.arrays)
    ['k_proj_weight', 'out_proj.weight', 'q_proj_weight', 'v_proj_weight']
    >>> bool(np.allclose(lay.arrays["q_proj_weight"][:3, :4], np.sqrt(3) * w.W_Q[0].T))   # 1/√p folded in
    True
    """
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights (e.g. built.weights)")
    H, d, d_h, d_v, d_o = weights.heads, weights.d, weights.d_h, weights.d_v, weights.d_o
    p = export_head_dim(H, d, d_h, d_v, d_o)
    emb = H * p
    kdim = emb if pad_keys else d
    fold = weights.scale * math.sqrt(p)
    if abs(fold - 1.0) <= 4 * _EPS64:
        fold = 1.0
    Wq, Wk, Wv = np.zeros((emb, emb)), np.zeros((emb, kdim)), np.zeros((emb, kdim))
    Wo = np.zeros((emb, emb))
    for h in range(H):
        r = h * p
        Wq[r:r + d_h, :d] = weights.W_Q[h].T if fold == 1.0 else fold * weights.W_Q[h].T
        Wk[r:r + d_h, :d] = weights.W_K[h].T
        Wv[r:r + d_v, :d] = weights.W_V[h].T
        Wo[:d_o, r:r + d_v] = weights.W_O[h]
    if kdim == emb:
        arrays = {"in_proj_weight": np.concatenate([Wq, Wk, Wv]), "out_proj.weight": Wo}
    else:
        arrays = {"q_proj_weight": Wq, "k_proj_weight": Wk, "v_proj_weight": Wv, "out_proj.weight": Wo}
    config = {"embed_dim": emb, "num_heads": H, "dropout": 0.0, "bias": False, "add_bias_kv": False,
              "add_zero_attn": False, "kdim": kdim, "vdim": kdim}
    return TorchMHALayout(config, arrays, emb - d, kdim - d, (0, d_o), p, fold)


@dataclasses.dataclass(frozen=True, eq=False)
class TorchMHAExport:
    """A ready ``torch.nn.MultiheadAttention`` and the adapter that feeds it the theorem's inputs.

    Call it as ``export(contexts, queries)``: contexts (T, n, d) or one shared (n, d), queries (T, d),
    numpy or torch; returns the (T, d_o) outputs ``MHA(E_t, e_t)``. Or use ``module`` directly: append
    ``query_pad`` zeros to each query and ``key_pad`` zeros to each context token, pass the query as a
    length-1 sequence and the context as key and value, and read channels ``output_slice``.
    """

    module: Any
    query_pad: int
    key_pad: int
    output_slice: tuple[int, int]
    head_dim: int
    fold: float
    batch_first: bool

    def __call__(self, contexts: Any, queries: Any) -> Any:
        torch = _torch()
        p = next(self.module.parameters())
        dt, dev = p.dtype, p.device
        Q, C = _tensor(torch, queries, dt, dev), _tensor(torch, contexts, dt, dev)
        if Q.dim() != 2:
            raise InvalidArgumentError("queries", f"shape {tuple(Q.shape)}", "(T, d)")
        T = Q.shape[0]
        if C.dim() == 2:
            C = C.unsqueeze(0).expand(T, *C.shape)
        if C.dim() != 3 or C.shape[0] != T or C.shape[2] != Q.shape[1]:
            raise InvalidArgumentError("contexts", f"shape {tuple(C.shape)}", f"(T, n, d) = ({T}, n, {Q.shape[1]}) or (n, d)")
        q = torch.nn.functional.pad(Q, (0, self.query_pad)).unsqueeze(1)  # (T, 1, E)
        kv = torch.nn.functional.pad(C, (0, self.key_pad)) if self.key_pad else C  # (T, n, kdim)
        if not self.batch_first:
            q, kv = q.transpose(0, 1), kv.transpose(0, 1)
        with torch.no_grad():
            out, _ = self.module(q, kv, kv, need_weights=False)
        out = out[:, 0] if self.batch_first else out[0]
        a, b = self.output_slice
        return out[:, a:b]


def _tensor(torch: Any, x: Any, dtype: Any, device: Any) -> Any:
    """``x`` as a tensor in ``dtype`` on ``device``; numpy input is copied (a read-only array, e.g. an
    :class:`~memproof.model.MHAWeights` field or a broadcast context, never reaches ``torch.as_tensor``)."""
    if isinstance(x, torch.Tensor):
        return x.to(device, dtype)
    return torch.tensor(np.array(x, dtype=np.float64), dtype=dtype, device=device)


def _torch() -> Any:
    from ..torchpath.env import require_torch

    return require_torch()


def to_torch_mha(weights: MHAWeights, *, dtype: Any = None, device: Any = None, batch_first: bool = False,
                 pad_keys: bool = False) -> TorchMHAExport:
    """A ``torch.nn.MultiheadAttention`` (``dtype`` default float64) computing ``MHA(E_t, e_t)``.

    See :func:`mha_layout` for the layout and :class:`TorchMHAExport` for the adapter.
    """
    from ..torchpath.env import resolve_device

    torch = _torch()
    lay = mha_layout(weights, pad_keys=pad_keys)
    dt = _torch_dtype(dtype)
    dev = resolve_device(device)
    module = torch.nn.MultiheadAttention(**lay.config, batch_first=bool(batch_first), device=dev, dtype=dt)
    module.load_state_dict(lay.state_dict(dt, dev), strict=True)
    module.eval()
    return TorchMHAExport(module, lay.query_pad, lay.key_pad, lay.output_slice, lay.head_dim, lay.fold, bool(batch_first))


def save_torch_mha(weights: MHAWeights, path: str | Path, *, dtype: Any = None, pad_keys: bool = False,
                   extra: dict | None = None) -> dict[str, Any]:
    """Write ``{config, state_dict, query_pad, key_pad, output_slice, head_dim, fold, dtype, format}``
    with ``torch.save`` (tensors and plain Python values only: ``torch.load(path)`` reads it with the
    default ``weights_only=True``). ``extra`` (plain values) is stored under ``"info"``. Returns the dict."""
    torch = _torch()
    lay = mha_layout(weights, pad_keys=pad_keys)
    dt = _torch_dtype(dtype)
    blob = {"format": EXPORT_FORMAT, "config": dict(lay.config), "state_dict": lay.state_dict(dt),
            "dtype": str(dt).replace("torch.", ""), **lay.facts()}
    if extra:
        blob["info"] = extra
    torch.save(blob, Path(path))
    return blob


def load_torch_mha(path: str | Path, *, batch_first: bool = False, device: Any = None) -> TorchMHAExport:
    """Read a file of :func:`save_torch_mha` back into a :class:`TorchMHAExport` (``weights_only`` load)."""
    from ..torchpath.env import resolve_device

    torch = _torch()
    blob = torch.load(Path(path), weights_only=True)
    need = ("config", "state_dict", "query_pad", "key_pad", "output_slice")
    if not isinstance(blob, dict) or any(k not in blob for k in need):
        raise InvalidArgumentError("path", f"{str(path)!r}", f"a file written by save_torch_mha with keys {list(need)}")
    sd = blob["state_dict"]
    dt = next(iter(sd.values())).dtype
    module = torch.nn.MultiheadAttention(**blob["config"], batch_first=bool(batch_first), device=resolve_device(device), dtype=dt)
    module.load_state_dict(sd, strict=True)
    module.eval()
    p = blob["config"]["embed_dim"] // blob["config"]["num_heads"]
    return TorchMHAExport(module, int(blob["query_pad"]), int(blob["key_pad"]), tuple(blob["output_slice"]),
                          int(blob.get("head_dim", p)), float(blob.get("fold", math.nan)), bool(batch_first))


def export_head_dim(H: int, d: int, d_h: int, d_v: int, d_o: int) -> int:
    """``p = max(d_h, d_v, ⌈max(d, d_o)/H⌉)``: the head dimension of the export (``embed_dim = H p``).

    >>> export_head_dim(20, 64, 32, 1, 1)
    32
    """
    return max(d_h, d_v, -(-max(d, d_o) // H))


def round_to_dtype(x: Any, dtype: Any) -> np.ndarray:
    """``x`` rounded (to nearest, ties to even) to ``dtype`` and returned as float64 numpy (writable).

    >>> float(round_to_dtype(np.array(1 + 2.0**-30), "float32")[()]), float(round_to_dtype(np.array(1.01), "bfloat16")[()])
    (1.0, 1.0078125)
    """
    a = np.asarray(x, dtype=np.float64)
    name = dtype if isinstance(dtype, str) else str(dtype).replace("torch.", "")
    if name == "float64":
        return a.copy()
    if name == "float32":
        return a.astype(np.float32).astype(np.float64)
    torch = _torch()
    return torch.tensor(a).to(_torch_dtype(name)).to(torch.float64).numpy().copy()

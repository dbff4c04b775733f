"""The multi-head attention layer of Theorem 1 (theorem.md §1), in numpy float64.

One attention layer, no skip connection, read at a query token ``e ∈ R^d`` attending to a context
``E ∈ R^{n×d}`` (rows ``x_1..x_n``; the query does not attend to itself)::

    MHA(E, e) = Σ_{h=1..H} W_O^h W_V^hᵀ Eᵀ softmax(s · E W_K^h W_Q^hᵀ e)   ∈ R^{d_o}

The logit scale ``s`` (:attr:`MHAWeights.scale`) is 1 in the paper; scaled dot-product attention uses
``s = 1/√d_h``. It multiplies the logits only, so ``W^h = s W_K^h W_Q^hᵀ`` is the key–query matrix.

with ``W_Q^h, W_K^h ∈ R^{d×d_h}``, ``W_V^h ∈ R^{d×d_v}`` and ``W_O^h ∈ R^{d_o×d_v}``.

The objects of the proof, and the functions that compute them:

===========================================  ==========================  ====================
object                                       function                    shape
===========================================  ==========================  ====================
key–query matrix ``W^h = W_K^h W_Q^hᵀ``      :meth:`MHAWeights.keyquery`  (H, d, d)
readout ``M = [W_O^1 W_V^1ᵀ, …]``            :meth:`MHAWeights.readout`   (d_o, H d)
attention ``s_{t,h} = softmax(E_t W^h e_t)``  :func:`attention`           (H, n)
head feature ``z_{t,h} = E_tᵀ s_{t,h}``       :func:`head_features`       (H, d)
feature row ``z_t = [z_{t,1}; …; z_{t,H}]``  :func:`feature_row`         (H d,)
feature matrix ``Z`` (rows ``z_t``)          :func:`feature_matrix`      (T, H d)
output ``MHA(E_t, e_t) = M z_t``             :func:`mha`, :func:`mha_batch`  (d_o,), (T, d_o)
===========================================  ==========================  ====================

The softmax is always evaluated in shifted (log-sum-exp) form, so the huge logits of the saturation
step (S4, S6: scales of 1e8 and more) give exact one-hot attention instead of ``inf``/``nan``.
Logits that overflow float64 themselves raise :class:`~memproof.errors.InvalidArgumentError`.

>>> spec = AttentionSpec(n=3, d=4, heads=2, d_h=2)
>>> spec.capacity, spec.param_count
(3, 96)
>>> w = MHAWeights.zeros(spec)          # W_K = W_Q = 0: uniform attention
>>> E = np.array([[3.0, 0, 0, 0], [0, 3.0, 0, 0], [0, 0, 3.0, 0]])
>>> attention(w, E, np.ones(4)) * 3
array([[1., 1., 1.],
       [1., 1., 1.]])
>>> feature_row(w, E, np.ones(4))
array([1., 1., 1., 0., 1., 1., 1., 0.])
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from .arith.empirical import softmax
from .errors import InvalidArgumentError, OutOfRangeError
from .validation import as_float_array, describe, positive_int

__all__ = [
    "AttentionSpec",
    "MHAWeights",
    "attention",
    "attention_batch",
    "head_features",
    "feature_row",
    "feature_matrix",
    "mha",
    "mha_batch",
]

#: Version of the ``.npz`` layout written by :meth:`MHAWeights.save`.
_NPZ_FORMAT = 1
_SPEC_FIELDS = ("n", "d", "heads", "d_h", "d_v", "d_o")


# --------------------------------------------------------------------------------------------- spec
@dataclasses.dataclass(frozen=True)
class AttentionSpec:
    """Sizes of one multi-head attention layer and its inputs.

    Parameters
    ----------
    n : int
        Number of context tokens (rows of ``E``).
    d : int
        Token dimension.
    heads : int
        Number of heads ``H``.
    d_h : int, optional
        Key/query (head) dimension; default ``d``.
    d_v : int, optional
        Value dimension; default ``d``. Theorem 1 asks ``d_v ≥ min(d, d_o)`` (lemma L2).
    d_o : int, optional
        Output dimension (label dimension); default ``d``.

    Notes
    -----
    The model is defined for every ``n``; Theorem 1 itself needs ``n < d`` — see
    :meth:`require_theorem_range`.

    Examples
    --------
    >>> s = AttentionSpec(n=5, d=16, heads=4, d_h=3, d_v=1, d_o=1)
    >>> s.n_bar, s.capacity, s.param_count
    (3, 9, 452)
    >>> AttentionSpec(n=5, d=16, heads=0)
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'heads': got int 0; expected an integer ≥ 1 (the number of heads H)
    """

    n: int
    d: int
    heads: int
    d_h: int | None = None
    d_v: int | None = None
    d_o: int | None = None

    def __post_init__(self) -> None:
        meaning = {
            "n": "the number of context tokens n",
            "d": "the token dimension d",
            "heads": "the number of heads H",
            "d_h": "the head (key/query) dimension d_h",
            "d_v": "the value dimension d_v",
            "d_o": "the output dimension d_o",
        }
        for name in _SPEC_FIELDS:
            value = getattr(self, name)
            if value is None and name in ("d_h", "d_v", "d_o"):
                value = getattr(self, "d")
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 1:
                raise InvalidArgumentError(name, describe(value), f"an integer ≥ 1 ({meaning[name]})")
            object.__setattr__(self, name, int(value))

    # paper symbols -------------------------------------------------------------------------------
    @property
    def H(self) -> int:
        """Number of heads (alias of :attr:`heads`)."""
        return self.heads

    @property
    def n_bar(self) -> int:
        """``n̄ = min(n, d_h)``: the attention patterns one head can shape (theorem.md §3)."""
        return min(self.n, self.d_h)

    @property
    def capacity(self) -> int:
        """The theorem's ``T = H (n̄ − 1) + 1`` examples memorized (Theorem 1, when ``n < d``)."""
        return self.heads * (self.n_bar - 1) + 1

    @property
    def param_count(self) -> int:
        """``H (2 d d_h + d d_v + d_v d_o)``: entries of ``W_Q, W_K, W_V, W_O`` over all heads."""
        return self.heads * (2 * self.d * self.d_h + self.d * self.d_v + self.d_v * self.d_o)

    @property
    def feature_dim(self) -> int:
        """``H d``: the length of a feature row ``z_t`` (columns of ``Z`` and ``M``)."""
        return self.heads * self.d

    def require_theorem_range(self) -> "AttentionSpec":
        """Return ``self`` if Theorem 1 applies (``n < d``), else raise ``OutOfRangeError("T1", …)``.

        >>> AttentionSpec(n=4, d=4, heads=1).require_theorem_range()
        Traceback (most recent call last):
        ...
        memproof.errors.OutOfRangeError: outside the range of T1: Theorem 1 needs n < d; this spec has n=4, d=4 (use fewer context tokens or a larger token dimension)
        """
        if self.n >= self.d:
            raise OutOfRangeError(
                "T1",
                f"Theorem 1 needs n < d; this spec has n={self.n}, d={self.d} "
                "(use fewer context tokens or a larger token dimension)",
            )
        return self

    def shapes(self) -> dict[str, tuple[int, int, int]]:
        """Expected shapes of the stacked weight arrays ``W_Q, W_K, W_V, W_O``."""
        H, d = self.heads, self.d
        return {"W_Q": (H, d, self.d_h), "W_K": (H, d, self.d_h), "W_V": (H, d, self.d_v), "W_O": (H, self.d_o, self.d_v)}


_SYMBOLS = {"W_Q": "(H, d, d_h)", "W_K": "(H, d, d_h)", "W_V": "(H, d, d_v)", "W_O": "(H, d_o, d_v)"}


# ------------------------------------------------------------------------------------------ weights
@dataclasses.dataclass(frozen=True, eq=False)
class MHAWeights:
    """Weights of one multi-head attention layer, stacked over heads (read-only float64 arrays).

    Parameters
    ----------
    W_Q : array_like, shape (H, d, d_h)
        Query matrices ``W_Q^h``.
    W_K : array_like, shape (H, d, d_h)
        Key matrices ``W_K^h``.
    W_V : array_like, shape (H, d, d_v)
        Value matrices ``W_V^h``.
    W_O : array_like, shape (H, d_o, d_v)
        Output matrices ``W_O^h``.
    spec : AttentionSpec, optional
        If given, every array is checked against it and inputs must have ``n = spec.n`` tokens.
        The weights alone do not determine ``n``; without a spec, ``H, d, d_h, d_v, d_o`` are inferred
        from the arrays (see :meth:`spec_for`) and any number of context tokens is accepted.
    scale : float, optional
        Logit scale ``s > 0`` (default 1): the logits are ``s · E W_K^h W_Q^hᵀ e``
        (``s = 1/√d_h`` for scaled dot-product attention).

    Examples
    --------
    >>> w = MHAWeights(np.ones((2, 3, 1)), np.ones((2, 3, 1)), np.ones((2, 3, 1)), np.ones((2, 1, 1)))
    >>> w.heads, w.d, w.d_h, w.d_v, w.d_o
    (2, 3, 1, 1, 1)
    >>> w.keyquery()[0]
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    >>> w.readout()                      # M = [W_O^1 W_V^1ᵀ, W_O^2 W_V^2ᵀ]
    array([[1., 1., 1., 1., 1., 1.]])
    >>> MHAWeights(np.ones((2, 3, 1)), np.ones((2, 4, 1)), np.ones((2, 3, 1)), np.ones((2, 1, 1)))
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'W_K': got shape (2, 4, 1); expected shape (H, d, d_h) = (2, 3, 1), as W_Q has H=2, d=3, d_h=1
    """

    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    W_O: np.ndarray
    spec: AttentionSpec | None = None
    scale: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.scale, bool) or not isinstance(self.scale, (int, float, np.integer, np.floating)) \
                or not (np.isfinite(self.scale) and self.scale > 0):
            raise InvalidArgumentError("scale", describe(self.scale), "a finite logit scale s > 0 (1/√d_h for scaled dot-product attention)")
        object.__setattr__(self, "scale", float(self.scale))
        arrays = {}
        for name in ("W_Q", "W_K", "W_V", "W_O"):
            arr = as_float_array(getattr(self, name), name, 3).copy()
            arr.flags.writeable = False
            arrays[name] = arr
        if self.spec is not None and not isinstance(self.spec, AttentionSpec):
            raise InvalidArgumentError("spec", describe(self.spec), "an AttentionSpec or None")
        if self.spec is not None:
            for name, want in self.spec.shapes().items():
                if arrays[name].shape != want:
                    raise InvalidArgumentError(
                        name, f"shape {arrays[name].shape}", f"shape {_SYMBOLS[name]} = {want} from the spec"
                    )
        else:
            H, d, d_h = arrays["W_Q"].shape
            d_v = arrays["W_V"].shape[2]
            d_o = arrays["W_O"].shape[1]
            want = {"W_K": (H, d, d_h), "W_V": (H, d, d_v), "W_O": (H, d_o, d_v)}
            source = {
                "W_K": f"as W_Q has H={H}, d={d}, d_h={d_h}",
                "W_V": f"as W_Q has H={H}, d={d}",
                "W_O": f"as W_Q has H={H} and W_V has d_v={d_v}",
            }
            for name, shape in want.items():
                if arrays[name].shape != shape:
                    raise InvalidArgumentError(
                        name, f"shape {arrays[name].shape}", f"shape {_SYMBOLS[name]} = {shape}, {source[name]}"
                    )
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)

    # sizes -----------------------------------------------------------------------------------------
    @property
    def heads(self) -> int:
        """Number of heads ``H``."""
        return self.W_Q.shape[0]

    H = heads

    @property
    def d(self) -> int:
        """Token dimension ``d``."""
        return self.W_Q.shape[1]

    @property
    def d_h(self) -> int:
        """Head (key/query) dimension ``d_h``."""
        return self.W_Q.shape[2]

    @property
    def d_v(self) -> int:
        """Value dimension ``d_v``."""
        return self.W_V.shape[2]

    @property
    def d_o(self) -> int:
        """Output dimension ``d_o``."""
        return self.W_O.shape[1]

    @property
    def param_count(self) -> int:
        """Number of weight entries, ``H (2 d d_h + d d_v + d_v d_o)``."""
        return self.W_Q.size + self.W_K.size + self.W_V.size + self.W_O.size

    def spec_for(self, n: int) -> AttentionSpec:
        """The :class:`AttentionSpec` of these weights for contexts of ``n`` tokens."""
        return AttentionSpec(n=n, d=self.d, heads=self.heads, d_h=self.d_h, d_v=self.d_v, d_o=self.d_o)

    def with_spec(self, spec: AttentionSpec) -> "MHAWeights":
        """The same arrays, validated against and tied to ``spec``."""
        return MHAWeights(self.W_Q, self.W_K, self.W_V, self.W_O, spec, self.scale)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MHAWeights):
            return NotImplemented
        return self.spec == other.spec and self.scale == other.scale and all(
            np.array_equal(getattr(self, k), getattr(other, k)) for k in ("W_Q", "W_K", "W_V", "W_O")
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"MHAWeights(H={self.heads}, d={self.d}, d_h={self.d_h}, d_v={self.d_v}, d_o={self.d_o}, "
            f"spec={self.spec!r}" + ("" if self.scale == 1.0 else f", scale={self.scale!r}") + ")"
        )

    # derived matrices ------------------------------------------------------------------------------
    def keyquery(self) -> np.ndarray:
        """Combined key–query matrices ``W^h = s W_K^h W_Q^hᵀ`` (``s`` = :attr:`scale`), stacked: (H, d, d).

        The attention logits are ``E W^h e``; ``rank W^h ≤ d_h``.
        """
        W = np.einsum("hia,hja->hij", self.W_K, self.W_Q)
        return W if self.scale == 1.0 else self.scale * W

    def readout(self) -> np.ndarray:
        """Readout ``M = [W_O^1 W_V^1ᵀ, …, W_O^H W_V^Hᵀ] ∈ R^{d_o × H d}``.

        Column block ``h`` (columns ``h d … (h+1) d − 1``) is ``W_O^h W_V^hᵀ``, matching the layout of
        the feature row ``z_t``, so that ``MHA(E_t, e_t) = M z_t``.
        """
        blocks = np.einsum("hov,hdv->ohd", self.W_O, self.W_V)
        return blocks.reshape(self.d_o, self.heads * self.d)

    # constructors ----------------------------------------------------------------------------------
    @classmethod
    def zeros(cls, spec: AttentionSpec) -> "MHAWeights":
        """All-zero weights for ``spec`` (uniform attention, zero output)."""
        _require_spec(spec)
        s = spec.shapes()
        return cls(*(np.zeros(s[k]) for k in ("W_Q", "W_K", "W_V", "W_O")), spec=spec)

    @classmethod
    def random(cls, spec: AttentionSpec, rng: np.random.Generator | int | None = None) -> "MHAWeights":
        """Xavier-uniform weights: each matrix of shape (a, b) drawn from ``U(−r, r)``,
        ``r = sqrt(6 / (a + b))``.

        Parameters
        ----------
        spec : AttentionSpec
        rng : numpy.random.Generator or int or None
            A generator, or a seed for :func:`numpy.random.default_rng`.

        Examples
        --------
        >>> w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2, d_h=2), rng=0)
        >>> w.W_Q.shape, bool(np.abs(w.W_Q).max() <= np.sqrt(6 / 6))
        ((2, 4, 2), True)
        """
        _require_spec(spec)
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        arrays = []
        for key in ("W_Q", "W_K", "W_V", "W_O"):
            shape = spec.shapes()[key]
            r = np.sqrt(6.0 / (shape[1] + shape[2]))
            arrays.append(gen.uniform(-r, r, size=shape))
        return cls(*arrays, spec=spec)

    @classmethod
    def from_keyquery_and_readout(
        cls,
        W: Any,
        M: Any,
        *,
        d_h: int | None = None,
        d_v: int | None = None,
        n: int | None = None,
        rtol: float = 1e-12,
    ) -> "MHAWeights":
        """Factor key–query matrices ``W^h`` (H, d, d) and a readout ``M`` (d_o, H d) into weights.

        Lemmas L8 and L2: ``W^h = W_K^h W_Q^hᵀ`` with ``W_K^h = W^h``, ``W_Q^h = I`` (zero-padded)
        when ``d_h ≥ d``, and ``W_O^h W_V^hᵀ = M_h`` with ``W_V^h = I`` when ``d_v ≥ d`` or
        ``W_O^h = I`` when ``d_v ≥ d_o`` (zero-padded). These factorisations are exact. When the
        dimension is smaller, a truncated SVD is used; it is exact only up to float rounding and
        raises :class:`InvalidArgumentError` if a block's numerical rank (singular values above
        ``rtol · σ_max``) exceeds the dimension.

        Parameters
        ----------
        W : array_like, shape (H, d, d)
        M : array_like, shape (d_o, H d)
        d_h, d_v : int, optional
            Default ``d`` and ``min(d, d_o)`` (the sizes for which the exact factorisation applies).
        n : int, optional
            If given, the result carries ``spec_for(n)``.

        Examples
        --------
        >>> W = np.array([[[1.0, 2.0], [3.0, 4.0]]])
        >>> w = MHAWeights.from_keyquery_and_readout(W, [[5.0, 6.0]])
        >>> np.array_equal(w.keyquery(), W), w.readout()
        (True, array([[5., 6.]]))
        """
        Wa = as_float_array(W, "W", 3)
        H, d = Wa.shape[0], Wa.shape[1]
        if Wa.shape != (H, d, d):
            raise InvalidArgumentError("W", f"shape {Wa.shape}", "shape (H, d, d) (stacked W^h = W_K^h W_Q^hᵀ)")
        Ma = as_float_array(M, "M", 2)
        if Ma.shape[1] != H * d:
            raise InvalidArgumentError("M", f"shape {Ma.shape}", f"shape (d_o, H d) = (d_o, {H * d}) as W has H={H}, d={d}")
        d_o = Ma.shape[0]
        d_h = d if d_h is None else positive_int(d_h, "d_h")
        d_v = min(d, d_o) if d_v is None else positive_int(d_v, "d_v")
        W_K = np.zeros((H, d, d_h))
        W_Q = np.zeros((H, d, d_h))
        W_V = np.zeros((H, d, d_v))
        W_O = np.zeros((H, d_o, d_v))
        blocks = Ma.reshape(d_o, H, d).transpose(1, 0, 2)  # (H, d_o, d): M_h
        for h in range(H):
            if d_h >= d:
                W_K[h, :, :d] = Wa[h]
                W_Q[h, :, :d] = np.eye(d)
            else:
                W_K[h], W_Q[h] = _svd_factor(Wa[h], d_h, rtol, f"W[{h}]", "d_h")
            if d_v >= d:
                W_O[h, :, :d] = blocks[h]
                W_V[h, :, :d] = np.eye(d)
            elif d_v >= d_o:
                W_O[h, :, :d_o] = np.eye(d_o)
                W_V[h, :, :d_o] = blocks[h].T
            else:
                W_O[h], W_V[h] = _svd_factor(blocks[h], d_v, rtol, f"M block {h}", "d_v")
        spec = None if n is None else AttentionSpec(n=n, d=d, heads=H, d_h=d_h, d_v=d_v, d_o=d_o)
        return cls(W_Q, W_K, W_V, W_O, spec)

    # io --------------------------------------------------------------------------------------------
    def to_torch(self, device: Any = None, dtype: Any = None) -> dict[str, Any]:
        """The four weight arrays as torch tensors ``{"W_Q", "W_K", "W_V", "W_O"}``.

        ``dtype`` defaults to ``torch.float64``; ``device`` to torch's default. torch is imported
        here only; without it this raises :class:`ImportError` with the install hint.
        """
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "MHAWeights.to_torch needs torch, which is not installed; install it with "
                "`pip install memproof[torch]`"
            ) from exc
        dtype = torch.float64 if dtype is None else dtype
        return {
            k: torch.as_tensor(np.array(getattr(self, k)), dtype=dtype, device=device)
            for k in ("W_Q", "W_K", "W_V", "W_O")
        }

    def save(self, path: str | Path) -> None:
        """Write the weights (and the spec, if any) to a ``.npz`` file."""
        extra = {} if self.scale == 1.0 else {"scale": np.array(self.scale)}
        if self.spec is not None:
            extra["spec"] = np.array([getattr(self.spec, f) for f in _SPEC_FIELDS], dtype=np.int64)
        np.savez(
            Path(path), W_Q=self.W_Q, W_K=self.W_K, W_V=self.W_V, W_O=self.W_O,
            format=np.array(_NPZ_FORMAT), **extra,
        )

    @classmethod
    def load(cls, path: str | Path) -> "MHAWeights":
        """Read weights written by :meth:`save` (no pickles are loaded)."""
        with np.load(Path(path), allow_pickle=False) as f:
            missing = [k for k in ("W_Q", "W_K", "W_V", "W_O") if k not in f.files]
            if missing:
                raise InvalidArgumentError("path", f"{str(path)!r} with keys {sorted(f.files)}", f"an .npz with keys W_Q, W_K, W_V, W_O (missing {missing})")
            spec = None
            if "spec" in f.files:
                values = [int(v) for v in f["spec"]]
                spec = AttentionSpec(**dict(zip(_SPEC_FIELDS, values)))
            scale = float(f["scale"]) if "scale" in f.files else 1.0
            return cls(f["W_Q"], f["W_K"], f["W_V"], f["W_O"], spec, scale)


def _require_spec(spec: Any) -> None:
    if not isinstance(spec, AttentionSpec):
        raise InvalidArgumentError("spec", describe(spec), "an AttentionSpec")


def _svd_factor(A: np.ndarray, k: int, rtol: float, name: str, dim: str) -> tuple[np.ndarray, np.ndarray]:
    """``A ≈ L Rᵀ`` with ``L, R`` of ``k`` columns (truncated SVD, balanced by √σ)."""
    U, s, Vt = np.linalg.svd(A)
    rank = int(np.sum(s > rtol * s[0])) if s.size and s[0] > 0 else 0
    if rank > k:
        raise InvalidArgumentError(
            name, f"numerical rank {rank} (singular values {s[: rank + 1]})", f"rank ≤ {dim} = {k}",
            hint=f"increase {dim} or pass a lower-rank matrix",
        )
    L = np.zeros((A.shape[0], k))
    R = np.zeros((A.shape[1], k))
    r = min(k, s.size)
    root = np.sqrt(s[:r])
    L[:, :r] = U[:, :r] * root
    R[:, :r] = Vt[:r].T * root
    return L, R


# ------------------------------------------------------------------------------------- forward pass
def _check_weights(weights: Any) -> MHAWeights:
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    return weights


def _check_single(weights: MHAWeights, E: Any, e: Any) -> tuple[np.ndarray, np.ndarray]:
    Ea = as_float_array(E, "E", 2)
    ea = as_float_array(e, "e", 1)
    if ea.shape[0] != Ea.shape[1]:
        raise InvalidArgumentError("e", f"shape {ea.shape}: e has d={ea.shape[0]} but E has d={Ea.shape[1]}", f"shape (d,) = ({Ea.shape[1]},)")
    _check_tokens(weights, Ea, "E", "E")
    return Ea[None], ea[None]


def _check_tokens(weights: MHAWeights, contexts: np.ndarray, name: str, label: str) -> None:
    n, d = contexts.shape[-2], contexts.shape[-1]
    if d != weights.d:
        raise InvalidArgumentError(name, f"shape {contexts.shape}: {label} has d={d} but the weights have d={weights.d}", f"token dimension d={weights.d}")
    if weights.spec is not None and n != weights.spec.n:
        raise InvalidArgumentError(name, f"shape {contexts.shape}: {label} has n={n} but the weights' spec has n={weights.spec.n}", f"n={weights.spec.n} context tokens")


def _check_batch(weights: MHAWeights, contexts: Any, queries: Any) -> tuple[np.ndarray, np.ndarray]:
    C = as_float_array(contexts, "contexts", (2, 3))
    Q = as_float_array(queries, "queries", 2)
    if Q.shape[1] != C.shape[-1]:
        raise InvalidArgumentError(
            "queries", f"shape {Q.shape}: contexts has d={C.shape[-1]} but queries has d={Q.shape[1]}",
            f"queries of shape (T, d) with d={C.shape[-1]}",
        )
    if C.ndim == 3 and C.shape[0] != Q.shape[0]:
        raise InvalidArgumentError(
            "contexts", f"shape {C.shape}: contexts has T={C.shape[0]} but queries has T={Q.shape[0]}",
            f"contexts of shape (T, n, d) with T={Q.shape[0]}, or one shared context of shape (n, d)",
        )
    _check_tokens(weights, C, "contexts", "contexts")
    return C, Q


def _logits(weights: MHAWeights, C: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``s · E_t W_K^h W_Q^hᵀ e_t`` for all t, h: shape (T, H, n). ``C`` is (T, n, d) or shared (n, d)."""
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.einsum("td,hda->tha", Q, weights.W_Q, optimize=True)  # W_Q^hᵀ e_t        (T, H, d_h)
        if C.ndim == 2:
            k = np.einsum("nd,hda->hna", C, weights.W_K)  # E W_K^h    (H, n, d_h)
            a = np.einsum("hna,tha->thn", k, q)
        else:  # E_t (W_K^h q_{t,h}): O(T H d d_h + T H n d) instead of forming E_t W_K^h, O(T H n d d_h)
            u = np.einsum("hda,tha->thd", weights.W_K, q, optimize=True)  # (T, H, d)
            a = np.matmul(C, u.transpose(0, 2, 1)).transpose(0, 2, 1)  # (T, H, n)
        if weights.scale != 1.0:
            a = weights.scale * a
    if not np.isfinite(a).all():
        t, h, _ = (int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise InvalidArgumentError(
            "weights", f"attention logits E_t W^h e_t that overflow float64 (example t={t}, head h={h})",
            "logits within the float64 range",
            hint="scale the weights or tokens down; a scale around 1e8 already saturates the softmax",
        )
    return a


def _attention(weights: MHAWeights, C: np.ndarray, Q: np.ndarray) -> np.ndarray:
    return softmax(_logits(weights, C, Q))


def _features(weights: MHAWeights, C: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Head features ``z_{t,h} = E_tᵀ s_{t,h}``: shape (T, H, d)."""
    s = _attention(weights, C, Q)
    if C.ndim == 2:
        return np.einsum("thn,nd->thd", s, C)
    return np.einsum("thn,tnd->thd", s, C)


def _output(weights: MHAWeights, z: np.ndarray) -> np.ndarray:
    """``Σ_h W_O^h W_V^hᵀ z_{t,h}`` from head features (T, H, d): shape (T, d_o)."""
    v = np.einsum("thd,hdv->thv", z, weights.W_V)
    return np.einsum("thv,hov->to", v, weights.W_O)


def attention_batch(weights: MHAWeights, contexts: Any, queries: Any) -> np.ndarray:
    """Attention vectors ``s_{t,h} = softmax(E_t W^h e_t)`` of every example and head.

    Parameters
    ----------
    weights : MHAWeights
    contexts : array_like, shape (T, n, d) or (n, d)
        Contexts ``E_t``, or one context ``E`` shared by all examples.
    queries : array_like, shape (T, d)
        Queries ``e_t``.

    Returns
    -------
    numpy.ndarray, shape (T, H, n)
        Each ``[t, h]`` lies on the probability simplex.
    """
    C, Q = _check_batch(_check_weights(weights), contexts, queries)
    return _attention(weights, C, Q)


def attention(weights: MHAWeights, E: Any, e: Any) -> np.ndarray:
    """Attention vectors ``s_h = softmax(E W_K^h W_Q^hᵀ e)`` of one example, stacked: shape (H, n).

    Parameters
    ----------
    weights : MHAWeights
    E : array_like, shape (n, d)
        Context (rows are the tokens ``x_1..x_n``).
    e : array_like, shape (d,)
        Query token.

    Examples
    --------
    >>> w = MHAWeights.from_keyquery_and_readout(1e8 * np.eye(2)[None], np.eye(2))
    >>> attention(w, [[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0])   # saturated: exactly one-hot
    array([[0., 1.]])
    """
    C, Q = _check_single(_check_weights(weights), E, e)
    return _attention(weights, C, Q)[0]


def head_features(weights: MHAWeights, E: Any, e: Any) -> np.ndarray:
    """Head features ``z_h = Eᵀ s_h`` (convex combinations of the context tokens): shape (H, d).

    >>> w = MHAWeights.zeros(AttentionSpec(n=2, d=2, heads=1))
    >>> head_features(w, [[2.0, 0.0], [0.0, 4.0]], [1.0, 1.0])
    array([[1., 2.]])
    """
    C, Q = _check_single(_check_weights(weights), E, e)
    return _features(weights, C, Q)[0]


def feature_row(weights: MHAWeights, E: Any, e: Any) -> np.ndarray:
    """Feature row ``z = [z_1; …; z_H] ∈ R^{H d}`` (head ``h`` in entries ``h d … (h+1) d − 1``)."""
    return head_features(weights, E, e).reshape(-1)


def feature_matrix(weights: MHAWeights, contexts: Any, queries: Any) -> np.ndarray:
    """Feature matrix ``Z ∈ R^{T × H d}``, row ``t`` the feature row ``z_t`` of example t.

    Parameters
    ----------
    weights : MHAWeights
    contexts : array_like, shape (T, n, d) or (n, d)
        Contexts ``E_t``, or one shared context ``E``.
    queries : array_like, shape (T, d)
        Queries ``e_t``.

    Examples
    --------
    >>> w = MHAWeights.zeros(AttentionSpec(n=2, d=2, heads=2))
    >>> feature_matrix(w, [[2.0, 0.0], [0.0, 4.0]], np.eye(2))   # shared context
    array([[1., 2., 1., 2.],
           [1., 2., 1., 2.]])
    """
    C, Q = _check_batch(_check_weights(weights), contexts, queries)
    z = _features(weights, C, Q)
    return z.reshape(z.shape[0], -1)


def mha(weights: MHAWeights, E: Any, e: Any) -> np.ndarray:
    """Layer output ``MHA(E, e) = Σ_h W_O^h W_V^hᵀ Eᵀ softmax(E W_K^h W_Q^hᵀ e) ∈ R^{d_o}``.

    Equals ``weights.readout() @ feature_row(weights, E, e)`` (up to rounding).

    >>> w = MHAWeights.from_keyquery_and_readout(np.zeros((1, 2, 2)), [[1.0, 1.0]])
    >>> mha(w, [[2.0, 0.0], [0.0, 4.0]], [1.0, 1.0])
    array([3.])
    """
    C, Q = _check_single(_check_weights(weights), E, e)
    return _output(weights, _features(weights, C, Q))[0]


def mha_batch(weights: MHAWeights, contexts: Any, queries: Any) -> np.ndarray:
    """Layer outputs ``MHA(E_t, e_t)`` of all examples: shape (T, d_o).

    ``contexts`` is (T, n, d) or one shared (n, d) context; ``queries`` is (T, d).
    """
    C, Q = _check_batch(_check_weights(weights), contexts, queries)
    return _output(weights, _features(weights, C, Q))

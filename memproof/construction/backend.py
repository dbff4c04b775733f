"""The array library the construction runs on (issue #14): one namespace and the few helpers it lacks.

The construction of Theorem 1 (:mod:`.construct`, :mod:`.heads`, :mod:`.rowspace`, theorem.md §6) is
written once against the `array API standard <https://data-apis.org/array-api/>`_ through
``array-api-compat``: every array operation goes through ``bk.xp``, the standard namespace of numpy or
of torch (CPU or CUDA, chosen at run time by :meth:`Backend.torch`). Random draws always come from
``numpy.random.default_rng(seed)`` and are moved to the device, so both libraries make the same choices.

What the standard (and its ``linalg`` extension, used for ``qr``, ``svdvals``, ``pinv``,
``matrix_norm``, ``vector_norm``) does not have is here, per library, and nowhere else:

========================  ==========================================  =================================================
helper                    numpy                                       torch
========================  ==========================================  =================================================
:meth:`~Backend.lstsq`    ``numpy.linalg.lstsq`` (LAPACK gelsd)       ``xp.linalg.pinv(A) @ B`` (same cutoff
                                                                      ``max(m, n)·eps·σ_max``; any device)
``solve_triangular``      ``scipy.linalg.solve_triangular``           ``torch.linalg.solve_triangular``
``qr_append_rows``        LAPACK ``dtpqrt`` (``O(c r²)``)             ``xp.linalg.qr`` of ``[R; A]`` (``O((r+c) r²)``)
``log_softmax``,          :func:`memproof.arith.empirical.log_softmax`, ``torch.log_softmax``,
``logsumexp``             ``numpy.logaddexp.reduce``                  ``torch.logsumexp``
``features``,             :mod:`memproof.model` (float64)             :mod:`memproof.torchpath.model`
``evaluate``
========================  ==========================================  =================================================

The exact and rigorous steps (S3a's exactly orthogonal ``ν``, the A1/A2 checks, every certificate)
stay in python-flint on float64 numpy copies (:meth:`Backend.to_numpy`). torch is imported only by
:meth:`Backend.torch`: the numpy path never imports it.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["Backend"]


@dataclasses.dataclass(frozen=True)
class Backend:
    """An array namespace ``xp`` with the ``device`` and floating ``dtype`` the construction computes in.

    >>> bk = Backend.numpy()
    >>> bk.record()["library"], bk.record()["device"], bk.record()["dtype"]
    ('numpy', 'cpu', 'float64')
    >>> x = bk.lstsq(bk.asarray([[1.0, 0.0, 1.0]]), bk.asarray([[2.0]]))   # minimum-norm solution
    >>> x.ravel().round(12).tolist()
    [1.0, 0.0, 1.0]
    """

    xp: Any
    library: str  # "numpy" or "torch"
    device: Any
    dtype: Any

    @classmethod
    def numpy(cls) -> Backend:
        """numpy in float64 on the CPU (the default of :func:`~memproof.construction.construct_memorizing_mha`)."""
        import array_api_compat.numpy as xp

        return cls(xp, "numpy", "cpu", xp.float64)

    @classmethod
    def torch(cls, device: Any = None, dtype: Any = None) -> Backend:
        """torch on ``device`` (default CPU; ``"cuda"`` needs CUDA) in ``dtype`` (float64 default, or float32)."""
        import array_api_compat.torch as xp

        from ..torchpath.env import resolve_device, resolve_dtype

        return cls(xp, "torch", resolve_device(device), resolve_dtype(dtype))

    # ------------------------------------------------------------------ conversion and records
    def asarray(self, x: Any) -> Any:
        """``x`` (numpy or a nested list) as an array of this library, dtype and device."""
        return self.xp.asarray(x, dtype=self.dtype, device=self.device)

    def to_numpy(self, x: Any) -> np.ndarray:
        """A float64 numpy copy (a view for numpy) of an array of this library (for flint and scipy)."""
        if self.library == "numpy":
            return np.asarray(x, dtype=np.float64)
        return x.detach().to("cpu", dtype=self.xp.float64).numpy()

    def take(self, x: Any, idx: Any, axis: int = 0) -> Any:
        """The entries ``idx`` (a sequence of int) of ``x`` along ``axis`` (``xp.take``)."""
        xp = self.xp
        return xp.take(x, xp.asarray(list(idx), dtype=xp.int64, device=self.device), axis=axis)

    def indices(self, mask: Any) -> list[int]:
        """Positions of the true entries of a 1-D boolean array."""
        return [int(i) for i in self.to_numpy(self.xp.nonzero(mask)[0])]

    @property
    def eps(self) -> float:
        """Machine epsilon of ``dtype`` (``2⁻⁵²`` for float64); the unit roundoff is ``eps/2``."""
        return float(self.xp.finfo(self.dtype).eps)

    def record(self) -> dict[str, Any]:
        """Which array library (and version), device and dtype produced a result."""
        if self.library == "numpy":
            version = np.__version__
        else:
            import torch

            version = torch.__version__
        return {"library": self.library, "version": version, "device": str(self.device), "dtype": self.dtype_name}

    @property
    def dtype_name(self) -> str:
        """``"float64"`` or ``"float32"`` (for records and messages)."""
        return str(np.dtype(self.dtype)) if self.library == "numpy" else str(self.dtype).replace("torch.", "")

    def synchronize(self) -> None:
        """Wait for the device (CUDA) so that wall times measure the work."""
        if self.library == "torch":
            from ..torchpath.env import synchronize

            synchronize(self.device)

    @contextmanager
    def timer(self, record: dict[str, float], key: str) -> Iterator[None]:
        """Add the wall time of the block (device synchronised) to ``record[key]``."""
        self.synchronize()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.synchronize()
            record[key] = record.get(key, 0.0) + time.perf_counter() - t0

    # ------------------------------------------------------------------ linear algebra outside the standard
    def lstsq(self, A: Any, B: Any) -> Any:
        """Minimum-norm least-squares ``X`` of ``A X ≈ B``, singular values below ``max(m, n)·eps·σ_max`` cut
        (numpy's ``rcond=None``). ``A`` (m, n) or a batch (b, m, n) with ``B`` (b, m, c)."""
        if self.library == "numpy":
            if A.ndim == 3:
                from ..arith.empirical import min_norm_solve

                return min_norm_solve(A, B)
            return np.linalg.lstsq(A, B, rcond=None)[0]
        return self.xp.linalg.pinv(A) @ B

    def solve_triangular(self, A: Any, B: Any, *, lower: bool) -> Any:
        """``X`` with ``A X = B`` for a triangular ``A`` (r, r) and ``B`` (r, c)."""
        if self.library == "numpy":
            from scipy.linalg import solve_triangular

            return solve_triangular(A, B, lower=lower, check_finite=False)
        import torch

        return torch.linalg.solve_triangular(A, B, upper=not lower)

    def qr_append_rows(self, R: Any, A: Any) -> Any:
        """The upper-triangular ``R'`` (r, r) of the QR factorisation of ``[R; A]``, ``R`` (r, r) upper triangular
        and ``A`` (c, r): ``R'ᵀR' = RᵀR + AᵀA`` (the triangular–pentagonal QR of :meth:`RowSpace.add_columns`)."""
        if self.library == "numpy":
            from scipy.linalg import lapack

            out, _, _, info = lapack.dtpqrt(0, min(R.shape[0], 64), np.ascontiguousarray(R), np.ascontiguousarray(A))
            if info != 0:
                raise ValueError(f"dtpqrt failed (info = {info})")
            return np.triu(out)
        xp = self.xp
        return xp.linalg.qr(xp.concat([R, A], axis=0))[1]

    def log_softmax(self, x: Any, axis: int = -1) -> Any:
        """``log softmax(x)`` along ``axis`` (shifted by the maximum: saturated logits give exact zeros)."""
        if self.library == "numpy":
            from ..arith.empirical import log_softmax

            return log_softmax(x, axis)
        return x.log_softmax(dim=axis)

    def logsumexp(self, x: Any, axis: int) -> Any:
        """``log Σ exp(x)`` along ``axis`` (``-inf`` for a row of ``-inf``)."""
        if self.library == "numpy":
            with np.errstate(divide="ignore"):
                return np.logaddexp.reduce(x, axis=axis)
        return x.logsumexp(dim=axis)

    # ------------------------------------------------------------------ the model, in this library
    def features(self, W_K: Any, W_Q: Any, contexts: Any, queries: Any, scale: float) -> Any:
        """Features ``z_t = E_tᵀ softmax(s · E_t W_K W_Qᵀ e_t)`` of one head: (T, d)."""
        if self.library == "numpy":
            from ..model import MHAWeights, feature_matrix

            d = W_K.shape[0]
            w = MHAWeights(W_Q[None], W_K[None], np.zeros((1, d, 1)), np.zeros((1, 1, 1)), scale=scale)
            return feature_matrix(w, contexts, queries)
        from ..torchpath import model as tm

        return tm.head_features(W_Q[None], W_K[None], contexts, queries, scale)[:, 0]

    def evaluate(self, W_Q: Any, W_K: Any, W_V: Any, W_O: Any, contexts: Any, queries: Any, scale: float) -> tuple[Any, Any]:
        """``(Z, MHA(E_t, e_t))`` of a layer: the feature matrix (T, H d) and the outputs (T, d_o)."""
        if self.library == "numpy":
            from ..model import MHAWeights, feature_matrix, mha_batch

            w = MHAWeights(W_Q, W_K, W_V, W_O, scale=scale)
            return feature_matrix(w, contexts, queries), mha_batch(w, contexts, queries)
        from ..torchpath import model as tm

        return (tm.feature_matrix(W_Q, W_K, contexts, queries, scale),
                tm.mha_batch(W_Q, W_K, W_V, W_O, contexts, queries, scale=scale))

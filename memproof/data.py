"""Datasets of the theorem: queries e_t, contexts E_t and labels y_t (theorem.md §1).

A :class:`Dataset` holds ``queries`` (T, d), ``contexts`` (T, n, d) — or one shared context (n, d),
stored broadcast — and optional ``labels`` (T, d_o), all float64. Conversion is exact or refused: an
integer float64 cannot hold (a uint64 ``2**64 - 1``, a Python int ``2**53 + 1``), a non-dyadic
Fraction or a longdouble is an :class:`~memproof.errors.InvalidArgumentError`, never silently rounded —
the assumption checkers decide A1–A3 about the stored numbers, which must be the numbers given. It round-trips through ``.npz`` files with keys
``queries``, ``contexts`` and optional ``labels``.

>>> import numpy as np
>>> ds = Dataset(np.eye(3), np.ones((2, 3)) * [[1], [2]] + np.eye(2, 3))
>>> ds.T, ds.n, ds.d, ds.shared_context
(3, 2, 3, True)
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidArgumentError
from .validation import as_float_array


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """Examples ``(E_t, e_t, y_t)``, t = 1..T. ``contexts`` may be (n, d) for a shared context."""

    queries: np.ndarray
    contexts: np.ndarray
    labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        q = as_float_array(self.queries, "queries", 2, exact=True)
        c = as_float_array(self.contexts, "contexts", (2, 3), exact=True)
        if c.shape[-1] != q.shape[1]:
            raise InvalidArgumentError("contexts", f"token dimension d={c.shape[-1]}", f"d={q.shape[1]} as in queries (T, d) = {q.shape}")
        if c.ndim == 3 and c.shape[0] != q.shape[0]:
            raise InvalidArgumentError("contexts", f"{c.shape[0]} contexts", f"one per query (T={q.shape[0]}) or a single shared (n, d) context")
        object.__setattr__(self, "queries", q)
        object.__setattr__(self, "contexts", c)
        if self.labels is not None:
            y = as_float_array(self.labels, "labels", (1, 2), exact=True)
            y = y.reshape(-1, 1) if y.ndim == 1 else y
            if y.shape[0] != q.shape[0]:
                raise InvalidArgumentError("labels", f"{y.shape[0]} labels", f"one per query (T={q.shape[0]})")
            object.__setattr__(self, "labels", y)

    @property
    def shared_context(self) -> bool:
        return self.contexts.ndim == 2

    @property
    def T(self) -> int:
        return self.queries.shape[0]

    @property
    def d(self) -> int:
        return self.queries.shape[1]

    @property
    def n(self) -> int:
        return self.contexts.shape[-2]

    def context(self, t: int) -> np.ndarray:
        """E_t (n, d)."""
        return self.contexts if self.shared_context else self.contexts[t]

    def all_contexts(self) -> np.ndarray:
        """Contexts as a (T, n, d) array (a read-only broadcast view for a shared context)."""
        if self.shared_context:
            return np.broadcast_to(self.contexts, (self.T, *self.contexts.shape))
        return self.contexts

    def subset(self, rows: Any) -> "Dataset":
        idx = np.asarray(rows, dtype=int)
        ctx = self.contexts if self.shared_context else self.contexts[idx]
        labels = None if self.labels is None else self.labels[idx]
        return Dataset(self.queries[idx], ctx, labels)

    def save(self, path: str | Path) -> None:
        arrays = {"queries": self.queries, "contexts": self.contexts}
        if self.labels is not None:
            arrays["labels"] = self.labels
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> "Dataset":
        """Read ``queries``, ``contexts`` and optional ``labels`` from an ``.npz`` file."""
        with np.load(path, allow_pickle=False) as f:
            missing = {"queries", "contexts"} - set(f.files)
            if missing:
                raise InvalidArgumentError("path", f"{path} with arrays {sorted(f.files)}", f"an .npz with arrays 'queries' (T,d) and 'contexts' (T,n,d) or (n,d); missing {sorted(missing)}")
            return cls(f["queries"], f["contexts"], f["labels"] if "labels" in f.files else None)

"""Up-front argument validation with errors that say what was passed and what was expected."""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidArgumentError


def describe(x: Any) -> str:
    """Short description of an argument for error messages (type, shape, dtype)."""
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def as_float_array(x: Any, name: str, ndim: int | tuple[int, ...] | None = None, *, allow_empty: bool = False) -> np.ndarray:
    """``x`` as a finite float64 array of the given number of dimensions.

    Raises :class:`InvalidArgumentError` for non-numeric input, wrong ``ndim``, empty arrays and
    NaN/inf (naming the first bad index).

    >>> as_float_array([[1, 2]], "E", 2).dtype
    dtype('float64')
    >>> as_float_array([1.0, float("nan")], "e", 1)
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'e': got a non-finite value nan at index (1,); expected finite real numbers
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(name, describe(x), "a real numeric array") from None
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if ndims is not None and arr.ndim not in ndims:
        raise InvalidArgumentError(name, f"{arr.ndim}-dimensional {describe(arr)}", f"{' or '.join(map(str, ndims))} dimensions")
    if arr.size == 0 and not allow_empty:
        raise InvalidArgumentError(name, describe(arr), "a non-empty array")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidArgumentError(name, f"a non-finite value {arr[idx]} at index {idx}", "finite real numbers")
    return arr


def require_shape(arr: np.ndarray, name: str, shape: tuple[int | None, ...], symbols: str = "") -> None:
    """Check ``arr.shape`` against ``shape`` (``None`` = any size); ``symbols`` names the axes."""
    ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
    if not ok:
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise InvalidArgumentError(name, f"shape {arr.shape}", f"shape {want}{' = ' + symbols if symbols else ''}")


def positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < minimum:
        raise InvalidArgumentError(name, describe(value), f"an integer ≥ {minimum}")
    return int(value)

"""Up-front argument validation with errors that say what was passed and what was expected."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .errors import InvalidArgumentError


def describe(x: Any) -> str:
    """Short description of an argument for error messages (type, shape, dtype)."""
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def first_inexact_float64(x: np.ndarray) -> tuple[int, ...] | None:
    """Index of the first entry of ``x`` whose value is not exactly a float64, or ``None``.

    ``x``: a bool, integer (any width, uint64 included) or float array, or an object array of ints,
    Fractions and floats. Integers above 2^53 are compared at their true value (``2**53 + 1`` is not a
    float64); a longdouble is compared with its float64 rounding.

    >>> first_inexact_float64(np.array([1, 2**53 + 1], dtype=np.uint64)), first_inexact_float64(np.array([0.1]))
    ((1,), None)
    """
    k = x.dtype.kind
    if k == "b" or (k == "f" and x.dtype.itemsize <= 8):
        return None
    if k in "iu":
        cand = np.argwhere(~((x <= 2**53) & (x >= -2**53)))
        values = (x[tuple(i)] for i in cand)
    elif k == "f":
        cand = np.argwhere(x.astype(np.float64).astype(x.dtype) != x)
        return tuple(int(i) for i in cand[0]) if cand.size else None
    else:
        cand = np.argwhere(np.ones(x.shape, dtype=bool))
        values = x.ravel().tolist()
    for idx, v in zip(cand, values):
        v = int(v) if isinstance(v, np.integer) else v
        try:
            exact = Fraction(*v.as_integer_ratio())
            ok = Fraction(float(v)) == exact
        except (AttributeError, TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            return tuple(int(i) for i in idx)
    return None


def as_float_array(x: Any, name: str, ndim: int | tuple[int, ...] | None = None, *, allow_empty: bool = False,
                   exact: bool = False) -> np.ndarray:
    """``x`` as a finite float64 array of the given number of dimensions.

    Raises :class:`InvalidArgumentError` for non-numeric input, wrong ``ndim``, empty arrays and
    NaN/inf (naming the first bad index). With ``exact=True`` the conversion must not change a value:
    integers beyond 2^53 that are not float64 values (a uint64 ``2**64 - 1``), non-dyadic Fractions,
    extended-precision floats and strings are refused instead of rounded.

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
    if exact:
        _require_exact(x, arr, name)
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


def _require_exact(x: Any, arr: np.ndarray, name: str) -> None:
    raw = x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)
    if raw.dtype.kind not in "biufO" or raw.shape != arr.shape:
        raise InvalidArgumentError(name, describe(x), "a real numeric array (int, float or Fraction entries)")
    if raw.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            return  # reported below as a non-finite value
    idx = first_inexact_float64(raw)
    if idx is not None:
        v = raw[idx]
        raise InvalidArgumentError(name, f"the entry {v!r} at index {idx}, which is not a number float64 holds exactly"[:160],
                                   "values that are exactly float64 (no silent rounding of the data)",
                                   "round explicitly with numpy.asarray(x, dtype=float) if the rounded data is what you mean")


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

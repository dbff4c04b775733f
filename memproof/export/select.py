"""The best of a few constructions for a target dtype: :func:`construct_for_dtype` (issue #13).

With ``target_dtype`` the remaining error of the exported layer is its own evaluation rounding, about a
quarter of ``u · max_t Σ_j |M_j||z_{t,j}|`` (:attr:`~.error_bound.ErrorBudget.rounding_floor`), and that
follows ``‖M‖``, i.e. the conditioning of ``Z`` — which varies by an order of magnitude between seeds
(at the authors' default size, float32: 3·10⁻⁴ to 3·10⁻³ over seeds 0–6). Every random choice of the
construction (directions ``ν, u``, logits, hence ``c`` and ``Z``) is drawn anew per seed, so this keeps
the seed whose exported layer has the smallest *measured* error in the dtype. Each try is a complete
:func:`~memproof.construction.construct_memorizing_mha`; the selection looks at measured errors only,
and the rank certificate is about the kept ``W_K, W_Q`` (certify the result as usual).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..validation import describe, positive_int

__all__ = ["construct_for_dtype"]


def _measured(built: Any) -> float:
    b = built.error_budget
    if b is not None and b.observed is not None:
        return b.observed.bound
    if b is not None and b.readout_fit is not None:
        return b.readout_fit.error
    return built.max_abs_error


def construct_for_dtype(queries: Any, contexts: Any, labels: Any, *, heads: int, d_h: int, target_dtype: str = "float32",
                        seed: int = 0, tries: int = 4, **kw: Any) -> Any:
    """:func:`~memproof.construction.construct_memorizing_mha` with ``target_dtype`` for seeds
    ``seed, seed + 1, …, seed + tries − 1``; keeps the build with the smallest measured error in the
    dtype (``error_budget.observed``; its ``seed`` rebuilds it alone).

    Parameters
    ----------
    queries, contexts, labels, heads, d_h
        As for the constructor.
    target_dtype : str
        ``"float32"`` (default), ``"bfloat16"``, ``"float16"`` or ``"float64"``.
    seed : int
        First seed (an integer: the kept build must be reproducible).
    tries : int
        Number of seeds tried (≥ 1).
    **kw
        Other keyword arguments of the constructor (``d_v``, ``partition``, ``draws``, ``check_assumptions``).

    Returns
    -------
    (MemorizingMHA, list of (int, float))
        The kept build and ``(seed, measured max |ŷ − y|)`` of every try, in order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Q, E, Y = rng.uniform(size=(9, 8)), rng.uniform(size=(5, 8)), rng.normal(size=9)
    >>> built, tried = construct_for_dtype(Q, E, Y, heads=2, d_h=5, tries=2)
    >>> [s for s, _ in tried], built.seed in (0, 1), built.error_budget.observed.bound == min(e for _, e in tried)
    ([0, 1], True, True)
    """
    from ..construction import construct_memorizing_mha

    tries = positive_int(tries, "tries")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidArgumentError("seed", describe(seed), "an integer (the kept build must be reproducible from its seed)")
    if "scale" in kw or "target_dtype" in kw:
        raise InvalidArgumentError("kw", ", ".join(k for k in ("scale", "target_dtype") if k in kw),
                                   "no scale (target_dtype fixes it) and target_dtype as its own argument")
    best, tried = None, []
    for i in range(tries):
        built = construct_memorizing_mha(queries, contexts, labels, heads=heads, d_h=d_h, seed=int(seed) + i,
                                         target_dtype=target_dtype, **kw)
        tried.append((int(seed) + i, _measured(built)))
        if best is None or tried[-1][1] < _measured(best):
            best = built
    return best, tried

"""The partition ``[T] = N_1 ⊔ … ⊔ N_H`` of the construction (theorem.md §6) and its range checks.

>>> partition_examples(7, heads=3, n_bar=3)
((0, 1, 2), (3, 4), (5, 6))
>>> partition_examples(4, heads=3, n_bar=3)      # below capacity: later groups smaller or empty
((0, 1, 2), (3,), ())
>>> partition_examples(8, heads=3, n_bar=3)
Traceback (most recent call last):
...
memproof.errors.OutOfRangeError: outside the range of T1: T = 8 examples exceed the capacity H(n̄ − 1) + 1 = 3·(3 − 1) + 1 = 7 (use more heads, a larger head dimension d_h (up to n), or fewer examples)
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InvalidArgumentError, OutOfRangeError
from ..validation import describe, positive_int

__all__ = ["capacity", "partition_examples", "validate_partition"]


def capacity(heads: int, n_bar: int) -> int:
    """``H (n̄ − 1) + 1``: the number of examples Theorem 1 memorizes.

    >>> capacity(4, 3)
    9
    """
    return positive_int(heads, "heads") * (positive_int(n_bar, "n_bar") - 1) + 1


def _require_capacity(T: int, heads: int, n_bar: int) -> None:
    cap = capacity(heads, n_bar)
    if T > cap:
        raise OutOfRangeError(
            "T1",
            f"T = {T} examples exceed the capacity H(n̄ − 1) + 1 = {heads}·({n_bar} − 1) + 1 = {cap} "
            "(use more heads, a larger head dimension d_h (up to n), or fewer examples)",
        )


def partition_examples(T: int, heads: int, n_bar: int) -> tuple[tuple[int, ...], ...]:
    """Consecutive groups: ``|N_1| = min(n̄, T)``, then up to ``n̄ − 1`` examples per head.

    Raises :class:`~memproof.errors.OutOfRangeError` (``"T1"``) when ``T > H(n̄ − 1) + 1``.
    """
    T = positive_int(T, "T")
    heads, n_bar = positive_int(heads, "heads"), positive_int(n_bar, "n_bar")
    _require_capacity(T, heads, n_bar)
    first = min(n_bar, T)
    groups = [tuple(range(first))]
    start = first
    for _ in range(1, heads):
        stop = min(T, start + n_bar - 1)
        groups.append(tuple(range(start, stop)))
        start = stop
    return tuple(groups)


def validate_partition(partition: Any, T: int, heads: int, n_bar: int) -> tuple[tuple[int, ...], ...]:
    """Check a user partition: ``H`` groups covering ``0..T−1`` once, ``|N_1| ≤ n̄``, ``|N_h| ≤ n̄ − 1``.

    >>> validate_partition([[2, 0], [1]], 3, heads=2, n_bar=2)
    ((2, 0), (1,))
    >>> validate_partition([[0], [1, 2]], 3, heads=2, n_bar=2)
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'partition': got group 1 of size 2; expected at most n̄ − 1 = 1 examples in N_h for h ≥ 2, and at most n̄ = 2 in N_1
    """
    _require_capacity(T, heads, n_bar)
    if not isinstance(partition, Sequence) or len(partition) != heads:
        raise InvalidArgumentError("partition", describe(partition), f"a sequence of H = {heads} groups of example indices")
    groups = tuple(tuple(int(i) for i in g) for g in partition)
    flat = sorted(i for g in groups for i in g)
    if flat != list(range(T)):
        raise InvalidArgumentError("partition", f"groups covering {flat[:10]}…", f"every example 0..{T - 1} exactly once")
    for h, g in enumerate(groups):
        limit = n_bar if h == 0 else n_bar - 1
        if len(g) > limit:
            raise InvalidArgumentError(
                "partition", f"group {h} of size {len(g)}",
                f"at most n̄ − 1 = {n_bar - 1} examples in N_h for h ≥ 2, and at most n̄ = {n_bar} in N_1",
            )
    if any(groups[h] for h in range(1, heads)) and not groups[0]:
        raise InvalidArgumentError("partition", "an empty N_1 with later groups nonempty", "N_1 nonempty")
    return groups

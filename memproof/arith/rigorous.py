"""Rigorous tier: ball arithmetic with python-flint ``arb`` / ``arb_mat``.

A ball ``[m +/- r]`` stands for every real number in ``[m - r, m + r]``; every operation returns a
ball that contains all possible results, so a strict inequality established on balls holds for every
real number (or matrix) inside them. Comparisons between balls can be undecided (``arb(1) < arb(1)``
and ``arb(1) >= arb(1)`` may both be ``False`` for overlapping balls): code here always asks for the
statement it wants to prove and treats ``False`` as "not proved", never as "refuted".

Floats are taken at their exact dyadic value (``arb(0.1)`` is the exact float ``0.1000000000000000055…``
with radius zero). Integers are exact; rationals such as ``Fraction(1, 3)`` are enclosed at the
working precision (``flint.ctx.prec`` bits; see :func:`working_precision`).

Examples
--------
>>> from flint import arb
>>> with working_precision(106):
...     third = arb(1) / 3
>>> third.rad() < arb(2) ** -100
True
>>> s = ball_softmax([0.0, 0.0])
>>> [x.contains(arb(1) / 2) for x in s]
[True, True]
>>> certify_full_row_rank([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).status
'proved'
>>> certify_full_row_rank([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]).status    # exactly rank 1
'unknown'
"""
from __future__ import annotations

import dataclasses
import math
import time
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Iterator, Sequence

import numpy as np
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat, fmpz, fmpz_mat

from ..errors import InvalidArgumentError
from ..validation import as_float_array, describe

__all__ = [
    "working_precision",
    "to_arb",
    "to_arb_mat",
    "arb_mat_to_strings",
    "arb_mat_from_strings",
    "arb_upper_float",
    "arb_lower_float",
    "arb_to_fraction_bounds",
    "ball_softmax",
    "ball_logsumexp",
    "ball_matmul",
    "RowRankCertificate",
    "certify_full_row_rank",
]


# --------------------------------------------------------------------------- precision
@contextmanager
def working_precision(bits: int) -> Iterator[int]:
    """Set ``flint.ctx.prec`` to ``bits`` inside the block and restore the old value on exit.

    ``flint.ctx`` is process-global (not thread-local): do not share it across threads.

    >>> import flint
    >>> old = flint.ctx.prec
    >>> with working_precision(200) as p:
    ...     flint.ctx.prec == p == 200
    True
    >>> flint.ctx.prec == old
    True
    """
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or int(bits) < 2:
        raise InvalidArgumentError("bits", describe(bits), "an integer precision ≥ 2 (bits)")
    old = ctx.prec
    ctx.prec = int(bits)
    try:
        yield int(bits)
    finally:
        ctx.prec = old


# --------------------------------------------------------------------------- conversion
def to_arb(x: Any, name: str = "x") -> arb:
    """One number as a ball: floats and integers exactly, rationals enclosed at the working precision.

    >>> to_arb(0.5), to_arb(3).is_exact()
    (0.500000000000000, True)
    >>> to_arb(float("inf"))
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'x': got a non-finite value inf; expected finite real numbers or finite balls
    """
    if isinstance(x, arb):
        out = x
    elif isinstance(x, (bool, np.bool_)):
        raise InvalidArgumentError(name, f"a boolean {x!r}", "a real number (int, float, Fraction, fmpq or arb)")
    elif isinstance(x, (int, np.integer, fmpz)):
        return arb(int(x))
    elif isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise InvalidArgumentError(name, f"a non-finite value {float(x)}", "finite real numbers or finite balls")
        return arb(float(x))
    elif isinstance(x, Fraction):
        return arb(fmpq(x.numerator, x.denominator))
    elif isinstance(x, fmpq):
        return arb(x)
    else:
        raise InvalidArgumentError(name, f"an entry of type {type(x).__name__}", "int, float, Fraction, fmpq or arb entries")
    if not out.is_finite():
        raise InvalidArgumentError(name, f"a non-finite ball {out}", "finite real numbers or finite balls")
    return out


def _check_finite_arb_mat(a: arb_mat, name: str) -> None:
    for k, x in enumerate(a.entries()):
        if not x.is_finite():
            i, j = divmod(k, a.ncols())
            raise InvalidArgumentError(name, f"a non-finite ball {x} at index ({i}, {j})", "finite balls")


def _exact_source(a: Any, name: str) -> tuple[str, Any, tuple[int, int]]:
    """Classify a matrix argument: ``("arb", arb_mat)``, ``("numeric", ndarray)`` or ``("fmpq", fmpq_mat)``."""
    if isinstance(a, arb_mat):
        if a.nrows() == 0 or a.ncols() == 0:
            raise InvalidArgumentError(name, f"an empty arb_mat of shape ({a.nrows()}, {a.ncols()})", "at least one row and one column")
        _check_finite_arb_mat(a, name)
        return "arb", a, (a.nrows(), a.ncols())
    if isinstance(a, (fmpq_mat, fmpz_mat)):
        if a.nrows() == 0 or a.ncols() == 0:
            raise InvalidArgumentError(name, f"an empty matrix of shape ({a.nrows()}, {a.ncols()})", "at least one row and one column")
        q = fmpq_mat(a)
        return "fmpq", q, (q.nrows(), q.ncols())
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError):
        raise InvalidArgumentError(name, describe(a), "a 2-dimensional real matrix") from None
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InvalidArgumentError(name, describe(arr), "a 2-dimensional real matrix")
    if arr.size == 0:
        raise InvalidArgumentError(name, describe(arr), "a non-empty matrix", "pass at least one row and one column")
    if arr.dtype.kind in "iuf":
        if arr.dtype.kind == "f":
            as_float_array(arr, name, 2)  # NaN/inf check with the offending index
        return "numeric", arr, arr.shape
    if arr.dtype.kind == "O":
        from . import exact  # local: the exact tier validates entries (Fraction, fmpq, int, float)

        q = exact.to_fmpq_mat(arr, name)
        return "fmpq", q, (q.nrows(), q.ncols())
    raise InvalidArgumentError(name, describe(arr), "a real numeric matrix (int, float, Fraction, fmpq or arb entries)")


def _source_entries(kind: str, src: Any, cols: Sequence[int] | None = None) -> arb_mat:
    """Ball matrix of a classified source (or of its columns ``cols``) at the working precision."""
    if kind == "numeric":
        sub = src if cols is None else src[:, list(cols)]
        flat = sub.ravel().tolist()  # Python floats (exact) or ints (exact)
        return arb_mat(sub.shape[0], sub.shape[1], flat)
    nrows, ncols = src.nrows(), src.ncols()
    rows = range(nrows)
    cols = range(ncols) if cols is None else cols
    entries = src.entries()
    if kind == "fmpq":
        return arb_mat(len(rows), len(cols), [arb(entries[i * ncols + j]) for i in rows for j in cols])
    return arb_mat(len(rows), len(cols), [entries[i * ncols + j] for i in rows for j in cols])


def _midpoint_floats(kind: str, src: Any) -> np.ndarray:
    """Float64 approximation of the midpoint matrix (a heuristic input only: pivoting, preconditioner)."""
    if kind == "numeric":
        return np.asarray(src, dtype=np.float64)
    nrows, ncols = src.nrows(), src.ncols()
    if kind == "fmpq":
        vals = [float(x.p) / float(x.q) if abs(x.p) < 2**1000 and x.q < 2**1000 else float(arb(x).mid()) for x in src.entries()]
    else:
        vals = [float(x.mid()) for x in src.entries()]
    return np.array(vals, dtype=np.float64).reshape(nrows, ncols)


def to_arb_mat(a: Any, radius: Any = None) -> arb_mat:
    """A matrix as an ``arb_mat`` with exact midpoints and an optional entrywise radius.

    Parameters
    ----------
    a : array_like, arb_mat, fmpq_mat or fmpz_mat
        Real matrix (a 1-D input is one row). Floats and integers become exact midpoints; rationals
        (``Fraction``, ``fmpq``) are enclosed at the working precision; an ``arb_mat`` is kept.
    radius : float or array_like, optional
        Nonnegative finite radius added to every entry (scalar, or an array of ``a``'s shape).
        Radii are rounded *up* to flint's 30-bit radius format, so the result encloses
        ``[a - radius, a + radius]``.

    Returns
    -------
    arb_mat

    >>> m = to_arb_mat([[0.1, 2]], radius=0.5)
    >>> m[0, 0].mid() == arb(0.1), m[0, 1].contains(2.5)
    (True, True)
    >>> to_arb_mat([[1.0, float("nan")]])
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'a': got a non-finite value nan at index (0, 1); expected finite real numbers
    """
    kind, src, shape = _exact_source(a, "a")
    out = src if kind == "arb" else _source_entries(kind, src)
    if radius is None:
        return out
    rad = as_float_array(radius, "radius", (0, 1, 2))
    try:
        rad = np.broadcast_to(rad, shape)
    except ValueError:
        raise InvalidArgumentError("radius", f"shape {rad.shape}", f"a scalar or shape {shape}") from None
    if (rad < 0).any():
        idx = tuple(int(i) for i in np.argwhere(rad < 0)[0])
        raise InvalidArgumentError("radius", f"a negative radius {rad[idx]} at index {idx}", "nonnegative radii")
    balls = arb_mat(shape[0], shape[1], [arb(0, r) for r in rad.ravel().tolist()])
    return out + balls


def arb_mat_to_strings(a: arb_mat, digits: int = 0) -> list[list[str]]:
    """Ball matrix as nested lists of ``"[mid +/- rad]"`` strings (evidence).

    Each string re-parses with ``arb(s)`` (or :func:`arb_mat_from_strings`) to a ball that *contains*
    the original ball (decimal printing rounds outward). ``digits=0`` prints as many midpoint digits
    as the working precision supports.

    >>> s = arb_mat_to_strings(to_arb_mat([[0.5, 3]]))
    >>> s
    [['0.500000000000000', '3.00000000000000']]
    >>> arb_mat_from_strings(s).contains(to_arb_mat([[0.5, 3]]))
    True
    """
    if not isinstance(a, arb_mat):
        raise InvalidArgumentError("a", describe(a), "an arb_mat", "convert with to_arb_mat first")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise InvalidArgumentError("digits", describe(digits), "an integer ≥ 0 (0 = working precision)")
    return [[x.str(digits, radius=True, more=True) for x in row] for row in a.tolist()]


def arb_mat_from_strings(rows: Sequence[Sequence[str]]) -> arb_mat:
    """Inverse of :func:`arb_mat_to_strings` (each entry parsed with ``arb(s)``).

    >>> arb_mat_from_strings([["[1.5 +/- 0.25]", "2"]])[0, 0].contains(1.7)
    True
    """
    if not rows or not all(len(r) == len(rows[0]) for r in rows) or not rows[0]:
        raise InvalidArgumentError("rows", describe(rows), "a non-empty rectangular list of lists of ball strings")
    try:
        return arb_mat([[arb(str(s)) for s in row] for row in rows])
    except (ValueError, TypeError):
        raise InvalidArgumentError("rows", describe(rows), "strings such as '[1.5 +/- 0.25]' that arb() parses") from None


# --------------------------------------------------------------------------- bounds as floats / rationals
def arb_upper_float(x: Any) -> float:
    """A float guaranteed ``≥`` every real number in the ball ``x`` (``inf`` if unbounded or NaN).

    >>> from flint import arb
    >>> third = arb(1) / 3
    >>> u = arb_upper_float(third)
    >>> arb(u) >= third, u - 1 / 3 < 1e-15
    (True, True)
    """
    b = to_arb(x) if not isinstance(x, arb) else x
    if not b.is_finite():
        return math.inf
    u = b.upper()  # exact
    f = float(u)
    while math.isfinite(f) and not arb(f) >= u:
        f = math.nextafter(f, math.inf)
    return f


def arb_lower_float(x: Any) -> float:
    """A float guaranteed ``≤`` every real number in the ball ``x`` (``-inf`` if unbounded or NaN).

    >>> from flint import arb
    >>> l = arb_lower_float(arb(2) / 3)
    >>> arb(l) <= arb(2) / 3
    True
    """
    b = to_arb(x) if not isinstance(x, arb) else x
    if not b.is_finite():
        return -math.inf
    lo = b.lower()
    f = float(lo)
    while math.isfinite(f) and not arb(f) <= lo:
        f = math.nextafter(f, -math.inf)
    return f


def arb_to_fraction_bounds(x: Any) -> tuple[Fraction, Fraction]:
    """Exact rational ``(lower, upper)`` endpoints of a finite ball (the ball's own dyadic endpoints).

    >>> arb_to_fraction_bounds(arb(0.75))
    (Fraction(3, 4), Fraction(3, 4))
    >>> lo, hi = arb_to_fraction_bounds(arb(1) / 3)
    >>> lo < Fraction(1, 3) < hi
    True
    """
    b = to_arb(x) if not isinstance(x, arb) else x
    if not b.is_finite():
        raise InvalidArgumentError("x", f"a non-finite ball {b}", "a finite ball")

    def frac(e: arb) -> Fraction:
        man, exp = e.man_exp()
        man, exp = int(man), int(exp)
        return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)

    return frac(b.lower()), frac(b.upper())


# --------------------------------------------------------------------------- softmax
def _logit_balls(logits: Any) -> list[arb]:
    if isinstance(logits, arb_mat):
        if min(logits.nrows(), logits.ncols()) != 1:
            raise InvalidArgumentError("logits", f"an arb_mat of shape ({logits.nrows()}, {logits.ncols()})", "a row or column vector")
        vals = list(logits.entries())
    elif isinstance(logits, np.ndarray):
        if logits.ndim != 1:
            raise InvalidArgumentError("logits", describe(logits), "a 1-dimensional vector of logits")
        vals = logits.tolist() if logits.dtype.kind in "iuf" else list(logits)
    elif isinstance(logits, (list, tuple)):
        vals = list(logits)
    else:
        raise InvalidArgumentError("logits", describe(logits), "a vector (list, tuple, 1-D array or arb_mat) of real numbers or balls")
    if not vals:
        raise InvalidArgumentError("logits", "an empty vector", "at least one logit")
    return [to_arb(v, "logits") for v in vals]


def _shift(xs: list[arb]) -> arb:
    """The largest midpoint (an exact ball); shifting by it keeps every exponent ≤ 0 (near the max)."""
    return max((x.mid() for x in xs))


def ball_logsumexp(logits: Any, prec: int | None = None) -> arb:
    """Enclosure of ``log Σ_i exp(x_i)`` for a vector of balls, in shifted form ``c + log Σ exp(x_i - c)``.

    >>> from flint import arb
    >>> ball_logsumexp([1e6, 1e6]).contains(arb(10) ** 6 + arb(2).log())
    True
    """
    with working_precision(prec if prec is not None else ctx.prec):
        xs = _logit_balls(logits)
        c = _shift(xs)
        return c + sum((x - c).exp() for x in xs).log()


#: Up to this length :func:`ball_softmax` also uses the pairwise form (tighter for wide balls).
PAIRWISE_MAX = 64


def ball_softmax(logits: Any, prec: int | None = None, *, shift: float | None = None, pairwise: bool = True) -> list[arb]:
    """Enclosure of ``softmax(x)`` for a vector ``x`` of balls (or exact numbers).

    Computed in shifted form ``exp(x_i - c) / Σ_j exp(x_j - c)`` with ``c`` the largest midpoint, so
    huge logits (``1e6``) neither overflow nor widen the result; for vectors of length ≤
    ``PAIRWISE_MAX`` it is intersected with the pairwise form ``1 / (1 + Σ_{j≠i} exp(x_j - x_i))``
    (which does not count the radius of ``x_i`` in numerator and denominator independently), and
    always with ``[0, 1]`` (up to the rounding of the ball's own endpoints).

    Parameters
    ----------
    logits : sequence of float, int, Fraction, fmpq or arb; 1-D array; or a vector arb_mat
    prec : int, optional
        Working precision in bits (default: the current ``flint.ctx.prec``).
    shift : float, optional
        An exact real to shift by instead of the largest midpoint (e.g. a float64 maximum computed in
        bulk; any real is correct, one near the maximum keeps the exponents small).
    pairwise : bool
        Also intersect with the pairwise form (tighter for wide balls, O(n²)); off for speed on the
        narrow balls of exact inputs.

    Returns
    -------
    list of arb
        ``s_i`` with ``softmax(x)_i ∈ s_i`` for every real vector ``x`` inside the input balls.

    >>> from flint import arb
    >>> s = ball_softmax([1e6, 1e6 + 1.0])
    >>> s[1].contains(1 / (1 + arb(-1).exp())), s[1].rad() < 1e-15
    (True, True)
    """
    with working_precision(prec if prec is not None else ctx.prec):
        xs = _logit_balls(logits)
        c = _shift(xs) if shift is None else to_arb(shift, "shift")
        e = [(x - c).exp() for x in xs]
        total = sum(e)
        out = [ei / total for ei in e]
        if pairwise and len(xs) <= PAIRWISE_MAX:
            pair = [1 / (1 + sum((xj - xi).exp() for j, xj in enumerate(xs) if j != i)) for i, xi in enumerate(xs)]
            out = [a.intersection(b) for a, b in zip(out, pair)]
        unit = arb(0.5, 0.5)
        return [s.intersection(unit) for s in out]


# --------------------------------------------------------------------------- matrices
def ball_matmul(a: Any, b: Any) -> arb_mat:
    """Enclosure of the product ``a @ b`` (shapes checked up front; exact inputs converted).

    >>> print(ball_matmul([[1, 2]], [[3], [4]]))
    [11.0000000000000]
    >>> ball_matmul([[1, 2]], [[3, 4]])
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'b': got shape (1, 2); expected 2 rows to match a's 2 columns
    """
    ma, mb = to_arb_mat(a), to_arb_mat(b)
    if ma.ncols() != mb.nrows():
        raise InvalidArgumentError("b", f"shape ({mb.nrows()}, {mb.ncols()})", f"{ma.ncols()} rows to match a's {ma.ncols()} columns")
    return ma * mb


@dataclasses.dataclass(frozen=True)
class RowRankCertificate:
    """Outcome of :func:`certify_full_row_rank`.

    Attributes
    ----------
    status : {"proved", "refuted", "unknown"}
        ``"proved"``: every real matrix inside the enclosure has full row rank ``rows``.
        ``"refuted"``: no matrix of that shape can (more rows than columns).
        ``"unknown"``: not decided; see ``reason``.
    rows : int
        ``m``, the number of rows.
    columns : tuple of int
        The ``m`` column indices whose square submatrix ``B`` was certified nonsingular (or tried).
    residual_bound : str or None
        Rigorous upper bound (a decimal float string) of ``‖I − X·B‖_∞`` at the last attempt.
    prec : int
        Working precision (bits) of the last attempt.
    reason : str
        What was shown, or why it could not be shown.
    attempts : tuple of (int, str)
        ``(prec, residual_bound)`` per attempt, in order.
    seconds : float
        Wall time.
    """

    status: str
    rows: int
    columns: tuple[int, ...]
    residual_bound: str | None
    prec: int
    reason: str
    attempts: tuple[tuple[int, str], ...] = ()
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def to_evidence(self) -> dict[str, Any]:
        """JSON-ready evidence: the selected columns and the residual bound re-check the claim."""
        return {
            "status": self.status,
            "rows": self.rows,
            "columns": list(self.columns),
            "residual_bound_inf_norm": self.residual_bound,
            "prec_bits": self.prec,
            "attempts": [list(a) for a in self.attempts],
            "method": "Krawczyk-type test: ‖I − X·B‖_∞ < 1 in arb ball arithmetic, X ≈ mid(B)⁻¹",
            "reason": self.reason,
        }


def _pivot_columns(mid: np.ndarray, m: int) -> list[int]:
    """``m`` well-conditioned columns of ``mid`` by column-pivoted QR (a heuristic; soundness does not
    depend on it). Falls back to pivoted Gram–Schmidt in numpy if scipy is absent."""
    try:
        from scipy.linalg import qr
    except ImportError:  # scipy is a core dependency; this keeps the tier usable without it
        q = mid.astype(np.float64, copy=True)
        chosen: list[int] = []
        norms = (q * q).sum(axis=0)
        for _ in range(m):
            j = int(np.argmax(norms))
            chosen.append(j)
            v = q[:, j] / max(np.sqrt(norms[j]), np.finfo(float).tiny)
            q -= np.outer(v, v @ q)
            norms = (q * q).sum(axis=0)
            norms[chosen] = -1.0
        return sorted(chosen)
    _, piv = qr(mid, mode="r", pivoting=True, check_finite=False)
    return sorted(int(j) for j in piv[:m])


def _identity(m: int) -> arb_mat:
    eye = arb_mat(m, m)
    for i in range(m):
        eye[i, i] = 1
    return eye


def _inf_norm_upper(r: arb_mat) -> arb:
    """Rigorous upper bound (an exact ball) of ``max_i Σ_j |r_ij|`` over every matrix in ``r``."""
    m, n = r.nrows(), r.ncols()
    absu = arb_mat(m, n, [x.abs_upper() for x in r.entries()])
    sums = absu * arb_mat(n, 1, [1] * n)
    best = arb(0)
    for s in sums.entries():
        if not s.is_finite():
            return arb("inf")
        u = s.upper()  # exact, so the comparison below is decided
        if u > best:
            best = u
    return best


def _residual(x: arb_mat, b: arb_mat, eye: arb_mat) -> arb:
    return _inf_norm_upper(eye - x * b)


def _bound_str(u: arb) -> str:
    return repr(arb_upper_float(u))


def _ranks_mod_primes(kind: str, src: Any, cols: Sequence[int]) -> tuple[int, ...] | None:
    """Ranks of the exact submatrix modulo two large primes — an efficiency heuristic only.

    Precision cannot help when ``B`` itself is exactly singular; rank < m modulo both primes means
    that (a nonsingular ``B`` would need both primes to divide ``det B``). ``None`` if a denominator
    is divisible by a prime.
    """
    from . import exact

    sub: Any = src[:, list(cols)] if kind == "numeric" else _fmpq_columns(src, cols)
    try:
        return tuple(exact.rank_mod_p(sub, p) for p in exact.PRIMES[:2])
    except (ValueError, ZeroDivisionError):
        return None


def _fmpq_columns(src: fmpq_mat, cols: Sequence[int]) -> fmpq_mat:
    n = src.ncols()
    entries = src.entries()
    return fmpq_mat(src.nrows(), len(cols), [entries[i * n + j] for i in range(src.nrows()) for j in cols])


def certify_full_row_rank(enclosure: Any, *, prec: int = 53, max_prec: int = 424) -> RowRankCertificate:
    """Prove that every real matrix in ``enclosure`` has full row rank ``m`` (verified numerics).

    Method: pick ``m`` columns by column-pivoted QR of the midpoint matrix; let ``B`` be that
    ``m×m`` ball submatrix and ``X ≈ mid(B)⁻¹`` (float64, later the midpoint of a higher-precision
    approximate inverse). If ``‖I − X·B‖_∞ < 1`` is proved in ball arithmetic then ``X·B̃`` is
    nonsingular for every ``B̃ ∈ B``, so every ``B̃`` is, so every matrix in the enclosure has ``m``
    independent columns. Otherwise the precision is doubled (up to ``max_prec``) and ``X`` recomputed.
    Exact input (floats, ints, fractions) is re-enclosed at each precision; an ``arb_mat`` input is a
    fixed enclosure, so raising the precision cannot shrink its radii.

    It never proves an exactly singular case: if some matrix in the enclosure has rank < m, then
    ``X·B̃`` is singular and ``‖I − X·B̃‖ ≥ 1``. For exact input whose selected ``B`` is (almost
    surely) exactly singular — rank < m modulo two large primes — it stops after the first attempt,
    since no precision can help (an efficiency shortcut; it only ever returns ``"unknown"``).

    Parameters
    ----------
    enclosure : arb_mat, array_like, fmpq_mat or fmpz_mat
        ``m×N`` matrix of balls, or an exact real matrix (floats at their exact dyadic value).
    prec : int
        Working precision (bits) of the first attempt.
    max_prec : int
        Largest precision tried.

    Returns
    -------
    RowRankCertificate
        ``status`` is ``"proved"``, ``"refuted"`` (``m > N``: rank ≤ N < m for every matrix) or
        ``"unknown"`` (with the reason).

    >>> c = certify_full_row_rank([[1, 0, 0], [0, 0, 5]])
    >>> c.status, c.columns, c.prec
    ('proved', (0, 2), 53)
    >>> certify_full_row_rank([[1.0], [2.0]]).status
    'refuted'
    """
    start = time.perf_counter()
    for val, nm in ((prec, "prec"), (max_prec, "max_prec")):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or int(val) < 2:
            raise InvalidArgumentError(nm, describe(val), "an integer precision ≥ 2 (bits)")
    if max_prec < prec:
        raise InvalidArgumentError("max_prec", str(max_prec), f"max_prec ≥ prec = {prec}")
    kind, src, (m, n) = _exact_source(enclosure, "enclosure")

    def done(status: str, cols: Sequence[int], bound: str | None, bits: int, reason: str, attempts: list) -> RowRankCertificate:
        return RowRankCertificate(status, m, tuple(cols), bound, bits, reason, tuple(attempts), time.perf_counter() - start)

    if m > n:
        return done("refuted", (), None, int(prec), f"more rows than columns (m = {m} > N = {n}): every {m}×{n} matrix has rank ≤ {n} < {m}", [])
    mid = _midpoint_floats(kind, src)
    if not np.isfinite(mid).all():
        return done("unknown", (), None, int(prec), "midpoints exceed the float64 range; rescale rows by powers of two (rank is unchanged) and retry", [])
    cols = _pivot_columns(mid, m)
    eye = _identity(m)
    attempts: list[tuple[int, str]] = []
    bits, first, last = int(prec), True, None
    while True:
        with working_precision(bits):
            b = _source_entries(kind, src, cols=cols)
            x = None
            if first:
                with np.errstate(all="ignore"):
                    try:
                        xf = np.linalg.inv(mid[:, cols])
                    except np.linalg.LinAlgError:
                        xf = None
                if xf is not None and np.isfinite(xf).all():
                    x = arb_mat(m, m, xf.ravel().tolist())
            if x is None:
                try:
                    x = b.mid().solve(eye, algorithm="approx").mid()
                except (ZeroDivisionError, ValueError):
                    x = None
            if x is None:
                attempts.append((bits, "inf"))
            else:
                bound = _residual(x, b, eye)
                last = _bound_str(bound) if bound.is_finite() else "inf"
                attempts.append((bits, last))
                if bound < 1:
                    return done("proved", cols, last, bits,
                                f"‖I − X·B‖_∞ ≤ {last} < 1 at {bits} bits for columns {cols[:8]}{'…' if m > 8 else ''}: "
                                "every matrix in the enclosure has full row rank", attempts)
        if bits >= max_prec:
            break
        if first and kind != "arb":
            ranks = _ranks_mod_primes(kind, src, cols)
            if ranks is not None and max(ranks) < m:
                reason = (f"residual bound {last if last is not None else 'unavailable'} ≥ 1 at {bits} bits and the selected "
                          f"{m}×{m} submatrix has rank {max(ranks)} < {m} modulo two primes, so it is (almost surely) exactly "
                          "singular and no precision can help; stopped early. memproof.arith.exact.rank decides the input")
                return done("unknown", cols, last, bits, reason, attempts)
        bits, first = min(2 * bits, int(max_prec)), False
    hint = " (the input is exact: memproof.arith.exact.rank decides it)" if kind != "arb" else ""
    if last is None:
        reason = (f"no approximate inverse of the selected {m}×{m} midpoint submatrix up to {bits} bits: "
                  f"matrix numerically singular; raise max_prec or tighten the enclosure{hint}")
    else:
        reason = (f"residual bound {last} ≥ 1 at {bits} bits: matrix numerically singular or enclosure too wide; "
                  f"raise max_prec or tighten the enclosure{hint}")
    return done("unknown", cols, last, bits, reason, attempts)

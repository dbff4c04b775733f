"""The checker paired with the constructor: :func:`check_memorizes` and :func:`feature_enclosure`.

Rigorous level: the feature matrix ``Z`` (T × H d) of the *real-number* MHA defined by the stored float64
weights and data is enclosed in arb balls, and
:func:`~memproof.arith.rigorous.certify_full_row_rank` proves that every matrix in the enclosure has
rank ``T``. Then, by L1, ``M = Yᵀ(ZZᵀ)⁻¹Z`` interpolates every label matrix exactly, and by L2 it factors
into ``W_V, W_O`` with ``d_v ≥ min(d, d_o)``: the stored ``W_K, W_Q`` memorize the data with an exact
readout. The stored float readout ``W_V, W_O`` is *not* claimed exact: its interpolation error is
reported separately at the empirical level.

Refutations are exact: a dimension count (``T > Hd``; or, for a shared context, ``T > H(n − 1) + 1``
by P2's argument) or two examples with the same context whose logits agree up to a constant in every
head (decided in rational arithmetic), so their feature rows are equal.

Efficiency: logits are arb matrix products (one per head for a shared context; for distinct contexts
one ``T × Hd`` product ``[W^1 e_t; …; W^H e_t]`` and one small ``H × n`` product per example); the
softmax is evaluated ball-wise in shifted form (the shift is the float64 maximum, an exact number);
the convex combinations are arb matrix products again. Python-level ball operations: ``O(T·H·n)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import arb, arb_mat, fmpq

from ..arith import exact
from ..arith.rigorous import ball_softmax, certify_full_row_rank, working_precision
from ..data import Dataset
from ..errors import InvalidArgumentError
from ..model import MHAWeights, feature_matrix, mha_batch
from ..results import CORROBORATION, Level, Outcome, Result, Scope, stopwatch
from ..validation import describe

__all__ = ["check_memorizes", "feature_enclosure"]

STATEMENT = ("the stored key–query weights memorize the labels: the real-number feature matrix Z (T × Hd) has "
             "rank T, so M = Yᵀ(ZZᵀ)⁻¹Z interpolates exactly (L1) and factors with d_v ≥ min(d, d_o) (L2)")
STATEMENT_ALL = "the stored key–query weights memorize every labelling: rank Z = T for the real-number features (L1)"


def _float_logits(weights: MHAWeights, C: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Float logits (T, H, n), only used as exact shifts of the ball softmax."""
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.einsum("td,hda->tha", Q, weights.W_Q)
        if C.ndim == 2:
            a = np.einsum("hna,tha->thn", np.einsum("nd,hda->hna", C, weights.W_K), q)
        else:
            a = np.einsum("tnd,hda,tha->thn", C, weights.W_K, q, optimize=True)
        a = a * weights.scale
    if not np.isfinite(a).all():
        t, h, _ = (int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise InvalidArgumentError("weights", f"attention logits that overflow float64 (example {t}, head {h})",
                                   "logits within the float64 range", "scale the weights down")
    return a


def _ball_softmax_rows(rows: list[list[Any]], shifts: np.ndarray) -> list[Any]:
    """Flat list of the softmax balls of each row, shifted by the exact float maxima ``shifts``."""
    return [p for row, s in zip(rows, shifts.tolist()) for p in ball_softmax(row, shift=s, pairwise=False)]


def _amat(a: np.ndarray) -> arb_mat:
    return arb_mat(a.shape[0], a.shape[1], a.ravel().tolist())


def feature_enclosure(weights: MHAWeights, queries: Any, contexts: Any, *, prec: int = 106) -> arb_mat:
    """Ball enclosure (arb, ``prec`` bits) of the real-number feature matrix ``Z`` (T × H d).

    Row ``t`` is ``[z_{t,1}; …; z_{t,H}]`` with ``z_{t,h} = E_tᵀ softmax(s · E_t W_K^h W_Q^hᵀ e_t)``
    evaluated in real arithmetic on the stored float64 numbers (each taken at its exact value;
    ``s`` = ``weights.scale``).

    >>> from memproof.model import MHAWeights, AttentionSpec, feature_matrix
    >>> w = MHAWeights.zeros(AttentionSpec(n=2, d=2, heads=1))
    >>> Z = feature_enclosure(w, np.eye(2), [[2.0, 0.0], [0.0, 4.0]])
    >>> Z[0, 1].contains(2), Z.nrows(), Z.ncols()
    (True, 2, 2)
    """
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    ds = Dataset(queries, contexts)
    feature_matrix(weights, ds.contexts if ds.shared_context else ds.contexts[:1], ds.queries[:1])  # shape validation
    Q, C = ds.queries, ds.contexts
    T, d, n, H = ds.T, ds.d, ds.n, weights.heads
    shifts = _float_logits(weights, C, Q).max(axis=2)  # (T, H)
    with working_precision(prec):
        W = []
        for h in range(H):
            Wh = _amat(weights.W_K[h]) * _amat(np.ascontiguousarray(weights.W_Q[h].T))  # W^h (d × d)
            W.append(Wh if weights.scale == 1.0 else Wh * arb(weights.scale))
        if ds.shared_context:
            Ea = _amat(C)
            Qt = _amat(np.ascontiguousarray(Q.T))
            blocks = []
            for h in range(H):
                L = ((Ea * W[h]) * Qt).entries()  # (n × T): entry [i, t] at i*T + t
                rows = [L[t::T] for t in range(T)]
                S = arb_mat(T, n, _ball_softmax_rows(rows, shifts[:, h]))
                blocks.append((S * Ea).entries())  # (T × d)
            entries = [x for t in range(T) for b in blocks for x in b[t * d:(t + 1) * d]]
        else:
            # row t of Qa · [W^1ᵀ | … | W^Hᵀ] is [(W^1 e_t)ᵀ, …, (W^H e_t)ᵀ]
            WT = [w.transpose().entries() for w in W]
            stacked = arb_mat(d, H * d, [x for a in range(d) for wt in WT for x in wt[a * d:(a + 1) * d]])
            V = (_amat(Q) * stacked).entries()
            entries = []
            for t in range(T):
                Et = _amat(C[t])
                L = (arb_mat(H, d, V[t * H * d:(t + 1) * H * d]) * Et.transpose()).entries()  # (H × n)
                S = arb_mat(H, n, _ball_softmax_rows([L[h * n:(h + 1) * n] for h in range(H)], shifts[t]))
                entries.extend((S * Et).entries())
        return arb_mat(T, H * d, entries)


def _exact_logits(weights: MHAWeights, E: np.ndarray, e: np.ndarray, h: int) -> list:
    Eq = exact.to_fmpq_mat(E)
    v = exact.to_fmpq_mat(weights.W_K[h]) * (exact.to_fmpq_mat(np.ascontiguousarray(weights.W_Q[h].T)) * exact.to_fmpq_mat(e.reshape(-1, 1)))
    L = Eq * v * fmpq(*weights.scale.as_integer_ratio())
    return [L[i, 0] for i in range(L.nrows())]


def _equal_rows_witness(weights: MHAWeights, ds: Dataset, Zf: np.ndarray) -> tuple[int, int] | None:
    """Two examples with bitwise-equal float features and equal contexts whose exact logits differ by
    a constant in every head (so their real feature rows are equal), or None."""
    _, first, inverse = np.unique(Zf, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    for t in range(ds.T):
        t0 = int(first[inverse[t]])
        if t0 == t:
            continue
        if not np.array_equal(ds.context(t), ds.context(t0)):
            continue
        same = True
        for h in range(weights.heads):
            a = _exact_logits(weights, ds.context(t), ds.queries[t], h)
            b = _exact_logits(weights, ds.context(t0), ds.queries[t0], h)
            diff = [x - y for x, y in zip(a, b)]
            if any(x != diff[0] for x in diff):
                same = False
                break
        if same:
            return t0, t
    return None


def _rank_refutation(weights: MHAWeights, ds: Dataset, Zf: np.ndarray) -> dict | None:
    """Exact reasons why rank Z < T (for every real-number Z of these weights), or None."""
    T, H, d, n = ds.T, weights.heads, ds.d, ds.n
    if T > H * d:
        return {"why": f"dimension count: Z has H·d = {H * d} columns < T = {T} rows, so rank Z < T", "rank_bound": H * d}
    if ds.shared_context and T > H * (n - 1) + 1:
        return {"why": ("P2's argument: with one shared context E, Z = S (I_H ⊗ E) and the rows of S lie in an affine set of "
                        f"dimension H(n − 1), whose span has dimension ≤ H(n − 1) + 1 = {H * (n - 1) + 1} < T = {T}"),
                "rank_bound": H * (n - 1) + 1}
    pair = _equal_rows_witness(weights, ds, Zf)
    if pair is not None:
        t0, t = pair
        return {"why": (f"examples {t0} and {t} have the same context and, in every head, exact logits that differ by a "
                        "constant, so equal attention and equal feature rows: z_{t0} − z_{t} = 0"),
                "equal_rows": [t0, t], "left_null_vector": {str(t0): 1, str(t): -1}}
    return None


def check_memorizes(weights: MHAWeights, queries: Any, contexts: Any, labels: Any, *, certify: str = "rigorous",
                    for_all_labels: bool = False, prec: int = 106, max_prec: int = 424, tol: float = 1e-6) -> Result:
    """Decide whether the weights' key–query part memorizes the data (pairs with the constructor).

    Parameters
    ----------
    weights : MHAWeights
    queries : array_like, shape (T, d)
    contexts : array_like, shape (T, n, d) or (n, d)
    labels : array_like, shape (T,) or (T, d_o)
    certify : {"rigorous", "empirical"}
        ``"rigorous"``: arb enclosure of the real-number ``Z`` and a verified full-row-rank certificate;
        ``"empirical"``: float64 SVD rank (evidence, never a proof).
    for_all_labels : bool
        Claim "memorizes *every* labelling" (``rank Z = T``) instead of "memorizes these labels".
        It is refuted by any exact proof of ``rank Z < T``; the default claim only by an exact left
        null vector ``x`` of ``Z`` with ``xᵀY ≠ 0``.
    prec, max_prec : int
        Bits of the enclosure and largest precision of the rank certificate.
    tol : float
        Tolerance (relative to ``max(1, ‖Y‖_∞)``) of the *empirical* check of the stored float readout.

    Returns
    -------
    Result
        Claim ``S8`` (``S7`` with ``for_all_labels``). Parts: the rank certificate (proof) and the
        float readout's interpolation error (corroboration, empirical). Proved means: every matrix in
        the ball enclosure of the real-number ``Z`` has rank ``T``, hence an exact readout exists for the
        stored ``W_K, W_Q`` (L1, L2); it says nothing exact about the stored float ``W_V, W_O``.

    Examples
    --------
    >>> from memproof.model import MHAWeights, AttentionSpec
    >>> w = MHAWeights.zeros(AttentionSpec(n=2, d=3, heads=1, d_o=1))
    >>> r = check_memorizes(w, np.eye(3)[:2], [[1.0, 0, 0], [0, 1.0, 0]], [0.0, 1.0])
    >>> r.outcome.value, r.level.name                  # uniform attention: equal rows, different labels
    ('refuted', 'EXACT')
    """
    if certify not in ("rigorous", "empirical"):
        raise InvalidArgumentError("certify", repr(certify), "'rigorous' or 'empirical'")
    if not isinstance(weights, MHAWeights):
        raise InvalidArgumentError("weights", describe(weights), "an MHAWeights")
    if labels is None:
        raise InvalidArgumentError("labels", "None", "labels of shape (T,) or (T, d_o)")
    ds = Dataset(queries, contexts, labels)
    Y = ds.labels
    if Y.shape[1] != weights.d_o:
        raise InvalidArgumentError("labels", f"d_o = {Y.shape[1]}", f"d_o = {weights.d_o} as the weights' W_O")
    T, n, d, H = ds.T, ds.n, ds.d, weights.heads
    claim, statement = ("S7", STATEMENT_ALL) if for_all_labels else ("S8", STATEMENT)
    about = (f"the real-number MHA defined by the stored float64 W_K, W_Q (H={H}, d_h={weights.d_h}"
             + ("" if weights.scale == 1.0 else f", logit scale s = {weights.scale!r}") + ") on the stored "
             f"float64 data (T={T}, n={n}, d={d}, {'shared' if ds.shared_context else 'distinct'} contexts)")
    with stopwatch() as total:
        Zf = feature_matrix(weights, ds.contexts, ds.queries)
        err = float(np.abs(mha_batch(weights, ds.contexts, ds.queries) - Y).max())
        sv = np.linalg.svd(Zf, compute_uv=False)
        ratio = float(sv[-1] / sv[0]) if sv.size >= T and sv[0] > 0 else 0.0
        limit = tol * max(1.0, float(np.abs(Y).max()))
        ro_stmt = f"stored float readout: max_t ‖MHA(E_t, e_t) − y_t‖_∞ ≤ {limit:.3g}"
        ro_scope = Scope.instance("the stored float64 weights, evaluated in float64")
        if err <= limit:
            readout = Result.proved(claim, ro_stmt, Level.EMPIRICAL, ro_scope, evidence={"max_abs_error": err}, role=CORROBORATION)
        else:
            readout = Result.unknown(claim, ro_stmt, f"float readout error {err:.3g} > {limit:.3g}", ro_scope, level=Level.EMPIRICAL,
                                     evidence={"max_abs_error": err}, role=CORROBORATION)
        ref = _rank_refutation(weights, ds, Zf)
        evidence: dict[str, Any] = {"T": T, "n": n, "d": d, "H": H, "certify": certify, "max_abs_error_float_readout": err,
                                    "sigma_min_over_sigma_max_float": ratio}
        rank_stmt = "rank Z = T for the real-number feature matrix"
        if ref is not None:
            rank_part = Result.refuted(claim, rank_stmt, Level.EXACT, Scope.instance(about), counterexample=ref, evidence=ref)
            labels_refuted = False
            if "equal_rows" in ref:
                t0, t = ref["equal_rows"]
                labels_refuted = not np.array_equal(Y[t0], Y[t])
                ref = {**ref, "labels_differ": labels_refuted,
                       "consequence": "no readout maps equal feature rows to different labels" if labels_refuted
                       else "the two labels are equal, so these labels are not refuted by this pair"}
            if for_all_labels or labels_refuted:
                return Result(claim, statement, Outcome.REFUTED, Level.EXACT, Scope.instance(about), evidence={**evidence, **ref},
                              counterexample=ref, parts=(rank_part, readout), 
                              margins={"max_abs_error": err})
            return Result.unknown(claim, statement, "rank Z < T proved exactly (" + ref["why"] + "), so not every labelling is "
                                  "memorizable; whether these particular labels are is not decided", Scope.instance(about),
                                  evidence={**evidence, **ref}, parts=(rank_part, readout), margins={"max_abs_error": err})
        if certify == "empirical":
            tol_rank = max(Zf.shape) * np.finfo(float).eps * (sv[0] if sv.size else 0.0)
            num_rank = int((sv > tol_rank).sum())
            evidence.update({"numerical_rank": num_rank, "rank_tolerance": float(tol_rank)})
            scope = Scope.instance("the float64 feature matrix of the stored weights")
            if num_rank == T:
                rank_part = Result.proved(claim, rank_stmt + " (float64 SVD)", Level.EMPIRICAL, scope, evidence=dict(evidence))
            else:
                rank_part = Result.unknown(claim, rank_stmt + " (float64 SVD)", f"numerical rank {num_rank} < T = {T} "
                                           "(float evidence only; try certify='rigorous')", scope, level=Level.EMPIRICAL, evidence=dict(evidence))
        else:
            with stopwatch() as t_enc:
                enc = feature_enclosure(weights, ds.queries, ds.contexts, prec=prec)
            rad = max((float(x.rad()) for x in enc.entries()), default=0.0)  # radii have 30-bit mantissas: exact
            cert = certify_full_row_rank(enc, prec=53, max_prec=max_prec)
            evidence.update({"enclosure_prec_bits": prec, "enclosure_max_radius": rad, "enclosure_seconds": t_enc[0],
                             "rank_certificate": cert.to_evidence(), "rank_certificate_seconds": cert.seconds,
                             "what_is_proved": ("every real matrix in the ball enclosure of Z has rank T; the real-number Z of the "
                                                "stored W_K, W_Q lies in it, so rank Z = T and, by L1 and L2, exact readout weights "
                                                "W_V, W_O (d_v ≥ min(d, d_o)) exist that memorize every labelling, these labels included. "
                                                "The stored float W_V, W_O are not claimed exact (see the empirical part).")})
            scope = Scope.instance(about)
            if cert.proved:
                rank_part = Result.proved(claim, rank_stmt, Level.RIGOROUS, scope, evidence=dict(evidence))
            else:
                rank_part = Result.unknown(claim, rank_stmt, cert.reason, scope, evidence=dict(evidence))
    margins = {"sigma_min_over_sigma_max_float": ratio, "max_abs_error": err}
    if rank_part.outcome is Outcome.PROVED:
        return Result.proved(claim, statement, rank_part.level, rank_part.scope, evidence=evidence, parts=(rank_part, readout),
                             margins=margins, seconds=total[0])
    return Result.unknown(claim, statement, rank_part.reason or "not certified", rank_part.scope, evidence=evidence,
                          parts=(rank_part, readout), margins=margins, seconds=total[0])

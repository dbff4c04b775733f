(** * S8 — Readout step (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType], with MathComp matrices (row convention: the
    feature matrix Z has one row per example).

    Z : 'M_(T, H * d) stacks the feature rows z_t = [z_{t,1}; ...; z_{t,H}];
    the head-h block of row t is the column vector
      head_feature Z t h = (Z t (h, j))_{j < d}    (index (h, j) = mxvec_index h j).

    Claim S8: if rank Z = T and d_v >= min(d, d_o), then for every label
    matrix Y : 'M_(T, d_o) there are W_O^h : 'M_(d_o, d_v), W_V^h : 'M_(d, d_v)
    with  sum_h W_O^h (W_V^h)^T z_{t,h} = y_t  for every t.

    The proof combines L1 (RankReduction.L1_memorize_any_field: rank Z = T gives
    a readout M with Z M^T = Y) and L2 (ReadoutFactorisation.L2_readout_factorisation:
    every block d_o x d factors as W_O W_V^T; one factorisation per head is chosen
    with fin_all_exists, 'I_H being finite). *)

From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import RankReduction ReadoutFactorisation.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Readout.

Variable R : realFieldType.

(** Head-h block of row t of Z, as a column vector in R^d. *)
Definition head_feature T H d (Z : 'M[R]_(T, H * d)) (t : 'I_T) (h : 'I_H) : 'cV[R]_d :=
  \col_j Z t (mxvec_index h j).

(** A product with a stacked row splits into per-head products. *)
Lemma mulmx_heads H d p (z : 'rV[R]_(H * d)) (M : 'M[R]_(H * d, p)) :
  z *m M = \sum_(h < H) (\row_j z 0 (mxvec_index h j))
                         *m (\matrix_(j, k) M (mxvec_index h j) k).
Proof.
apply/rowP => k; rewrite !mxE summxE (reindex _ (curry_mxvec_bij _ _)) /=.
under [RHS]eq_bigr do rewrite mxE.
rewrite pair_bigA; apply: eq_bigr => [[h j]] _ /=.
by rewrite !mxE.
Qed.

(** ** Claim S8 *)
Theorem S8_readout T H d d_o d_v (Z : 'M[R]_(T, H * d)) (Y : 'M[R]_(T, d_o)) :
  \rank Z = T ->
  (minn d d_o <= d_v)%N ->
  exists (W_O : 'I_H -> 'M[R]_(d_o, d_v)) (W_V : 'I_H -> 'M[R]_(d, d_v)),
    forall t : 'I_T,
      \sum_(h < H) W_O h *m (W_V h)^T *m head_feature Z t h = (row t Y)^T.
Proof.
move=> rk hv; have [M ZM] := L1_memorize_any_field rk Y.
pose Mh (h : 'I_H) : 'M[R]_(d_o, d) := (\matrix_(j, k) M^T (mxvec_index h j) k)^T.
have [f fac] : exists f : 'I_H -> 'M[R]_(d, d_v) * 'M[R]_(d_o, d_v),
    forall h, Mh h = (f h).2 *m (f h).1^T.
  apply: (@fin_all_exists _ (fun=> ('M[R]_(d, d_v) * 'M[R]_(d_o, d_v))%type)
           (fun h p => Mh h = p.2 *m p.1^T)) => h.
  by have [W_V [W_O ->]] := L2_readout_factorisation (Mh h) hv; exists (W_V, W_O).
exists (fun h => (f h).2), (fun h => (f h).1) => t.
rewrite -ZM row_mul mulmx_heads (raddf_sum (trmx_additive _ _ _)); apply: eq_bigr => h _.
rewrite -fac /Mh /= trmx_mul; congr (_ *m _).
by apply/matrixP => j i; rewrite !mxE.
Qed.

End Readout.

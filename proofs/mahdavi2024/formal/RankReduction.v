(* L1 (reduction to rank), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   Row-vector convention: the rows of Z : 'M_(T, m) are the features z_t, the rows of
   Y : 'M_(T, d_o) are the labels y_t; "M z_t = y_t for all t" is  Z *m M^T = Y. *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section AnyField.
Variable F : fieldType.

(* Full row rank: every label matrix is memorized (any field). *)
Lemma L1_memorize_any_field T m d_o (Z : 'M[F]_(T, m)) :
  \rank Z = T -> forall Y : 'M[F]_(T, d_o), exists M : 'M[F]_(d_o, m), Z *m M^T = Y.
Proof.
move=> rZ Y; have /row_freeP[B ZB] : row_free Z by rewrite /row_free rZ.
by exists (B *m Y)^T; rewrite trmxK mulmxA ZB mul1mx.
Qed.

(* Converse: with d_o >= T, memorizing every label matrix forces rank Z = T. *)
Lemma L1_converse T m d_o (Z : 'M[F]_(T, m)) :
  (T <= d_o)%N ->
  (forall Y : 'M[F]_(T, d_o), exists M : 'M[F]_(d_o, m), Z *m M^T = Y) ->
  \rank Z = T.
Proof.
move=> le_T_do all; have [M ZM] := all (pid_mx T).
apply/eqP; rewrite eqn_leq rank_leq_row /=.
apply: leq_trans (mxrankM_maxl Z M^T); rewrite ZM rank_pid_mx //.
Qed.

End AnyField.

(* The explicit readout M = Yᵀ (Z Zᵀ)⁻¹ Z (real field, so that Z Zᵀ is invertible). *)
Lemma L1_explicit (R : realFieldType) T m d_o (Z : 'M[R]_(T, m)) (Y : 'M[R]_(T, d_o)) :
  \rank Z = T -> Z *m (Y^T *m invmx (Z *m Z^T) *m Z)^T = Y.
Proof.
move=> rZ; rewrite !trmx_mul trmxK trmx_inv trmx_mul trmxK.
by rewrite !mulmxA mulmxV ?mul1mx // gram_unit.
Qed.

(* L1 as stated in the paper (over a real field). *)
Theorem L1_reduction_to_rank (R : realFieldType) T m d_o (Z : 'M[R]_(T, m)) :
  (\rank Z = T ->
     forall Y : 'M[R]_(T, d_o), Z *m (Y^T *m invmx (Z *m Z^T) *m Z)^T = Y) /\
  ((T <= d_o)%N ->
     (forall Y : 'M[R]_(T, d_o), exists M : 'M[R]_(d_o, m), Z *m M^T = Y) ->
     \rank Z = T).
Proof.
split; first by move=> rZ Y; exact: L1_explicit.
exact: L1_converse.
Qed.

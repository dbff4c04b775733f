(* L2 (readout factorisation), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   Any block M_h : d_o x d equals W_O W_Vᵀ with W_V : d x d_v, W_O : d_o x d_v
   as soon as d_v >= min(d, d_o).  Any field. *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Theorem L2_readout_factorisation (F : fieldType) d_o d d_v (M_h : 'M[F]_(d_o, d)) :
  (minn d d_o <= d_v)%N ->
  exists (W_V : 'M[F]_(d, d_v)) (W_O : 'M[F]_(d_o, d_v)), M_h = W_O *m W_V^T.
Proof.
move=> le_dv; have rk : (\rank M_h <= d_v)%N.
  by apply: leq_trans le_dv; rewrite leq_min rank_leq_col rank_leq_row.
by have [B [C ->]] := factor_rank_le rk; exists C, B.
Qed.

(* L8 (rank budget), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   n̄ = min(n, d_h) >= 1.  If rank W* <= n̄ - 1 and rank W⁺ <= 1 then for every scale c
   rank (W* + c W⁺) <= rank W* + 1 <= n̄ <= d_h, and W* + c W⁺ = W_K W_Qᵀ with
   W_K, W_Q : d x d_h.  Any field. *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

(* Any d x d matrix of rank <= d_h factors as W_K W_Qᵀ with d_h columns each. *)
Lemma key_query_factorisation (F : fieldType) d d_h (W : 'M[F]_d) :
  (\rank W <= d_h)%N -> exists W_K W_Q : 'M[F]_(d, d_h), W = W_K *m W_Q^T.
Proof. exact: factor_rank_le. Qed.

Theorem L8_rank_budget (F : fieldType) d n d_h (Ws Wp : 'M[F]_d) (c : F) :
  (0 < minn n d_h)%N ->
  (\rank Ws <= minn n d_h - 1)%N -> (\rank Wp <= 1)%N ->
  [/\ (\rank (Ws + c *: Wp)%R <= \rank Ws + 1)%N,
      (\rank Ws + 1 <= minn n d_h)%N,
      (minn n d_h <= d_h)%N &
      exists W_K W_Q : 'M[F]_(d, d_h), (Ws + c *: Wp)%R = W_K *m W_Q^T].
Proof.
move=> nbar_pos rWs rWp.
have r1 : (\rank (Ws + c *: Wp)%R <= \rank Ws + 1)%N.
  apply: leq_trans (mxrank_add _ _) _; rewrite leq_add2l.
  exact: leq_trans (mxrank_scale _ _) rWp.
have r2 : (\rank Ws + 1 <= minn n d_h)%N by rewrite addnC -leq_subRL.
have r3 : (minn n d_h <= d_h)%N by rewrite geq_minr.
split=> //; apply: key_query_factorisation.
exact: leq_trans r1 (leq_trans r2 r3).
Qed.

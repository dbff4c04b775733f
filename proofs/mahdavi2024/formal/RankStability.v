(** * L7 — Rank stability (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Certificate form of L7, over any [realFieldType] (e.g. the rationals or
    real algebraic numbers), with MathComp matrices.  Norm used: the
    max-row-sum norm (induced infinity-norm) |X|_inf = max_i sum_j |X i j|;
    "|X|_inf < 1" is stated as "every row of X has absolute sum < 1".

    Claim L7: if Dstar *m R = 1 (R : 'M_(m, k)) and |(D - Dstar) *m R|_inf < 1,
    then rank D = k (D, Dstar : 'M_(k, m)).

    Proof: D *m R = 1 + (D - Dstar) *m R is strictly diagonally dominant by
    rows, hence invertible (take the entry of largest modulus of a kernel
    vector), so rank D >= rank (D *m R) = k, and rank D <= k (k rows). *)

From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section RankStability.

Variable R : realFieldType.

(** A matrix that is strictly diagonally dominant by rows is invertible. *)
Lemma dominant_row_free k (A : 'M[R]_k) :
  (forall i, \sum_(j | j != i) `|A i j| < `|A i i|) -> row_free A.
Proof.
move=> dom; suff : row_free A^T by rewrite /row_free mxrank_tr.
apply: inj_row_free => v vA0; apply/rowP => i0.
case: (@Order.TotalTheory.arg_maxP _ _ (ordinal_finType k) i0 xpredT (fun j => `|v 0 j|) isT) => i _ Hmax.
have Ei : v 0 i * A i i = - \sum_(j | j != i) v 0 j * A i j.
  have := congr1 (fun M : 'M[R]_(1, k) => M 0 i) vA0; rewrite !mxE (bigD1 i) //=.
  by move/eqP; rewrite addr_eq0 => /eqP; rewrite mxE; under eq_bigr do rewrite mxE.
have le : `|v 0 i| * `|A i i| <= `|v 0 i| * \sum_(j | j != i) `|A i j|.
  rewrite -normrM Ei normrN mulr_sumr.
  apply: le_trans (ler_norm_sum _ _ _) _; apply: ler_sum => j _.
  by rewrite normrM; apply: ler_wpmul2r => //; exact: (Hmax j isT).
have vi0 : `|v 0 i| = 0.
  apply/eqP; apply/negPn/negP => nz.
  have pos : 0 < `|v 0 i| by rewrite lt_def nz normr_ge0.
  by move: le; rewrite (ler_pmul2l pos) leNgt dom.
have h : `|v 0 i0| <= `|v 0 i| := Hmax i0 isT.
by move: h; rewrite vi0 normr_le0 => /eqP ->; rewrite mxE.
Qed.

(** [1 + X] is invertible when every row of [X] has absolute sum below 1. *)
Lemma one_plus_small_row_free k (X : 'M[R]_k) :
  (forall i, \sum_j `|X i j| < 1) -> row_free (1%:M + X).
Proof.
move=> small; apply: dominant_row_free => i.
have Hi := small i; rewrite (bigD1 i) //= in Hi.
have -> : \sum_(j | j != i) `|(1%:M + X) i j| = \sum_(j | j != i) `|X i j|.
  by apply: eq_bigr => j ji; rewrite !mxE eq_sym (negbTE ji) add0r.
rewrite !mxE eqxx.
have tri : 1 <= `|1 + X i i| + `|X i i|.
  by have := ler_norm_sub (1 + X i i) (X i i); rewrite addrK normr1.
rewrite -(ltr_add2r (`|X i i|)); apply: lt_le_trans tri.
by rewrite addrC.
Qed.

(** ** Claim L7 *)
Theorem L7_rank_stability k m (D Dstar : 'M[R]_(k, m)) (Rm : 'M[R]_(m, k)) :
  Dstar *m Rm = 1%:M ->
  (forall i, \sum_j `|((D - Dstar) *m Rm) i j| < 1) ->
  \rank D = k.
Proof.
move=> HR small; apply/eqP; rewrite eqn_leq rank_leq_row /=.
have e : D *m Rm = 1%:M + (D - Dstar) *m Rm by rewrite mulmxBl HR addrC subrK.
have := mxrankM_maxl D Rm; rewrite e.
by have /eqP -> := one_plus_small_row_free small.
Qed.

End RankStability.

(** * Softmax and saturation over an abstract ordered field with exp
    (Mahdavi, Liao, Thrampoulidis, ICLR 2024: model of theorem.md §1, S4/L4)

    Over any [realFieldType] F with an [expln F]: a function [exp : F -> F]
    that is positive, additive-to-multiplicative, monotone, and onto the
    positives (with a right inverse [ln] on the positives).  Coq's real
    exp/ln satisfy all four fields; no axiom is assumed here.

    softmax x = (exp x_i / sum_j exp x_j)_i  (column vectors);
    attention feature of an example (E, e) under a key-query matrix W:
      z = E^T softmax (E W e)   (as a row: (softmax (E W e))^T E). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Record expln (F : realFieldType) := ExpLn {
  exp : F -> F;
  ln : F -> F;
  exp_gt0 : forall x, 0 < exp x;
  expD : forall x y, exp (x + y) = exp x * exp y;
  exp_le : forall x y, x <= y -> exp x <= exp y;
  lnK : forall y, 0 < y -> exp (ln y) = y }.

Section Softmax.
Variables (F : realFieldType) (X : expln F).
Local Notation exp := (exp X).
Local Notation ln := (ln X).

Definition softmax n (x : 'cV[F]_n) : 'cV[F]_n :=
  \col_i (exp (x i 0) / \sum_j exp (x j 0)).

(** Head feature of one example, as a row: (E^T softmax (E W e))^T. *)
Definition feature n d (E : 'M[F]_(n, d)) (W : 'M[F]_d) (e : 'cV[F]_d) : 'rV[F]_d :=
  (softmax (E *m W *m e))^T *m E.

Lemma feature_tr n d (E : 'M[F]_(n, d)) W e :
  (feature E W e)^T = E^T *m softmax (E *m W *m e).
Proof. by rewrite /feature trmx_mul trmxK. Qed.

Lemma exp_le_sum n (x : 'cV[F]_n) i : exp (x i 0) <= \sum_j exp (x j 0).
Proof.
rewrite (bigD1 i) //= ler_addl; apply: sumr_ge0 => j _; exact: ltW (exp_gt0 _ _).
Qed.

Lemma sum_exp_gt0 n (x : 'cV[F]_n) (i : 'I_n) : 0 < \sum_j exp (x j 0).
Proof. exact: lt_le_trans (exp_gt0 _ _) (exp_le_sum x i). Qed.

Lemma softmax_gt0 n (x : 'cV[F]_n) i : 0 < softmax x i 0.
Proof. by rewrite mxE divr_gt0 ?exp_gt0 ?(sum_exp_gt0 x i). Qed.

Lemma softmax_sum n (x : 'cV[F]_n) (i0 : 'I_n) : \sum_i softmax x i 0 = 1.
Proof.
under eq_bigr do rewrite mxE.
by rewrite -mulr_suml mulfV // gt_eqF // (sum_exp_gt0 x i0).
Qed.

(** Every interior point of the simplex is a softmax (L3 with a_j = ln s_j). *)
Lemma softmax_ln n (s : 'cV[F]_n) :
  (forall i, 0 < s i 0) -> \sum_i s i 0 = 1 -> softmax (map_mx ln s) = s.
Proof.
move=> pos sum1; apply/colP => i; rewrite !mxE lnK //.
under eq_bigr => j _ do rewrite mxE lnK //.
by rewrite sum1 divr1.
Qed.

Lemma softmax_le_exp n (x : 'cV[F]_n) i j :
  softmax x i 0 <= exp (x i 0 - x j 0).
Proof.
rewrite mxE ler_pdivr_mulr ?(sum_exp_gt0 x i) //.
have -> : exp (x i 0) = exp (x i 0 - x j 0) * exp (x j 0) by rewrite -expD subrK.
by rewrite ler_wpmul2l ?exp_le_sum // ltW ?exp_gt0.
Qed.

(** If every off-argmax entry is at most K, the L1 distance to the vertex is
    at most 2 (n - 1) K. *)
Lemma softmax_l1_bound n (x : 'cV[F]_n) istar K :
  (forall i, i != istar -> softmax x i 0 <= K) ->
  \sum_i `|softmax x i 0 - (i == istar)%:R| <= 2 * (n.-1)%:R * K.
Proof.
move=> hK; set s := softmax x.
have hs := softmax_sum x istar; rewrite -/s (bigD1 istar) //= in hs.
rewrite (bigD1 istar) //= eqxx.
have -> : `|s istar 0 - 1| = \sum_(i | i != istar) s i 0.
  by rewrite -hs opprD addNKr normrN ger0_norm // sumr_ge0 // => i _; exact: ltW (softmax_gt0 _ _).
have -> : \sum_(i | i != istar) `|s i 0 - (i == istar)%:R| = \sum_(i | i != istar) s i 0.
  apply: eq_bigr => i /negPf ->; rewrite subr0 ger0_norm //; exact: ltW (softmax_gt0 _ _).
have le : \sum_(i | i != istar) s i 0 <= (n.-1)%:R * K.
  apply: le_trans (ler_sum _ hK) _.
  have -> : \sum_(i | i != istar) K = K *+ #|predC1 istar|.
    by rewrite -sumr_const; apply: eq_bigl => i; rewrite inE.
  by rewrite cardC1 card_ord mulr_natl.
rewrite -mulr2n -[_ *+ 2]mulr_natl -mulrA.
by rewrite ler_wpmul2l // ler0n.
Qed.

(** ** S4 (L4 over F): saturation bound. *)
Theorem S4_softmax_saturation n (g b : 'cV[F]_n) istar gamma beta c :
  0 <= c ->
  (forall i, i != istar -> g i 0 + gamma <= g istar 0) ->
  (forall i, `|b i 0| <= beta) ->
  \sum_i `|softmax (c *: g + b) i 0 - (i == istar)%:R|
    <= 2 * (n.-1)%:R * exp (- (c * gamma - 2 * beta)).
Proof.
move=> c0 gap hb; apply: softmax_l1_bound => i ii.
apply: le_trans (softmax_le_exp _ i istar) _; apply: exp_le; rewrite !mxE.
have e : c * g i 0 + b i 0 - (c * g istar 0 + b istar 0)
       = c * (g i 0 - g istar 0) + (b i 0 - b istar 0) by ring.
have e2 : - (c * gamma - 2 * beta) = c * (- gamma) + (beta + beta) by ring.
rewrite e e2; apply: ler_add.
  apply: ler_wpmul2l => //; rewrite -subr_ge0.
  have -> : - gamma - (g i 0 - g istar 0) = g istar 0 - (g i 0 + gamma) by ring.
  by rewrite subr_ge0; exact: gap.
apply: ler_add; first exact: le_trans (ler_norm _) (hb i).
by apply: le_trans (hb istar); rewrite -normrN ler_norm.
Qed.

(** Finitely many "eventually" properties hold together eventually. *)
Lemma ev_fin (I : finType) (P : I -> F -> Prop) :
  (forall i, exists c0, forall c, c0 <= c -> P i c) ->
  exists c0, forall c, c0 <= c -> forall i, P i c.
Proof.
move=> h; have [f hf] := fin_all_exists h.
exists (\sum_i `|f i|) => c hc i; apply: hf; apply: le_trans hc.
apply: le_trans (ler_norm (f i)) _.
by rewrite (bigD1 i) //= ler_addl sumr_ge0 // => j _; exact: normr_ge0.
Qed.

Lemma le_sum_term (I : finType) (f : I -> F) i :
  (forall j, 0 <= f j) -> f i <= \sum_j f j.
Proof. by move=> h; rewrite (bigD1 i) //= ler_addl sumr_ge0. Qed.

(** ** S4 (saturated limit): as c grows, the attention output of logits
    c g + b tends, entrywise, to the token of the unique argmax of g. *)
Theorem S4_saturated_limit n d (g b : 'cV[F]_n) istar (E : 'M[F]_(n, d)) :
  (forall i, i != istar -> g i 0 < g istar 0) ->
  forall eta, 0 < eta ->
  exists c0, forall c, c0 <= c -> forall j,
    `|((softmax (c *: g + b))^T *m E - row istar E) 0 j| < eta.
Proof.
move=> gap eta eta0.
pose M := 1 + \sum_i \sum_j `|E i j|.
have S0 : 0 <= \sum_i \sum_j `|E i j| by do 2!(apply: sumr_ge0 => ? _).
have M0 : 0 < M by apply: lt_le_trans ltr01 _; rewrite ler_addl.
have hEM i j : `|E i j| <= M.
  apply: le_trans (_ : \sum_i \sum_j `|E i j| <= M); last by rewrite ler_addr ler01.
  apply: le_trans (le_sum_term _ _) (le_sum_term _ _) => [k|k].
    exact: normr_ge0.
  by apply: sumr_ge0.
have n0 : (0 < n)%N by case: n istar {gap g b E M S0 M0 hEM} => // -[].
have n0F : 0 < (n%:R : F) by rewrite ltr0n.
pose K := eta / (2 * n%:R * M).
have two0 : 0 < (2 : F) by rewrite ltr0n.
have K0 : 0 < K by apply: divr_gt0 => //; apply: mulr_gt0 => //; apply: mulr_gt0.
pose P (i : 'I_n) c := i != istar ->
    (c *: g + b) i 0 - (c *: g + b) istar 0 <= ln K.
have [c0 hc0] : exists c0, forall c, c0 <= c -> forall i, P i c.
  apply: ev_fin => i; rewrite /P.
  case: (eqVneq i istar) => [-> | ii]; first by exists 0.
  have gp : 0 < g istar 0 - g i 0 by rewrite subr_gt0 gap.
  exists ((b i 0 - b istar 0 - ln K) / (g istar 0 - g i 0)) => c hc _.
  move: hc; rewrite ler_pdivr_mulr // => hc; rewrite !mxE -subr_ge0.
  have -> : ln K - (c * g i 0 + b i 0 - (c * g istar 0 + b istar 0))
          = c * (g istar 0 - g i 0) - (b i 0 - b istar 0 - ln K) by ring.
  by rewrite subr_ge0.
exists c0 => c hc j.
set s := softmax (c *: g + b).
have hs : \sum_i `|s i 0 - (i == istar)%:R| <= 2 * (n.-1)%:R * K.
  apply: softmax_l1_bound => i ii; apply: le_trans (softmax_le_exp _ i istar) _.
  by rewrite -(lnK X K0); apply: exp_le; exact: hc0.
have eD : ((s^T *m E) - row istar E) 0 j = \sum_i (s i 0 - (i == istar)%:R) * E i j.
  rewrite !mxE.
  have -> : E istar j = \sum_i (i == istar)%:R * E i j.
    rewrite (bigD1 istar) //= eqxx mul1r big1 ?addr0 // => i /negPf ->.
    by rewrite mul0r.
  by rewrite -sumrB; apply: eq_bigr => i _; rewrite mulrBl !mxE.
rewrite eD; apply: le_lt_trans (ler_norm_sum _ _ _) _.
apply: le_lt_trans (_ : _ <= (\sum_i `|s i 0 - (i == istar)%:R|) * M) _.
  rewrite mulr_suml; apply: ler_sum => i _; rewrite normrM.
  by apply: ler_wpmul2l => //; exact: normr_ge0.
apply: le_lt_trans (_ : _ <= 2 * (n.-1)%:R * K * M) _.
  by apply: ler_wpmul2r => //; exact: ltW.
have -> : eta = 2 * n%:R * K * M.
  rewrite /K mulrAC [_ * (eta / _)]mulrC divfK //.
  by rewrite gt_eqF //; apply: mulr_gt0 => //; apply: mulr_gt0.
by rewrite ltr_pmul2r // ltr_pmul2r // ltr_pmul2l // ltr_nat ltn_predL.
Qed.

End Softmax.

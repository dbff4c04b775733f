(** * L5 — Choosing independent points E^T s on the open simplex
    (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType], MathComp matrices, row convention: a point of
    the open simplex is a row s : 'rV_n with positive entries summing to 1,
    and its image is the row s *m E = (E^T s)^T.  k such points are the rows
    of S : 'M_(k, n); the k vectors E^T s_t - g_t are linearly independent
    iff rank (S *m E - G) = k, where the rows of G : 'M_(k, d) are the g_t.

    Claim L5, for E : 'M_(n, d) of rank n:
    (a) for every k <= n - 1 and every offsets G : 'M_(k, d) there is S with
        rows in the open simplex and rank (S *m E - G) = k;
    (b) for every k <= n there is S with rows in the open simplex and
        rank (S *m E) = k.

    Explicit choice, no genericity: the n points
      p_i = (1/(2n)) (1, ..., 1) + (1/2) e_i     (i < n)
    form an invertible (strictly diagonally dominant) matrix S0, and every
    row of S is one of them, picked greedily: if all of p_1 E - g, ..., p_n E - g
    lay in the span of the k rows already chosen, then
    n = rank (S0 E) <= k + rank g, impossible while k + rank g < n. *)

From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import RankStability.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section SimplexPoints.

Variable R : realFieldType.

(** The n explicit interior points p_i, as the rows of a square matrix. *)
Definition simplex_vertices_mx n : 'M[R]_n :=
  \matrix_(i, j) ((n.*2)%:R^-1 + (i == j)%:R * (n%:R * (n.*2)%:R^-1)).

Section Vertices.

Variable n : nat.
Local Notation c := ((n.*2)%:R^-1 : R).
Local Notation S0 := (simplex_vertices_mx n).

Lemma c_gt0 (i : 'I_n) : 0 < c.
Proof.
by rewrite invr_gt0 ltr0n double_gt0; case: n i => // -[].
Qed.

Lemma S0_pos i j : 0 < S0 i j.
Proof.
rewrite mxE; apply: (lt_le_trans (c_gt0 i)); rewrite ler_addl.
by rewrite mulr_ge0 ?ler0n // mulr_ge0 ?invr_ge0 ?ler0n.
Qed.

Lemma sum_const_c : \sum_(j < n) c = n%:R * c.
Proof. by rewrite sumr_const card_ord mulr_natl. Qed.

Lemma S0_row_sum i : \sum_j S0 i j = 1.
Proof.
under eq_bigr do rewrite mxE.
rewrite big_split /= sum_const_c (bigD1 i) //= eqxx mul1r big1 => [|j ji].
  rewrite addr0 -mulrDl -natrD addnn mulfV // pnatr_eq0 double_eq0.
  by case: n i => // -[].
by rewrite eq_sym (negbTE ji) mul0r.
Qed.

Lemma S0_row_free : row_free S0.
Proof.
apply: dominant_row_free => i.
have cpos := c_gt0 i.
have -> : \sum_(j | j != i) `|S0 i j| = \sum_(j | j != i) c.
  apply: eq_bigr => j ji; rewrite mxE eq_sym (negbTE ji) mul0r addr0.
  by rewrite ger0_norm // ltW.
have hsum := sum_const_c; rewrite (bigD1 i) //= in hsum.
rewrite mxE eqxx mul1r ger0_norm; last first.
  by rewrite addr_ge0 ?mulr_ge0 ?invr_ge0 ?ler0n.
rewrite -hsum addrA -[X in X < _]add0r.
by apply: ltr_le_add; [exact: addr_gt0 | exact: lexx].
Qed.

End Vertices.

Variables (n d : nat) (E : 'M[R]_(n, d)).
Hypothesis rankE : \rank E = n.

Local Notation S0 := (simplex_vertices_mx n).

Lemma S0E_rank : \rank (S0 *m E) = n.
Proof.
have frE : row_free E by rewrite /row_free rankE.
by rewrite mxrankMfree //; apply/eqP; exact: S0_row_free.
Qed.

(** One greedy step: some p_i E - g leaves the span of X, unless
    n <= rank X + rank g. *)
Lemma greedy_step k (X : 'M[R]_(k, d)) (g : 'rV[R]_d) :
  (\rank X + \rank g < n)%N ->
  exists i, ~~ (row i S0 *m E - g <= X)%MS.
Proof.
move=> hlt.
case: (boolP [forall i, (row i S0 *m E - g <= X)%MS]) => [/forallP all | ].
  pose P := S0 *m E - const_mx 1 *m g.
  have rowP_ i : row i P = row i S0 *m E - g.
    apply/rowP => j; rewrite !mxE big_ord1 !mxE mul1r.
    by congr (_ - _); apply: eq_bigr => l _; rewrite !mxE.
  have subP : (P <= X)%MS by apply/row_subP => i; rewrite rowP_ all.
  have : (n <= \rank X + \rank g)%N.
    rewrite -{1}S0E_rank -[S0 *m E](subrK (const_mx 1 *m g)).
    apply: leq_trans (mxrank_add _ _) _; apply: leq_add.
      exact: mxrankS.
    exact: mxrankM_maxr.
  by rewrite leqNgt hlt.
by move=> /forallPn [i hi]; exists i.
Qed.

(** Greedy construction, for offsets whose rows have rank <= r. *)
Lemma greedy_points r : forall k (G : 'M[R]_(k, d)),
  (k + r <= n)%N -> (forall t, \rank (row t G) <= r)%N ->
  exists S : 'M[R]_(k, n),
    (forall t, exists i, row t S = row i S0) /\ \rank (S *m E - G) = k.
Proof.
elim => [|k IH] G hk hG.
  exists 0; split => [[]//|]; apply/eqP; rewrite -leqn0; exact: rank_leq_row.
move: G hk hG; rewrite -[k.+1]/(1 + k)%N => G hk hG.
have eG := @vsubmxK _ 1 k d G; move: hG; rewrite -eG => hG.
set u := @usubmx _ 1 k d G in hG *; set D := @dsubmx _ 1 k d G in hG *.
have [|S' [rowsS' rkS']] := IH D (leq_trans (leq_add (leqnSn k) (leqnn r)) hk).
  by move=> t; have := hG (rshift 1 t); rewrite (@rowKd _ 1 k d t u D).
have ru : (\rank u <= r)%N by have := hG (lshift k (0 : 'I_1)); rewrite (@rowKu _ 1 k d 0 u D) row_id.
have [i hi] : exists i, ~~ (row i S0 *m E - u <= S' *m E - D)%MS.
  apply: greedy_step; rewrite rkS'.
  by apply: leq_trans hk; rewrite -addSn leq_add2l.
exists (col_mx (row i S0) S'); split.
  move=> t; rewrite -(@splitK 1 k t); case: (@split 1 k t) => [t1 | t2] /=.
    by exists i; rewrite (@rowKu _ 1 k n t1 (row i S0) S') row_id.
  by rewrite (@rowKd _ 1 k n t2 (row i S0) S'); exact: rowsS'.
rewrite mul_col_mx opp_col_mx add_col_mx.
set v := row i S0 *m E - u; set X := S' *m E - D.
have e : \rank (col_mx v X) = \rank (v + X)%MS by rewrite (addsmxE v X).
apply/eqP; rewrite eqn_leq rank_leq_row /= e.
have := mxrank_leqif_sup (addsmxSr v X).
by move/ltn_leqif; rewrite addsmx_sub submx_refl andbT hi rkS'.
Qed.

(** ** Claim L5 *)
Theorem L5_simplex_points :
  (forall k (G : 'M[R]_(k, d)), (k.+1 <= n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (S *m E - G) = k])
  /\
  (forall k, (k <= n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (S *m E) = k]).
Proof.
have simplex k (S : 'M[R]_(k, n)) :
    (forall t, exists i, row t S = row i S0) ->
    (forall t i, 0 < S t i) /\ (forall t, \sum_i S t i = 1).
  move=> rows; split => [t j | t]; have [i hi] := rows t.
    have -> : S t j = row t S 0 j by rewrite mxE.
    by rewrite hi mxE; exact: S0_pos.
  under eq_bigr => j _ do (have -> : S t j = row t S 0 j by rewrite mxE).
  under eq_bigr => j _ do rewrite hi mxE.
  exact: S0_row_sum.
split=> [k G hk | k hk].
  have h1 : (k + 1 <= n)%N by rewrite addn1.
  have h2 : forall t, (\rank (row t G) <= 1)%N by move=> t; exact: rank_leq_row.
  have [S [rows rk]] := @greedy_points 1 k G h1 h2.
  by have [pos sum1] := simplex _ S rows; exists S; split.
have h1 : (k + 0 <= n)%N by rewrite addn0.
pose G0 : 'M[R]_(k, d) := 0.
have h2 : forall t, (\rank (row t G0) <= 0)%N by move=> t; rewrite row0 mxrank0.
have [S [rows rk]] := @greedy_points 0 k G0 h1 h2.
have [pos sum1] := simplex _ S rows; exists S; split => //.
by rewrite subr0 in rk.
Qed.

End SimplexPoints.

(** * L5 — Choosing independent points E_t^T s_t on the open simplex
    (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType], MathComp matrices, row convention: a point of
    the open simplex is a row s : 'rV_n with positive entries summing to 1.
    k such points are the rows s_t of S : 'M_(k, n).  Each example t has its
    own context E_t : 'M_(n, d) (given as [E : nat -> 'M_(n, d)], read at
    t < k); row t of [simplex_image E S] is s_t *m E_t = (E_t^T s_t)^T.
    The rows of G : 'M_(k, d) are the offsets g_t, so the k vectors
    E_t^T s_t - g_t are linearly independent iff
    rank (simplex_image E S - G) = k.

    Claim L5, for contexts E_t of rank n (t < k):
    (a) if k <= n - 1, then for every offsets G there is S with rows in the
        open simplex and rank (simplex_image E S - G) = k;
    (b) if k <= n, there is S with rows in the open simplex and
        rank (simplex_image E S) = k.
    [L5_shared_context] restates both for one shared context E
    (simplex_image E S = S *m E).

    Explicit choice, no genericity: the n points
      p_i = (1/(2n)) (1, ..., 1) + (1/2) e_i     (i < n)
    form an invertible (strictly diagonally dominant) matrix S0, and every
    row of S is one of them, picked greedily: if all of p_1 E_t - g, ...,
    p_n E_t - g lay in the span of the k rows already chosen, then
    n = rank (S0 E_t) <= k + rank g, impossible while k + rank g < n. *)

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

Variables (n d : nat).

Local Notation S0 := (simplex_vertices_mx n).

(** Per-example contexts [E t] (t < k); the images of the rows of S:
    row t of [simplex_image E S] is [row t S *m E t] = (E_t^T s_t)^T. *)
Definition simplex_image k (E : nat -> 'M[R]_(n, d)) (S : 'M[R]_(k, n)) :
  'M[R]_(k, d) := \matrix_(t, j) (row t S *m E t) 0 j.

Lemma row_simplex_image k E (S : 'M[R]_(k, n)) t :
  row t (simplex_image E S) = row t S *m E t.
Proof. by apply/rowP => j; rewrite !mxE. Qed.

Lemma simplex_image_col k E (p : 'rV[R]_n) (S : 'M[R]_(k, n)) :
  simplex_image E (col_mx p S : 'M_(1 + k, n))
  = col_mx (p *m E 0%N) (simplex_image (fun t => E t.+1) S).
Proof.
apply/row_matrixP => t; rewrite row_simplex_image.
rewrite -(@splitK 1 k t); case: (@split 1 k t) => [t1 | t2] /=.
  rewrite (@rowKu _ 1 k n t1 p S) (@rowKu _ 1 k d t1 (p *m E 0%N)) !row_id.
  by rewrite (ord1 t1).
by rewrite (@rowKd _ 1 k n t2 p S) (@rowKd _ 1 k d t2) row_simplex_image.
Qed.

Lemma S0E_rank (E0 : 'M[R]_(n, d)) : \rank E0 = n -> \rank (S0 *m E0) = n.
Proof.
move=> rankE; have frE : row_free E0 by rewrite /row_free rankE.
by rewrite mxrankMfree //; apply/eqP; exact: S0_row_free.
Qed.

(** One greedy step: some p_i E0 - g leaves the span of X, unless
    n <= rank X + rank g. *)
Lemma greedy_step (E0 : 'M[R]_(n, d)) k (X : 'M[R]_(k, d)) (g : 'rV[R]_d) :
  \rank E0 = n -> (\rank X + \rank g < n)%N ->
  exists i, ~~ (row i S0 *m E0 - g <= X)%MS.
Proof.
move=> rankE hlt.
case: (boolP [forall i, (row i S0 *m E0 - g <= X)%MS]) => [/forallP all | ].
  pose P := S0 *m E0 - const_mx 1 *m g.
  have rowP_ i : row i P = row i S0 *m E0 - g.
    apply/rowP => j; rewrite !mxE big_ord1 !mxE mul1r.
    by congr (_ - _); apply: eq_bigr => l _; rewrite !mxE.
  have subP : (P <= X)%MS by apply/row_subP => i; rewrite rowP_ all.
  have : (n <= \rank X + \rank g)%N.
    rewrite -{1}(S0E_rank rankE) -[S0 *m E0](subrK (const_mx 1 *m g)).
    apply: leq_trans (mxrank_add _ _) _; apply: leq_add.
      exact: mxrankS.
    exact: mxrankM_maxr.
  by rewrite leqNgt hlt.
by move=> /forallPn [i hi]; exists i.
Qed.

(** Greedy construction, for offsets whose rows have rank <= r. *)
Lemma greedy_points r : forall k (E : nat -> 'M[R]_(n, d)) (G : 'M[R]_(k, d)),
  (forall t, (t < k)%N -> \rank (E t) = n) ->
  (k + r <= n)%N -> (forall t, \rank (row t G) <= r)%N ->
  exists S : 'M[R]_(k, n),
    (forall t, exists i, row t S = row i S0)
    /\ \rank (simplex_image E S - G) = k.
Proof.
elim => [|k IH] E G hE hk hG.
  exists 0; split => [[]//|]; apply/eqP; rewrite -leqn0; exact: rank_leq_row.
move: G hk hG; rewrite -[k.+1]/(1 + k)%N => G hk hG.
have eG := @vsubmxK _ 1 k d G; move: hG; rewrite -eG => hG.
set u := @usubmx _ 1 k d G in hG *; set D := @dsubmx _ 1 k d G in hG *.
have hE' : forall t, (t < k)%N -> \rank (E t.+1) = n by move=> t lt; apply: hE.
have [|S' [rowsS' rkS']] :=
  IH (fun t => E t.+1) D hE' (leq_trans (leq_add (leqnSn k) (leqnn r)) hk).
  by move=> t; have := hG (rshift 1 t); rewrite (@rowKd _ 1 k d t u D).
have ru : (\rank u <= r)%N.
  by have := hG (lshift k (0 : 'I_1)); rewrite (@rowKu _ 1 k d 0 u D) row_id.
have [i hi] : exists i,
    ~~ (row i S0 *m E 0%N - u <= simplex_image (fun t => E t.+1) S' - D)%MS.
  apply: greedy_step; first exact: hE.
  by rewrite rkS'; apply: leq_trans hk; rewrite -addSn leq_add2l.
exists (col_mx (row i S0) S'); split.
  move=> t; rewrite -(@splitK 1 k t); case: (@split 1 k t) => [t1 | t2] /=.
    by exists i; rewrite (@rowKu _ 1 k n t1 (row i S0) S') row_id.
  by rewrite (@rowKd _ 1 k n t2 (row i S0) S'); exact: rowsS'.
rewrite simplex_image_col opp_col_mx add_col_mx.
set v := row i S0 *m E 0%N - u; set X := simplex_image _ S' - D.
have e : \rank (col_mx v X) = \rank (v + X)%MS by rewrite (addsmxE v X).
apply/eqP; rewrite eqn_leq rank_leq_row /= e.
have := mxrank_leqif_sup (addsmxSr v X).
by move/ltn_leqif; rewrite addsmx_sub submx_refl andbT hi rkS'.
Qed.

Lemma rows_in_simplex k (S : 'M[R]_(k, n)) :
  (forall t, exists i, row t S = row i S0) ->
  (forall t i, 0 < S t i) /\ (forall t, \sum_i S t i = 1).
Proof.
move=> rows; split => [t j | t]; have [i hi] := rows t.
  have -> : S t j = row t S 0 j by rewrite mxE.
  by rewrite hi mxE; exact: S0_pos.
under eq_bigr => j _ do (have -> : S t j = row t S 0 j by rewrite mxE).
under eq_bigr => j _ do rewrite hi mxE.
exact: S0_row_sum.
Qed.

(** ** Claim L5 (per-example contexts E_t, each of rank n) *)
Theorem L5_simplex_points :
  (forall k (E : nat -> 'M[R]_(n, d)) (G : 'M[R]_(k, d)),
     (forall t, (t < k)%N -> \rank (E t) = n) -> (k < n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (simplex_image E S - G) = k])
  /\
  (forall k (E : nat -> 'M[R]_(n, d)),
     (forall t, (t < k)%N -> \rank (E t) = n) -> (k <= n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (simplex_image E S) = k]).
Proof.
split=> [k E G hE hk | k E hE hk].
  have h1 : (k + 1 <= n)%N by rewrite addn1.
  have h2 : forall t, (\rank (row t G) <= 1)%N by move=> t; exact: rank_leq_row.
  have [S [rows rk]] := @greedy_points 1 k E G hE h1 h2.
  by have [pos sum1] := rows_in_simplex rows; exists S; split.
have h1 : (k + 0 <= n)%N by rewrite addn0.
pose G0 : 'M[R]_(k, d) := 0.
have h2 : forall t, (\rank (row t G0) <= 0)%N by move=> t; rewrite row0 mxrank0.
have [S [rows rk]] := @greedy_points 0 k E G0 hE h1 h2.
have [pos sum1] := rows_in_simplex rows; exists S; split => //.
by rewrite subr0 in rk.
Qed.

(** Shared context: [simplex_image (fun _ => E) S = S *m E]. *)
Lemma simplex_image_shared k (E : 'M[R]_(n, d)) (S : 'M[R]_(k, n)) :
  simplex_image (fun _ => E) S = S *m E.
Proof. by apply/row_matrixP => t; rewrite row_simplex_image row_mul. Qed.

Corollary L5_shared_context (E : 'M[R]_(n, d)) : \rank E = n ->
  (forall k (G : 'M[R]_(k, d)), (k < n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (S *m E - G) = k])
  /\
  (forall k, (k <= n)%N ->
     exists S : 'M[R]_(k, n),
       [/\ forall t i, 0 < S t i, forall t, \sum_i S t i = 1
         & \rank (S *m E) = k]).
Proof.
move=> rankE; have [La Lb] := L5_simplex_points.
split=> [k G hk | k hk].
  have [S [pos sum1 rk]] := La k (fun _ => E) G (fun _ _ => rankE) hk.
  by exists S; split; rewrite // -simplex_image_shared.
have [S [pos sum1 rk]] := Lb k (fun _ => E) (fun _ _ => rankE) hk.
by exists S; split; rewrite // -simplex_image_shared.
Qed.

End SimplexPoints.

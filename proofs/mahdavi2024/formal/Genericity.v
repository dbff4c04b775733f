(** * S3 — Generic directions (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType] (infinite, characteristic 0).
    - [avoid_hyperplanes]: finitely many nonzero vectors w_l have a row
      vector y with y w_l <> 0 for all l (a finite union of hyperplanes does
      not cover F^q): y = (1, t, t^2, ...), t a non-root of prod_l p_l.
    - [S3_suppression_direction] (S3a, S3b): if for each old t the k new
      queries (rows of Q) together with e_t are independent (A1, k + 1 <= n),
      there is nu with Q nu = 0 and nu . e_t <> 0 for every old t.
    - [S3_distinct_logits] (S3c): for contexts of full row rank (A2) there is
      u such that every E_t u has pairwise distinct entries. *)

From mathcomp Require Import all_ssreflect all_algebra zify.
From mathcomp.algebra_tactics Require Import ring.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Genericity.
Variable F : realFieldType.

Lemma exists_nonroot (p : {poly F}) : p != 0 -> exists t, ~~ root p t.
Proof.
move=> p0; pose rs := [seq i%:R | i <- iota 0 (size p)] : seq F.
case: (boolP (all (root p) rs)) => [hall|/allPn [x _ hx]]; last by exists x.
have u : uniq rs.
  rewrite map_inj_uniq ?iota_uniq // => i j /eqP; by rewrite eqr_nat => /eqP.
by have := max_poly_roots p0 hall u; rewrite size_map size_iota ltnn.
Qed.

Lemma avoid_hyperplanes (I : finType) (P : pred I) q (w : I -> 'cV[F]_q) :
  (forall l, P l -> w l != 0) ->
  exists y : 'rV[F]_q, forall l, P l -> (y *m w l) 0 0 != 0.
Proof.
move=> wn0; pose p l : {poly F} := \sum_(i < q) w l i 0 *: 'X^i.
have coefp l (i : 'I_q) : (p l)`_i = w l i 0.
  rewrite /p coef_sum (bigD1 i) //= coefZ coefXn eqxx mulr1 big1 ?addr0 // => j ji.
  by rewrite coefZ coefXn eq_sym (negbTE (ji : (j : nat) != i)) mulr0.
have pn0 l : P l -> p l != 0.
  move=> Pl; apply: contra (wn0 l Pl) => /eqP p0; apply/eqP/colP => i.
  by rewrite -coefp p0 coef0 mxE.
pose Pp := \prod_(l | P l) p l.
have Pp0 : Pp != 0.
  by rewrite prodf_seq_neq0; apply/allP => l _; apply/implyP; exact: pn0.
have [t ht] := exists_nonroot Pp0.
exists (\row_i t ^+ i) => l Pl.
move: ht; rewrite /root horner_prod prodf_seq_neq0 => /allP /(_ l (mem_index_enum l)).
rewrite Pl /= /p horner_sum mxE; congr (_ != 0); apply: eq_bigr => i _.
by rewrite hornerZ hornerXn mxE mulrC.
Qed.

(** S3a/S3b: the suppression direction nu. *)
Theorem S3_suppression_direction d k r (Q : 'M[F]_(k, d)) (e : 'I_r -> 'cV[F]_d) :
  (forall t, \rank (col_mx Q (e t)^T) = (k + 1)%N) ->
  exists nu : 'cV[F]_d, Q *m nu = 0 /\ forall t, ((e t)^T *m nu) 0 0 != 0.
Proof.
move=> hA1; pose K := kermx Q^T.
have KQ : K *m Q^T = 0 by exact: mulmx_ker.
have Ke t : K *m e t != 0.
  apply/eqP => Ke0.
  have hk := hA1 t.
  have rQ : \rank Q = k.
    apply/eqP; rewrite eqn_leq rank_leq_row /=.
    have := mxrank_col_mx_le Q (e t)^T; rewrite hk.
    by have := rank_leq_row (e t)^T; lia.
  have sub : (K <= kermx (col_mx Q (e t)^T)^T)%MS.
    by apply/sub_kermxP; rewrite tr_col_mx trmxK mul_mx_row KQ Ke0 row_mx0.
  have := mxrankS sub; rewrite !mxrank_ker !mxrank_tr hk rQ.
  by have := rank_leq_col (col_mx Q (e t)^T); rewrite hk; lia.
have [y hy] := @avoid_hyperplanes _ xpredT _ (fun t => K *m e t) (fun t _ => Ke t).
exists (y *m K)^T; split.
  by rewrite trmx_mul mulmxA -[Q]trmxK -trmx_mul KQ trmx0 mul0mx.
move=> t; have := hy t isT; congr (_ != 0).
have tr00 (A : 'M[F]_1) : A^T 0 0 = A 0 0 by rewrite mxE.
by rewrite -trmx_mul tr00 mulmxA.
Qed.

(** S3c: a direction u giving distinct logits in every context. *)
Theorem S3_distinct_logits n d r (E : 'I_r -> 'M[F]_(n, d)) :
  (forall t, \rank (E t) = n) ->
  exists u : 'cV[F]_d, forall t i j, i != j -> (E t *m u) i 0 != (E t *m u) j 0.
Proof.
move=> hE.
pose w (l : 'I_r * 'I_n * 'I_n) := (row l.1.2 (E l.1.1) - row l.2 (E l.1.1))^T.
have wn0 l : l.1.2 != l.2 -> w l != 0.
  case: l => [[t i] j] /= ij; rewrite /w; apply/eqP => /(congr1 trmx); rewrite trmxK trmx0.
  move/eqP; rewrite !rowE -mulmxBl mulmx_free_eq0; last by rewrite /row_free hE.
  move/eqP/matrixP/(_ 0 i); rewrite !mxE eqxx /= (negbTE ij) subr0.
  by move/eqP; rewrite eqxx oner_eq0.
have [y hy] := @avoid_hyperplanes _ (fun l => l.1.2 != l.2) _ w wn0.
exists y^T => t i j ij; have h := hy (t, i, j) ij.
rewrite -subr_eq0; suff -> : (E t *m y^T) i 0 - (E t *m y^T) j 0 = (y *m w (t, i, j)) 0 0 by [].
rewrite /w !mxE -sumrB; apply: eq_bigr => l _.
by rewrite !mxE /=; ring.
Qed.

(** S3 as one statement: the suppression direction nu (S3a, S3b) and the direction u with
    distinct logits (S3c), for old examples whose queries extend the new ones independently (A1)
    and whose contexts have full row rank (A2). *)
Theorem S3_suppression d k r n (Q : 'M[F]_(k, d)) (e : 'I_r -> 'cV[F]_d) (E : 'I_r -> 'M[F]_(n, d)) :
  (forall t : 'I_r, \rank (col_mx Q (e t)^T) = (k + 1)%N) ->
  (forall t : 'I_r, \rank (E t) = n) ->
  (exists nu : 'cV[F]_d, Q *m nu = 0 /\ (forall t : 'I_r, ((e t)^T *m nu) 0 0 != 0)) /\
  (exists u : 'cV[F]_d, forall (t : 'I_r) (i j : 'I_n), i != j -> (E t *m u) i 0 != (E t *m u) j 0).
Proof.
by move=> hQ hE; split; [exact: S3_suppression_direction | exact: S3_distinct_logits].
Qed.

End Genericity.

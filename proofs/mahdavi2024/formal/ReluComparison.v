(** * P3 — ReLU comparison (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType] F (the order is needed by ReLU), MathComp
    matrices, no hypothesis on the network's parameter-to-output map:
    [P3_relu_memorization]: if a 2-layer ReLU network with m hidden units and
    d_out outputs, on T inputs x_t = B u_t from the column space of
    B : 'M_(d, n), attains EVERY label matrix Y : 'M_(d_out, T) (some
    W1, b1, W2, b2 per Y), then T d_out <= (n + 1) m + (m + 1) d_out, and
    for d_out > 0, T <= (n + 1) m / d_out + (m + 1).

    Proof.  [relu_net_subspace]: the network depends on W1 only through
    W1 B (m n numbers), so there are p = m n + m + d_out m + d_out effective
    parameters.  For each of the finitely many activation patterns a (which
    hidden unit is active on which input), the outputs are polynomials of
    degree <= 2 in the p parameters ([net_poly], [net_poly_eval]): the
    network's outputs at any parameter value are those of its own pattern.
    If T d_out > p, [AlgebraicDependence.not_all_attained] gives one label
    matrix that no pattern's polynomial map attains: a contradiction. *)

From mathcomp Require Import all_ssreflect all_algebra.
From SsrMultinomials Require Import mpoly.
From Memproof.Mahdavi2024 Require Import AlgebraicDependence.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section ReluComparison.

Variable F : realFieldType.

(** Entrywise ReLU and a 2-layer ReLU network on column inputs. *)
Definition relu m (v : 'cV[F]_m) : 'cV[F]_m := map_mx (fun a => Num.max a 0) v.

Definition relu_net d m d_out (W1 : 'M[F]_(m, d)) (b1 : 'cV[F]_m)
    (W2 : 'M[F]_(d_out, m)) (b2 : 'cV[F]_d_out) (x : 'cV[F]_d) : 'cV[F]_d_out :=
  W2 *m relu (W1 *m x + b1) + b2.

(** Inputs in the span of B : only W1 *m B (an m x n matrix) matters. *)
Lemma relu_net_subspace d n m d_out (B : 'M[F]_(d, n)) W1 b1 W2 b2 (u : 'cV[F]_n) :
  @relu_net d m d_out W1 b1 W2 b2 (B *m u) = relu_net (W1 *m B) b1 W2 b2 u.
Proof. by rewrite /relu_net mulmxA. Qed.

(** ReLU as a pattern: max z 0 = [0 <= z] z. *)
Lemma relu_pattern (z : F) : Num.max z 0 = ((0 <= z)%R : nat)%:R * z.
Proof. by case: (lerP 0 z) => z0; rewrite ?mul1r ?mul0r. Qed.

(** ** The outputs of one activation pattern as polynomials *)
Section Patterns.
Variables (n m d_out T : nat) (U : 'M[F]_(n, T)).

(** The p effective parameters: W (= W1 B), b1, W2, b2. *)
Local Notation Idx :=
  ((('I_m * 'I_n) + 'I_m) + ('I_d_out * 'I_m) + 'I_d_out)%type.
Local Notation var x := ('X_(enum_rank x) : {mpoly F[#|{: Idx}|]}).

Lemma card_Idx : #|{: Idx}| = ((n + 1) * m + (m + 1) * d_out)%N.
Proof.
rewrite !card_sum !card_prod !card_ord !mulnDl !mul1n [(n * m)%N]mulnC.
by rewrite [(m * d_out)%N]mulnC !addnA.
Qed.

(** Output k on input t when hidden unit j is active on input t iff a (j, t). *)
Definition net_poly (a : {ffun 'I_m * 'I_T -> bool}) (kt : 'I_d_out * 'I_T) :=
  \sum_(j < m) (a (j, kt.2) : nat)%:R *:
     (var (inl (inr (kt.1, j))) *
      (\sum_(i < n) U i kt.2 *: var (inl (inl (inl (j, i)))) + var (inl (inl (inr j)))))
  + var (inr kt.1).

Lemma net_poly_deg a kt : dle 2 (net_poly a kt).
Proof.
apply: dleD; last by apply: (@dleW _ _ 1) => //; apply: dleX.
apply: dle_sum => j _; apply: dleZ; apply: (@dleM _ _ 1 1); first exact: dleX.
by apply: dleD; [apply: dle_sum => i _; apply: dleZ | idtac]; apply: dleX.
Qed.

(** The parameter value of (W, b1, W2, b2). *)
Definition theta (W : 'M[F]_(m, n)) (b1 : 'cV[F]_m) (W2 : 'M[F]_(d_out, m))
    (b2 : 'cV[F]_d_out) (r : 'I_#|{: Idx}|) : F :=
  match enum_val r with
  | inl (inl (inl (j, i))) => W j i
  | inl (inl (inr j)) => b1 j 0
  | inl (inr (k, j)) => W2 k j
  | inr k => b2 k 0
  end.

Lemma net_poly_eval W b1 W2 b2 k t :
  let a := [ffun jt : 'I_m * 'I_T => (0 <= (W *m col jt.2 U + b1) jt.1 0)%R] in
  (net_poly a (k, t)).@[theta W b1 W2 b2] = relu_net W b1 W2 b2 (col t U) k 0.
Proof.
move=> a; have thv x : (var x).@[theta W b1 W2 b2] =
    match x with
    | inl (inl (inl (j, i))) => W j i
    | inl (inl (inr j)) => b1 j 0
    | inl (inr (k, j)) => W2 k j
    | inr k => b2 k 0
    end by rewrite mevalXU /theta enum_rankK.
rewrite /net_poly mevalD raddf_sum /= thv /relu_net !mxE; congr (_ + _).
apply: eq_bigr => j _; rewrite mevalZ mevalM mevalD raddf_sum /= !thv !mxE.
have e : \sum_(i < n) (U i t *: var (inl (inl (inl (j, i))))).@[theta W b1 W2 b2]
    = \sum_(i < n) W j i * col t U i 0.
  by apply: eq_bigr => i _; rewrite mevalZ thv !mxE mulrC.
by rewrite relu_pattern ffunE /= !mxE e mulrCA.
Qed.

End Patterns.

(** Rearrangement: T d_out <= (n+1) m + (m+1) d_out  iff
    T <= (n+1) m / d_out + (m+1), for d_out > 0. *)
Lemma count_rearrange T n m d_out : (0 < d_out)%N ->
  (T * d_out <= (n + 1) * m + (m + 1) * d_out)%N =
  (T%:R <= ((n + 1) * m)%:R / d_out%:R + (m + 1)%:R :> F).
Proof.
move=> dpos; have dR : 0 < d_out%:R :> F by rewrite ltr0n.
rewrite -(ler_pmul2r dR) mulrDl mulfVK ?gt_eqF // -!natrM -natrD ler_nat.
by [].
Qed.

(** ** Claim P3 *)
Theorem P3_relu_memorization T n d m d_out (B : 'M[F]_(d, n)) (U : 'M[F]_(n, T)) :
  (forall Y : 'M[F]_(d_out, T), exists (W1 : 'M[F]_(m, d)) (b1 : 'cV[F]_m)
      (W2 : 'M[F]_(d_out, m)) (b2 : 'cV[F]_d_out),
    forall t : 'I_T, relu_net W1 b1 W2 b2 (B *m col t U) = col t Y) ->
  (T * d_out <= (n + 1) * m + (m + 1) * d_out)%N
  /\ ((0 < d_out)%N ->
      T%:R <= ((n + 1) * m)%:R / d_out%:R + (m + 1)%:R :> F).
Proof.
move=> onto; suff le : (T * d_out <= (n + 1) * m + (m + 1) * d_out)%N.
  by split=> // dpos; rewrite -count_rearrange.
rewrite leqNgt; apply/negP => lt.
have lt' : (#|{: (('I_m * 'I_n) + 'I_m) + ('I_d_out * 'I_m) + 'I_d_out}| <
    #|{: 'I_d_out * 'I_T}|)%N by rewrite card_Idx card_prod !card_ord [(d_out * _)%N]mulnC.
have [y Hy] := not_all_attained lt' (@net_poly_deg n m d_out T U).
have [W1 [b1 [W2 [b2 HY]]]] := onto (\matrix_(k, t) y (k, t)).
pose a := [ffun jt : 'I_m * 'I_T => (0 <= (W1 *m B *m col jt.2 U + b1) jt.1 0)%R].
apply: (Hy a (theta (W1 *m B) b1 W2 b2)) => -[k t].
by rewrite net_poly_eval -relu_net_subspace HY !mxE.
Qed.


End ReluComparison.

(** * P3 — ReLU comparison: the linear-algebra core and the arithmetic
    (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    What is proved here (over any [realFieldType], MathComp matrices):
    - [relu_net_subspace]: on inputs x = B u from an n-dimensional subspace
      (B : 'M_(d, n)), a 2-layer ReLU network depends on its first-layer
      weights W1 only through W1 B (n m numbers): its effective parameter
      count is (n + 1) m + (m + 1) d_out.
    - [surjective_linear_count]: if every label vector in F^N is attained by
      a map of the form theta |-> phi(theta) *m A with A : 'M_(p, N)
      (i.e. the map factors through a linear map from F^p), then N <= p.
    - [P3_relu_comparison]: with N = T d_out and p = (n+1) m + (m+1) d_out,
      d_out > 0, memorizing every label vector in that way forces
      T <= (n+1) m / d_out + (m + 1).
    What is NOT proved: that the ReLU network's parameter-to-output map
    (piecewise polynomial, not linear) has an image of dimension at most its
    parameter count; the factorisation through a linear map of that size is a
    hypothesis of [P3_relu_comparison]. *)

From mathcomp Require Import all_ssreflect all_algebra.

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

(** A surjective map that factors through a linear map from F^p onto F^N
    forces N <= p. *)
Lemma surjective_linear_count (Theta : Type) p N
    (phi : Theta -> 'rV[F]_p) (A : 'M[F]_(p, N)) :
  (forall y : 'rV[F]_N, exists th, phi th *m A = y) -> (N <= p)%N.
Proof.
move=> onto; have : row_full A.
  rewrite -sub1mx; apply/row_subP => i.
  have [th <-] := onto (row i 1%:M); exact: submxMl.
by move/eqP <-; exact: rank_leq_row.
Qed.

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

(** ** Claim P3 (core) *)
Theorem P3_relu_comparison (Theta : Type) T n m d_out
    (phi : Theta -> 'rV[F]_((n + 1) * m + (m + 1) * d_out))
    (A : 'M[F]_((n + 1) * m + (m + 1) * d_out, T * d_out)) :
  (0 < d_out)%N ->
  (forall Y : 'rV[F]_(T * d_out), exists th, phi th *m A = Y) ->
  (T * d_out <= (n + 1) * m + (m + 1) * d_out)%N
  /\ (T%:R <= ((n + 1) * m)%:R / d_out%:R + (m + 1)%:R :> F).
Proof.
move=> dpos onto; have le := surjective_linear_count onto.
by split => //; rewrite -count_rearrange.
Qed.

End ReluComparison.

(* P2 (shared-context ceiling), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   All T examples share one context E : n x d.  Head h has attention rows Sa h : T x n
   (row t = s_{t,h}, the softmax vector of example t), and Z = [S_1 E, ..., S_H E] is the
   T x (H d) feature matrix (row t = z_t).  Only the affine constraint "every row of
   S_h sums to 1" is used: positivity of the softmax is not needed, nor is rank E = n,
   and the field is arbitrary.  Conclusion: rank Z <= H (n - 1) + 1. *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section Ceiling.
Variable F : fieldType.

(* hcat H B = [B 0, B 1, ..., B (H-1)], the horizontal concatenation of H blocks. *)
Fixpoint hcat T d (H : nat) (B : nat -> 'M[F]_(T, d)) {struct H} : 'M[F]_(T, H * d) :=
  match H return 'M[F]_(T, H * d) with
  | 0 => 0
  | H'.+1 => row_mx (B 0%N) (hcat H' (fun h => B h.+1))
  end.

Lemma hcat_add T d H (A B : nat -> 'M[F]_(T, d)) :
  hcat H (fun h => A h + B h) = hcat H A + hcat H B.
Proof.
elim: H A B => [|H IH] A B /=; first by rewrite addr0.
by rewrite IH add_row_mx.
Qed.

Lemma hcat_mull T T' d H (X : 'M[F]_(T', T)) (A : nat -> 'M[F]_(T, d)) :
  hcat H (fun h => X *m A h) = X *m hcat H A.
Proof.
elim: H A => [|H IH] A /=; first by rewrite mulmx0.
by rewrite IH mul_mx_row.
Qed.

Lemma hcat_ext T d H (A B : nat -> 'M[F]_(T, d)) :
  (forall h, (h < H)%N -> A h = B h) -> hcat H A = hcat H B.
Proof.
elim: H A B => [|H IH] A B eqAB //=.
by rewrite (eqAB 0%N) // (IH (fun h => A h.+1) (fun h => B h.+1)) // => h ltH; apply: eqAB.
Qed.

Lemma mxrank_hcat T d H (A : nat -> 'M[F]_(T, d)) b :
  (forall h, (h < H)%N -> \rank (A h) <= b)%N -> (\rank (hcat H A) <= H * b)%N.
Proof.
elim: H A => [|H IH] A rA /=; first by rewrite mxrank0.
apply: leq_trans (mxrank_row_mx_le _ _) _; rewrite mulSn leq_add ?rA //.
by apply: IH => h ltH; apply: rA.
Qed.

Theorem P2_shared_context_ceiling T n d H (E : 'M[F]_(n, d))
    (Sa : nat -> 'M[F]_(T, n)) :
  (forall h, (h < H)%N -> Sa h *m (const_mx 1 : 'cV[F]_n) = const_mx 1) ->
  (\rank (hcat H (fun h => Sa h *m E)) <= H * (n - 1) + 1)%N.
Proof.
case: T Sa => [|T] Sa rows1; first exact: leq_trans (rank_leq_row _) _.
pose one : 'cV[F]_T.+1 := const_mx 1.
pose D h := Sa h - one *m row 0 (Sa h).
have -> : hcat H (fun h => Sa h *m E)
          = hcat H (fun h => D h *m E) + one *m hcat H (fun h => row 0 (Sa h) *m E).
  rewrite -hcat_mull -hcat_add; apply: hcat_ext => h _.
  by rewrite /D mulmxA -mulmxDl subrK.
apply: leq_trans (mxrank_add _ _) _; apply: leq_add.
  apply: mxrank_hcat => h ltH; apply: leq_trans (mxrankM_maxl _ _) _.
  apply: mxrank_rowsum0; rewrite /D mulmxBl -mulmxA -row_mul rows1 //.
  apply/eqP; rewrite subr_eq0; apply/eqP/matrixP => i j.
  by rewrite !mxE big_ord1 !mxE mulr1.
exact: leq_trans (mxrankM_maxl _ _) (rank_leq_col _).
Qed.

End Ceiling.

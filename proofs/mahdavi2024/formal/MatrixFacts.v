(* Shared matrix facts for the Mahdavi–Liao–Thrampoulidis (ICLR 2024) lemmas
   L1, L2, L3, L6, L8, P2.  Nothing here is a claim of the paper by itself. *)
From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section AnyField.
Variable F : fieldType.

(* Rank factorisation with padding: a matrix of rank <= k is B C^T with k columns. *)
Lemma factor_rank_le m n k (A : 'M[F]_(m, n)) :
  (\rank A <= k)%N -> exists (B : 'M[F]_(m, k)) (C : 'M[F]_(n, k)), A = B *m C^T.
Proof.
move=> rk.
pose P : 'M[F]_(\rank A, k) := pid_mx (\rank A).
exists (col_base A *m P), ((P^T *m row_base A)^T).
rewrite trmxK mulmxA -(mulmxA (col_base A)) tr_pid_mx pid_mx_id //.
by rewrite pid_mx_1 mulmx1 mulmx_base.
Qed.

(* Horizontal concatenation is subadditive for the rank. *)
Lemma mxrank_row_mx_le m n1 n2 (A : 'M[F]_(m, n1)) (B : 'M[F]_(m, n2)) :
  (\rank (row_mx A B) <= \rank A + \rank B)%N.
Proof.
rewrite -mxrank_tr tr_row_mx -(mxrank_tr A) -(mxrank_tr B).
rewrite -(addsmxE A^T B^T).1.
exact: (mxrank_adds_leqif A^T B^T).1.
Qed.

(* Vertical concatenation is subadditive for the rank. *)
Lemma mxrank_col_mx_le m1 m2 n (A : 'M[F]_(m1, n)) (B : 'M[F]_(m2, n)) :
  (\rank (col_mx A B) <= \rank A + \rank B)%N.
Proof.
rewrite -(addsmxE A B).1.
exact: (mxrank_adds_leqif A B).1.
Qed.

(* A matrix killing a nonzero column vector has rank at most n - 1. *)
Lemma mxrank_kill_col m n (D : 'M[F]_(m, n)) (v : 'cV[F]_n) :
  v != 0 -> D *m v = 0 -> (\rank D <= n.-1)%N.
Proof.
move=> v0 Dv; have := mulmx0_rank_max Dv.
have : \rank v = 1%N.
  by apply/eqP; rewrite eqn_leq rank_leq_col lt0n mxrank_eq0.
move=> -> ; rewrite addn1 => h; rewrite -ltnS; exact: leq_trans h (leqSpred n).
Qed.

(* A matrix whose rows all sum to 0 has rank <= n - 1. *)
Lemma mxrank_rowsum0 T n (D : 'M[F]_(T, n)) :
  D *m (const_mx 1 : 'cV[F]_n) = 0 -> (\rank D <= n - 1)%N.
Proof.
rewrite subn1; case: n D => [|n] D Dv; first exact: rank_leq_col D.
apply: mxrank_kill_col Dv; apply/eqP => /matrixP/(_ 0 0); rewrite !mxE.
by apply/eqP; exact: oner_neq0.
Qed.

End AnyField.

Section RealField.
Variable R : realFieldType.

(* The Gram matrix of a matrix of full row rank is invertible (needs a formally real field). *)
Lemma gram_unit m n (Z : 'M[R]_(m, n)) : \rank Z = m -> Z *m Z^T \in unitmx.
Proof.
move=> rZ; rewrite -row_free_unit; apply: inj_row_free => x.
rewrite mulmxA => xZZ.
have xZ0 : x *m Z = 0.
  have : (x *m Z *m (x *m Z)^T) 0 0 = 0.
    by rewrite trmx_mul mulmxA xZZ mul0mx mxE.
  move: (x *m Z) => u; rewrite !mxE => /psumr_eq0P uu.
  have uu0 : forall j, u 0 j * u 0 j = 0.
    have nn : forall i, true -> 0 <= u 0 i * u^T i 0.
      by move=> i _; rewrite mxE -expr2 sqr_ge0.
    by move=> j; have := uu nn j isT; rewrite mxE.
  apply/rowP => j; rewrite mxE; apply/eqP; rewrite -sqrf_eq0 expr2.
  by rewrite uu0.
have Zfree : row_free Z by rewrite /row_free rZ.
by apply: (row_free_inj Zfree); rewrite xZ0 mul0mx.
Qed.

End RealField.

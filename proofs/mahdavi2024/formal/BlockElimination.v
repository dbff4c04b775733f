(* L6 (block elimination), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   F = [[U, A], [V, C]] with U of full row rank r and G = V U⁺:
   rank F >= r + rank (C - G A).
   The paper's pseudo-inverse of a full-row-rank U is U⁺ = Uᵀ (U Uᵀ)⁻¹, a right inverse
   of U.  The inequality holds for G = V R with ANY right inverse R of U (any field);
   it needs neither V = G U (V's rows in U's row space) nor anything about C.
   It is false for an arbitrary G (L6_arbitrary_G_counterexample). *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section AnyField.
Variable F : fieldType.

(* Row and column operations bring F to diag(I_r, C - V R A). *)
Lemma block_elimination_identity r k p q (U : 'M[F]_(r, p)) (A : 'M[F]_(r, q))
    (V : 'M[F]_(k, p)) (C : 'M[F]_(k, q)) (R : 'M[F]_(p, r)) :
  U *m R = 1%:M ->
  block_mx 1%:M 0 (- (V *m R)) 1%:M *m block_mx U A V C
    *m block_mx R (- (R *m A)) 0 1%:M
  = block_mx 1%:M 0 0 (C - V *m R *m A).
Proof.
move=> UR.
rewrite !mulmx_block !mul1mx !mul0mx ?addr0 ?add0r ?mulmx0 ?addr0 ?mulmx1.
have Z : (- (V *m R) *m U + V) *m R = 0.
  by rewrite mulmxDl !mulNmx -(mulmxA (V *m R)) UR mulmx1 addNr.
rewrite UR; congr block_mx.
- by rewrite mulmxN mulmxA UR mul1mx addNr.
- exact: Z.
- by rewrite mulmxN mulmxA Z mul0mx oppr0 add0r mulNmx addrC.
Qed.

(* L6 over any field, with G = V R for any right inverse R of U. *)
Theorem L6_block_elimination_right_inverse r k p q (U : 'M[F]_(r, p))
    (A : 'M[F]_(r, q)) (V : 'M[F]_(k, p)) (C : 'M[F]_(k, q)) (R : 'M[F]_(p, r)) :
  U *m R = 1%:M ->
  (r + \rank (C - V *m R *m A)%R <= \rank (block_mx U A V C))%N.
Proof.
move=> UR; rewrite -{1}(@mxrank1 F r) -rank_diag_block_mx.
rewrite -(block_elimination_identity A V C UR).
exact: leq_trans (mxrankM_maxl _ _) (mxrankM_maxr _ _).
Qed.

End AnyField.

(* L6 as the paper states it: U of full row rank r, G = V U⁺ with U⁺ = Uᵀ (U Uᵀ)⁻¹
   (the Moore–Penrose pseudo-inverse of a full-row-rank matrix), over a real field. *)
Theorem L6_block_elimination (R : realFieldType) r k p q (U : 'M[R]_(r, p))
    (A : 'M[R]_(r, q)) (V : 'M[R]_(k, p)) (C : 'M[R]_(k, q)) :
  \rank U = r ->
  (r + \rank (C - V *m (U^T *m invmx (U *m U^T)) *m A)%R
     <= \rank (block_mx U A V C))%N.
Proof.
move=> rU; apply: L6_block_elimination_right_inverse.
by rewrite mulmxA mulmxV // gram_unit.
Qed.

(* The choice G = V U⁺ matters: for G = 0 and F = [[1, 1], [1, 1]] (U = A = V = C = 1,
   r = 1) the bound r + rank (C - G A) = 2 exceeds rank F = 1. *)
Theorem L6_arbitrary_G_counterexample (F : fieldType) :
  let U : 'M[F]_1 := 1%:M in let G : 'M[F]_1 := 0 in
  (\rank (block_mx U U U U) < 1 + \rank (U - G *m U)%R)%N.
Proof.
rewrite /= mul0mx subr0 mxrank1 ltnS.
have -> : block_mx (1%:M : 'M[F]_1) 1%:M 1%:M 1%:M = col_mx 1%:M 1%:M *m row_mx 1%:M 1%:M.
  by rewrite mul_col_mx !mul_mx_row mulmx1 block_mxEv.
exact: mulmx_max_rank.
Qed.

(* L3 (prescribed logits), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   k examples j : 'I_k with contexts E j : n x d of full row rank n (A2), queries the rows
   of Q : k x d with rank Q = k (linearly independent, A1 for k <= n) and target logit
   columns a j : n x 1.  With w_j = E_jᵀ (E_j E_jᵀ)⁻¹ a_j and b_j = column j of
   B = Qᵀ (Q Qᵀ)⁻¹, the matrix W* = Σ_j w_j b_jᵀ gives E_j W* e_j = a_j (e_j = row j of Q,
   as a column: (row j Q)ᵀ) and rank W* <= k.  Real field (Gram matrices are inverted).
   The bound k <= n is not used by the algebra. *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section PrescribedLogits.
Variables (R : realFieldType) (k n d : nat).
Variables (E : 'I_k -> 'M[R]_(n, d)) (Q : 'M[R]_(k, d)) (a : 'I_k -> 'cV[R]_n).

Definition w (j : 'I_k) : 'cV[R]_d := (E j)^T *m invmx (E j *m (E j)^T) *m a j.
Definition Bq : 'M[R]_(d, k) := Q^T *m invmx (Q *m Q^T).
Definition Wstar : 'M[R]_d := \sum_(j < k) w j *m (col j Bq)^T.

Lemma Wstar_factor :
  Wstar = (\matrix_(r < d, j < k) w j r 0) *m Bq^T.
Proof.
apply/matrixP => r s; rewrite summxE !mxE; apply: eq_bigr => j _.
by rewrite !mxE big_ord1 !mxE.
Qed.

Theorem L3_prescribed_logits :
  (forall j, \rank (E j) = n) -> \rank Q = k ->
  (forall j, E j *m Wstar *m (row j Q)^T = a j) /\ (\rank Wstar <= k)%N.
Proof.
move=> rE rQ; split; last by rewrite Wstar_factor mulmx_max_rank.
have QB : Q *m Bq = 1%:M by rewrite /Bq mulmxA mulmxV // gram_unit.
move=> i; rewrite /Wstar -mulmxA mulmx_suml.
have delta j : w j *m (col j Bq)^T *m (row i Q)^T = (i == j)%:R *: w j.
  rewrite -mulmxA -trmx_mul.
  have -> : row i Q *m col j Bq = ((i == j)%:R)%:M.
    apply/matrixP => x y; rewrite (ord1 x) (ord1 y) !mxE eqxx mulr1n.
    have := congr1 (fun M : 'M[R]_k => M i j) QB; rewrite !mxE => <-.
    by apply: eq_bigr => l _; rewrite !mxE.
  by rewrite tr_scalar_mx mul_mx_scalar.
rewrite (eq_bigr _ (fun j _ => delta j)) (bigD1 i) //= eqxx scale1r big1 ?addr0.
  by rewrite /w !mulmxA mulmxV ?mul1mx // gram_unit.
by move=> j /negPf; rewrite eq_sym => ->; rewrite scale0r.
Qed.

End PrescribedLogits.

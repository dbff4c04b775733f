(* P4 (a trivial attention layer restores A1), Mahdavi–Liao–Thrampoulidis, ICLR 2024.
   Uniform attention (W_K = W_Q = 0), W_V W_O = I and a skip connection map a sequence
   X : N x d (row 0 the query, rows 1..n the context, N = 1 + n) to  mix N *m X  with
   mix N = I + (1/N) J, J the all-ones N x N matrix.  Over any numFieldType
   (characteristic 0 is what is used: N and 2N are invertible). *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.
From Memproof.Mahdavi2024 Require Import MatrixFacts.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section TrivialLayer.
Variable R : numFieldType.

Definition J N : 'M[R]_N := const_mx 1.
Definition mix N : 'M[R]_N := 1%:M + (N%:R)^-1 *: J N.

Lemma JJ N : J N *m J N = N%:R *: J N.
Proof.
apply/matrixP => i j; rewrite !mxE.
under eq_bigr do rewrite !mxE mulr1.
by rewrite sumr_const card_ord mulr1.
Qed.

Lemma mulJ N (a b : R) :
  (1%:M + a *: J N) *m (1%:M + b *: J N) = 1%:M + (a + b + a * b * N%:R) *: J N.
Proof.
rewrite mulmxDl !mulmxDr !mul1mx !mulmx1 -!scalemxAl -!scalemxAr JJ !scalerA.
by rewrite !scalerDl -mulrA !addrA (addrAC _ (b *: _)).
Qed.

Lemma natr_nz N : (0 < N)%N -> (N%:R : R) != 0.
Proof. by rewrite pnatr_eq0 -lt0n. Qed.

Lemma mix_inverse N : (0 < N)%N ->
  mix N *m (1%:M - ((2 * N)%:R)^-1 *: J N) = 1%:M.
Proof.
move=> N0; rewrite /mix -scaleNr mulJ.
have -> : (N%:R)^-1 + - ((2 * N)%:R)^-1 + (N%:R)^-1 * - ((2 * N)%:R)^-1 * N%:R = 0 :> R.
  by rewrite natrM; field; rewrite natr_nz.
by rewrite scale0r addr0.
Qed.

Theorem P4_mix_invertible N : (0 < N)%N ->
  mix N \in unitmx /\ invmx (mix N) = 1%:M - ((2 * N)%:R)^-1 *: J N.
Proof.
move=> N0; have MB := mix_inverse N0; have [Mu _] := mulmx1_unit MB.
split=> //; have := congr1 (mulmx (invmx (mix N))) MB.
by rewrite mulKmx // mulmx1 => <-.
Qed.

(* Eigenvalues 1 and 2: (M - I)(M - 2I) = 0. *)
Theorem P4_eigen_relation N : (0 < N)%N ->
  (mix N - 1%:M) *m (mix N - 2%:M) = 0.
Proof.
move=> N0; rewrite /mix; set a := (N%:R)^-1.
have -> : 1%:M + a *: J N - 1%:M = a *: J N by rewrite (addrC 1%:M) addrK.
have -> : 1%:M + a *: J N - 2%:M = a *: J N - 1%:M.
  have two : (2%:M : 'M[R]_N) = 1%:M + 1%:M.
    by apply/matrixP=> i j; rewrite !mxE -mulrnDl.
  by rewrite two (addrC 1%:M) opprD addrA addrK.
rewrite mulmxBr mulmx1 -scalemxAl -scalemxAr JJ !scalerA -mulrA /a mulVf ?natr_nz //.
by rewrite mulr1 subrr.
Qed.

(* Row i of the new sequence is row i plus the mean of the whole sequence (query
   included); for i = 0 these are the A3 vectors x_0 + mean_i x_i, the new queries. *)
Theorem P4_new_rows N d (X : 'M[R]_(N, d)) (i : 'I_N) :
  row i (mix N *m X) = row i X + (N%:R)^-1 *: \sum_(l < N) row l X.
Proof.
rewrite row_mul /mix linearD linearZ /= mulmxDl -scalemxAl row1 -rowE /J row_const.
congr (_ + _ *: _); rewrite mulmx_sum_row; apply: eq_bigr => l _.
by rewrite !mxE scale1r.
Qed.

(* A2 is kept when the whole sequence X = [x_0; E] (N = 1 + n rows) has full row rank. *)
Theorem P4_A2_qualified n d (X : 'M[R]_(1 + n, d)) :
  \rank X = (1 + n)%N -> \rank (dsubmx (mix (1 + n) *m X)) = n.
Proof.
move=> rX; have [Mu _] := P4_mix_invertible (ltn0Sn n).
have rMX : \rank (mix (1 + n) *m X) = (1 + n)%N.
  by rewrite (eqmxMfull _ _).1 // row_full_unit.
apply/eqP; rewrite eqn_leq rank_leq_row /= -(leq_add2l 1) -[X in (X <= _)%N]rMX.
rewrite -{1}(vsubmxK (mix (1 + n) *m X)); apply: leq_trans (mxrank_col_mx_le _ _) _.
by rewrite leq_add2r rank_leq_row.
Qed.

(* Without that hypothesis A2 can fail, for every n >= 1 and every context E: with the
   query x_0 = -((2n+1)/n) (x_1 + ... + x_n) the new context rows x_i - (1/n) sum_j x_j
   sum to zero, so the new context has rank <= n - 1 < n. *)
Theorem P4_A2_counterexample_family n d (E : 'M[R]_(n, d)) (x0 : 'rV[R]_d) :
  (0 < n)%N ->
  x0 = - ((2 * n + 1)%:R / n%:R) *: (\sum_(i < n) row i E) ->
  (\rank (dsubmx (mix (1 + n) *m col_mx x0 E)) <= n - 1)%N.
Proof.
move=> n0 x0E; set D := dsubmx _.
set sE := \sum_(i < n) row i E.
have sumX : \sum_(l < 1 + n) row l (col_mx x0 E) = x0 + sE.
  by rewrite big_split_ord /= big_ord1; congr (_ + _);
    [rewrite rowKu row_id | apply: eq_bigr => i _; rewrite rowKd].
have mean : ((1 + n)%:R)^-1 *: (x0 + sE) = - (n%:R)^-1 *: sE.
  rewrite x0E -/sE -{2}(scale1r sE) -scalerDl scalerA; congr (_ *: _).
  rewrite !natrD; field.
  by rewrite natr_nz // -mulrS natr_nz.
have rowD i : row i D = row i E - (n%:R)^-1 *: sE.
  by rewrite row_dsubmx P4_new_rows rowKd sumX mean scaleNr.
rewrite -mxrank_tr; apply: mxrank_rowsum0.
apply: trmx_inj; rewrite trmx_mul trmxK trmx0.
have -> : (const_mx 1 : 'cV[R]_n)^T = const_mx 1.
  by apply/matrixP => i j; rewrite !mxE.
rewrite mulmx_sum_row (eq_bigr (fun i => row i D)) => [|i _]; last by rewrite mxE scale1r.
rewrite (eq_bigr _ (fun i _ => rowD i)) sumrB sumr_const card_ord -scaler_nat scalerA.
by rewrite mulfV ?natr_nz // scale1r subrr.
Qed.

(* The concrete witness of theorem.md: n = 2, d = 3, E = [[1,0,0],[0,1,0]] (rank 2),
   x_0 = (-5/2, -5/2, 0): the new context has rank 1. *)
Definition E_ex : 'M[R]_(2, 3) := pid_mx 2.
Definition x0_ex : 'rV[R]_3 :=
  \row_(j < 3) (if j == 2%N :> nat then 0 else - (5%:R / 2%:R)).

Theorem P4_A2_counterexample :
  \rank E_ex = 2%N /\ \rank (dsubmx (mix (1 + 2) *m col_mx x0_ex E_ex)) = 1%N.
Proof.
split; first by rewrite rank_pid_mx.
have x0E : x0_ex = - ((2 * 2 + 1)%:R / 2%:R) *: (\sum_(i < 2) row i E_ex).
  apply/rowP => j; rewrite !mxE big_ord_recl big_ord1 !mxE.
  by case: j => [[|[|[|]]]] //= _; rewrite ?mulr1n ?mulr0n ?addr0 ?add0r ?mulr1 ?mulr0 ?oppr0.
apply/eqP; rewrite eqn_leq (P4_A2_counterexample_family _ x0E) //= lt0n mxrank_eq0.
apply/eqP => D0; set i1 : 'I_2 := @Ordinal 2 1 isT.
have h0 := congr1 (row 0) D0; have h1 := congr1 (row i1) D0.
rewrite !row_dsubmx !P4_new_rows !rowKd !row0 in h0 h1.
have /addIr e := etrans h0 (esym h1).
have := congr1 (fun v : 'rV[R]_3 => v 0 0) e; rewrite !mxE /=.
by move/eqP; rewrite ?mulr1n ?mulr0n oner_eq0.
Qed.

(* P4 as one statement, with M = I + J/N written out (J = const_mx 1, the all-ones matrix):
   (a) for N >= 1, M is invertible with inverse I - J/(2N), and (M - I)(M - 2I) = 0;
   (b) row i of M X is row i of X plus the mean of the rows of X (row 0: the A3 vector);
   (c) rank X = 1 + n  ->  the new context (rows 1..n of M X) has rank n;
   (d) for n >= 1, any context E and the query x0 = -((2n+1)/n) sum_i E_i, the new context
       has rank <= n - 1;
   (e) n = 2, d = 3, E = [[1,0,0],[0,1,0]] (rank 2), x0 = (-5/2, -5/2, 0): new context of rank 1. *)
Theorem P4_trivial_layer :
  (forall N : nat, (0 < N)%N ->
     [/\ 1%:M + (N%:R)^-1 *: (const_mx 1 : 'M[R]_N) \in unitmx,
         invmx (1%:M + (N%:R)^-1 *: (const_mx 1 : 'M[R]_N))
           = 1%:M - ((2 * N)%:R)^-1 *: const_mx 1
       & (1%:M + (N%:R)^-1 *: (const_mx 1 : 'M[R]_N) - 1%:M)
           *m (1%:M + (N%:R)^-1 *: (const_mx 1 : 'M[R]_N) - 2%:M) = 0]) /\
  (forall (N d : nat) (X : 'M[R]_(N, d)) (i : 'I_N),
     row i ((1%:M + (N%:R)^-1 *: const_mx 1) *m X)
       = row i X + (N%:R)^-1 *: \sum_(l < N) row l X) /\
  (forall (n d : nat) (X : 'M[R]_(1 + n, d)),
     \rank X = (1 + n)%N ->
     \rank (dsubmx ((1%:M + ((1 + n)%:R)^-1 *: const_mx 1) *m X)) = n) /\
  (forall (n d : nat) (E : 'M[R]_(n, d)) (x0 : 'rV[R]_d),
     (0 < n)%N ->
     x0 = - ((2 * n + 1)%:R / n%:R) *: (\sum_(i < n) row i E) ->
     (\rank (dsubmx ((1%:M + ((1 + n)%:R)^-1 *: const_mx 1) *m col_mx x0 E))%R <= n - 1)%N) /\
  (\rank (pid_mx 2 : 'M[R]_(2, 3)) = 2%N /\
   \rank (dsubmx ((1%:M + ((1 + 2)%:R)^-1 *: const_mx 1)
            *m col_mx (\row_(j < 3) (if j == 2%N :> nat then 0 else - (5%:R / 2%:R)))
                      (pid_mx 2 : 'M[R]_(2, 3)))) = 1%N).
Proof.
split; first by move=> N N0; have [Mu Mi] := P4_mix_invertible N0; split=> //; exact: P4_eigen_relation.
split; first exact: P4_new_rows.
split; first exact: P4_A2_qualified.
split; first exact: P4_A2_counterexample_family.
exact: P4_A2_counterexample.
Qed.

End TrivialLayer.

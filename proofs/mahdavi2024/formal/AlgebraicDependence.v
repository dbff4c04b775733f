(** * Algebraic dependence of few low-degree polynomials (used by P3)

    Over a numeric field F: if N polynomials of total degree at most 2 in
    p < N variables are given, there is a nonzero polynomial relation
    Q(f_1, ..., f_N) = 0 (found by linear algebra: more unknown
    coefficients than monomials); and for any finite family of nonzero
    relations there is one point y in F^N at which none vanishes (Kronecker
    substitution y_i = s^(D^i) turns each relation into a nonzero univariate
    polynomial, and a nonzero polynomial has finitely many roots while F has
    infinitely many naturals).  Consequence ([not_all_attained]): when
    p < N, finitely many polynomial maps F^p -> F^N of degree at most 2 never
    cover F^N. *)

From mathcomp Require Import all_ssreflect all_algebra.
From SsrMultinomials Require Import mpoly.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

(** ** Base-D digits *)
Section Digits.
Variable D : nat.

Definition enc N (f : nat -> nat) := (\sum_(i < N) f i * D ^ i)%N.

Lemma enc_lt N f : (forall i, f i < D)%N -> (enc N f < D ^ N)%N.
Proof.
move=> fD; elim: N => [|N IH]; first by rewrite /enc big_ord0 expn0.
rewrite /enc big_ord_recr /= -/(enc N f) expnS.
apply: (@leq_trans (D ^ N + f N * D ^ N)); first by rewrite ltn_add2r.
by rewrite -[X in (X + _)%N]mul1n -mulnDl add1n leq_mul.
Qed.

Lemma enc_inj N f g : (forall i, f i < D)%N -> (forall i, g i < D)%N ->
  enc N f = enc N g -> forall i, (i < N)%N -> f i = g i.
Proof.
move=> fD gD; elim: N => [|N IH] // E i iN.
move: E; rewrite /enc !big_ord_recr /= -!/(enc N _) => E.
have: edivn (f N * D ^ N + enc N f) (D ^ N) = edivn (g N * D ^ N + enc N g) (D ^ N).
  by rewrite addnC E addnC.
rewrite !edivn_eq ?enc_lt // => -[eN eE].
by move: iN; rewrite ltnS leq_eqVlt => /orP[/eqP-> // | /(IH eE)].
Qed.

(** Digits of a tuple of exponents below D. *)
Definition ext N (a : {ffun 'I_N -> 'I_D}) (i : nat) : nat :=
  if insub i is Some j then a j else 0%N.

Lemma ext_ord N (a : {ffun 'I_N -> 'I_D}) (i : 'I_N) : ext a i = a i.
Proof. by rewrite /ext valK. Qed.

Definition encf N (a : {ffun 'I_N -> 'I_D}) := (\sum_(i < N) a i * D ^ i)%N.

Lemma encf_inj N : (0 < D)%N -> injective (@encf N).
Proof.
move=> D0 a b E; apply/ffunP => i; apply/val_inj.
have bd (c : {ffun 'I_N -> 'I_D}) j : (ext c j < D)%N.
  by rewrite /ext; case: insub => // k.
have encE (c : {ffun 'I_N -> 'I_D}) : encf c = enc N (ext c).
  by rewrite /encf /enc; apply: eq_bigr => j _; rewrite ext_ord.
have : ext a i = ext b i.
  by apply: (enc_inj (bd a) (bd b) _ (ltn_ord i)); rewrite -!encE.
by rewrite !ext_ord.
Qed.

End Digits.

(** ** Degree bounds: [dle K q] means total degree at most K. *)
Section Degree.
Variables (F : idomainType) (p : nat).
Implicit Types q r : {mpoly F[p]}.

Definition dle K q := (msize q <= K.+1)%N.

Lemma dleW K K' q : (K <= K')%N -> dle K q -> dle K' q.
Proof. by move=> KK /leq_trans; apply. Qed.

Lemma dle0 K : dle K 0.
Proof. by rewrite /dle msize0. Qed.

Lemma dleD K q r : dle K q -> dle K r -> dle K (q + r).
Proof.
rewrite /dle => dq dr; apply: leq_trans (msizeD_le _ _) _; by rewrite geq_max dq dr.
Qed.

Lemma dleZ K c q : dle K q -> dle K (c *: q).
Proof. by rewrite /dle => dq; apply: leq_trans (msizeZ_le _ _) dq. Qed.

Lemma dleX i : dle 1 'X_i.
Proof. by rewrite /dle msizeX mdeg1. Qed.

Lemma dleM K1 K2 q r : dle K1 q -> dle K2 r -> dle (K1 + K2) (q * r).
Proof.
have [->|q0] := eqVneq q 0; first by rewrite mul0r => _ _; apply: dle0.
have [->|r0] := eqVneq r 0; first by rewrite mulr0 => _ _; apply: dle0.
rewrite /dle msizeM // => dq dr.
rewrite -ltnS prednK ?addn_gt0 ?lt0n ?msize_poly_eq0 ?q0 //.
by apply: leq_trans (leq_add dq dr) _; rewrite addSn addnS.
Qed.

Lemma dle_sum K (I : Type) (s : seq I) (P : pred I) (G : I -> {mpoly F[p]}) :
  (forall i, P i -> dle K (G i)) -> dle K (\sum_(i <- s | P i) G i).
Proof. by move=> dG; apply: (big_ind (dle K)) => //; [apply: dle0 | apply: dleD]. Qed.

Lemma dle_exp K q k : dle K q -> dle (k * K) (q ^+ k).
Proof.
move=> dq; elim: k => [|k IH]; first by rewrite expr0 /dle msize1.
by rewrite exprS mulSn; apply: dleM.
Qed.

Lemma dle_prod (I : Type) (s : seq I) (P : pred I) (G : I -> {mpoly F[p]})
    (K : I -> nat) :
  (forall i, P i -> dle (K i) (G i)) ->
  dle (\sum_(i <- s | P i) K i) (\prod_(i <- s | P i) G i).
Proof.
move=> dG; apply: (big_ind2 (fun q k => dle k q)) => //.
  by rewrite /dle msize1.
by move=> q1 k1 q2 k2; apply: dleM.
Qed.

End Degree.

(** ** A nonzero relation among N polynomials of degree <= 2 in p < N
    variables *)
Section Dependence.
Variables (F : fieldType) (p N : nat).

Definition Dk := ((2 * N + 1) ^ p + 1)%N.
Local Notation D := Dk.
Local Notation Ex := {ffun 'I_N -> 'I_D}.

(** The relation with coefficient row w: Q_w(y) = sum_r w_r prod_i y_i^(e_r i),
    e_r the r-th exponent tuple. *)
Definition relQ (w : 'rV[F]_#|Ex|) (y : 'I_N -> F) :=
  \sum_(r < #|Ex|) w 0 r * \prod_(i < N) y i ^+ enum_val r i.

Lemma relQ_eq w y y' : y =1 y' -> relQ w y = relQ w y'.
Proof.
by move=> e; apply: eq_bigr => r _; congr (_ * _); apply: eq_bigr => i _; rewrite e.
Qed.

Lemma card_bound : (p < N)%N -> ((2 * (N * D)).+1 ^ p < D ^ N)%N.
Proof.
move=> pN; have D0 : (0 < D)%N by rewrite /Dk addn1.
apply: (@leq_trans (D ^ p.+1)); last exact: leq_pexp2l.
apply: (@leq_ltn_trans (((2 * N + 1) * D) ^ p)).
  have mono (x y e : nat) : (x <= y)%N -> (x ^ e <= y ^ e)%N.
    by move=> xy; elim: e => // e IH; rewrite !expnS leq_mul.
  apply: mono; rewrite mulnDl mul1n mulnA -addn1 leq_add2l //.
rewrite expnMn expnS ltn_pmul2r; first by rewrite /Dk; set z := (_ ^ p)%N; rewrite addn1.
by rewrite expn_gt0 D0.
Qed.

Lemma dependence (f : 'I_N -> {mpoly F[p]}) :
  (p < N)%N -> (forall i, dle 2 (f i)) ->
  exists2 w : 'rV[F]_#|Ex|, w != 0 & forall th, relQ w (fun i => (f i).@[th]) = 0.
Proof.
move=> pN df; pose K := (2 * (N * D))%N.
pose Bx := {ffun 'I_p -> 'I_K.+1}.
pose mon (b : Bx) := [multinom (b i : nat) | i < p].
pose pr (e : Ex) := \prod_(i < N) f i ^+ e i.
have dpr e : dle K (pr e).
  apply: (@dleW _ _ (\sum_(i < N) e i * 2)%N); last first.
    by apply: dle_prod => i _; apply: dle_exp.
  rewrite /K -big_distrl /= mulnC leq_mul2l /=.
  rewrite -[X in (_ <= X * _)%N]card_ord -sum_nat_const.
  by apply: leq_sum => i _; exact: ltnW.
pose M := \matrix_(r < #|Ex|, s < #|Bx|) (pr (enum_val r))@_(mon (enum_val s)).
have : kermx M != 0.
  rewrite -mxrank_eq0 mxrank_ker subn_eq0 -ltnNge.
  apply: leq_ltn_trans (rank_leq_col M) _.
  by rewrite !card_ffun !card_ord; apply: card_bound.
case/matrix0Pn => r0 [j0 nz]; pose w := row r0 (kermx M).
have wM : w *m M = 0 by rewrite -row_mul mulmx_ker row0.
exists w; first by apply/matrix0Pn; exists 0, j0; rewrite mxE.
have G0 : \sum_(r < #|Ex|) w 0 r *: pr (enum_val r) = 0.
  apply/mpolyP => m; rewrite mcoeff0 raddf_sum /=.
  under eq_bigr do rewrite mcoeffZ.
  have [/forallP box | /forallPn [i big]] := boolP [forall i, (m i <= K)%N].
    pose b : Bx := [ffun i => inord (m i)].
    have mb : mon b = m by apply/mnmP => i; rewrite mnmE ffunE inordK ?ltnS.
    have E : (w *m M) 0 (enum_rank b) = 0 by rewrite wM mxE.
    rewrite -[RHS]E mxE; apply: eq_bigr => r _; rewrite /M mxE -mb.
    by rewrite enum_rankK.
  apply: big1 => r _; apply/eqP; rewrite mulf_eq0; apply/orP; right.
  rewrite mcoeff_eq0; apply: msize_mdeg_ge; apply: leq_trans (dpr _) _.
  rewrite mdegE (bigD1 i) //=; apply: leq_trans (leq_addr _ _).
  by rewrite ltnNge.
move=> th; have := congr1 (meval th) G0; rewrite raddf0 raddf_sum /= => <-.
apply: eq_bigr => r _; rewrite mevalZ rmorph_prod; congr (_ * _).
by apply: eq_bigr => i _; rewrite rmorphX.
Qed.

End Dependence.

(** ** Kronecker substitution and a common non-root *)
Section NonRoot.
Variables (F : numFieldType) (p N : nat).
Local Notation D := (Dk p N).
Local Notation Ex := {ffun 'I_N -> 'I_D}.

Definition kpoly (w : 'rV[F]_#|Ex|) : {poly F} :=
  \sum_(r < #|Ex|) w 0 r *: 'X^(encf (enum_val r)).

Lemma relQ_kron w s : relQ w (fun i => s ^+ (D ^ i)) = (kpoly w).[s].
Proof.
rewrite /kpoly horner_sum; apply: eq_bigr => r _.
rewrite hornerZ hornerXn /encf -prodrXr; congr (_ * _).
by apply: eq_bigr => i _; rewrite mulnC exprM.
Qed.

Lemma kpoly_coef w r : (kpoly w)`_(encf (enum_val r)) = w 0 r.
Proof.
have D0 : (0 < D)%N by rewrite /Dk addn1.
rewrite /kpoly coef_sum (bigD1 r) //= coefZ coefXn eqxx mulr1 big1 ?addr0 //.
move=> r' nr; rewrite coefZ coefXn; case: eqP => [/(encf_inj D0)|]; last by rewrite mulr0.
by move/enum_val_inj => eq_r; rewrite eq_r eqxx in nr.
Qed.

Lemma kpoly_neq0 w : w != 0 -> kpoly w != 0.
Proof.
apply: contra_neq => k0; apply/rowP => r.
by rewrite mxE -kpoly_coef k0 coef0.
Qed.

Lemma common_nonroot (A : finType) (P : A -> {poly F}) :
  (forall a, P a != 0) -> exists s : F, forall a, (P a).[s] != 0.
Proof.
move=> nzP; pose Pr := \prod_a P a.
have Pr0 : Pr != 0 by apply/prodf_neq0 => a _.
pose rs := [seq i%:R | i <- iota 0 (size Pr)] : seq F.
have /allPn [s _ ns] : ~~ all (root Pr) rs.
  apply/negP => allr; have uq : uniq rs.
    by rewrite map_inj_uniq ?iota_uniq // => i j /eqP; rewrite eqr_nat => /eqP.
  by have := max_poly_roots Pr0 allr uq; rewrite size_map size_iota ltnn.
exists s => a; move: ns; rewrite /root /Pr horner_prod.
by move/prodf_neq0; apply.
Qed.

End NonRoot.

(** ** Finitely many degree-2 polynomial maps from F^p never cover F^I
    when p < #|I|. *)
Theorem not_all_attained (F : numFieldType) (A I : finType) p
    (f : A -> I -> {mpoly F[p]}) :
  (p < #|I|)%N -> (forall a i, dle 2 (f a i)) ->
  exists y : I -> F, forall a th, ~ (forall i, (f a i).@[th] = y i).
Proof.
move=> pI df; pose g a (j : 'I_#|I|) := f a (enum_val j).
have /fin_all_exists [w Hw] : forall a, exists w : 'rV[F]_#|{ffun 'I_#|I| -> 'I_(Dk p #|I|)}|,
    (w != 0) /\ forall th, relQ w (fun j => (g a j).@[th]) = 0.
  by move=> a; have [w ? ?] := @dependence F p #|I| (g a) pI (fun j => df _ _); exists w.
have [s Hs] := common_nonroot (fun a => kpoly_neq0 (proj1 (Hw a))).
exists (fun i => s ^+ (Dk p #|I| ^ enum_rank i)) => a th Hy.
have := proj2 (Hw a) th.
rewrite (@relQ_eq _ _ _ _ _ (fun j => s ^+ (Dk p #|I| ^ j))) => [|j]; last first.
  by rewrite /g Hy enum_valK.
by rewrite relQ_kron => h; move: (Hs a); rewrite h eqxx.
Qed.


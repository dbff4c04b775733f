(** * Theorem 1 (T1) at Coq's real numbers

    [Theorem1.T1_memorization] holds over any [realFieldType] F with an
    [expln F] and assumes no axiom.  This file instantiates it at the
    standard library's [R] (Coq.Reals) and its [exp]: it gives [R] the
    MathComp 1.15 structures up to [realFieldType] (eqType, choiceType,
    zmodType, ringType, comRingType, unitRingType, comUnitRingType,
    idomainType, fieldType, porderType, numDomainType, normedZmodType,
    numFieldType, latticeType, distrLatticeType, orderType, realDomainType,
    realFieldType), builds the [expln] record from [exp] (with a logarithm
    [lnR], equal to the standard [ln] on the positives: [lnR_ln]) and states
    [T1_memorization_R].  Its softmax is the one of the standard [exp]
    ([R_expln_exp]).

    Axioms of [T1_memorization_R] (Print Assumptions, Coq 8.16.1, MathComp 1.15):
      ClassicalDedekindReals.sig_not_dec
      ClassicalDedekindReals.sig_forall_dec
      FunctionalExtensionality.functional_extensionality_dep
      Epsilon.epsilon_statement
    - [sig_forall_dec] and [functional_extensionality_dep]: Coq's [R] itself
      (its order and equality are decided with them, [Req_EM_T], [Rle_dec];
      [Rplus_comm] already uses both).
    - [sig_not_dec]: completeness of [R]; the definition of [exp] (the series
      converges) and the intermediate value theorem for [lnR] use it.
    - [epsilon_statement] (Hilbert's epsilon, [Coq.Logic.Epsilon]): only the
      choice mixin.  MathComp's [realFieldType] extends [choiceType], which
      asks for a function picking an element of every inhabited boolean
      predicate on R.  No such function can be defined from the other axioms
      (in the set-theoretic model of Coq they hold without the axiom of
      choice, and there the function would be a choice function on the
      nonempty sets of reals), so some choice axiom is unavoidable for a
      [choiceType] on R; one axiom suffices.  The proof of Theorem 1 never
      picks an element: the axiom is the price of MathComp's hierarchy.
      The mixin's extensionality ([P =1 Q -> find P =1 find Q]) is proved
      with [functional_extensionality_dep], which [R] already assumes.
    - [Classical_Prop.classic], the fourth axiom of Coq's reals, is not
      needed: the standard [exp_increasing] (mean value theorem) and [ln]
      (through [exp_ineq1]) use it, so monotonicity ([exp_mono]) and the
      logarithm ([exp_onto], [lnR]) are proved here from the exponential
      series and [IVT_cor], which do not.  With the standard [ln] and
      [exp_increasing] the list gains [classic] (5 axioms).
    The command is in Theorem1Assumptions.v (Print Assumptions walks MathComp;
    not in the build), and [memproof verify] queries the same on T1's formal
    result (docs/formal.md, "Theorem 1 at Coq's reals"). *)

From Coq Require Import Reals Lra.
From Coq Require Import FunctionalExtensionality Epsilon.
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import Softmax Theorem1.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Local Open Scope R_scope.

(** ** eqType: equality is decided by [Req_EM_T]. *)
Definition eqR (x y : R) : bool := if Req_EM_T x y then true else false.

Lemma eqRP : Equality.axiom eqR.
Proof. by move=> x y; rewrite /eqR; case: Req_EM_T => h; constructor. Qed.

Definition R_eqMixin := EqMixin eqRP.
Canonical R_eqType := EqType R R_eqMixin.

(** ** choiceType: [findR P n] is an element of [P] whenever [P] is inhabited. *)

(** Hilbert's epsilon ([Coq.Logic.Epsilon]): an element of [P] if [P] is inhabited. *)
Definition someR (P : pred R) : R := epsilon (inhabits 0) (fun x => P x).

Definition findR (P : pred R) (_ : nat) : option R :=
  if P (someR P) then Some (someR P) else None.

Lemma findR_some (P : pred R) n x : findR P n = Some x -> P x.
Proof. by rewrite /findR; case: ifP => // Px [<-]. Qed.

Lemma findR_ex (P : pred R) : (exists x, P x) -> exists n, findR P n.
Proof.
move=> ex; exists 0%N; rewrite /findR.
by rewrite (epsilon_spec (inhabits 0) (fun x => P x) ex).
Qed.

(** The mixin's extensionality: [P =1 Q] gives [P = Q] by functional extensionality. *)
Lemma findR_ext (P Q : pred R) : P =1 Q -> findR P =1 findR Q.
Proof. by move=> PQ n; rewrite (functional_extensionality P Q PQ). Qed.

Definition R_choiceMixin : choiceMixin R := Choice.Mixin findR_some findR_ex findR_ext.
Canonical R_choiceType := ChoiceType R R_choiceMixin.

(** ** Ring structures, from the field axioms of Raxioms and RIneq. *)
Fact R_addA : associative Rplus.
Proof. by move=> x y z; rewrite Rplus_assoc. Qed.

Definition R_zmodMixin := ZmodMixin R_addA Rplus_comm Rplus_0_l Rplus_opp_l.
Canonical R_zmodType := ZmodType R R_zmodMixin.

Fact R_mulA : @associative R Rmult.
Proof. by move=> x y z; rewrite Rmult_assoc. Qed.

Fact R_one_neq0 : (1 : R) != (0 : R).
Proof. by apply/eqP; exact: R1_neq_R0. Qed.

Definition R_ringMixin :=
  ComRingMixin (R:=R_zmodType) R_mulA Rmult_comm Rmult_1_l Rmult_plus_distr_r R_one_neq0.
Canonical R_ringType := RingType R R_ringMixin.
Canonical R_comRingType := ComRingType R Rmult_comm.

Definition unitR (x : R) : bool := x != 0.

Fact R_mulVx : {in unitR, left_inverse (1 : R) Rinv Rmult}.
Proof. by move=> x /eqP x0; exact: Rinv_l. Qed.

Fact R_unitPl (x y : R) : y * x = 1 -> unitR x.
Proof.
move=> yx; apply/eqP => x0; apply: R1_neq_R0.
by rewrite -yx x0 Rmult_0_r.
Qed.

Fact R_invr_out : {in [predC unitR], Rinv =1 id}.
Proof. by move=> x; rewrite inE /unitR negbK => /eqP ->; exact: Rinv_0. Qed.

Definition R_unitRingMixin :=
  ComUnitRingMixin (R:=R_comRingType) R_mulVx R_unitPl R_invr_out.
Canonical R_unitRingType := UnitRingType R R_unitRingMixin.
Canonical R_comUnitRingType := [comUnitRingType of R].

Fact R_idomain : GRing.IntegralDomain.axiom [ringType of R].
Proof.
move=> x y /Rmult_integral [] /eqP ->; first by [].
by rewrite orbT.
Qed.

Canonical R_idomainType := IdomainType R R_idomain.

Fact R_field : GRing.Field.mixin_of [unitRingType of R].
Proof. by []. Qed.

Canonical R_fieldType := FieldType R R_field.

(** ** Order and norm: [<=], [<] decided by [Rle_dec], [Rlt_dec]; norm [Rabs]. *)
Definition leR (x y : R) : bool := if Rle_dec x y then true else false.
Definition ltR (x y : R) : bool := if Rlt_dec x y then true else false.

Lemma leRP x y : reflect (x <= y) (leR x y).
Proof. by rewrite /leR; case: Rle_dec => h; constructor. Qed.

Lemma ltRP x y : reflect (x < y) (ltR x y).
Proof. by rewrite /ltR; case: Rlt_dec => h; constructor. Qed.

Fact R_le0_add (x y : R) : leR 0 x -> leR 0 y -> leR 0 (x + y).
Proof. by move=> /leRP ? /leRP ?; apply/leRP; lra. Qed.

Fact R_le0_mul (x y : R) : leR 0 x -> leR 0 y -> leR 0 (x * y).
Proof. by move=> /leRP ? /leRP ?; apply/leRP; exact: Rmult_le_pos. Qed.

Fact R_le0_anti (x : R) : leR 0 x -> leR x 0 -> x = 0.
Proof. by move=> /leRP ? /leRP ?; lra. Qed.

Fact R_sub_ge0 (x y : R) : leR 0 (y + - x) = leR x y.
Proof. by apply/leRP/leRP => ?; lra. Qed.

Fact R_le0_total (x : R) : leR 0 x || leR x 0.
Proof. by case: (Rle_dec 0 x) => h; apply/orP; [left | right]; apply/leRP; lra. Qed.

Fact R_normN (x : R) : Rabs (- x) = Rabs x.
Proof. exact: Rabs_Ropp. Qed.

Fact R_ge0_norm (x : R) : leR 0 x -> Rabs x = x.
Proof. by move=> /leRP; exact: Rabs_pos_eq. Qed.

Fact R_lt_def (x y : R) : ltR x y = (y != x) && leR x y.
Proof.
apply/ltRP/andP => [lt | [/eqP ne /leRP le]]; last by lra.
by split; [apply/eqP; lra | apply/leRP; lra].
Qed.

Definition R_leMixin : realLeMixin [idomainType of R] :=
  RealLeMixin R_le0_add R_le0_mul R_le0_anti R_sub_ge0 R_le0_total R_normN R_ge0_norm R_lt_def.

Canonical R_porderType := POrderType ring_display R R_leMixin.
Canonical R_numDomainType := NumDomainType R R_leMixin.
Canonical R_normedZmodType := NormedZmodType R R R_leMixin.
Canonical R_numFieldType := [numFieldType of R].
Canonical R_latticeType := LatticeType R R_leMixin.
Canonical R_distrLatticeType := DistrLatticeType R R_leMixin.
Canonical R_orderType := OrderType R R_leMixin.
Canonical R_realDomainType := [realDomainType of R].
Canonical R_realFieldType := [realFieldType of R].

(** ** Monotonicity of [exp] and a logarithm, without [classic].
    The standard library proves [exp_increasing] by the mean value theorem and
    defines [ln] through [exp_ineq1], both of which use [Classical_Prop.classic].
    Here [1 + h <= exp h] for [h >= 0] is read off the partial sums of the
    series (as in [exp_pos_pos]), and the logarithm is found by the
    intermediate value theorem [IVT_cor]; neither uses [classic]. *)
Local Notation expR := Rtrigo_def.exp.

Lemma exp_ge_1add (h : R) : 0 <= h -> 1 + h <= expR h.
Proof.
move=> h0; pose An := fun i => / INR (fact i) * h ^ i.
have cv : Un_cv (fun N => sum_f_R0 An N) (expR h).
  by rewrite /Rtrigo_def.exp; case: (exist_exp h).
have := @sum_incr An 1 (expR h) cv.
rewrite /= /An /= Rinv_1 !Rmult_1_l Rmult_1_r; apply=> i.
apply: Rmult_le_pos; last exact: pow_le.
by apply/Rlt_le/Rinv_0_lt_compat/INR_fact_lt_0.
Qed.

Lemma exp_mono (x y : R) : x <= y -> expR x <= expR y.
Proof.
move=> xy; have -> : y = x + (y - x) by ring.
have d0 : 0 <= y - x by lra.
rewrite exp_plus; have := exp_ge_1add d0; have := exp_pos x.
by move=> ? ?; rewrite -{1}[expR x]Rmult_1_r; apply: Rmult_le_compat_l; lra.
Qed.

Lemma exp_onto (y : R) : 0 < y -> {z : R | expR z = y}.
Proof.
move=> y0; pose f x := expR x - y.
have cf : continuity f.
  apply: (continuity_minus expR (fct_cte y)); first exact: derivable_continuous derivable_exp.
  exact: derivable_continuous (derivable_const y).
have fb : 0 < f y by rewrite /f; have := exp_ge_1add (Rlt_le _ _ y0); lra.
have fa : f (- / y) < 0.
  have iy0 := Rinv_0_lt_compat y y0; have e1 := exp_ge_1add (Rlt_le _ _ iy0).
  have E0 := exp_pos (/ y); rewrite /f exp_Ropp.
  have h : 1 < y * expR (/ y).
    have : y * (1 + / y) <= y * expR (/ y) by apply: Rmult_le_compat_l; lra.
    by rewrite Rmult_plus_distr_l Rmult_1_r Rinv_r ?(Rgt_not_eq _ _ y0) => h; lra.
  have : / expR (/ y) * 1 < / expR (/ y) * (y * expR (/ y)).
    by apply: Rmult_lt_compat_l => //; exact: Rinv_0_lt_compat.
  rewrite (Rmult_comm y) -Rmult_assoc Rinv_l ?(Rgt_not_eq _ _ E0) => h'; lra.
have ab : - / y <= y by have := Rinv_0_lt_compat y y0; lra.
have fab : f (- / y) * f y <= 0.
  by have := Rmult_lt_0_compat _ _ (Ropp_0_gt_lt_contravar _ fa) fb; lra.
have [z [_ fz]] := @IVT_cor f _ _ cf ab fab.
by exists z; rewrite /f in fz; lra.
Qed.

(** The logarithm of the record: [expR (lnR y) = y] for [y > 0] (0 elsewhere). *)
Definition lnR (y : R) : R :=
  match Rlt_dec 0 y with left y0 => proj1_sig (exp_onto y0) | right _ => 0 end.

Lemma exp_lnR (y : R) : 0 < y -> expR (lnR y) = y.
Proof.
by rewrite /lnR; case: Rlt_dec => // y0 _; case: (exp_onto y0).
Qed.

(** [lnR] is the standard library's [ln] on the positives (this lemma uses
    [classic], through [exp_inv]; Theorem 1 does not use it). *)
Lemma lnR_ln (y : R) : 0 < y -> lnR y = Rpower.ln y.
Proof. by move=> y0; apply: exp_inv; rewrite exp_lnR // exp_ln. Qed.

(** ** The exp/ln record: the standard library's [exp], with [lnR].
    ([Softmax] names its record fields [exp] and [ln], hence [expR].) *)
Local Close Scope R_scope.
Local Open Scope ring_scope.

Fact R_exp_gt0 (x : R) : 0 < expR x.
Proof. by apply/ltRP; exact: exp_pos. Qed.

Fact R_expD (x y : R) : expR (x + y) = expR x * expR y.
Proof. exact: exp_plus. Qed.

Fact R_exp_le (x y : R) : x <= y -> expR x <= expR y.
Proof. by move=> /leRP xy; apply/leRP; exact: exp_mono. Qed.

Fact R_lnK (y : R) : 0 < y -> expR (lnR y) = y.
Proof. by move=> /ltRP; exact: exp_lnR. Qed.

Definition R_expln : expln R_realFieldType :=
  @ExpLn R_realFieldType expR lnR R_exp_gt0 R_expD R_exp_le R_lnK.

(** The softmax of the record is the standard library's exponential. *)
Lemma R_expln_exp : Softmax.exp R_expln = Rtrigo_def.exp.
Proof. by []. Qed.

(** ** Theorem 1 (T1) at R, with R's exp: the statement of [T1_memorization]. *)
Theorem T1_memorization_R (n d d_h d_v d_o H T : nat)
    (e : nat -> 'cV[R]_d) (E : nat -> 'M[R]_(n, d)) (y : nat -> 'cV[R]_d_o) :
  (0 < n)%N -> (0 < d_h)%N -> (0 < H)%N -> (minn d d_o <= d_v)%N ->
  (T <= H * (minn n d_h - 1) + 1)%N ->
  @A1 R_realFieldType n d e T -> @A2 R_realFieldType n d E T ->
  exists (W_Q W_K : 'I_H -> 'M[R]_(d, d_h)) (W_V : 'I_H -> 'M[R]_(d, d_v))
         (W_O : 'I_H -> 'M[R]_(d_o, d_v)),
    forall t, (t < T)%N ->
      \sum_(h < H) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax R_expln (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof. exact: T1_memorization. Qed.


(** [Print Assumptions T1_memorization_R.] (in Theorem1Assumptions.v) prints:
<<
Axioms:
ClassicalDedekindReals.sig_not_dec : forall P : Prop, {~ ~ P} + {~ P}
ClassicalDedekindReals.sig_forall_dec
  : forall P : nat -> Prop,
    (forall n : nat, {P n} + {~ P n}) ->
    {n : nat | ~ P n} + {forall n : nat, P n}
FunctionalExtensionality.functional_extensionality_dep
  : forall (A : Type) (B : A -> Type) (f g : forall x : A, B x),
    (forall x : A, f x = g x) -> f = g
Epsilon.epsilon_statement
  : forall (A : Type) (P : A -> Prop),
    inhabited A -> {x : A | (exists x0 : A, P x0) -> P x}
>>
    and [Print Assumptions R_realFieldType.] the last three. *)

(** * L4 — Softmax saturation (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over Coq's standard real numbers.  Vectors of length [n] are functions
    [nat -> R] of which only the indices [i < n] are read.

    Claim L4: if [g] has a unique maximum at [istar] with gap [gamma]
    (g istar - g i >= gamma for every i <> istar), [beta >= |b i|] for all i,
    and [c >= 0], then
      sum_i |softmax(c g + b)_i - delta_{i,istar}| <= 2 (n-1) exp(-(c gamma - 2 beta)),
    and the attention output sum_i s_i x_i is within (max |x_i k|) times
    that bound of the token x_istar, in every coordinate k. *)

Require Import Reals Lra Lia.
Open Scope R_scope.

(** Finite sums [rsum n f = f 0 + ... + f (n-1)]. *)
Fixpoint rsum (n : nat) (f : nat -> R) : R :=
  match n with
  | O => 0
  | S k => rsum k f + f k
  end.

(** [softmax n x i = exp (x i) / sum_{j<n} exp (x j)]. *)
Definition softmax (n : nat) (x : nat -> R) (i : nat) : R :=
  exp (x i) / rsum n (fun j => exp (x j)).

(** Kronecker delta: [delta i j = 1] if [i = j], else [0]. *)
Definition delta (i j : nat) : R := if Nat.eq_dec i j then 1 else 0.

(** [off istar f] is [f] with the entry [istar] replaced by 0. *)
Definition off (istar : nat) (f : nat -> R) (i : nat) : R :=
  if Nat.eq_dec i istar then 0 else f i.

Lemma rsum_ext n f h :
  (forall i, (i < n)%nat -> f i = h i) -> rsum n f = rsum n h.
Proof.
  induction n as [|n IH]; intro H; simpl; [reflexivity|].
  rewrite IH by (intros; apply H; lia). rewrite H by lia. reflexivity.
Qed.

Lemma rsum_le n f h :
  (forall i, (i < n)%nat -> f i <= h i) -> rsum n f <= rsum n h.
Proof.
  induction n as [|n IH]; intro H; simpl; [lra|].
  assert (rsum n f <= rsum n h) by (apply IH; intros; apply H; lia).
  assert (f n <= h n) by (apply H; lia). lra.
Qed.

Lemma rsum_nonneg n f :
  (forall i, (i < n)%nat -> 0 <= f i) -> 0 <= rsum n f.
Proof.
  intro H. replace 0 with (rsum n (fun _ => 0)).
  - apply rsum_le. exact H.
  - induction n; simpl; [reflexivity|]. rewrite IHn by (intros; apply H; lia). lra.
Qed.

Lemma rsum_plus n f h : rsum n (fun i => f i + h i) = rsum n f + rsum n h.
Proof. induction n; simpl; [lra|]. rewrite IHn. lra. Qed.

Lemma rsum_minus n f h : rsum n (fun i => f i - h i) = rsum n f - rsum n h.
Proof. induction n; simpl; [lra|]. rewrite IHn. lra. Qed.

Lemma rsum_mult_r n f k : rsum n (fun i => f i * k) = rsum n f * k.
Proof. induction n; simpl; [lra|]. rewrite IHn. lra. Qed.

Lemma rsum_const n k : rsum n (fun _ => k) = INR n * k.
Proof.
  induction n; simpl; [lra|]. rewrite IHn.
  destruct n; simpl; lra.
Qed.

Lemma rsum_abs n f : Rabs (rsum n f) <= rsum n (fun i => Rabs (f i)).
Proof.
  induction n; simpl.
  - rewrite Rabs_R0. lra.
  - eapply Rle_trans; [apply Rabs_triang|]. lra.
Qed.

(** Splitting off the entry [istar]. *)
Lemma rsum_split n f istar :
  (istar < n)%nat -> rsum n f = f istar + rsum n (off istar f).
Proof.
  induction n as [|n IH]; intro Hi; [lia|]. simpl.
  destruct (Nat.eq_dec istar n) as [ -> | Hne].
  - unfold off at 2. destruct (Nat.eq_dec n n) as [_|]; [|congruence].
    rewrite (rsum_ext n (off n f) f); [lra|].
    intros i Hi'. unfold off. destruct (Nat.eq_dec i n); [lia|reflexivity].
  - rewrite IH by lia. unfold off at 3.
    destruct (Nat.eq_dec n istar); [congruence|]. lra.
Qed.

Lemma rsum_off_const n istar k :
  (istar < n)%nat -> rsum n (off istar (fun _ => k)) = INR (n - 1) * k.
Proof.
  intro Hi. pose proof (rsum_split n (fun _ => k) istar Hi) as Hs.
  rewrite rsum_const in Hs. rewrite minus_INR by lia. simpl in *. lra.
Qed.

(** [exp] is monotone.  Proved from the power-series definition of [exp]
    (not from [exp_increasing], whose proof uses the excluded middle). *)
Lemma exp_ge1 y : 0 <= y -> 1 <= exp y.
Proof.
  intro Hy. unfold exp. destruct (exist_exp y) as [l Hl]. simpl.
  apply (@Rle_cv_lim (fun _ => 1)
           (fun N => sum_f_R0 (fun i => / INR (fact i) * y ^ i) N) 1 l).
  - intro N. induction N as [|N IH].
    + simpl. lra.
    + rewrite tech5.
      assert (0 <= / INR (fact (S N)) * y ^ S N).
      { apply Rmult_le_pos.
        - left. apply Rinv_0_lt_compat, lt_0_INR, lt_O_fact.
        - apply pow_le; exact Hy. }
      lra.
  - intros eps Heps. exists O. intros N _. unfold R_dist.
    rewrite Rminus_diag_eq, Rabs_R0 by reflexivity. exact Heps.
  - exact Hl.
Qed.

Lemma exp_le a b : a <= b -> exp a <= exp b.
Proof.
  intro H. replace b with (a + (b - a)) by ring. rewrite exp_plus.
  pose proof (exp_pos a). pose proof (exp_ge1 (b - a) ltac:(lra)). nra.
Qed.

Section Saturation.

Variables (n : nat) (g b : nat -> R) (istar : nat) (gamma c beta : R).

Hypothesis Histar : (istar < n)%nat.
Hypothesis Hc : 0 <= c.
Hypothesis Hgap : forall i, (i < n)%nat -> i <> istar -> g istar - g i >= gamma.
Hypothesis Hbeta : forall i, (i < n)%nat -> Rabs (b i) <= beta.

Let x j := c * g j + b j.
Let Z := rsum n (fun j => exp (x j)).
Let s := softmax n x.
Let K := exp (-(c * gamma - 2 * beta)).

Lemma Z_ge : exp (x istar) <= Z.
Proof.
  unfold Z. rewrite (rsum_split n _ istar Histar).
  assert (0 <= rsum n (off istar (fun j => exp (x j)))).
  { apply rsum_nonneg. intros i _. unfold off.
    destruct (Nat.eq_dec i istar); [lra|]. left; apply exp_pos. }
  lra.
Qed.

Lemma Z_pos : 0 < Z.
Proof. pose proof (exp_pos (x istar)). pose proof Z_ge. lra. Qed.

Lemma s_nonneg i : 0 <= s i.
Proof.
  unfold s, softmax. fold Z. pose proof Z_pos. pose proof (exp_pos (x i)).
  unfold Rdiv. apply Rmult_le_pos; [lra|]. left. apply Rinv_0_lt_compat. lra.
Qed.

Lemma s_sum : rsum n s = 1.
Proof.
  unfold s, softmax. fold Z. unfold Rdiv. rewrite rsum_mult_r. fold Z.
  pose proof Z_pos. field. lra.
Qed.

Lemma s_off_le i : (i < n)%nat -> i <> istar -> s i <= K.
Proof.
  intros Hi Hne. unfold s, softmax. fold Z.
  pose proof Z_pos as HZ. pose proof Z_ge as HZge.
  pose proof (exp_pos (x istar)) as Hx. pose proof (exp_pos (x i)) as Hxi.
  apply Rle_trans with (exp (x i) / exp (x istar)).
  - unfold Rdiv. apply Rmult_le_compat_l; [lra|].
    apply Rinv_le_contravar; lra.
  - unfold Rdiv. rewrite <- exp_Ropp, <- exp_plus. unfold K. apply exp_le.
    unfold x.
    pose proof (Hgap i Hi Hne) as Hg.
    assert (c * (g i - g istar) <= c * (- gamma))
      by (apply Rmult_le_compat_l; lra).
    pose proof (Hbeta i Hi) as Hbi. pose proof (Hbeta istar Histar) as Hbs.
    unfold Rabs in *. destruct (Rcase_abs (b i)); destruct (Rcase_abs (b istar)); nra.
Qed.

Lemma L4_sum_identity :
  rsum n (fun i => Rabs (s i - delta i istar)) = 2 * rsum n (off istar s).
Proof.
  pose proof (rsum_split n s istar Histar) as Hs. rewrite s_sum in Hs.
  rewrite (rsum_split n _ istar Histar).
  unfold delta at 1. destruct (Nat.eq_dec istar istar) as [_|]; [|congruence].
  assert (Hoff : rsum n (off istar (fun i => Rabs (s i - delta i istar)))
                 = rsum n (off istar s)).
  { apply rsum_ext. intros i _. unfold off, delta.
    destruct (Nat.eq_dec i istar); [reflexivity|].
    rewrite Rminus_0_r. apply Rabs_right. apply Rle_ge, s_nonneg. }
  rewrite Hoff.
  assert (0 <= rsum n (off istar s)).
  { apply rsum_nonneg. intros i _. unfold off.
    destruct (Nat.eq_dec i istar); [lra|apply s_nonneg]. }
  rewrite Rabs_left1 by lra. lra.
Qed.

End Saturation.

(** ** Claim L4 *)
Theorem L4_softmax_saturation (n : nat) (g b : nat -> R) (istar : nat)
    (gamma c beta : R) :
  (istar < n)%nat ->
  0 <= c ->
  (forall i, (i < n)%nat -> i <> istar -> g istar - g i >= gamma) ->
  (forall i, (i < n)%nat -> Rabs (b i) <= beta) ->
  rsum n (fun i => Rabs (softmax n (fun j => c * g j + b j) i - delta i istar))
    <= 2 * INR (n - 1) * exp (- (c * gamma - 2 * beta)).
Proof.
  intros Hi Hc Hgap Hb.
  rewrite (L4_sum_identity n g b istar c Hi).
  rewrite Rmult_assoc. apply Rmult_le_compat_l; [lra|].
  rewrite <- (rsum_off_const n istar _ Hi).
  apply rsum_le. intros i Hin. unfold off.
  destruct (Nat.eq_dec i istar); [lra|].
  apply (s_off_le n g b istar gamma c beta Hi Hc Hgap Hb i Hin n0).
Qed.

(** ** Corollary of L4: the attention output.
    Tokens [x i k] (token i < n, coordinate k < d) bounded by [X] in absolute
    value; every coordinate of [sum_i s_i x_i] is within [X] times the L4
    bound of the coordinate of [x_istar]  (an infinity-norm bound). *)
Theorem L4_attention_output (n d : nat) (g b : nat -> R) (istar : nat)
    (gamma c beta X : R) (x : nat -> nat -> R) :
  (istar < n)%nat ->
  0 <= c ->
  (forall i, (i < n)%nat -> i <> istar -> g istar - g i >= gamma) ->
  (forall i, (i < n)%nat -> Rabs (b i) <= beta) ->
  (forall i k, (i < n)%nat -> (k < d)%nat -> Rabs (x i k) <= X) ->
  forall k, (k < d)%nat ->
  Rabs (rsum n (fun i => softmax n (fun j => c * g j + b j) i * x i k) - x istar k)
    <= X * (2 * INR (n - 1) * exp (- (c * gamma - 2 * beta))).
Proof.
  intros Hi Hc Hgap Hb Hx k Hk.
  set (s := softmax n (fun j => c * g j + b j)).
  assert (HX : 0 <= X) by (eapply Rle_trans; [apply Rabs_pos|apply (Hx istar k Hi Hk)]).
  assert (Hxs : x istar k = rsum n (fun i => delta i istar * x i k)).
  { rewrite (rsum_split n _ istar Hi). unfold delta at 1.
    destruct (Nat.eq_dec istar istar); [|congruence].
    rewrite (rsum_ext n _ (fun _ => 0)).
    - rewrite rsum_const. lra.
    - intros i _. unfold off, delta. destruct (Nat.eq_dec i istar); lra. }
  rewrite Hxs, <- rsum_minus.
  eapply Rle_trans; [apply rsum_abs|].
  apply Rle_trans with (rsum n (fun i => Rabs (s i - delta i istar) * X)).
  - apply rsum_le. intros i Hin.
    replace (s i * x i k - delta i istar * x i k)
      with ((s i - delta i istar) * x i k) by ring.
    rewrite Rabs_mult. apply Rmult_le_compat_l; [apply Rabs_pos|auto].
  - rewrite rsum_mult_r, Rmult_comm. apply Rmult_le_compat_l; [exact HX|].
    apply L4_softmax_saturation; assumption.
Qed.

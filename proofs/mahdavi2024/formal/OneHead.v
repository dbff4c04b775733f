(** * P1 — One head adds k <= n - 1 examples (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType] F with an [expln F] (abstract exp/ln, Softmax.v).
    Data: queries [e t : 'cV_d] and contexts [E t : 'M_(n, d)], t : nat.
    Head feature of example t under key-query matrix W (theorem.md §1):
      phi t W = (E_t^T softmax (E_t W e_t))^T.
    [Zm a m H Ws] stacks, for the m examples a, ..., a + m - 1, the feature
    rows of heads Ws 0, ..., Ws (H-1) (row t is z_t = [z_{t,1}; ...; z_{t,H}],
    head h in columns mxvec_index h _), as in Readout.v.

    Claim P1: if Zm 0 r H Ws has full row rank r (old examples 0..r-1),
    the k new examples r..r+k-1 have k < n, contexts of rank n (A2), and the
    A1 instances "new queries independent" and "new queries + e_t
    independent for every old t", then some W with rank W <= k + 1 makes
    Zm 0 (r + k) (H + 1) (Ws extended by W) of full row rank r + k.
    Proof: S3 (nu, u), S4 (saturated limit), L5a, L3, S6, as in theorem.md §6. *)

From mathcomp Require Import all_ssreflect all_algebra zify.
From mathcomp.algebra_tactics Require Import ring.
From Memproof.Mahdavi2024 Require Import
  PrescribedLogits SimplexPoints FiniteScale Genericity Softmax.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section OneHead.
Variables (F : realFieldType) (X : expln F) (n d : nat).
Variables (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)).

Definition phi t (W : 'M[F]_d) : 'rV[F]_d := feature X (E t) W (e t).

Definition rowsm q a m (f : nat -> 'rV[F]_q) : 'M[F]_(m, q) :=
  \matrix_(i < m, j < q) f (a + i)%N 0 j.

Definition Phi a m W : 'M[F]_(m, d) := rowsm a m (fun t => phi t W).

Definition Zm a m H (Ws : nat -> 'M[F]_d) : 'M[F]_(m, H * d) :=
  rowsm a m (fun t => mxvec (\matrix_(h < H, j < d) phi t (Ws h) 0 j)).

Definition Qm a k : 'M[F]_(k, d) := \matrix_(i < k, j < d) e (a + i)%N j 0.

Definition extend H (Ws : nat -> 'M[F]_d) W : nat -> 'M[F]_d :=
  fun h => if h == H then W else Ws h.

Lemma rowsm_split q r k (f : nat -> 'rV[F]_q) :
  rowsm 0 (r + k) f = col_mx (rowsm 0 r f) (rowsm r k f).
Proof.
apply/matrixP => i j; rewrite !mxE.
case: splitP => [i1 e1|i2 e2]; by rewrite /rowsm !mxE ?e1 ?e2 ?add0n.
Qed.

Lemma Zm_entry a m H Ws (x : 'rV[F]_m) (h : 'I_H) j :
  (x *m Zm a m H Ws) 0 (mxvec_index h j) = (x *m Phi a m (Ws h)) 0 j.
Proof. by rewrite !mxE; apply: eq_bigr => i _; rewrite /Zm /Phi /rowsm !mxE mxvecE !mxE. Qed.

Lemma Zm_kernel a m H Ws (x : 'rV[F]_m) :
  x *m Zm a m H Ws = 0 <-> forall h : 'I_H, x *m Phi a m (Ws h) = 0.
Proof.
split=> [x0 h | hx]; first by apply/rowP => j; rewrite -Zm_entry x0 !mxE.
by apply/rowP => c; case/mxvec_indexP: c => h j; rewrite Zm_entry hx !mxE.
Qed.

Lemma row_Qm a k (i : 'I_k) : (row i (Qm a k))^T = e (a + i)%N.
Proof. by apply/colP => j; rewrite !mxE. Qed.

Lemma tr11 (A : 'M[F]_1) : A^T 0 0 = A 0 0.
Proof. by rewrite mxE. Qed.

(** ** S5: for k < n new examples (contexts of rank n, independent queries)
    and any offsets (rows of Goff), some W* of rank <= k makes the new feature
    rows minus the offsets linearly independent (L5a, then L3 with a_j = ln s_j). *)
Theorem S5_memorizing_matrix a k (Goff : 'M[F]_(k, d)) :
  (k < n)%N -> (forall t, (t < k)%N -> \rank (E (a + t)%N) = n) ->
  \rank (Qm a k) = k ->
  exists Ws : 'M[F]_d, (\rank Ws <= k)%N /\ \rank (Phi a k Ws - Goff) = k.
Proof.
move=> kn hE' hQ.
have [S [Spos Ssum rkS]] :=
  (L5_simplex_points F n d).1 k (fun t => E (a + t)%N) Goff hE' kn.
pose lg (j : 'I_k) : 'cV[F]_n := map_mx (ln X) (row j S)^T.
have [L3a L3b] := @L3_prescribed_logits F k n d (fun j : 'I_k => E (a + j)%N)
    (Qm a k) lg (fun j => hE' j (ltn_ord j)) hQ.
exists (@Wstar F k n d (fun j : 'I_k => E (a + j)%N) (Qm a k) lg); split => //.
suff -> : Phi a k (@Wstar F k n d (fun j : 'I_k => E (a + j)%N) (Qm a k) lg)
        = simplex_image (fun t => E (a + t)%N) S by [].
apply/matrixP => j l; rewrite /Phi /rowsm /simplex_image !mxE /phi /feature.
have -> : E (a + j)%N *m Wstar (fun j : 'I_k => E (a + j)%N) (Qm a k) lg
            *m e (a + j)%N = lg j by rewrite -row_Qm L3a.
rewrite softmax_ln.
- by rewrite trmxK.
- by move=> i; rewrite !mxE.
- by rewrite -(Ssum j); apply: eq_bigr => i _; rewrite !mxE.
Qed.

(** A direction whose logits vanish on the new rows (S3a) leaves their
    features unchanged at every scale c. *)
Lemma Phi_suppressed a k (Ws Wp : 'M[F]_d) c :
  (forall j : 'I_k, E (a + j)%N *m Wp *m e (a + j)%N = 0) ->
  Phi a k (Ws + c *: Wp) = Phi a k Ws.
Proof.
move=> h0; apply/matrixP => j l; rewrite /Phi /rowsm !mxE /phi /feature.
by rewrite mulmxDr mulmxDl -scalemxAr -scalemxAl h0 scaler0 addr0.
Qed.

Theorem P1_one_head r k H (Ws : nat -> 'M[F]_d) :
  (k < n)%N ->
  (forall t, (t < r + k)%N -> \rank (E t) = n) ->
  \rank (Qm r k) = k ->
  (forall t, (t < r)%N -> \rank (col_mx (Qm r k) (e t)^T) = (k + 1)%N) ->
  row_free (Zm 0 r H Ws) ->
  exists W : 'M[F]_d,
    (\rank W <= k + 1)%N /\ row_free (Zm 0 (r + k) H.+1 (extend H Ws W)).
Proof.
move=> kn hE hQ hA1 hU.
have i0 : 'I_n := Ordinal (leq_ltn_trans (leq0n k) kn).
(* S3: the suppression direction nu and the direction u *)
have [nu [Qnu hnu]] :=
  @S3_suppression_direction F d k r (Qm r k) (fun t : 'I_r => e t)
    (fun t => hA1 t (ltn_ord t)).
have [u hu] := @S3_distinct_logits F n d r (fun t : 'I_r => E t)
    (fun t => hE t (ltn_addr _ (ltn_ord t))).
pose Wp := u *m nu^T.
pose sc t := (nu^T *m e t) 0 0.
have sc_old (t : 'I_r) : sc t != 0 by rewrite /sc -tr11 trmx_mul trmxK; exact: hnu.
have sc_new (i : 'I_k) : sc (r + i)%N = 0.
  rewrite /sc -tr11 trmx_mul trmxK -row_Qm trmxK -row_mul Qnu.
  by rewrite !mxE.
pose g t := sc t *: (E t *m u).
have logit_p t : E t *m Wp *m e t = g t.
  rewrite /Wp /g mulmxA -!mulmxA [nu^T *m e t]mx11_scalar mul_mx_scalar.
  by rewrite -scalemxAr.
(* the argmax i_t of every old logit direction, with a strict gap *)
have [it hit] : exists it : 'I_r -> 'I_n,
    forall t i, i != it t -> g t i 0 < g t (it t) 0.
  apply: (@fin_all_exists (ordinal_finType r) (fun _ => 'I_n)
    (fun t m => forall i, i != m -> g t i 0 < g t m 0)) => t.
  case: (@arg_maxP _ _ (ordinal_finType n) i0 xpredT (fun i => g t i 0) isT)
    => m _ hm.
  exists m => i im; rewrite lt_def; apply/andP; split; last exact: hm.
  have mi : m != i by rewrite eq_sym.
  apply: contra (hu t m i mi) => /eqP h; apply/eqP.
  by move: h; rewrite /g !mxE => /(mulfI (sc_old t)).
pose Astar : 'M[F]_(r, d) := \matrix_(t < r, j < d) E t (it t) j.
(* S2: the reduction data *)
have /row_freeP [RU hRU] := hU.
pose V := Zm r k H Ws.
pose G := V *m RU.
(* S5: the memorizing matrix W* for the new rows (L5a, L3) *)
have hE' : forall t, (t < k)%N -> \rank (E (r + t)%N) = n.
  by move=> t lt; apply: hE; rewrite ltn_add2l.
have [Ws_ [L3b rkS]] := S5_memorizing_matrix (G *m Astar) kn hE' hQ.
pose Wc c := Ws_ + c *: Wp.
have logit_c t c : E t *m Wc c *m e t = c *: g t + E t *m Ws_ *m e t.
  by rewrite /Wc mulmxDr mulmxDl -scalemxAr -scalemxAl logit_p addrC.
pose C := Phi r k Ws_.
have PhiC c : Phi r k (Wc c) = C.
  by apply: Phi_suppressed => j; rewrite logit_p /g sc_new scale0r.
pose A c := Phi 0 r (Wc c).
(* S4: the old rows converge to A* *)
have conv : forall eta, 0 < eta -> exists c0, forall c, c0 <= c ->
    forall t j, `|(A c - Astar) t j| < eta.
  move=> eta eta0.
  apply: (@ev_fin F (ordinal_finType r) (fun t c => forall j, `|(A c - Astar) t j| < eta)) => t.
  have [c0 hc0] := S4_saturated_limit X (E t *m Ws_ *m e t) (E t) (hit t) eta0.
  exists c0 => c hc j; have := hc0 c hc j.
  suff -> : (A c - Astar) t j
    = ((softmax X (c *: g t + E t *m Ws_ *m e t))^T *m E t - row (it t) (E t)) 0 j by [].
  rewrite [LHS]mxE [RHS]mxE; congr (_ + _); last by rewrite !mxE.
  by rewrite /A /Phi /rowsm mxE /phi /feature add0n logit_c.
(* S6: a finite scale keeps full rank *)
have rkD : \rank (C - V *m RU *m Astar) = k by rewrite -mulmxA -/G mulmxA.
have [c0 hc0] := S6_finite_scale hRU rkD conv.
exists (Wc c0); split.
  apply: leq_trans (mxrank_add _ _) _; rewrite leq_add //.
  apply: leq_trans (mxrank_scale _ _) _; rewrite /Wp.
  exact: leq_trans (mxrankM_maxr _ _) (rank_leq_row _).
have hblk : row_free (block_mx (Zm 0 r H Ws) (A c0) V C).
  by rewrite /row_free hc0 // lexx.
apply: inj_row_free => x hx; have /Zm_kernel hh := hx.
rewrite -(hsubmxK x); apply: (row_free_inj hblk); rewrite mul0mx mul_row_block.
have e1 : lsubmx x *m Zm 0 r H Ws + rsubmx x *m V = 0.
  rewrite /V -mul_row_col hsubmxK -rowsm_split; apply/Zm_kernel => h.
  have := hh (widen_ord (leqnSn H) h).
  by rewrite /extend /= (ltn_eqF (ltn_ord h)).
have e2 : lsubmx x *m A c0 + rsubmx x *m C = 0.
  rewrite -(PhiC c0) /A -mul_row_col hsubmxK /Phi -rowsm_split.
  by have := hh ord_max; rewrite /extend /= eqxx.
by rewrite e1 e2 row_mx0.
Qed.

End OneHead.

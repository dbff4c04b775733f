(** * Theorem 1 (T1), with S1 and S7 (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType] F with an [expln F] (Softmax.v: exp positive,
    exp (x + y) = exp x * exp y, monotone, and onto the positives with a right
    inverse ln; Theorem1Reals.v instantiates Theorem 1 at Coq's R and exp,
    T1_memorization_R, at the cost of one axiom beyond the reals' own, Hilbert's
    epsilon, for MathComp's choiceType on R).

    Data: T examples t < T with query e t : 'cV_d, context E t : 'M_(n, d)
    (rows = the n context tokens; the query does not attend to itself) and
    label y t : 'cV_(d_o).  Model (theorem.md §1, no skip connection):
      MHA(E_t, e_t) = sum_h W_O^h (W_V^h)^T E_t^T softmax (E_t W_K^h (W_Q^h)^T e_t).

    T1: if 0 < n, 0 < d_h, 0 < H, d_v >= min(d, d_o),
        T <= H (min(n, d_h) - 1) + 1,
        A1: every k <= n of the T queries are linearly independent,
        A2: every context has rank n,
    then for every labels some MHA with H heads, head size d_h and value size
    d_v memorizes the data.  The hypothesis n < d of the paper is NOT needed
    (A2 gives n <= d, which suffices).  0 < n and 0 < H are needed (n = 0 or
    H = 0 gives the zero map while the bound allows T = 1), 0 < d_h is assumed
    to keep min(n, d_h) - 1 the paper's value.
    [T1_memorization_kruskal] needs A1 only for k <= min(n, d_h) queries
    (the proof never looks at more than min(n, d_h) queries at once). *)

From mathcomp Require Import all_ssreflect all_algebra zify.
From Memproof.Mahdavi2024 Require Import
  PrescribedLogits SimplexPoints Softmax OneHead Readout RankBudget.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Theorem1.
Variables (F : realFieldType) (X : expln F) (n d : nat).
Variables (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)).

Local Notation Zm := (Zm X e E).
Local Notation Phi := (Phi X e E).
Local Notation Qm := (Qm e).

(** Every k <= m distinct queries among the first T are independent
    (Kruskal rank >= min(m, T)). *)
Definition A1k m T := forall k (s : 'I_k -> nat), (k <= m)%N -> injective s ->
  (forall i, s i < T)%N -> \rank (\matrix_(i < k, j < d) e (s i) j 0) = k.

(** A1 for the first T examples: every k <= n distinct queries are independent. *)
Definition A1 T := A1k n T.

(** A2 for the first T examples. *)
Definition A2 T := forall t, (t < T)%N -> \rank (E t) = n.

Lemma A1_block m T a k : A1k m T -> (a + k <= T)%N -> (k <= m)%N -> \rank (Qm a k) = k.
Proof.
move=> h ak kn; apply: (h k (fun i : 'I_k => (a + i)%N)) => //.
- by move=> i j /eqP; rewrite eqn_add2l => /eqP /val_inj.
- by move=> i; have := ltn_ord i; lia.
Qed.

Lemma A1_block_plus m T a k t : A1k m T -> (a + k <= T)%N -> (k + 1 <= m)%N -> (t < a)%N ->
  \rank (col_mx (Qm a k) (e t)^T) = (k + 1)%N.
Proof.
move=> h ak kn ta.
pose s (i : 'I_(k + 1)) := if (i < k)%N then (a + i)%N else t.
have -> : col_mx (Qm a k) (e t)^T = \matrix_(i < k + 1, j < d) e (s i) j 0.
  apply/matrixP => i j; rewrite !mxE /s; case: splitP => [i1 e1 | i2 e2].
    by rewrite e1 /Qm !mxE.
  by rewrite !mxE (ord1 i2).
apply: h => //.
- move=> i j; rewrite /s /=; have li := ltn_ord i; have lj := ltn_ord j.
  by case: (ltnP i k) => hi; case: (ltnP j k) => hj hij; apply: val_inj => /=; lia.
- by move=> i; rewrite /s /=; case: (ltnP i k) => hi; lia.
Qed.

(** ** S1: the first head realises k <= n independent feature rows. *)
Theorem S1_first_head k :
  (k <= n)%N -> A2 k -> \rank (Qm 0 k) = k ->
  exists W : 'M[F]_d, (\rank W <= k)%N /\ row_free (Zm 0 k 1 (fun _ => W)).
Proof.
move=> kn hE hQ.
have [S [Spos Ssum rkS]] := (L5_simplex_points F n d).2 k E hE kn.
pose a (j : 'I_k) : 'cV[F]_n := map_mx (ln X) (row j S)^T.
have hE' : forall j : 'I_k, \rank (E (0 + j)%N) = n.
  by move=> j; rewrite add0n; exact: (hE j (ltn_ord j)).
have [L3a L3b] := @L3_prescribed_logits F k n d (fun j : 'I_k => E (0 + j)%N)
    (Qm 0 k) a hE' hQ.
pose W := @Wstar F k n d (fun j : 'I_k => E (0 + j)%N) (Qm 0 k) a.
exists W; split => //.
have PhiW : Phi 0 k W = simplex_image E S.
  apply/matrixP => j l; rewrite /Phi /rowsm /simplex_image !mxE.
  rewrite /phi /feature.
  have -> : E (0 + j)%N *m W *m e (0 + j)%N = a j by rewrite -row_Qm L3a.
  rewrite softmax_ln ?trmxK ?add0n //.
  - by move=> i; rewrite !mxE.
  - by rewrite -(Ssum j); apply: eq_bigr => i _; rewrite !mxE.
apply: inj_row_free => x /Zm_kernel /(_ ord0); rewrite PhiW => hx.
have fr : row_free (simplex_image E S) by rewrite /row_free rkS.
by apply: (row_free_inj fr); rewrite hx mul0mx.
Qed.

(** ** S7: the invariant after H heads (Inv(H)), by induction with P1. *)
Theorem S7_iterate d_h H T :
  (0 < minn n d_h)%N ->
  (T <= H.+1 * (minn n d_h - 1) + 1)%N -> A1k (minn n d_h) T -> A2 T ->
  exists Ws : nat -> 'M[F]_d,
    (forall h, (h < H.+1)%N -> \rank (Ws h) <= minn n d_h)%N
    /\ row_free (Zm 0 T H.+1 Ws).
Proof.
move=> nb0; have nbn : (minn n d_h <= n)%N by rewrite geq_minl.
elim: H T => [|H IH] T hT hA1 hA2.
  have Tn : (T <= n)%N by lia.
  have Tnb : (T <= minn n d_h)%N by lia.
  have hQ : \rank (Qm 0 T) = T by apply: A1_block hA1 _ Tnb; rewrite add0n.
  have [W [rW fr]] := S1_first_head Tn hA2 hQ.
  exists (fun _ => W); split => // h _; lia.
have [r [k [eT hk hr]]] : exists r k, [/\ T = (r + k)%N,
    (k <= minn n d_h - 1)%N & (r <= H.+1 * (minn n d_h - 1) + 1)%N].
  exists (minn T (H.+1 * (minn n d_h - 1) + 1)),
         (T - minn T (H.+1 * (minn n d_h - 1) + 1))%N; split; lia.
subst T.
have hA1r : A1k (minn n d_h) r.
  by move=> k' s k'n inj hs; apply: hA1 => // i; have := hs i; lia.
have hA2r : A2 r by move=> t lt; apply: hA2; lia.
have [Ws [rWs fr]] := IH r hr hA1r hA2r.
have kn : (k < n)%N by lia.
have hQ : \rank (Qm r k) = k by apply: A1_block hA1 (leqnn _) _; lia.
have hQt : forall t, (t < r)%N -> \rank (col_mx (Qm r k) (e t)^T) = (k + 1)%N.
  by move=> t lt; apply: A1_block_plus hA1 (leqnn _) _ lt; lia.
have [W [rW fr']] := @P1_one_head F X n d e E r k H.+1 Ws kn hA2 hQ hQt fr.
exists (extend H.+1 Ws W); split => // h hh; rewrite /extend.
case: ifP => [_ | /negbT hne]; first by lia.
by apply: rWs; lia.
Qed.

End Theorem1.

(** ** Theorem 1 (T1) with the weaker A1 actually used: every
    k <= min(n, d_h) of the queries are independent. *)
Theorem T1_memorization_kruskal (F : realFieldType) (X : expln F)
    (n d d_h d_v d_o H T : nat)
    (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)) (y : nat -> 'cV[F]_d_o) :
  (0 < n)%N -> (0 < d_h)%N -> (0 < H)%N -> (minn d d_o <= d_v)%N ->
  (T <= H * (minn n d_h - 1) + 1)%N ->
  @A1k F d e (minn n d_h) T -> @A2 F n d E T ->
  exists (W_Q W_K : 'I_H -> 'M[F]_(d, d_h)) (W_V : 'I_H -> 'M[F]_(d, d_v))
         (W_O : 'I_H -> 'M[F]_(d_o, d_v)),
    forall t, (t < T)%N ->
      \sum_(h < H) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax X (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof.
move=> n0 dh0 H0 hv hT hA1 hA2.
case: H H0 hT => // H _ hT.
have nb0 : (0 < minn n d_h)%N by rewrite leq_min n0 dh0.
have [Ws [rWs fr]] := S7_iterate X nb0 hT hA1 hA2.
pose Z := Zm X e E 0 T H.+1 Ws.
pose Y : 'M[F]_(T, d_o) := \matrix_(t < T, j < d_o) y t j 0.
have rZ : \rank Z = T by apply/eqP.
have [W_O [W_V hWO]] := S8_readout Y rZ hv.
have [KQ hKQ] : exists KQ : 'I_H.+1 -> 'M[F]_(d, d_h) * 'M[F]_(d, d_h),
    forall h : 'I_H.+1, Ws h = (KQ h).1 *m (KQ h).2^T.
  apply: (@fin_all_exists (ordinal_finType H.+1) (fun _ => ('M[F]_(d, d_h) * 'M[F]_(d, d_h))%type)
    (fun h p => Ws h = p.1 *m p.2^T)) => h.
  have [WK [WQ ->]] : exists WK WQ : 'M[F]_(d, d_h), Ws h = WK *m WQ^T.
    apply: key_query_factorisation; apply: leq_trans (rWs h (ltn_ord h)) _.
    exact: geq_minr.
  by exists (WK, WQ).
exists (fun h => (KQ h).2), (fun h => (KQ h).1), W_V, W_O => t lt.
have := hWO (Ordinal lt).
have -> : (row (Ordinal lt) Y)^T = y t by apply/colP => j; rewrite !mxE.
move=> <-; apply: eq_bigr => h _; rewrite -hKQ -!mulmxA; congr (_ *m (_ *m _)).
rewrite mulmxA -feature_tr; apply/colP => j.
rewrite [RHS]mxE /Z /Zm /rowsm [RHS]mxE mxvecE [RHS]mxE [LHS]mxE /phi.
by rewrite add0n.
Qed.

(** ** Theorem 1 (T1): memorization, under the paper's A1 and A2. *)
Theorem T1_memorization (F : realFieldType) (X : expln F)
    (n d d_h d_v d_o H T : nat)
    (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)) (y : nat -> 'cV[F]_d_o) :
  (0 < n)%N -> (0 < d_h)%N -> (0 < H)%N -> (minn d d_o <= d_v)%N ->
  (T <= H * (minn n d_h - 1) + 1)%N ->
  @A1 F n d e T -> @A2 F n d E T ->
  exists (W_Q W_K : 'I_H -> 'M[F]_(d, d_h)) (W_V : 'I_H -> 'M[F]_(d, d_v))
         (W_O : 'I_H -> 'M[F]_(d_o, d_v)),
    forall t, (t < T)%N ->
      \sum_(h < H) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax X (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof.
move=> n0 dh0 H0 hv hT hA1 hA2; apply: T1_memorization_kruskal => //.
by move=> k s km; apply: hA1; exact: leq_trans km (geq_minl _ _).
Qed.

(** The side conditions 0 < H and 0 < n cannot be dropped: with H = 0 or with
    n = 0 every MHA output is 0, while the bound H (min(n, d_h) - 1) + 1
    still allows T = 1 example, whose label may be nonzero. *)
Theorem T1_needs_a_head (F : realFieldType) (X : expln F) (n d d_h d_v d_o : nat)
    (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)) (y : nat -> 'cV[F]_d_o) :
  y 0%N != 0 ->
  ~ exists (W_Q W_K : 'I_0 -> 'M[F]_(d, d_h)) (W_V : 'I_0 -> 'M[F]_(d, d_v))
           (W_O : 'I_0 -> 'M[F]_(d_o, d_v)),
    forall t, (t < 1)%N ->
      \sum_(h < 0) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax X (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof.
move=> y0 [WQ [WK [WV [WO h]]]]; have := h 0%N isT; rewrite big_ord0 => y00.
by rewrite -y00 eqxx in y0.
Qed.

Theorem T1_needs_tokens (F : realFieldType) (X : expln F) (d d_h d_v d_o H : nat)
    (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(0, d)) (y : nat -> 'cV[F]_d_o) :
  y 0%N != 0 ->
  ~ exists (W_Q W_K : 'I_H -> 'M[F]_(d, d_h)) (W_V : 'I_H -> 'M[F]_(d, d_v))
           (W_O : 'I_H -> 'M[F]_(d_o, d_v)),
    forall t, (t < 1)%N ->
      \sum_(h < H) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax X (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof.
move=> y0 [WQ [WK [WV [WO h]]]]; have := h 0%N isT.
rewrite big1 => [y00|i _]; first by rewrite -y00 eqxx in y0.
by rewrite [(E 0%N)^T]thinmx0 mulmx0 mul0mx.
Qed.

(** A1 must be read as "every k <= n of the queries are independent" (Kruskal
    rank >= min(n, T)), as in [A1]: read literally ("every n of them"), it is
    vacuous when T < n, and then two copies of one example with different
    labels (T = 2 <= H (min(n, d_h) - 1) + 1 as soon as n, d_h >= 3) satisfy
    it and A2 but cannot be memorized by any MHA. *)
Theorem T1_A1_reading (F : realFieldType) (X : expln F) (n d d_h d_v d_o H : nat)
    (e : nat -> 'cV[F]_d) (E : nat -> 'M[F]_(n, d)) (y : nat -> 'cV[F]_d_o) :
  e 0%N = e 1%N -> E 0%N = E 1%N -> y 0%N != y 1%N ->
  ~ exists (W_Q W_K : 'I_H -> 'M[F]_(d, d_h)) (W_V : 'I_H -> 'M[F]_(d, d_v))
           (W_O : 'I_H -> 'M[F]_(d_o, d_v)),
    forall t, (t < 2)%N ->
      \sum_(h < H) W_O h *m (W_V h)^T *m (E t)^T
         *m softmax X (E t *m (W_K h *m (W_Q h)^T) *m e t) = y t.
Proof.
move=> ee EE yy [WQ [WK [WV [WO h]]]].
by move: yy; rewrite -(h 0%N isT) -(h 1%N isT) ee EE eqxx.
Qed.

(** * S6 — Finite saturation scale (Mahdavi, Liao, Thrampoulidis, ICLR 2024)

    Over any [realFieldType].  S2 (reduction) is L6 with full rank of C - G A;
    S6 combines L6 (block elimination, with any right
    inverse RU of U) and L7 (rank stability, certificate form) with an
    entrywise convergence A(c) -> A* of the old rows' new-head features:

    if U RU = 1, D* = C - V RU A* has rank k, and A(c) -> A* entrywise
    (for every eta > 0, eventually |A(c) - A*|_{tj} < eta for all t, j),
    then for every large enough c, rank [[U, A(c)], [V, C]] = r + k.

    [mnorm X] is the entrywise L1 norm sum_ij |X_ij|; it is submultiplicative
    and bounds every row sum, which is what L7 needs. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.
From Memproof.Mahdavi2024 Require Import BlockElimination RankStability.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.POrderTheory Order.TotalTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section FiniteScale.
Variable F : realFieldType.

Definition mnorm a b (X : 'M[F]_(a, b)) : F := \sum_i \sum_j `|X i j|.

Lemma mnorm_ge0 a b (X : 'M[F]_(a, b)) : 0 <= mnorm X.
Proof. by do 2!(apply: sumr_ge0 => ? _). Qed.

Lemma row_le_mnorm a b (X : 'M[F]_(a, b)) i : \sum_j `|X i j| <= mnorm X.
Proof.
rewrite /mnorm (bigD1 i) //= ler_addl; apply: sumr_ge0 => l _.
by apply: sumr_ge0.
Qed.

Lemma mnorm_mul a b c (X : 'M[F]_(a, b)) (Y : 'M[F]_(b, c)) :
  mnorm (X *m Y) <= mnorm X * mnorm Y.
Proof.
rewrite /mnorm mulr_suml; apply: ler_sum => i _.
apply: le_trans (_ : _ <= \sum_j \sum_l `|X i l| * `|Y l j|) _.
  apply: ler_sum => j _; rewrite mxE; apply: le_trans (ler_norm_sum _ _ _) _.
  by apply: ler_sum => l _; rewrite normrM.
rewrite exchange_big /= mulr_suml; apply: ler_sum => l _.
rewrite -mulr_sumr; apply: ler_wpmul2l; first exact: normr_ge0.
exact: row_le_mnorm.
Qed.

Lemma mnorm_small a b (X : 'M[F]_(a, b)) eta :
  (forall i j, `|X i j| <= eta) ->
  mnorm X <= (\sum_(i < a) \sum_(j < b) (1 : F)) * eta.
Proof.
move=> h; rewrite /mnorm mulr_suml; apply: ler_sum => i _.
rewrite mulr_suml; apply: ler_sum => j _; by rewrite mul1r.
Qed.

(** ** Claim S2 (reduction): with U RU = 1 (e.g. RU = U^+ for U of full row
    rank r) and G = V RU, full row rank k of C - G A gives rank r + k of
    [[U, A], [V, C]] (L6). *)
Theorem S2_reduction r k p q (U : 'M[F]_(r, p)) (RU : 'M[F]_(p, r))
    (V : 'M[F]_(k, p)) (A : 'M[F]_(r, q)) (C : 'M[F]_(k, q)) :
  U *m RU = 1%:M -> \rank (C - V *m RU *m A) = k ->
  \rank (block_mx U A V C) = (r + k)%N.
Proof.
move=> hU rk; apply/eqP; rewrite eqn_leq rank_leq_row /=.
by have := L6_block_elimination_right_inverse A V C hU; rewrite rk.
Qed.

(** ** Claim S6 (finite scale) *)
Theorem S6_finite_scale r k p q (U : 'M[F]_(r, p)) (RU : 'M[F]_(p, r))
    (V : 'M[F]_(k, p)) (C : 'M[F]_(k, q)) (Astar : 'M[F]_(r, q))
    (A : F -> 'M[F]_(r, q)) :
  U *m RU = 1%:M ->
  \rank (C - V *m RU *m Astar) = k ->
  (forall eta, 0 < eta -> exists c0, forall c, c0 <= c ->
     forall t j, `|(A c - Astar) t j| < eta) ->
  exists c0, forall c, c0 <= c -> \rank (block_mx U (A c) V C) = (r + k)%N.
Proof.
move=> hU rk conv.
have /row_freeP [Rd hRd] : row_free (C - V *m RU *m Astar) by rewrite /row_free rk.
pose G := V *m RU.
pose a := mnorm G * mnorm Rd.
pose Q := \sum_(i < r) \sum_(j < q) (1 : F).
have a0 : 0 <= a by rewrite mulr_ge0 ?mnorm_ge0.
have Q0 : 0 <= Q by do 2!(apply: sumr_ge0 => ? _); exact: ler01.
have N0 : 0 < (a + 1) * (Q + 1).
  by apply: mulr_gt0; apply: lt_le_trans ltr01 _; rewrite ler_addr.
pose eta := ((a + 1) * (Q + 1))^-1.
have eta0 : 0 < eta by rewrite invr_gt0.
have [c0 hc0] := conv eta eta0.
exists c0 => c hc; apply: S2_reduction hU _.
apply: (L7_rank_stability (Dstar := C - V *m RU *m Astar) hRd).
move=> i; apply: le_lt_trans (row_le_mnorm _ i) _.
have -> : C - V *m RU *m A c - (C - V *m RU *m Astar) = G *m (Astar - A c).
  by rewrite opprB addrC addrA subrK -mulmxBr.
apply: le_lt_trans (mnorm_mul _ _) _.
apply: le_lt_trans (_ : _ <= mnorm G * (Q * eta) * mnorm Rd) _.
  apply: ler_wpmul2r; first exact: mnorm_ge0.
  apply: le_trans (mnorm_mul _ _) _; apply: ler_wpmul2l; first exact: mnorm_ge0.
  apply: mnorm_small => t j; have := hc0 c hc t j.
  by rewrite !mxE -normrN opprB => h; apply: ltW.
have -> : mnorm G * (Q * eta) * mnorm Rd = a * Q * eta by rewrite /a; ring.
rewrite /eta ltr_pdivr_mulr // mul1r -subr_gt0.
have -> : (a + 1) * (Q + 1) - a * Q = a + Q + 1 by ring.
by apply: lt_le_trans ltr01 _; rewrite ler_addr addr_ge0.
Qed.

End FiniteScale.

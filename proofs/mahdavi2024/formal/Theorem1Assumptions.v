(** Prints the statement and the axioms of every claim-bound lemma of the
    Theorem 1 files (Softmax, FiniteScale, Genericity, OneHead, Theorem1), and
    of Theorem 1 at Coq's reals (Theorem1Reals).
    Not in _CoqProject (Print Assumptions walks MathComp); after the build run
      coqc -w -notation-overridden,-ambiguous-paths -R . Memproof.Mahdavi2024 Theorem1Assumptions.v *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import Softmax FiniteScale Genericity OneHead Theorem1.
Require Memproof.Mahdavi2024.Theorem1Reals.

Print Memproof.Mahdavi2024.Softmax.expln.
Print Memproof.Mahdavi2024.Softmax.softmax.
Print Memproof.Mahdavi2024.Theorem1.A1.
Print Memproof.Mahdavi2024.Theorem1.A2.
Check Memproof.Mahdavi2024.Softmax.softmax_gt0.
Check Memproof.Mahdavi2024.Softmax.softmax_sum.
Check Memproof.Mahdavi2024.Softmax.softmax_ln.
Check Memproof.Mahdavi2024.Softmax.S4_softmax_saturation.
Print Assumptions Memproof.Mahdavi2024.Softmax.S4_softmax_saturation.
Check Memproof.Mahdavi2024.Softmax.S4_saturated_limit.
Print Assumptions Memproof.Mahdavi2024.Softmax.S4_saturated_limit.
Check Memproof.Mahdavi2024.Genericity.avoid_hyperplanes.
Print Assumptions Memproof.Mahdavi2024.Genericity.avoid_hyperplanes.
Check Memproof.Mahdavi2024.Genericity.S3_suppression_direction.
Print Assumptions Memproof.Mahdavi2024.Genericity.S3_suppression_direction.
Check Memproof.Mahdavi2024.Genericity.S3_distinct_logits.
Print Assumptions Memproof.Mahdavi2024.Genericity.S3_distinct_logits.
Check Memproof.Mahdavi2024.FiniteScale.S2_reduction.
Print Assumptions Memproof.Mahdavi2024.FiniteScale.S2_reduction.
Check Memproof.Mahdavi2024.FiniteScale.S6_finite_scale.
Print Assumptions Memproof.Mahdavi2024.FiniteScale.S6_finite_scale.
Check Memproof.Mahdavi2024.OneHead.S5_memorizing_matrix.
Print Assumptions Memproof.Mahdavi2024.OneHead.S5_memorizing_matrix.
Check Memproof.Mahdavi2024.OneHead.P1_one_head.
Print Assumptions Memproof.Mahdavi2024.OneHead.P1_one_head.
Check Memproof.Mahdavi2024.Theorem1.S1_first_head.
Print Assumptions Memproof.Mahdavi2024.Theorem1.S1_first_head.
Check Memproof.Mahdavi2024.Theorem1.S7_iterate.
Print Assumptions Memproof.Mahdavi2024.Theorem1.S7_iterate.
Print Memproof.Mahdavi2024.Theorem1.A1k.
Check Memproof.Mahdavi2024.Theorem1.T1_memorization_kruskal.
Print Assumptions Memproof.Mahdavi2024.Theorem1.T1_memorization_kruskal.
Check Memproof.Mahdavi2024.Theorem1.T1_memorization.
Print Assumptions Memproof.Mahdavi2024.Theorem1.T1_memorization.
Check Memproof.Mahdavi2024.Theorem1.T1_needs_a_head.
Print Assumptions Memproof.Mahdavi2024.Theorem1.T1_needs_a_head.
Check Memproof.Mahdavi2024.Theorem1.T1_needs_tokens.
Print Assumptions Memproof.Mahdavi2024.Theorem1.T1_needs_tokens.
Check Memproof.Mahdavi2024.Theorem1.T1_A1_reading.
Print Assumptions Memproof.Mahdavi2024.Theorem1.T1_A1_reading.
Check Memproof.Mahdavi2024.Theorem1Reals.T1_memorization_R.
Print Assumptions Memproof.Mahdavi2024.Theorem1Reals.T1_memorization_R.
Print Assumptions Memproof.Mahdavi2024.Theorem1Reals.R_realFieldType.

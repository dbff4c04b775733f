(** Prints the statement and the axioms of every claim-bound lemma of the
    analysis files (L4, L5, L7, S8, P3).  Not in _CoqProject.analysis (it is
    slow: Print Assumptions walks MathComp); after the build run
      coqc -w -notation-overridden,-ambiguous-paths -R . Memproof.Mahdavi2024 AnalysisAssumptions.v *)
From mathcomp Require Import all_ssreflect all_algebra.
From Memproof.Mahdavi2024 Require Import
  Saturation RankStability SimplexPoints Readout ReluComparison.

Check Memproof.Mahdavi2024.Saturation.L4_softmax_saturation.
Print Assumptions Memproof.Mahdavi2024.Saturation.L4_softmax_saturation.
Check Memproof.Mahdavi2024.Saturation.L4_attention_output.
Print Assumptions Memproof.Mahdavi2024.Saturation.L4_attention_output.
Check Memproof.Mahdavi2024.RankStability.L7_rank_stability.
Print Assumptions Memproof.Mahdavi2024.RankStability.L7_rank_stability.
Check Memproof.Mahdavi2024.SimplexPoints.L5_simplex_points.
Print Assumptions Memproof.Mahdavi2024.SimplexPoints.L5_simplex_points.
Check Memproof.Mahdavi2024.SimplexPoints.L5_shared_context.
Print Assumptions Memproof.Mahdavi2024.SimplexPoints.L5_shared_context.
Check Memproof.Mahdavi2024.Readout.S8_readout.
Print Assumptions Memproof.Mahdavi2024.Readout.S8_readout.
Check Memproof.Mahdavi2024.ReluComparison.P3_relu_memorization.
Print Assumptions Memproof.Mahdavi2024.ReluComparison.P3_relu_memorization.

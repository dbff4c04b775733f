"""Arithmetic tiers: exact (flint fmpq/nmod), rigorous (flint arb balls), SMT (z3), symbolic (sympy),
empirical (numpy float64). Import the tier you need: ``from memproof.arith import exact``."""

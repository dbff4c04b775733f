"""Make the paper's proof importable as ``memproof_proofs.mahdavi2024`` for the tests (as verify does)."""
from memproof.blueprint.proofs import locate_proof, proof_package

proof_package(locate_proof()[0])

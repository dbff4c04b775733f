"""The claim checkers of the paper, each declaring the statement it establishes and its premises
(:mod:`memproof.blueprint.declare`). ``REGISTRY`` is what ``memproof verify`` binds the blueprint to."""
from memproof.blueprint.declare import ClaimRegistry

from . import (
    assumptions,
    l1_rank_reduction,
    l2_readout_factorisation,
    l3_prescribed_logits,
    l4_saturation,
    l5_simplex_points,
    l6_block_elimination,
    l7_rank_stability,
    l8_rank_budget,
    p2_shared_context_ceiling,
    p3_relu_comparison,
    p4_trivial_layer,
    steps,
)

REGISTRY = ClaimRegistry.from_modules(
    assumptions, l1_rank_reduction, l2_readout_factorisation, l3_prescribed_logits, l4_saturation, l5_simplex_points,
    l6_block_elimination, l7_rank_stability, l8_rank_budget, steps, p2_shared_context_ceiling, p3_relu_comparison,
    p4_trivial_layer,
)

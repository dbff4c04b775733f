"""Check lemmas of the memorization proof on your own numbers.

Run:  python examples/check_lemma_on_my_numbers.py [DATA.npz]

DATA.npz (optional) holds ``queries`` (T, d) and ``contexts`` (T, n, d) or a shared (n, d); without it a
small random dataset is generated. The script

1. builds a random multi-head attention layer (memproof.model) and its feature matrix Z;
2. checks L1 exactly on *your stored float Z*: either an interpolating readout M exists for arbitrary
   labels (rank Z = T), or an exact left null vector shows which labels no readout can reach;
3. checks L4 rigorously on the attention logits of head 0 at example 0, scaled by c = 50;
4. checks L3 exactly: target logits for the first k ≤ n examples are realised by one matrix W*.

Every result is a certificate: outcome, level, scope, evidence.
"""
from __future__ import annotations

import sys

import numpy as np

from memproof.data import Dataset
from memproof.errors import AssumptionViolatedError
from memproof.lemmas.prescribed_logits import check_prescribed_logits
from memproof.lemmas.rank_reduction import check_interpolation
from memproof.lemmas.saturation import check_saturation_bound
from memproof.model import AttentionSpec, MHAWeights, feature_matrix


def load_or_generate(argv: list[str]) -> Dataset:
    if len(argv) > 1:
        return Dataset.load(argv[1])
    rng = np.random.default_rng(0)
    return Dataset(queries=rng.normal(size=(7, 6)), contexts=rng.normal(size=(4, 6)))  # shared context


def main(argv: list[str]) -> int:
    data = load_or_generate(argv)
    spec = AttentionSpec(n=data.n, d=data.d, heads=3, d_h=2)
    weights = MHAWeights.random(spec, rng=1)
    Z = feature_matrix(weights, data.contexts, data.queries)
    print(f"dataset: T={data.T}, n={data.n}, d={data.d}; model: H={spec.heads}, d_h={spec.d_h}; "
          f"theorem's capacity H(n̄−1)+1 = {spec.capacity}")

    labels = np.eye(data.T)  # d_o = T: the hardest labels (L1's converse needs rank Z = T)
    try:
        r1 = check_interpolation(Z, labels)
    except AssumptionViolatedError as exc:  # rank Z < T: ask whether these labels can still be met
        print(f"L1 premise fails on this Z: {exc}")
        r1 = check_interpolation(Z, labels, required_rank=0)
    print(r1.summary(), "| scope:", r1.scope)
    if r1.counterexample:
        print("   labels Y with xᵀY ≠ 0 are unreachable; x =", r1.counterexample["left_null_vector"])

    E0 = data.context(0)
    logits = E0 @ weights.keyquery()[0] @ data.queries[0]
    r4 = check_saturation_bound(logits, np.zeros_like(logits), c=50.0)
    print(r4.summary(), "| relative slack", r4.margins.get("relative_slack"))

    k = min(data.n, data.T)
    targets = np.log(np.random.default_rng(2).dirichlet(np.ones(data.n), size=k))  # a_j = log s_j
    contexts = data.all_contexts()[:k]
    r3 = check_prescribed_logits(data.queries[:k], contexts, targets)
    print(r3.summary(), "| rank W* =", r3.evidence.get("rank_W_star"))
    return 0 if all(r.outcome.value == "proved" for r in (r3, r4)) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""Plant a constructed memorizing layer into a small torch model and watch it memorize.

Run:  python examples/plant_memorizing_layer.py [--dtype float32]

The model: token embedding + learned positional encoding (frozen, random), then one
``torch.nn.MultiheadAttention`` whose query is the [CLS] position 0 and whose keys/values are positions
1..n (the query is masked from attending to itself — exactly the theorem's "the query does not attend to
its own token", so with key = value = the context tokens the layer is MHA(E_t, e_t) of theorem.md §1).
The constructor runs on the *post-embedding* tokens: embed the data first, then construct.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

from memproof.construction import construct_memorizing_mha


class TinyModel(torch.nn.Module):
    def __init__(self, vocab: int, n: int, d: int, dtype: torch.dtype) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.embed = torch.nn.Embedding(vocab, d, dtype=dtype)
        self.pos = torch.nn.Parameter(torch.rand(n + 1, d, generator=g, dtype=dtype))
        with torch.no_grad():
            self.embed.weight.copy_(torch.rand(vocab, d, generator=g, dtype=dtype))
        self.attn = None  # planted below
        self.adapter = None

    def tokens(self, ids: torch.Tensor) -> torch.Tensor:
        """Post-embedding tokens (T, n + 1, d): embedding plus positional encoding."""
        return self.embed(ids) + self.pos

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tokens(ids)
        return self.adapter(x[:, 1:], x[:, 0])  # query = position 0, context = positions 1..n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float32")
    args = parser.parse_args()
    dt = getattr(torch, args.dtype)
    H, n, d, vocab = 6, 8, 16, 50
    T = H * (n - 1) + 1
    rng = np.random.default_rng(0)
    ids = torch.as_tensor(np.concatenate([rng.choice(vocab, size=(T, 1), replace=False),  # distinct [CLS]-like queries
                                          np.tile(rng.choice(vocab, size=n, replace=False), (T, 1))], axis=1))
    labels = rng.normal(size=(T, 1))
    model = TinyModel(vocab, n, d, dt)
    with torch.no_grad():
        x = model.tokens(ids).double().numpy()
    built = construct_memorizing_mha(x[:, 0], x[0, 1:], labels, heads=H, d_h=n, seed=0, target_dtype=args.dtype)
    model.adapter = built.to_torch_mha(dtype=dt, batch_first=True)
    model.attn = model.adapter.module  # a plain torch.nn.MultiheadAttention inside the model
    with torch.no_grad():
        out = model(ids)
    err = float((out.double() - torch.as_tensor(labels)).abs().max())
    print(f"T = {T} examples, {args.dtype}: max |model(ids) − label| = {err:.2e}")
    print(built.error_budget.summary())
    return 0 if err < 1e-3 else 1


if __name__ == "__main__":
    raise SystemExit(main())

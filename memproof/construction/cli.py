"""``memproof construct``: build a memorizing attention layer for a dataset and certify it.

Usage::

    memproof construct DATA.npz --heads 4 --d-h 5 [-o weights.npz] [--certify rigorous|empirical] [--json]
    memproof construct DATA.npz --heads 4 --d-h 5 [--dtype float32|float64] [--scale 1/sqrt(d_h)] --export torch-mha -o layer.pt
    memproof construct --n 5 --d 8 --heads 4 --d-h 5 [--shared-context] [--T 17] [--labels-dim 1] --seed 0

``DATA.npz`` holds ``queries`` (T, d), ``contexts`` (T, n, d) or (n, d), and ``labels`` (T,) or (T, d_o);
without a file a random dataset at the theorem's capacity T = H(n̄ − 1) + 1 is generated. With
``--export torch-mha`` the ``-o`` file is a ``torch.save`` dict (``torch.load`` reads it) with ``config``
(the keyword arguments of ``torch.nn.MultiheadAttention``), ``state_dict``, ``query_pad``, ``key_pad``
and ``output_slice`` (see :mod:`memproof.export.torch_mha`). ``--dtype float32`` builds for float32
(``target_dtype``) and reports the error budget. Exit codes:
0 memorization certified at the requested level, 1 refuted, 2 not established, 3 error (bad input,
assumption violated — the witness is printed).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from ..data import Dataset
from ..errors import InvalidArgumentError
from ..results import Outcome, jsonable


def _dataset(args: argparse.Namespace) -> Dataset:
    if args.data:
        ds = Dataset.load(args.data)
        if ds.labels is None:
            raise InvalidArgumentError("DATA", f"{args.data} without 'labels'", "an .npz with labels (T,) or (T, d_o)")
        return ds
    if args.n is None or args.d is None:
        raise InvalidArgumentError("--n/--d", "neither a DATA.npz nor both --n and --d", "a dataset file, or sizes to generate one")
    rng = np.random.default_rng(args.seed)
    T = args.T if args.T is not None else args.heads * (min(args.n, args.d_h) - 1) + 1
    contexts = rng.normal(size=(args.n, args.d)) if args.shared_context else rng.normal(size=(T, args.n, args.d))
    return Dataset(rng.normal(size=(T, args.d)), contexts, rng.normal(size=(T, args.labels_dim)))


def cmd_construct(args: argparse.Namespace) -> int:
    from ..results import stopwatch
    from . import check_memorizes, construct_memorizing_mha

    ds = _dataset(args)
    with stopwatch() as t_build:
        built = construct_memorizing_mha(ds.queries, ds.contexts, ds.labels, heads=args.heads, d_h=args.d_h,
                                         d_v=args.d_v, seed=args.seed, scale=_scale(args.scale),
                                         target_dtype=None if args.dtype == "float64" and not args.export else args.dtype)
    with stopwatch() as t_cert:
        result = check_memorizes(built.weights, ds.queries, ds.contexts, ds.labels, certify=args.certify)
    if args.output and args.export == "torch-mha":
        from ..export import save_torch_mha

        save_torch_mha(built.weights, args.output, dtype=args.dtype,
                       extra={"memproof": "construct", "T": ds.T, "target_dtype": args.dtype})
    elif args.output:
        built.weights.save(args.output)
    certified = result.level.label if result.outcome is Outcome.PROVED and result.level else None
    summary: dict[str, Any] = {
        "T": ds.T, "n": ds.n, "d": ds.d, "heads": args.heads, "d_h": args.d_h,
        "shared_context": ds.shared_context, "capacity": built.capacity,
        "rank_Z": ds.T if certified else None, "certified": certified, "outcome": result.outcome.value,
        "reason": result.reason, "max_abs_error": built.max_abs_error,
        "seconds": {"construct": t_build[0], "certify": t_cert[0]},
        "weights": str(args.output) if args.output else None, "warnings": list(built.warnings),
        "trace": [t.to_dict() for t in built.trace], "backend": built.backend,
        "dtype": args.dtype, "export": args.export, "scale": built.weights.scale,
        "error_budget": built.error_budget.to_dict() if built.error_budget is not None else None,
    }
    if args.json:
        print(json.dumps(jsonable(summary), indent=2, allow_nan=False))
    else:
        print(f"T = {ds.T} examples (capacity H(n̄−1)+1 = {built.capacity}), n = {ds.n}, d = {ds.d}, H = {args.heads}, d_h = {args.d_h}")
        for t in built.trace:
            print(f"  head {t.head + 1}: |N_h| = {t.k}, c = {t.c:.3g} (c* = {t.c_star:.3g}), γ = {t.gamma:.3g}, "
                  f"rank margin {t.rank_margin:.2e}")
        print(f"{result.summary()}; float readout error {built.max_abs_error:.2e}; "
              f"construct {t_build[0]:.2f} s, certify {t_cert[0]:.2f} s")
        if built.error_budget is not None:
            print(built.error_budget.summary())
        for w in built.warnings:
            print(f"warning: {w}", file=sys.stderr)
        if args.output:
            print(f"wrote {args.output}")
    return {Outcome.PROVED: 0, Outcome.REFUTED: 1}.get(result.outcome, 2)


def _scale(text: str | None) -> Any:
    if text is None or text in ("1/sqrt(d_h)", "1/sqrt(d)"):
        return text
    try:
        return float(text)
    except ValueError:
        raise InvalidArgumentError("--scale", repr(text), "'1/sqrt(d_h)', '1/sqrt(d)' or a number > 0") from None


def add_subcommand(sub: Any) -> None:
    p = sub.add_parser("construct", help="build a memorizing MHA for a dataset (Theorem 1) and certify it")
    p.add_argument("data", nargs="?", metavar="DATA.npz", help="queries, contexts, labels (else generate with --n/--d)")
    p.add_argument("--heads", type=int, required=True, help="H")
    p.add_argument("--d-h", dest="d_h", type=int, required=True, help="head size d_h")
    p.add_argument("--d-v", dest="d_v", type=int, default=None, help="value size (default min(d, d_o))")
    p.add_argument("--n", type=int, help="context size (generated data)")
    p.add_argument("--d", type=int, help="token dimension (generated data)")
    p.add_argument("--T", type=int, default=None, help="examples (generated data; default the capacity)")
    p.add_argument("--labels-dim", type=int, default=1, help="d_o of generated labels (default 1)")
    p.add_argument("--shared-context", action="store_true", help="one context for all examples (generated data)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data generator and the construction")
    p.add_argument("-o", "--output", help="write the weights (.npz; a torch file with --export torch-mha)")
    p.add_argument("--dtype", choices=["float64", "float32", "bfloat16"], default="float64",
                   help="dtype the layer is built and exported for (float32: target_dtype construction with its error budget)")
    p.add_argument("--scale", default=None, help="logit scale s: '1/sqrt(d_h)', '1/sqrt(d)' or a number (default 1)")
    p.add_argument("--export", choices=["torch-mha"], default=None, help="write -o as a torch.nn.MultiheadAttention file")
    p.add_argument("--certify", choices=["rigorous", "empirical"], default="rigorous")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=cmd_construct)

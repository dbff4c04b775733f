"""``memproof kruskal``: the Kruskal rank of a matrix from the command line.

``memproof.cli`` wires it into the main parser with ``add_subcommand(subparsers)``; the handler
returns the exit code (the table in docs/kruskal.md; ``memproof verify`` uses the same codes):

- ``0`` — established: the exact Kruskal rank (or, with ``--k K``, ``k-rank ≥ K`` proved);
- ``1`` — refuted, with ``--k K``: ``k-rank < K`` (an exact dependent subset is reported);
- ``2`` — unknown: only a certified interval (budget, size); see the sampling evidence;
- ``3`` — error: bad input or usage.

Example::

    memproof kruskal queries.npy --axis rows --mode auto --budget 60 --json
    memproof kruskal big.npy --axis cols --mode exact --workers 2 --checkpoint big.json --progress
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..cluster import add_arguments, client_for, close
from ..errors import InvalidArgumentError

EXIT_DECIDED, EXIT_REFUTED, EXIT_UNDECIDED, EXIT_USAGE = 0, 1, 2, 3  # as `memproof verify`


def load_matrix(path: str, key: str | None = None) -> np.ndarray:
    """A 2-D matrix from ``.npy``, ``.npz`` (``key`` or the only array) or text (``.csv``/``.txt``)."""
    p = Path(path)
    if not p.exists():
        raise InvalidArgumentError("MATRIX", f"a missing file {path}", "an existing .npy/.npz/.csv/.txt file")
    try:
        if p.suffix == ".npz":
            with np.load(p, allow_pickle=False) as f:
                names = list(f.files)
                if key is None and len(names) != 1:
                    raise InvalidArgumentError("--key", f"none for {path} with arrays {names}", "the name of the array to use")
                return np.asarray(f[key or names[0]])
        if p.suffix in (".csv", ".txt"):
            return np.loadtxt(p, delimiter="," if p.suffix == ".csv" else None, ndmin=2)
        return np.load(p, allow_pickle=False)
    except InvalidArgumentError:
        raise
    except (ValueError, OSError, KeyError) as exc:
        raise InvalidArgumentError("MATRIX", f"an unreadable file {path} ({exc})", "a numeric .npy/.npz/.csv/.txt matrix") from None


def _configure(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("matrix", metavar="MATRIX", help="matrix file: .npy, .npz (with --key), .csv or .txt")
    p.add_argument("--axis", choices=["rows", "cols", "columns"], default="rows",
                   help="the vectors are the rows (default; A1) or the columns (cols; alias: columns)")
    p.add_argument("--mode", choices=["auto", "exact", "sample"], default="auto",
                   help="exact: exhaustive sweep; sample: bounds + sampling evidence; auto: sweep when the estimate fits the budget")
    p.add_argument("--k", type=int, default=None, dest="at_least", help="only decide whether the Kruskal rank is ≥ K (A1: K = n)")
    p.add_argument("--samples", type=int, default=5000, help="random subsets for the sampling evidence (default 5000, as in the paper)")
    p.add_argument("--tol", type=float, default=None, help="tolerance of the numerical Kruskal rank (absolute; default numpy's rule)")
    p.add_argument("--no-numerical", action="store_true", help="skip the numerical (empirical) comparison")
    p.add_argument("--budget", type=float, default=None, help="seconds; a sweep still running stops cleanly with the interval so far")
    p.add_argument("--checkpoint", default=None, help="checkpoint file (JSON): saved periodically, resumed when it exists")
    p.add_argument("--seed", type=int, default=0, help="seed of projections and sampling (recorded in certificates)")
    p.add_argument("--key", default=None, help="array name inside an .npz file")
    p.add_argument("--progress", action="store_true", help="progress bar on stderr (needs tqdm): units, or shards with a cluster")
    add_arguments(p, "the shards of the sweep")
    p.add_argument("--shards", type=int, default=None, help="shards of a distributed sweep (default 64)")
    p.add_argument("--json", action="store_true", help="print the result (with certificates) as JSON")
    p.add_argument("--out", default=None, help="also write the JSON result to this file")
    p.set_defaults(handler=run, func=run)
    return p


def add_subcommand(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``kruskal`` on an ``argparse`` subparsers object; ``args.handler(args)`` returns the exit code."""
    p = subparsers.add_parser("kruskal", help="exact Kruskal rank of the rows/columns of a matrix, with certificates",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    return _configure(p)


def run(args: argparse.Namespace) -> int:
    from .engine import kruskal_rank

    client = None
    try:
        if args.shards is not None and args.shards < 1:
            raise InvalidArgumentError("--shards", repr(args.shards), "a positive number of shards")
        a = load_matrix(args.matrix, args.key)
        client = client_for(args.workers, args.scheduler)
        r = kruskal_rank(a, args.axis, mode=args.mode, at_least=args.at_least, samples=args.samples, tol=args.tol,
                         numerical=not args.no_numerical, budget=args.budget, checkpoint=args.checkpoint,
                         seed=args.seed, progress=args.progress, client=client, shards=args.shards)
    except InvalidArgumentError as exc:
        print(f"memproof kruskal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if client is not None:
            close(client, own=args.workers is not None)
    d = r.to_dict()
    if args.out:
        Path(args.out).write_text(json.dumps(d, indent=1))
    if args.json:
        print(json.dumps(d, indent=1))
    else:
        print(r.summary())
        if r.witness is not None:
            uc = r.upper_certificate
            nv = f" with exact null vector {list(uc.null_vector)}" if uc.null_vector is not None else ""
            print(f"  upper bound {r.upper}: vectors {r.witness} are dependent{nv}")
        if r.lower_certificate is not None:
            lc = r.lower_certificate
            print(f"  lower bound {r.lower}: complete level-{lc.k} sweep of {lc.minors_visited} subsets "
                  f"(prime {lc.prime}, {len(lc.zero_minors)} spurious zeros resolved exactly)")
        if r.estimate:
            e = r.estimate
            print(f"  cost estimate of the level-{e['level']} sweep: {e['subsets']:.4g} subsets, ~{e['seconds']:.3g} s ({e['backend']})")
        if r.sampling is not None:
            print(f"  evidence: {r.sampling.statement}")
        if r.numerical is not None:
            n = r.numerical
            val = n.kruskal_rank if n.kruskal_rank is not None else f"≤ {n.kruskal_rank_upper}"
            print(f"  numerical (empirical, tol={n.tol if n.tol is not None else 'default'}, {n.dtype}): rank {n.rank}, Kruskal rank {val}")
        if r.disagreement:
            print(f"  DISAGREEMENT: {r.disagreement}")
        for note in r.notes:
            print(f"  note: {note}")
        print(f"  {r.subsets_checked} subsets checked in {r.seconds:.3g} s")
    if args.at_least is not None:
        dec = r.at_least_decided(args.at_least)
        return EXIT_DECIDED if dec is True else EXIT_REFUTED if dec is False else EXIT_UNDECIDED
    return EXIT_DECIDED if r.exact else EXIT_UNDECIDED


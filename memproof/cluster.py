"""Dask clusters for memproof's parallel work: a new local one, or an existing one by address.

``memproof kruskal --workers N | --scheduler ADDRESS`` (sharded sweeps, :mod:`memproof.kruskal.distributed`)
and ``memproof experiment NAME --workers N | --scheduler ADDRESS`` (grid cells as tasks,
:func:`memproof.experiments.runner.run_cells`) get their client here. ``dask[distributed]`` is optional
(``memproof[distributed]``) and imported only inside these functions.
"""
from __future__ import annotations

from typing import Any

from .errors import InvalidArgumentError


def local_client(workers: int) -> Any:
    """A :class:`distributed.Client` on a new local cluster of ``workers`` single-threaded worker processes."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgumentError("--workers", repr(workers), "a positive number of worker processes")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InvalidArgumentError("--workers", f"{workers} (dask.distributed is not installed)",
                                   "pip install 'memproof[distributed]'") from None
    cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster)


def connect(address: str) -> Any:
    """A :class:`distributed.Client` of the running cluster at ``address`` (``dask scheduler`` / ``dask worker``)."""
    try:
        from distributed import Client
    except ImportError:
        raise InvalidArgumentError("--scheduler", f"{address} (dask.distributed is not installed)",
                                   "pip install 'memproof[distributed]'") from None
    try:
        return Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise InvalidArgumentError("--scheduler", f"{address} ({exc})", "the address of a running dask scheduler") from None


def client_for(workers: int | None, scheduler: str | None) -> Any:
    """The client of ``--workers N`` (a new local cluster) or ``--scheduler ADDRESS``; ``None`` for neither."""
    if workers is not None and scheduler is not None:
        raise InvalidArgumentError("--workers", f"{workers} together with --scheduler {scheduler}",
                                   "either a new local cluster (--workers N) or an existing one (--scheduler ADDRESS)")
    if workers is not None:
        return local_client(workers)
    return connect(scheduler) if scheduler is not None else None


def close(client: Any, own: bool) -> None:
    """Close ``client``, and its local cluster when this process started it (``own``)."""
    cluster = client.cluster if own else None
    client.close()
    if cluster is not None:
        cluster.close()


def add_arguments(parser: Any, what: str) -> None:
    """``--workers N`` and ``--scheduler ADDRESS`` on an argparse parser; ``what`` is what runs as tasks."""
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help=f"run {what} on a new local Dask cluster of N worker processes (needs memproof[distributed])")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help=f"run {what} on the running Dask cluster at ADDRESS (`dask scheduler` / `dask worker`)")

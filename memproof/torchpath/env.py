"""Device, dtype and environment records of the torch path (torch imported on first use)."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Iterator

from ..errors import InvalidArgumentError


def require_torch() -> Any:
    """Import torch or raise :class:`ImportError` with the install hint."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the torch path needs torch, which is not installed; install it with "
                          "`pip install memproof[torch]`") from exc
    return torch


def resolve_device(device: Any = None) -> Any:
    """``torch.device`` from ``None`` (CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or a device.

    ``"cuda"`` without CUDA raises :class:`InvalidArgumentError` (never silently falls back).
    """
    torch = require_torch()
    dev = torch.device("cpu" if device is None else device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidArgumentError("device", repr(str(device)), "'cpu', or 'cuda' on a machine with CUDA",
                                   hint="torch.cuda.is_available() is False here; use --device cpu")
    return dev


def resolve_dtype(dtype: Any = None) -> Any:
    """``torch.float64`` (default) or ``torch.float32`` from a name or dtype."""
    torch = require_torch()
    if dtype is None:
        return torch.float64
    if isinstance(dtype, str):
        table = {"float64": torch.float64, "double": torch.float64, "float32": torch.float32, "float": torch.float32}
        if dtype not in table:
            raise InvalidArgumentError("dtype", repr(dtype), "'float64' or 'float32'")
        return table[dtype]
    if dtype not in (torch.float64, torch.float32):
        raise InvalidArgumentError("dtype", repr(dtype), "torch.float64 or torch.float32")
    return dtype


def torch_info(device: Any = None, dtype: Any = None) -> dict[str, Any]:
    """What a result must record: torch version, device (with its name), dtype, TF32 flags, threads."""
    torch = require_torch()
    dev = resolve_device(device)
    info: dict[str, Any] = {
        "torch": torch.__version__,
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
        "dtype": str(resolve_dtype(dtype)).replace("torch.", ""),
        "tf32_matmul": bool(torch.backends.cuda.matmul.allow_tf32),
        "tf32_cudnn": bool(torch.backends.cudnn.allow_tf32),
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "cpu_threads": torch.get_num_threads(),
        "cuda_available": bool(torch.cuda.is_available()),
    }
    return info


def synchronize(device: Any) -> None:
    torch = require_torch()
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


@contextmanager
def timer(record: dict[str, float], key: str, device: Any = "cpu") -> Iterator[None]:
    """Add the wall time of the block (device synchronised) to ``record[key]``."""
    synchronize(device)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        synchronize(device)
        record[key] = record.get(key, 0.0) + time.perf_counter() - t0

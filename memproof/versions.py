"""Versions of memproof and its backends, and the compute device (``memproof versions``)."""
from __future__ import annotations

import importlib
import platform
import sys

_BACKENDS = {
    "numpy": "numpy",
    "scipy": "scipy",
    "sympy": "sympy",
    "python-flint": "flint",
    "networkx": "networkx",
    "hypothesis": "hypothesis",
    "z3-solver": "z3",
    "numba": "numba",
    "matplotlib": "matplotlib",
    "torch": "torch",
}


def _version_of(module_name: str) -> str:
    try:
        module = importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 - any import failure means "not installed" here
        return "not installed"
    if module_name == "z3":
        return module.get_version_string()
    return str(getattr(module, "__version__", "unknown"))


def device_description() -> str:
    """``cuda:<name>`` when torch sees a GPU, else ``cpu`` (with the processor name)."""
    try:
        import torch

        if torch.cuda.is_available():
            return f"cuda ({torch.cuda.get_device_name(0)})"
    except Exception:  # noqa: BLE001 - torch absent or broken: CPU only
        pass
    return f"cpu ({platform.processor() or platform.machine()})"


def collect_versions(include_device: bool = True) -> dict[str, str]:
    """Versions of python, memproof and every backend memproof can use."""
    from . import __version__

    info = {"memproof": __version__, "python": sys.version.split()[0], "platform": platform.platform()}
    info.update({name: _version_of(mod) for name, mod in _BACKENDS.items()})
    if include_device:
        info["device"] = device_description()
    return info


def format_versions(info: dict[str, str]) -> str:
    width = max(map(len, info))
    return "\n".join(f"{k:<{width}}  {v}" for k, v in info.items())

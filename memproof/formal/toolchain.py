"""Find the Coq toolchain (coqc, coqdep, coqchk, coq_makefile) and report its versions.

A missing toolchain is a *status*, never an exception: :func:`ensure_toolchain` returns a
:class:`Toolchain` whose ``reason`` says why it is unavailable and ``install_line`` what to run.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

TOOLS = ("coqc", "coqdep", "coqchk", "coq_makefile")
APT_PACKAGES = ("coq", "libcoq-mathcomp", "libcoq-mathcomp-zify", "libcoq-mathcomp-algebra-tactics",
                "libcoq-mathcomp-multinomials")
INSTALL_LINE = "sudo apt-get update && sudo apt-get install -y " + " ".join(APT_PACKAGES)


@dataclasses.dataclass(frozen=True)
class Toolchain:
    """The Coq tools found on ``PATH``.

    Attributes
    ----------
    tools : Mapping[str, str]
        Tool name → absolute path, for the tools that were found.
    versions : Mapping[str, str]
        ``{"coq": "8.16.1", "mathcomp": "1.15.0"}`` (``"absent"`` for a missing MathComp).
    reason : str or None
        Why the toolchain is unavailable (``None`` when it is usable).
    install_line : str
        The shell line that installs the toolchain on Debian/Ubuntu.
    """

    tools: Mapping[str, str]
    versions: Mapping[str, str]
    reason: str | None = None
    install_line: str = INSTALL_LINE

    @property
    def available(self) -> bool:
        return self.reason is None

    def tool(self, name: str) -> str:
        return self.tools[name]


def find_tools(path: str | None = None) -> dict[str, str]:
    """Absolute paths of the Coq tools found on ``path`` (default: ``$PATH``)."""
    found = {name: shutil.which(name, path=path) for name in TOOLS}
    return {name: where for name, where in found.items() if where}


def _run(args: list[str], timeout: float = 30.0) -> str | None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _upstream(debian_version: str) -> str:
    """``"1:1.15.0-1+b4"`` → ``"1.15.0"`` (drop the epoch and the Debian revision)."""
    version = debian_version.split(":", 1)[-1]
    return version.rsplit("-", 1)[0] if "-" in version else version


def mathcomp_version(coqc: str) -> str:
    """Version of the MathComp that ``coqc`` loads.

    MathComp 1.x records no version inside its ``.v``/``.vo`` files, so the version is taken from the
    package that owns ``<coqlib>/user-contrib/mathcomp/ssreflect/ssreflect.vo``: the Debian package
    (``dpkg-query -S``, then ``-W``), else opam (``opam var coq-mathcomp-ssreflect:version``).
    Returns ``"absent"`` when MathComp is not installed and ``"unknown (<path>)"`` when it is
    installed by neither.
    """
    coqlib = (_run([coqc, "-where"]) or "").strip()
    marker = Path(coqlib, "user-contrib", "mathcomp", "ssreflect", "ssreflect.vo")
    if not coqlib or not marker.exists():
        return "absent"
    owner = _run(["dpkg-query", "-S", str(marker)]) if shutil.which("dpkg-query") else None
    if owner:
        package = owner.split(":", 1)[0].strip()
        version = _run(["dpkg-query", "-W", "-f", "${Version}", package])
        if version:
            return _upstream(version.strip())
    if shutil.which("opam"):
        version = _run(["opam", "var", "coq-mathcomp-ssreflect:version"])
        if version and version.strip():
            return version.strip()
    return f"unknown ({marker.parent})"


def has_multinomials(coqc: str) -> bool:
    """Whether ``coqc`` loads SsrMultinomials (``From SsrMultinomials Require Import mpoly``, Debian's
    ``libcoq-mathcomp-multinomials``; P3's proof uses its multivariate polynomials)."""
    coqlib = (_run([coqc, "-where"]) or "").strip()
    return bool(coqlib) and Path(coqlib, "user-contrib", "SsrMultinomials", "mpoly.vo").exists()


def coq_versions(tools: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{"coq": ..., "mathcomp": ...}`` of the installed toolchain (``{}`` without coqc).

    >>> sorted(coq_versions({}))
    []
    """
    tools = find_tools() if tools is None else tools
    coqc = tools.get("coqc")
    if not coqc:
        return {}
    banner = _run([coqc, "--version"]) or ""
    match = re.search(r"version\s+(\S+)", banner)
    return {"coq": match.group(1) if match else "unknown", "mathcomp": mathcomp_version(coqc)}


def ensure_toolchain(install: bool = False, *, require_mathcomp: bool = True) -> Toolchain:
    """The Coq toolchain, installing it with apt-get when asked and possible.

    Parameters
    ----------
    install : bool
        When a tool or library is missing and this process is root with ``apt-get`` on ``PATH``, run
        ``apt-get update`` and ``apt-get install -y`` :data:`APT_PACKAGES` (announced on stderr).
    require_mathcomp : bool
        Report the toolchain unavailable when MathComp or SsrMultinomials is not installed.

    Returns
    -------
    Toolchain
        Never raises for a missing toolchain: ``reason`` starts with ``"unavailable:"`` and
        names the missing tools and the exact install line.
    """
    tools = find_tools()
    missing = [name for name in TOOLS if name not in tools]
    lacks_library = not missing and (mathcomp_version(tools["coqc"]) == "absent" or not has_multinomials(tools["coqc"]))
    if install and (missing or lacks_library) and _can_apt_install():
        _apt_install()
        tools = find_tools()
        missing = [name for name in TOOLS if name not in tools]
    versions = coq_versions(tools)
    if missing:
        reason = f"unavailable: {', '.join(missing)} not found on PATH; install with: {INSTALL_LINE}"
        if install and not _can_apt_install():
            reason += " (automatic install needs root and apt-get)"
        return Toolchain(tools, versions, reason)
    if require_mathcomp and (versions.get("mathcomp") == "absent"):
        return Toolchain(tools, versions, f"unavailable: MathComp is not installed; install with: {INSTALL_LINE}")
    if require_mathcomp and not has_multinomials(tools["coqc"]):
        return Toolchain(tools, versions, "unavailable: SsrMultinomials (libcoq-mathcomp-multinomials) is not installed; "
                                          f"install with: {INSTALL_LINE}")
    return Toolchain(tools, versions)


def _can_apt_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt_install() -> None:
    apt = ["apt-get", "install", "-y", *APT_PACKAGES]
    print(f"memproof: Coq or one of its libraries not found; running `apt-get update` then `{' '.join(apt)}`", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], apt):
        done = subprocess.run(command, env=env, check=False)
        if done.returncode != 0:
            print(f"memproof: `{' '.join(command)}` failed with exit status {done.returncode}", file=sys.stderr)
            return

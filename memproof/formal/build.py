"""Build a Coq project on a copy, file by file in dependency order, with a time limit and a cache.

The project folder (holding a ``_CoqProject``) is never written to: its ``_CoqProject`` and ``.v``
files are copied to a fresh folder and compiled there. ``coqdep`` gives the dependency graph; each
file is compiled by its own ``coqc`` (``jobs`` at a time), so a broken file fails only itself and
the files that depend on it, and each file gets its own status, error text and compile time.

The cache (``~/.cache/memproof/coq/<digest>`` by default) is keyed by the content digest of all
``.v`` files, the ``_CoqProject`` and the Coq/MathComp versions. It is evidence, not authority: a
cached build is re-used only when its sources still hash to the digest and every ``.vo`` still
hashes to what was recorded, and it only saves compilation — the statement and assumption queries
(:mod:`memproof.formal.query`) always run afresh on the ``.vo`` files, and no verdict is stored.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError
from .project import COQPROJECT, CoqProject, read_coqproject
from .toolchain import Toolchain, ensure_toolchain

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "memproof" / "coq"
BUILD_RECORD = "build.json"
_ERROR_TAIL = 4000


class FileStatus(str, enum.Enum):
    """What happened to one ``.v`` file."""

    COMPILED = "compiled"
    FAILED = "failed"  #: coqc reported an error (``FileBuild.error`` holds it)
    BLOCKED = "not built: a dependency failed"  #: ``FileBuild.blocked_by`` names the dependencies
    TIMED_OUT = "not built: time limit"


@dataclasses.dataclass(frozen=True)
class FileBuild:
    """Status of one file of a build."""

    file: str
    library: str
    status: FileStatus
    seconds: float = 0.0
    error: str | None = None
    blocked_by: tuple[str, ...] = ()
    source_sha256: str = ""
    vo_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["blocked_by"] = list(self.blocked_by)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FileBuild":
        return cls(**{**data, "status": FileStatus(data["status"]), "blocked_by": tuple(data["blocked_by"])})


@dataclasses.dataclass(frozen=True)
class Build:
    """A built copy of a Coq project (or the reason there is none).

    Attributes
    ----------
    project : CoqProject or None
        The parsed ``_CoqProject`` of the *copy* (``project.root`` is the build folder).
    files : Mapping[str, FileBuild]
        Per-file status, keyed by the file's path relative to the project.
    digest : str
        Content digest of the sources and the toolchain versions (the cache key).
    reason : str or None
        ``"unavailable: ..."`` when the toolchain is missing (then ``files`` is empty).
    """

    project: CoqProject | None
    files: Mapping[str, FileBuild]
    digest: str
    toolchain: Toolchain
    cached: bool = False
    seconds: float = 0.0
    reason: str | None = None
    _keep: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def available(self) -> bool:
        return self.reason is None

    @property
    def versions(self) -> Mapping[str, str]:
        return self.toolchain.versions

    def library_of(self, name: str) -> FileBuild | None:
        """The file whose library contains the fully qualified ``name`` (longest prefix)."""
        best = None
        for fb in self.files.values():
            if name.startswith(fb.library + ".") and (best is None or len(fb.library) > len(best.library)):
                best = fb
        return best


def source_digest(project: CoqProject, versions: Mapping[str, str]) -> str:
    """SHA-256 over the Coq/MathComp versions, the ``_CoqProject`` and every ``.v`` file under the root."""
    h = hashlib.sha256()
    h.update(json.dumps(dict(sorted(versions.items()))).encode())
    for rel in [COQPROJECT, *_sources(project.root)]:
        h.update(b"\0" + rel.encode() + b"\0" + (project.root / rel).read_bytes())
    return h.hexdigest()


def _sources(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.v")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_project(
    root: str | Path,
    *,
    jobs: int = 1,
    timeout: float = 600.0,
    cache_dir: str | Path | None = DEFAULT_CACHE,
    toolchain: Toolchain | None = None,
    install: bool = False,
) -> Build:
    """Compile the Coq project in ``root`` on a copy.

    Parameters
    ----------
    root : path
        Folder holding a ``_CoqProject`` (see :func:`memproof.formal.project.read_coqproject`).
    jobs : int
        Files compiled in parallel.
    timeout : float
        Wall-clock limit in seconds for the whole build; a running ``coqc`` is killed with its
        process group, files not finished are ``TIMED_OUT`` (and such a build is not cached).
    cache_dir : path or None
        Where builds are cached by digest; ``None`` builds in a temporary folder removed when the
        returned :class:`Build` is garbage collected.
    toolchain : Toolchain, optional
        Default :func:`ensure_toolchain` (``install`` is passed on).

    Returns
    -------
    Build
        Never raises for a missing toolchain: ``reason`` then starts with ``"unavailable:"``.
    """
    if int(jobs) < 1:
        raise InvalidArgumentError("jobs", repr(jobs), "a positive integer")
    if not float(timeout) > 0:
        raise InvalidArgumentError("timeout", repr(timeout), "a positive number of seconds")
    tc = toolchain or ensure_toolchain(install)
    if not tc.available:
        return Build(None, {}, "", tc, reason=tc.reason)
    source = read_coqproject(root)
    digest = source_digest(source, tc.versions)
    start = time.perf_counter()
    if cache_dir is not None:
        cached = _load_cached(Path(cache_dir) / digest, digest, tc)
        if cached is not None:
            return dataclasses.replace(cached, seconds=time.perf_counter() - start)
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    keep = _Scratch(cache_dir)
    work = keep.path / "src"
    for rel in [COQPROJECT, *_sources(source.root)]:
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source.root / rel, work / rel)
    project = read_coqproject(work)
    files = _compile_all(tc, project, int(jobs), time.monotonic() + float(timeout))
    seconds = time.perf_counter() - start
    record = {"digest": digest, "versions": dict(tc.versions), "files": [fb.to_dict() for fb in files.values()]}
    (work.parent / BUILD_RECORD).write_text(json.dumps(record, indent=1))
    complete = all(fb.status is not FileStatus.TIMED_OUT for fb in files.values())
    if cache_dir is None or not complete:
        return Build(project, files, digest, tc, seconds=seconds, _keep=keep)
    target = Path(cache_dir) / digest
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work.parent, target)
    keep.detach()  # the folder moved into the cache
    return Build(read_coqproject(target / "src"), files, digest, tc, seconds=seconds)


class _Scratch:
    """A temporary build folder, removed when this object is garbage collected (unless detached)."""

    def __init__(self, parent: str | Path | None):
        self.path = Path(tempfile.mkdtemp(prefix="memproof-coq-", dir=parent))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)

    def detach(self) -> None:
        self._finalizer.detach()


def _load_cached(folder: Path, digest: str, tc: Toolchain) -> Build | None:
    """A cached build whose sources and ``.vo`` files still match the record, else ``None``
    (a stale or damaged entry is removed)."""
    record_path = folder / BUILD_RECORD
    if not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text())
        project = read_coqproject(folder / "src")
        files = {d["file"]: FileBuild.from_dict(d) for d in record["files"]}
        sound = record["digest"] == digest == source_digest(project, tc.versions) and all(
            fb.status is not FileStatus.COMPILED
            or (fb.vo_sha256 is not None and _sha256(project.root / Path(fb.file).with_suffix(".vo")) == fb.vo_sha256)
            for fb in files.values()
        )
    except (OSError, ValueError, KeyError, TypeError):
        sound = False
    if not sound:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return Build(project, files, digest, tc, cached=True)


def dependencies(tc: Toolchain, project: CoqProject) -> dict[str, set[str]]:
    """File → the project files it requires, from ``coqdep -f _CoqProject`` run in ``project.root``."""
    done = subprocess.run(
        [tc.tool("coqdep"), "-f", COQPROJECT], cwd=project.root, capture_output=True, text=True, timeout=120, check=False
    )
    deps: dict[str, set[str]] = {f: set() for f in project.files}
    by_vo = {str(Path(f).with_suffix(".vo")): f for f in project.files}
    for line in done.stdout.splitlines():
        if ":" not in line:
            continue
        targets, prereqs = line.split(":", 1)
        owner = next((by_vo[t] for t in targets.split() if t in by_vo), None)
        if owner is not None:
            deps[owner] |= {by_vo[p] for p in prereqs.split() if p in by_vo and by_vo[p] != owner}
    return deps


def _compile_all(tc: Toolchain, project: CoqProject, jobs: int, deadline: float) -> dict[str, FileBuild]:
    deps = dependencies(tc, project)
    results: dict[str, FileBuild] = {}
    pending = list(project.files)
    running: dict[Future, str] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for f in list(pending):
                bad = sorted(d for d in deps[f] if d in results and results[d].status is not FileStatus.COMPILED)
                if bad:
                    pending.remove(f)
                    results[f] = _record(project, f, FileStatus.BLOCKED, blocked_by=tuple(bad))
                elif all(d in results for d in deps[f]) and len(running) < jobs:
                    pending.remove(f)
                    running[pool.submit(_compile_one, tc, project, f, deadline)] = f
            if not running:
                for f in pending:  # only a dependency cycle leaves files neither ready nor blocked
                    results[f] = _record(project, f, FileStatus.FAILED, error="dependency cycle among " + ", ".join(pending))
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                results[running.pop(fut)] = fut.result()
    return {f: results[f] for f in project.files}


def _record(project: CoqProject, file: str, status: FileStatus, **kw: Any) -> FileBuild:
    vo = project.root / Path(file).with_suffix(".vo")
    vo_sha = _sha256(vo) if status is FileStatus.COMPILED else None
    return FileBuild(file, project.logical_name(file), status, source_sha256=_sha256(project.root / file), vo_sha256=vo_sha, **kw)


def run_limited(args: list[str], cwd: Path, deadline: float) -> tuple[int | None, str, float]:
    """Run ``args`` until ``deadline`` (monotonic); on time-out kill its process group.

    Returns ``(returncode or None on time-out, stdout+stderr, seconds)``.
    """
    start = time.perf_counter()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None, "", 0.0
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        return None, out or "", time.perf_counter() - start
    return proc.returncode, out, time.perf_counter() - start


def _compile_one(tc: Toolchain, project: CoqProject, file: str, deadline: float) -> FileBuild:
    rc, out, seconds = run_limited([tc.tool("coqc"), *project.coq_flags(Path(".")), file], project.root, deadline)
    if rc is None:
        return _record(project, file, FileStatus.TIMED_OUT, seconds=seconds, error="time limit reached")
    if rc != 0:
        return _record(project, file, FileStatus.FAILED, seconds=seconds, error=error_text(out))
    return _record(project, file, FileStatus.COMPILED, seconds=seconds)


def error_text(output: str) -> str:
    """The ``File "...", line ...`` / ``Error:`` block of coqc's output (warnings dropped)."""
    lines = output.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("Error"):
            start = i - 1 if i > 0 and lines[i - 1].startswith('File "') else i
            return "\n".join(lines[start:]).strip()[-_ERROR_TAIL:]
    return output.strip()[-_ERROR_TAIL:] or "coqc failed without a message"

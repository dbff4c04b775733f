"""The bridge to Coq: memproof's ``formal`` level (:attr:`memproof.results.Level.FORMAL`).

A claim is proved at the formal level when a Coq lemma states it and Coq's kernel has checked it:
its file compiled, its canonical statement equals the blueprint's, and ``Print Assumptions`` lists
nothing outside :data:`ALLOWED_AXIOMS` (Coq 8.16's classical real-number axioms).

Public API (what a blueprint runner calls)
------------------------------------------
``ensure_toolchain(install=False) -> Toolchain``
    Find coqc/coqdep/coqchk/coq_makefile and the Coq/MathComp versions; with ``install=True`` and
    root + apt-get, install the Debian packages. Never raises: ``Toolchain.reason`` says
    ``"unavailable: ... install with: <line>"``.
``build_project(root, *, jobs=1, timeout=600, cache_dir=DEFAULT_CACHE, toolchain=None) -> Build``
    Compile the project in ``root`` (a folder with a ``_CoqProject``) on a copy, file by file in
    dependency order, with per-file status, error text and seconds; cached by source digest.
``formal_results(items, build, *, allow=ALLOWED_AXIOMS, timeout=300, instances=None) -> dict[str, Result]``
    ``items`` are ``(claim_id, lemma, expected_statement)``; one query batch for all of them.
    ``instances`` (claim id → instance lemma) adds what Coq says of each instance to that claim's
    evidence under ``INSTANCE`` (``"coq_instance"``), never changing its outcome.
    ``formal_result(claim_id, lemma, expected_statement, build)`` is the one-claim form.
``query_lemmas(build, names) -> QueryBatch``
    Canonical and readable statements and assumptions (use it to print the statement a blueprint
    should bind: ``query_lemmas(b, [name]).reports[name].canonical``).
``recheck(build, *, dependencies=False) -> dict``
    Re-check the compiled libraries with ``coqchk`` (``make formal-check``).

An unavailable toolchain gives ``Outcome.UNKNOWN`` results whose reason starts with
``"unavailable:"`` (:data:`UNAVAILABLE`): report them as unavailable, not as failed proofs.
"""
from .build import Build, FileBuild, FileStatus, build_project
from .check import ALLOWED_AXIOMS, INSTANCE, UNAVAILABLE, formal_result, formal_results, instance_evidence, judge, recheck
from .project import CoqProject, read_coqproject
from .query import Assumption, LemmaReport, QueryBatch, query_lemmas
from .toolchain import INSTALL_LINE, Toolchain, coq_versions, ensure_toolchain

__all__ = [
    "ALLOWED_AXIOMS", "INSTALL_LINE", "INSTANCE", "UNAVAILABLE", "Assumption", "Build", "CoqProject", "FileBuild",
    "FileStatus", "LemmaReport", "QueryBatch", "Toolchain", "build_project", "coq_versions",
    "ensure_toolchain", "formal_result", "formal_results", "instance_evidence", "judge", "query_lemmas", "read_coqproject", "recheck",
]

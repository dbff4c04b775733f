"""Turn a built Coq lemma into a memproof :class:`~memproof.results.Result` at ``Level.FORMAL``.

A claim is **proved at the formal level** only when (1) the file of its lemma compiled, (2) the
lemma's canonical statement (:mod:`memproof.formal.query`) equals the blueprint's expected
statement after whitespace normalisation, and (3) ``Print Assumptions`` lists nothing outside
:data:`ALLOWED_AXIOMS`. Otherwise:

- statement mismatch → ``ERROR`` (both texts shown, with the first difference marked);
- an axiom outside the allow-list, or ``Admitted`` → ``UNKNOWN`` (it "takes the claim off the
  formal level");
- compile failure, a failed dependency, an unknown lemma → ``ERROR`` with Coq's error text;
- no Coq toolchain → ``UNKNOWN`` whose reason starts with ``"unavailable:"`` and gives the install
  line (report it as "unavailable", not as a failed proof).

A claim may also name an *instance* lemma: its lemma applied to a concrete structure (Theorem 1 at
Coq's reals). The instance is queried in the same batch and what Coq says of it — its assumptions and
those outside the allow-list — is recorded in the claim's evidence under :data:`INSTANCE`; it never
changes the claim's outcome (the claim stays bound to its own lemma).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidArgumentError
from ..results import Level, Result, Scope
from .build import Build, FileStatus, run_limited
from .query import LemmaReport, query_lemmas

#: The axioms that ``Require Import Reals`` brings in with Coq 8.16's classical reals: exactly the
#: top-level axioms of the libraries it loads (``Print Assumptions Rpower.ln_exp`` lists all four).
#: They are consistent with Coq's logic; any other axiom takes a claim off the formal level.
ALLOWED_AXIOMS = frozenset({
    "Coq.Reals.ClassicalDedekindReals.sig_forall_dec",
    "Coq.Reals.ClassicalDedekindReals.sig_not_dec",
    "Coq.Logic.FunctionalExtensionality.functional_extensionality_dep",
    "Coq.Logic.Classical_Prop.classic",
})
UNAVAILABLE = "unavailable:"
#: Evidence key of a claim's instance lemma (:func:`instance_evidence`).
INSTANCE = "coq_instance"
FORMAL_SCOPE = "all sizes, as the Coq statement quantifies"


def normalise(statement: str) -> str:
    """Collapse every run of whitespace to one space (the only normalisation before comparing).

    >>> normalise("  forall n : nat,\\n   n = n ")
    'forall n : nat, n = n'
    """
    return " ".join(statement.split())


def statement_difference(expected: str, actual: str, context: int = 60) -> str:
    """Both statements in full and a caret under their first difference.

    >>> print(statement_difference("a = b", "a = c"))
    expected: a = b
    Coq says: a = c
    expected …a = b
    Coq says …a = c
                  ^ first difference at character 4
    """
    e, a = normalise(expected), normalise(actual)
    i = next((k for k, (x, y) in enumerate(zip(e, a)) if x != y), min(len(e), len(a)))
    lo = max(0, i - context)
    return (
        f"expected: {e}\n"
        f"Coq says: {a}\n"
        f"expected …{e[lo:i + context]}\n"
        f"Coq says …{a[lo:i + context]}\n"
        f"{' ' * (len('Coq says …') + i - lo)}^ first difference at character {i}"
    )


def formal_results(
    items: Iterable[tuple[str, str, str]],
    build: Build,
    *,
    allow: Iterable[str] = ALLOWED_AXIOMS,
    timeout: float = 300.0,
    instances: Mapping[str, str] | None = None,
) -> dict[str, Result]:
    """Formal results for a batch of ``(claim_id, lemma, expected_statement)``, one query batch.

    ``instances`` maps a claim id to its instance lemma (module docstring), queried in the same
    batch and recorded in that claim's evidence under :data:`INSTANCE`.
    Returns ``{claim_id: Result}`` in the order given; see the module docstring for outcomes.
    """
    items = list(items)
    instances = dict(instances or {})
    unknown = sorted(set(instances) - {claim for claim, _, _ in items})
    if unknown:
        raise InvalidArgumentError("instances", ", ".join(unknown), "claim ids of the batch's items")
    if not build.available:
        return {claim: _unavailable(claim, expected, build) for claim, _, expected in items}
    batch = query_lemmas(build, [lemma for _, lemma, _ in items] + list(instances.values()), timeout=timeout)
    allowed = frozenset(allow)
    results = {
        claim: judge(claim, lemma, expected, build, batch.reports[lemma], allow=allowed, query_seconds=batch.seconds)
        for claim, lemma, expected in items
    }
    for claim, lemma in instances.items():
        found = instance_evidence(lemma, build, batch.reports[lemma], allow=allowed)
        results[claim] = results[claim].replace(evidence={**results[claim].evidence, INSTANCE: found})
    return results


def instance_evidence(lemma: str, build: Build, report: LemmaReport, *,
                      allow: Iterable[str] = ALLOWED_AXIOMS) -> dict[str, Any]:
    """What Coq says of an instance lemma: its file, readable statement, assumptions (full names)
    and those outside ``allow`` (``outside_allowed``), or the ``error`` that kept Coq from saying."""
    allowed = frozenset(allow)
    fb = build.library_of(lemma)
    return {
        "lemma": lemma,
        "file": fb.file if fb else None,
        "compile_seconds": round(fb.seconds, 3) if fb else None,
        "error": report.error,
        "readable_statement": report.readable,
        "assumptions": [a.name for a in report.assumptions],
        "outside_allowed": [a.name for a in report.assumptions if a.kind != "axiom" or a.name not in allowed],
    }


def formal_result(
    claim_id: str, lemma: str, expected_statement: str, build: Build, allow: Iterable[str] = ALLOWED_AXIOMS
) -> Result:
    """The formal result of one claim (a batch of one; prefer :func:`formal_results` for many)."""
    return formal_results([(claim_id, lemma, expected_statement)], build, allow=allow)[claim_id]


def _unavailable(claim: str, expected: str, build: Build) -> Result:
    reason = build.reason or f"{UNAVAILABLE} no Coq toolchain"
    return Result.unknown(claim, expected, reason, Scope.universal(FORMAL_SCOPE), evidence={"install": build.toolchain.install_line})


def judge(
    claim: str,
    lemma: str,
    expected: str,
    build: Build,
    report: LemmaReport,
    *,
    allow: Iterable[str] = ALLOWED_AXIOMS,
    query_seconds: float = 0.0,
) -> Result:
    """The formal result of ``claim`` from a query ``report`` of ``lemma`` (see the module docstring)."""
    allowed = frozenset(allow)
    fb = build.library_of(lemma)
    evidence = {
        "lemma": lemma,
        "file": fb.file if fb else None,
        "file_sha256": fb.source_sha256 if fb else None,
        "vo_sha256": fb.vo_sha256 if fb else None,
        "compile_seconds": round(fb.seconds, 3) if fb else None,
        "build_digest": build.digest,
        "cached_build": build.cached,
        "query_seconds": round(query_seconds, 3),
        "coq": build.versions.get("coq"),
        "mathcomp": build.versions.get("mathcomp"),
    }
    kw = {"evidence": evidence, "versions": dict(build.versions), "scope": Scope.universal(FORMAL_SCOPE)}
    if fb is not None and fb.status is FileStatus.FAILED:
        return Result.error(claim, expected, f"{claim}: {fb.file} does not compile:\n{fb.error}", **kw)
    if fb is not None and fb.status is FileStatus.BLOCKED:
        return Result.error(claim, expected, f"{claim}: {fb.file} not built: its dependencies {', '.join(fb.blocked_by)} failed", **kw)
    if fb is not None and fb.status is FileStatus.TIMED_OUT:
        return Result.error(claim, expected, f"{claim}: {fb.file} not built within the time limit", **kw)
    if report.error is not None:
        return Result.error(claim, expected, f"{claim}: {report.error}", **kw)
    evidence.update(
        statement=report.canonical,
        readable_statement=report.readable,
        assumptions=[{"name": a.name, "kind": a.kind, "type": a.type} for a in report.assumptions],
    )
    if normalise(expected) != normalise(report.canonical):
        return Result.error(
            claim, expected,
            f"{claim}: the Coq statement of {lemma} differs from the blueprint's\n"
            + statement_difference(expected, report.canonical)
            + f"\n(readable: {report.readable})",
            **kw,
        )
    extra = [a for a in report.assumptions if a.kind != "axiom" or a.name not in allowed]
    if extra:
        what = "Admitted" if report.admitted else "rests on"
        names = ", ".join(a.name if a.kind == "axiom" else f"{a.name} ({a.kind})" for a in extra)
        return Result.unknown(
            claim, expected,
            f"{claim}: {lemma} {what} {names} outside the allowed axioms; this takes the claim off the formal level",
            **kw,
        )
    return Result.proved(claim, expected, Level.FORMAL, kw.pop("scope"), seconds=fb.seconds, **kw)


def recheck(build: Build, *, timeout: float = 1800.0, dependencies: bool = False) -> Mapping[str, object]:
    """Re-check the compiled libraries of ``build`` with ``coqchk`` (for ``make formal-check``).

    Parameters
    ----------
    dependencies : bool
        Also re-check the libraries they load (the standard library and MathComp; slow). By default
        those are admitted (``coqchk -norec``) and only the project's own libraries are checked.

    Returns
    -------
    dict
        ``{"ok": bool, "reason": str | None, "libraries": [...], "seconds": float, "output": str}``;
        ``ok`` is ``False`` (with ``reason``) when the toolchain is missing, nothing compiled,
        coqchk fails or it runs past ``timeout``.
    """
    if not build.available:
        return {"ok": False, "reason": build.reason, "libraries": [], "seconds": 0.0, "output": ""}
    libraries = [fb.library for fb in build.files.values() if fb.status is FileStatus.COMPILED]
    if not libraries:
        return {"ok": False, "reason": "no compiled library to check", "libraries": [], "seconds": 0.0, "output": ""}
    targets = libraries if dependencies else [x for lib in libraries for x in ("-norec", lib)]
    args = [build.toolchain.tool("coqchk"), "-silent", "-o", *build.project.coq_flags(warnings=False), *targets]
    rc, out, seconds = run_limited(args, build.project.root, time.monotonic() + timeout)
    reason = None if rc == 0 else ("time limit reached" if rc is None else f"coqchk exited with {rc}")
    return {"ok": rc == 0, "reason": reason, "libraries": libraries, "seconds": seconds, "output": out}

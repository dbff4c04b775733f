"""Claims bound to their checks: a checker declares the statement it establishes and its premises.

A proof's checkers live in its own folder (``proofs/<paper>/checkers/``) and declare themselves::

    from memproof.blueprint.declare import declare

    L6 = declare("L6", uses=(), statement=\"\"\"
    For F = [[U, A], [V, C]] with U of full row rank r and G = V U⁺: rank F ≥ r + rank(C − G A).
    \"\"\")

    def check_L6(ctx):
        ...
        return L6.combine(parts)       # a Result about exactly the declared statement


    L6.checker(check_L6)

``@L6.checker`` as a decorator registers the same way; the paper's checkers register by a call after
the definition because mutmut (``make mutation``) never mutates a decorated function's body.

The blueprint names the checker by its registry name (``- checker: check_L6``), never by an import
path. :func:`bind` refuses a blueprint whose statement, ``uses:`` or checker disagree with the
declaration (:class:`StatementMismatchError`, exit 3 in ``memproof verify``), so the words a reader
sees are the words that were checked. Statements are compared after folding white space only.

>>> d = declare("X1", uses=("A1",), statement="1 + 1 = 2.")
>>> @d.checker
... def check_X1(ctx):
...     return d.combine([Result.proved("X1", "1 + 1 = 2 in Z", Level.EXACT, Scope.universal())])
>>> ClaimRegistry([d]).get("check_X1").id
'X1'
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from ..errors import ProofGraphError
from ..results import Level, Outcome, Result, Scope  # noqa: F401  (Level, Scope: doctest namespace)
from .parse import Blueprint, Claim

Checker = Callable[..., Result]


def normalise(text: str) -> str:
    """A statement with its white space folded (the only difference :func:`bind` forgives)."""
    return " ".join(text.split())


class StatementMismatchError(ProofGraphError):
    """The blueprint and the checkers' declarations disagree (statement, premises or checker)."""


@dataclasses.dataclass(eq=False)
class ClaimDeclaration:
    """What a checker establishes: the claim ``id``, its ``statement`` (with the hypotheses it
    needs), the premises it ``uses`` and the checker function (set by :meth:`checker`); for a claim
    proved in Coq also the lemma (``coq``) and the SHA-256 of its canonical statement (``coq_sha256``,
    :func:`statement_digest`), so that neither the lemma nor its statement can be swapped in the
    blueprint alone."""

    id: str
    statement: str
    uses: tuple[str, ...] = ()
    check: Checker | None = None
    coq: str | None = None
    coq_sha256: str | None = None

    def checker(self, fn: Checker) -> Checker:
        """Register ``fn`` as the checker that establishes this declaration (a call or a decorator)."""
        if self.check is not None:
            raise ProofGraphError(f"claim {self.id} already has the checker {self.check.__name__}")
        self.check = fn
        return fn

    @property
    def name(self) -> str:
        """The registry name the blueprint uses (``check_L6``)."""
        if self.check is None:
            raise ProofGraphError(f"claim {self.id} is declared but has no checker (register one with {self.id}.checker(fn))")
        return self.check.__name__

    def combine(self, parts: Iterable[Result], **kw: Any) -> Result:
        """:meth:`Result.combine` about exactly this declaration's claim and statement."""
        return Result.combine(self.id, normalise(self.statement), parts, **kw)

    def not_established(self, reason: str, parts: Iterable[Result] = ()) -> Result:
        """An honest *unknown*: what was checked (``parts``, typically steps) does not establish the
        whole statement; ``reason`` says what is missing."""
        parts = tuple(parts)
        failed = [f"{p.statement!r}: {p.outcome.value}" for p in parts if p.outcome is not Outcome.PROVED]
        why = reason + (f"; parts not proved: {'; '.join(failed)}" if failed else "")
        return Result.unknown(self.id, normalise(self.statement), why, parts=parts)

    def matches(self, result: Result) -> bool:
        return result.claim == self.id and normalise(result.statement) == normalise(self.statement)


def statement_digest(text: str) -> str:
    """SHA-256 of a statement with its white space folded (how a declaration pins a Coq statement)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def declare(claim_id: str, *, statement: str, uses: Iterable[str] = (), coq: str | None = None,
            coq_sha256: str | None = None) -> ClaimDeclaration:
    """Declare the statement a checker establishes (see the module docstring)."""
    if not normalise(statement):
        raise ProofGraphError(f"claim {claim_id}: empty statement")
    if (coq is None) != (coq_sha256 is None):
        raise ProofGraphError(f"claim {claim_id}: a Coq lemma is declared with the digest of its statement (or neither)")
    return ClaimDeclaration(claim_id, statement.strip(), tuple(uses), coq=coq, coq_sha256=coq_sha256)


class ClaimRegistry:
    """A proof's checkers by registry name (``check_L6``), each with its declaration."""

    def __init__(self, declarations: Iterable[ClaimDeclaration]):
        self._by_name: dict[str, ClaimDeclaration] = {}
        for decl in declarations:
            if decl.name in self._by_name:
                raise ProofGraphError(f"two checkers are named {decl.name!r} ({self._by_name[decl.name].id}, {decl.id})")
            self._by_name[decl.name] = decl

    @classmethod
    def from_modules(cls, *modules: ModuleType) -> "ClaimRegistry":
        """Every :class:`ClaimDeclaration` defined at module level in ``modules``."""
        return cls(v for m in modules for v in vars(m).values() if isinstance(v, ClaimDeclaration))

    def get(self, name: str) -> ClaimDeclaration:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(sorted(self._by_name))
            raise ProofGraphError(f"no checker named {name!r} in the proof's registry (known: {known})") from None

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)


def _diff(expected: str, got: str) -> str:
    a, b = normalise(expected).split(" "), normalise(got).split(" ")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append(f"declared {' '.join(a[i1:i2])!r} ≠ blueprint {' '.join(b[j1:j2])!r}")
    return "; ".join(out)


def claim_mismatches(claim: Claim, decl: ClaimDeclaration) -> list[str]:
    """Every way ``claim`` (as the blueprint states it) differs from its checker's declaration."""
    problems = []
    if decl.id != claim.id:
        problems.append(f"{claim.id}: its checker {decl.name} establishes {decl.id}, not {claim.id}")
        return problems
    if normalise(decl.statement) != normalise(claim.statement):
        problems.append(f"{claim.id}: the blueprint's statement is not the one {decl.name} establishes: "
                        + _diff(decl.statement, claim.statement))
    if decl.coq != claim.coq:
        problems.append(f"{claim.id}: the blueprint names the Coq lemma {claim.coq}, the declaration of {decl.name} {decl.coq}")
    elif claim.coq_statement is not None and statement_digest(claim.coq_statement) != decl.coq_sha256:
        problems.append(f"{claim.id}: the blueprint's Coq statement of {claim.coq} is not the one {decl.name} declares "
                        f"(sha256 {statement_digest(claim.coq_statement)[:16]}… ≠ {str(decl.coq_sha256)[:16]}…)")
    if set(decl.uses) != set(claim.uses):
        missing, extra = sorted(set(decl.uses) - set(claim.uses)), sorted(set(claim.uses) - set(decl.uses))
        problems.append(f"{claim.id}: uses differ from the declaration of {decl.name}"
                        + (f"; missing premises {', '.join(missing)}" if missing else "")
                        + (f"; undeclared premises {', '.join(extra)}" if extra else ""))
    return problems


def bind(blueprint: Blueprint, registry: ClaimRegistry) -> Mapping[str, ClaimDeclaration]:
    """The declaration behind each claim with a checker; raises :class:`StatementMismatchError`
    naming every claim whose statement, premises or checker disagree with its declaration."""
    bound: dict[str, ClaimDeclaration] = {}
    problems: list[str] = []
    for claim in blueprint.claims:
        if claim.checker is None:
            continue
        try:
            decl = registry.get(claim.checker)
        except ProofGraphError as exc:
            problems.append(f"{claim.id}: {exc}")
            continue
        found = claim_mismatches(claim, decl)
        problems += found
        if not found:
            bound[claim.id] = decl
    if problems:
        where = f" ({blueprint.source})" if blueprint.source else ""
        raise StatementMismatchError(f"the blueprint{where} disagrees with its checkers:\n  " + "\n  ".join(problems))
    return bound

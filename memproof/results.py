"""Results as certificates: outcome, level, scope and evidence of a checked claim.

A :class:`Result` is what every checker returns. It is never a bare boolean:

- **outcome** — proved / refuted (with a counterexample) / unknown (with the reason) / skipped /
  error;
- **level** — what backs it, strongest first: exact > rigorous > SMT > symbolic > empirical;
- **scope** — what it is about: one instance, a parameter box, or all parameters (universal);
- **evidence** — JSON data sufficient to re-check it without memproof (rational strings, ball
  strings, SMT-LIB text, witness subsets, seeds).

A result may rest on *parts* (sub-results). A part's ``role`` says what it establishes
(``docs/levels-and-reports.md``: a scope belongs to the part that establishes the *whole* statement):

- ``"proof"`` — the proof parts *together* establish the whole statement: the claim's level is the
  weakest level and its scope the narrowest scope among them (several instance parts: the claim is
  about all of those instances, each named in the scope);
- ``"step"`` — one step of the argument (an identity, an inequality) with its own statement and
  scope; it must hold, but it never lends its level or scope to the claim;
- ``"corroboration"`` — further checks that must not fail, and do not lower the level.

Asking for the truth of an undecided result raises :class:`~memproof.errors.UndecidedError` (as
SymPy relations do).

>>> r = Result.proved("X1", "1 + 1 = 2", Level.EXACT, Scope.universal())
>>> bool(r), r.level.name
(True, 'EXACT')
>>> u = Result.unknown("X2", "hard", "precision too low")
>>> bool(u)
Traceback (most recent call last):
...
memproof.errors.UndecidedError: X2 is unknown: precision too low
"""
from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any, Iterator

from .errors import InvalidArgumentError, UndecidedError


class Level(enum.IntEnum):
    """Strength of the arithmetic behind a result; larger is stronger."""

    EMPIRICAL = 1  #: numpy float64 / torch: evidence, never a proof
    SYMBOLIC = 2  #: sympy identities, limits, series (a CAS, not a trusted prover)
    SMT = 3  #: z3 / cvc5 decided the (negated) statement unsatisfiable
    RIGOROUS = 4  #: ball / interval enclosures (python-flint arb)
    EXACT = 5  #: rational or modular arithmetic (python-flint fmpz/fmpq/nmod)
    FORMAL = 6  #: a Coq lemma checked by Coq's kernel (``Print Assumptions`` within the allow-list)

    @classmethod
    def parse(cls, value: str | "Level") -> "Level":
        """Level from its name, case-insensitive (``"rigorous"`` → ``Level.RIGOROUS``)."""
        if isinstance(value, Level):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            names = ", ".join(level.label for level in sorted(cls, reverse=True))
            raise InvalidArgumentError("level", repr(value), f"one of {names}") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Outcome(str, enum.Enum):
    """What a check concluded."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    ERROR = "error"


class ScopeKind(str, enum.Enum):
    """What a result is about, narrowest first."""

    INSTANCE = "instance"
    BOX = "box"
    UNIVERSAL = "universal"

    @property
    def breadth(self) -> int:
        """0 instance, 1 box, 2 universal (for comparing scopes)."""
        return _SCOPE_ORDER[self]


_SCOPE_ORDER = {ScopeKind.INSTANCE: 0, ScopeKind.BOX: 1, ScopeKind.UNIVERSAL: 2}


@dataclasses.dataclass(frozen=True)
class Scope:
    """The object a result is about: ``kind`` plus a description in the paper's symbols.

    ``about`` names the object for instance results — ``"real-number construction"`` (the exact
    mathematical object defined by the stored inputs) or ``"stored float matrix"``.
    """

    kind: ScopeKind
    description: str = ""

    @classmethod
    def instance(cls, description: str = "") -> "Scope":
        return cls(ScopeKind.INSTANCE, description)

    @classmethod
    def box(cls, description: str) -> "Scope":
        return cls(ScopeKind.BOX, description)

    @classmethod
    def universal(cls, description: str = "all parameters") -> "Scope":
        return cls(ScopeKind.UNIVERSAL, description)

    def wider_than(self, other: "Scope") -> bool:
        return _SCOPE_ORDER[self.kind] > _SCOPE_ORDER[other.kind]

    @staticmethod
    def narrowest(scopes: Iterable["Scope"]) -> "Scope":
        """What a conjunction of results is about: the narrowest kind among ``scopes``, described by
        every distinct description of that kind (``"a; b"``), so that no instance goes unnamed.

        >>> str(Scope.narrowest([Scope.universal(), Scope.instance("E1"), Scope.instance("E2")]))
        'instance: E1; E2'
        """
        scopes = list(scopes)
        if not scopes:
            raise InvalidArgumentError("scopes", "none", "at least one scope")
        kind = min((s.kind for s in scopes), key=_SCOPE_ORDER.__getitem__)
        texts = list(dict.fromkeys(s.description for s in scopes if s.kind is kind and s.description))
        return Scope(kind, "; ".join(texts))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "description": self.description}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> "Scope":
        return cls(ScopeKind(data["kind"]), data.get("description", ""))

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.description}" if self.description else self.kind.value


PROOF, STEP, CORROBORATION = "proof", "step", "corroboration"
ROLES = (PROOF, STEP, CORROBORATION)


@dataclasses.dataclass(frozen=True)
class Result:
    """A checked claim: a certificate, not a boolean. See the module docstring."""

    claim: str
    statement: str
    outcome: Outcome
    level: Level | None
    scope: Scope
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    counterexample: Mapping[str, Any] | None = None
    margins: Mapping[str, float] = dataclasses.field(default_factory=dict)
    parts: tuple["Result", ...] = ()
    role: str = PROOF
    seconds: float = 0.0
    seed: int | None = None
    versions: Mapping[str, str] | None = None

    # ----------------------------------------------------------------- constructors
    @classmethod
    def proved(cls, claim: str, statement: str, level: Level, scope: Scope, **kw: Any) -> "Result":
        return cls(claim, statement, Outcome.PROVED, level, scope, **kw)

    @classmethod
    def refuted(
        cls,
        claim: str,
        statement: str,
        level: Level,
        scope: Scope,
        counterexample: Mapping[str, Any],
        **kw: Any,
    ) -> "Result":
        return cls(claim, statement, Outcome.REFUTED, level, scope, counterexample=counterexample, **kw)

    @classmethod
    def unknown(cls, claim: str, statement: str, reason: str, scope: Scope | None = None, **kw: Any) -> "Result":
        return cls(claim, statement, Outcome.UNKNOWN, kw.pop("level", None), scope or Scope.instance(), reason=reason, **kw)

    @classmethod
    def skipped(cls, claim: str, statement: str, reason: str, **kw: Any) -> "Result":
        return cls(claim, statement, Outcome.SKIPPED, None, kw.pop("scope", Scope.instance()), reason=reason, **kw)

    @classmethod
    def error(cls, claim: str, statement: str, reason: str, **kw: Any) -> "Result":
        return cls(claim, statement, Outcome.ERROR, None, kw.pop("scope", Scope.instance()), reason=reason, **kw)

    @classmethod
    def combine(cls, claim: str, statement: str, parts: Iterable["Result"], **kw: Any) -> "Result":
        """Combine sub-results into the result of one claim (see the module docstring for roles).

        Outcome: refuted if a proof or corroboration part is refuted (the statement fails on it);
        unknown if a *step* is refuted (the argument as checked does not go through, which does
        not make the statement false); else error if any part errored, else unknown if any part is
        not proved; otherwise proved. Level and scope come from the proof parts only: the weakest
        level and the narrowest scope (:meth:`Scope.narrowest`). There must be at least one proof
        part — steps alone never establish a claim.
        """
        parts = tuple(parts)
        if bad := [p.role for p in parts if p.role not in ROLES]:
            raise InvalidArgumentError("parts", f"roles {bad}", f"roles among {ROLES}")
        proof_parts = [p for p in parts if p.role == PROOF]
        if not proof_parts:
            raise InvalidArgumentError("parts", f"{len(parts)} parts, none with role 'proof'",
                                       "at least one part that establishes the whole statement",
                                       hint="steps and corroborations never establish a claim on their own")
        refuted = [p for p in parts if p.outcome is Outcome.REFUTED and p.role != STEP]
        if refuted:
            first = refuted[0]
            return cls(
                claim, statement, Outcome.REFUTED, first.level, first.scope,
                counterexample=first.counterexample, reason=f"refuted by part: {first.statement}",
                parts=parts, **kw,
            )
        scope = Scope.narrowest(p.scope for p in proof_parts)
        failed = [p for p in parts if p.outcome is not Outcome.PROVED]
        if failed:
            outcome = Outcome.ERROR if any(p.outcome is Outcome.ERROR for p in failed) else Outcome.UNKNOWN
            reason = "; ".join(f"{p.role} {p.statement!r}: {p.outcome.value} ({p.reason})" for p in failed)
            return cls(claim, statement, outcome, None, scope, reason=reason, parts=parts, **kw)
        level = min(p.level for p in proof_parts)  # type: ignore[type-var]
        return cls(claim, statement, Outcome.PROVED, level, scope, parts=parts, **kw)

    # ------------------------------------------------------------------- queries
    @property
    def decided(self) -> bool:
        return self.outcome in (Outcome.PROVED, Outcome.REFUTED)

    def __bool__(self) -> bool:
        if self.outcome is Outcome.PROVED:
            return True
        if self.outcome is Outcome.REFUTED:
            return False
        raise UndecidedError(f"{self.claim} is {self.outcome.value}: {self.reason}")

    def meets(self, level: Level) -> bool:
        """Proved at ``level`` or stronger."""
        return self.outcome is Outcome.PROVED and self.level is not None and self.level >= level

    def replace(self, **changes: Any) -> "Result":
        return dataclasses.replace(self, **changes)

    def as_corroboration(self) -> "Result":
        return self.replace(role=CORROBORATION)

    def as_step(self) -> "Result":
        """This result as one step of a larger argument: it keeps its own statement and scope."""
        return self.replace(role=STEP)

    # ------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "statement": self.statement,
            "outcome": self.outcome.value,
            "level": self.level.label if self.level is not None else None,
            "scope": self.scope.to_dict(),
            "evidence": jsonable(self.evidence),
            "reason": self.reason,
            "counterexample": jsonable(self.counterexample) if self.counterexample is not None else None,
            "margins": {k: jsonable(float(v)) for k, v in self.margins.items()},
            "parts": [p.to_dict() for p in self.parts],
            "role": self.role,
            "seconds": round(float(self.seconds), 6),
            "seed": self.seed,
            "versions": dict(self.versions) if self.versions else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Result":
        return cls(
            claim=data["claim"],
            statement=data["statement"],
            outcome=Outcome(data["outcome"]),
            level=Level.parse(data["level"]) if data.get("level") else None,
            scope=Scope.from_dict(data["scope"]),
            evidence=data.get("evidence") or {},
            reason=data.get("reason"),
            counterexample=data.get("counterexample"),
            margins=data.get("margins") or {},
            parts=tuple(cls.from_dict(p) for p in data.get("parts", ())),
            role=data.get("role", PROOF),
            seconds=float(data.get("seconds", 0.0)),
            seed=data.get("seed"),
            versions=data.get("versions"),
        )

    def summary(self) -> str:
        level = self.level.label if self.level is not None else "-"
        text = f"{self.claim}: {self.outcome.value} [{level}; {self.scope.kind.value}]"
        return text + (f" — {self.reason}" if self.reason and self.outcome is not Outcome.PROVED else "")


def jsonable(value: Any) -> Any:
    """Convert evidence to JSON types (numpy arrays and scalars; fractions, flint numbers and non-finite
    floats → str)."""
    import numpy as np

    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return str(float(value))  # "inf", "-inf", "nan": JSON has no such numbers
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` holds the elapsed seconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start

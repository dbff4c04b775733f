"""SMT tier: prove universal statements over the reals with z3 (optional extra ``memproof[smt]``).

A statement ``∀ vars: hypotheses ⇒ goal`` is proved by asking z3 whether ``hypotheses ∧ ¬goal`` is
satisfiable: *unsat* proves it, *sat* refutes it with a model (a counterexample), *unknown* or a
timeout decides nothing. The query is exported as SMT-LIB 2 text so anyone can re-check it with
any SMT solver (``z3 file.smt2``) or with :func:`recheck_smtlib`.

**Evidence text is not trusted.** :func:`recheck_smtlib` takes the claim's query *builder* with the
text: it regenerates the query (hypotheses ∧ ¬goal), compares the text's assertions with it and
refuses any extra, missing or different assertion (an appended ``(assert false)`` would otherwise
"prove" anything) before the solver runs; only then are the builder's own assertions solved.

z3 is imported inside the functions (never when memproof is imported). Without it every query
returns an ``"unknown"`` outcome that says how to install it.

**Convention for exp (the exp abstraction).** z3's real arithmetic is polynomial: it has no
``exp``. A term ``exp(t)`` is replaced by a fresh real variable ``E`` together with facts that hold
for the real exponential, so every real counterexample survives the abstraction and *unsat* still
proves the original statement:

- ``E > 0`` and ``E ≥ 1 + t`` (the tangent at 0, valid for every real t);
- ``t ≥ lo ⇒ E ≥ L`` and ``t ≤ hi ⇒ E ≤ U`` with rationals ``L ≤ exp(lo)``, ``U ≥ exp(hi)``
  computed rigorously with arb (:func:`exp_abstraction`);
- monotonicity between abstracted exponentials: ``t_i ≤ t_j ⇒ E_i ≤ E_j`` and
  ``t_i < t_j ⇒ E_i < E_j`` (:func:`exp_monotonicity`).

A *sat* answer to an abstracted query may be spurious (the model need not respect the true exp),
so call :func:`prove_forall` with ``sat_refutes=False``: sat then yields ``"unknown"`` with the
candidate model.

>>> def build(z3):
...     x, y = z3.Reals("x y")
...     return [x, y], [x > 0, y > 0], (x + y) ** 2 >= 4 * x * y
>>> out = prove_forall(build)
>>> out.status
'proved'
>>> recheck_smtlib(out.smtlib, build).status
'proved'
"""
from __future__ import annotations

import dataclasses
import time
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from ..errors import InvalidArgumentError
from ..validation import describe

__all__ = [
    "SmtOutcome",
    "z3_available",
    "prove_forall",
    "recheck_smtlib",
    "exp_abstraction",
    "exp_monotonicity",
]

INSTALL_HINT = "z3 is not installed: pip install memproof[smt] (or pip install z3-solver)"
HEADER = "; memproof: the assertions are hypotheses ∧ ¬goal; unsat proves ∀ vars: hypotheses ⇒ goal\n"


@dataclasses.dataclass(frozen=True)
class SmtOutcome:
    """The answer to one SMT query.

    Attributes
    ----------
    status : {"proved", "refuted", "unknown"}
    smtlib : str
        The full SMT-LIB 2 text of the query (``hypotheses ∧ ¬goal`` then ``(check-sat)``); empty when
        no query was built.
    model : dict of str to str, or None
        The counterexample when refuted (or the candidate model of an abstracted query):
        rationals as ``"p/q"``, algebraic numbers as SMT-LIB ``root-obj`` terms.
    seconds : float
    reason : str
    solver : str
        Solver name and version (``"z3 4.x"``).
    """

    status: str
    smtlib: str
    model: Mapping[str, str] | None
    seconds: float
    reason: str
    solver: str = ""

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def to_evidence(self) -> dict[str, Any]:
        """JSON-ready evidence (re-check the SMT-LIB text with any SMT solver)."""
        return {"status": self.status, "smtlib": self.smtlib, "model": dict(self.model) if self.model else None,
                "solver": self.solver, "reason": self.reason, "seconds": round(self.seconds, 6)}


def _import_z3() -> Any | None:
    try:
        import z3
    except ImportError:
        return None
    return z3


def z3_available() -> bool:
    """Whether the optional z3 backend can be imported."""
    return _import_z3() is not None


def _timeout(timeout_ms: Any) -> int:
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms < 1:
        raise InvalidArgumentError("timeout_ms", describe(timeout_ms), "a positive integer number of milliseconds")
    return timeout_ms


def _value_str(z3: Any, v: Any) -> str:
    if z3.is_rational_value(v):
        f = v.as_fraction()
        return str(Fraction(f.numerator, f.denominator))
    if z3.is_int_value(v):
        return str(v.as_long())
    if z3.is_true(v):
        return "true"
    if z3.is_false(v):
        return "false"
    return v.sexpr()  # algebraic numbers: (root-obj ...), re-parseable SMT-LIB


def _model_dict(z3: Any, model: Any, variables: Sequence[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in variables:
        out[str(v)] = _value_str(z3, model.eval(v, model_completion=True))
    for d in model.decls():
        if d.arity() == 0 and d.name() not in out:
            out[d.name()] = _value_str(z3, model[d])
    return out


def _run(z3: Any, solver: Any, smtlib: str, variables: Sequence[Any], start: float, sat_refutes: bool) -> "SmtOutcome":
    answer = solver.check()
    seconds = time.perf_counter() - start
    name = f"z3 {z3.get_version_string()}"
    if answer == z3.unsat:
        return SmtOutcome("proved", smtlib, None, seconds, "hypotheses ∧ ¬goal is unsatisfiable", name)
    if answer == z3.sat:
        model = _model_dict(z3, solver.model(), variables)
        if sat_refutes:
            return SmtOutcome("refuted", smtlib, model, seconds, "hypotheses ∧ ¬goal is satisfiable: the model is a counterexample", name)
        return SmtOutcome("unknown", smtlib, model, seconds,
                          "the abstracted query is satisfiable; the model may be spurious (it need not respect the abstracted functions)", name)
    why = solver.reason_unknown()
    return SmtOutcome("unknown", smtlib, None, seconds, f"z3 answered unknown ({why}); raise timeout_ms or simplify the query", name)


def prove_forall(
    build: Callable[[Any], tuple[Sequence[Any], Sequence[Any], Any]],
    *,
    timeout_ms: int = 20000,
    sat_refutes: bool = True,
) -> SmtOutcome:
    """Prove ``∀ variables: ∧ hypotheses ⇒ goal`` with z3.

    Parameters
    ----------
    build : callable
        ``build(z3) -> (variables, hypotheses, goal)``: receives the ``z3`` module and returns the
        universally quantified z3 constants, a sequence of Boolean hypotheses and the Boolean goal.
        (Passing the module keeps z3 an optional, lazily imported dependency.)
    timeout_ms : int
        Solver time limit in milliseconds.
    sat_refutes : bool
        Whether a satisfying model of ``hypotheses ∧ ¬goal`` refutes the statement. Set ``False``
        when the query over-approximates (e.g. the exp abstraction): sat then gives ``"unknown"``.

    Returns
    -------
    SmtOutcome

    >>> def false_claim(z3):
    ...     x = z3.Real("x")
    ...     return [x], [x > 0], x * x > x
    >>> out = prove_forall(false_claim)
    >>> out.status, Fraction(out.model["x"]) <= 1
    ('refuted', True)
    """
    timeout_ms = _timeout(timeout_ms)
    _require_builder(build)
    z3 = _import_z3()
    if z3 is None:
        return SmtOutcome("unknown", "", None, 0.0, INSTALL_HINT)
    start = time.perf_counter()
    variables, assertions = _query(z3, build)
    solver = _solver(z3, assertions, timeout_ms)
    return _run(z3, solver, HEADER + solver.to_smt2(), variables, start, sat_refutes)


def _require_builder(build: Any) -> None:
    if not callable(build):
        raise InvalidArgumentError("build", describe(build), "a callable build(z3) -> (variables, hypotheses, goal)")


def _query(z3: Any, build: Callable[[Any], tuple[Sequence[Any], Sequence[Any], Any]]) -> tuple[list[Any], list[Any]]:
    """``(variables, assertions)`` of the query ``hypotheses ∧ ¬goal`` that ``build`` describes."""
    built = build(z3)
    if not (isinstance(built, (tuple, list)) and len(built) == 3):
        raise InvalidArgumentError("build", f"a callable returning {describe(built)}", "a callable returning (variables, hypotheses, goal)")
    variables, hypotheses, goal = built
    variables, hypotheses = list(variables), list(hypotheses)
    for v in variables:
        if not (z3.is_const(v) and v.decl().kind() == z3.Z3_OP_UNINTERPRETED):
            raise InvalidArgumentError("variables", describe(v), "z3 constants such as z3.Real('x')")
    for h in hypotheses + [goal]:
        if not z3.is_bool(h):
            raise InvalidArgumentError("hypotheses/goal", describe(h), "z3 Boolean expressions")
    return variables, hypotheses + [z3.Not(goal)]


def _solver(z3: Any, assertions: Sequence[Any], timeout_ms: int) -> Any:
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    for a in assertions:
        solver.add(a)
    return solver


def recheck_smtlib(text: str, build: Callable[[Any], tuple[Sequence[Any], Sequence[Any], Any]], timeout_ms: int = 20000,
                   *, sat_refutes: bool = True) -> SmtOutcome:
    """Re-check exported SMT-LIB evidence ``text`` against the claim's query builder ``build``.

    ``build`` is the same ``build(z3) -> (variables, hypotheses, goal)`` that :func:`prove_forall`
    was given (e.g. :func:`memproof.lemmas.saturation.l1_bound_query` ``()`` for L4). The text is parsed
    (``z3.parse_smt2_string``) and its assertions must be exactly the builder's ``hypotheses ∧ ¬goal``,
    in order; an extra, missing or different assertion raises :class:`InvalidArgumentError` before the
    solver runs. The builder's assertions are then solved afresh: unsat proves the statement, sat
    refutes it (``sat_refutes``) with a model.

    >>> def build(z3):
    ...     x = z3.Real("x")
    ...     return [x], [], x * x >= 0
    >>> text = prove_forall(build).smtlib
    >>> recheck_smtlib(text, build).status
    'proved'
    >>> recheck_smtlib(text + "(assert false)", build)
    Traceback (most recent call last):
    ...
    memproof.errors.InvalidArgumentError: invalid argument 'text': got SMT-LIB text with an assertion the claim's query does not have (#1: false); expected exactly the query of the claim's builder (hypotheses ∧ ¬goal): extra, missing or different assertions are refused
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError("text", describe(text), "non-empty SMT-LIB 2 text")
    timeout_ms = _timeout(timeout_ms)
    _require_builder(build)
    z3 = _import_z3()
    if z3 is None:
        return SmtOutcome("unknown", text, None, 0.0, INSTALL_HINT)
    start = time.perf_counter()
    try:
        parsed = list(z3.parse_smt2_string(text))
    except z3.Z3Exception as exc:
        raise InvalidArgumentError("text", f"SMT-LIB text that z3 cannot parse ({exc})", "valid SMT-LIB 2 text") from None
    variables, assertions = _query(z3, build)
    solver = _solver(z3, assertions, timeout_ms)
    # compare parsed with parsed: the regenerated query goes through the same printer and parser
    _same_assertions(parsed, list(z3.parse_smt2_string(solver.to_smt2())))
    return _run(z3, solver, text, variables, start, sat_refutes)


def _same_assertions(parsed: Sequence[Any], expected: Sequence[Any]) -> None:
    """Raise unless the parsed evidence assertions are the expected ones (same terms, same order)."""
    want = "exactly the query of the claim's builder (hypotheses ∧ ¬goal): extra, missing or different assertions are refused"
    for i, (got, exp) in enumerate(zip(parsed, expected)):
        if not got.eq(exp):
            raise InvalidArgumentError("text", f"SMT-LIB text whose assertion #{i} is {got.sexpr()[:120]} where the claim's "
                                       f"query has {exp.sexpr()[:120]}", want)
    if len(parsed) > len(expected):
        extra = parsed[len(expected)]
        raise InvalidArgumentError("text", f"SMT-LIB text with an assertion the claim's query does not have "
                                   f"(#{len(expected)}: {extra.sexpr()[:120]})", want)
    if len(parsed) < len(expected):
        raise InvalidArgumentError("text", f"SMT-LIB text with {len(parsed)} assertions; the claim's query has {len(expected)}", want)


def _to_fraction(x: Any, name: str) -> Fraction:
    if isinstance(x, bool):
        raise InvalidArgumentError(name, describe(x), "a finite rational or float")
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            raise InvalidArgumentError(name, describe(x), "a finite rational or float")
        return Fraction(x)
    raise InvalidArgumentError(name, describe(x), "an int, Fraction or float")


def exp_abstraction(z3: Any, t: Any, name: str, *, lower: Any = None, upper: Any = None) -> tuple[Any, list[Any]]:
    """Abstract ``exp(t)`` by a fresh positive real variable and facts true of the real exponential.

    Parameters
    ----------
    z3 : module
        The z3 module (as passed to a ``build`` callback).
    t : z3 arithmetic expression
        The exponent.
    name : str
        Name of the fresh variable standing for ``exp(t)``.
    lower, upper : int, Fraction or float, optional
        Rational points ``lo``/``hi``; adds ``t ≥ lo ⇒ E ≥ L`` and ``t ≤ hi ⇒ E ≤ U`` with
        rationals ``L ≤ exp(lo)`` and ``U ≥ exp(hi)`` from a rigorous arb enclosure.

    Returns
    -------
    (E, facts)
        ``E`` the z3 real standing for ``exp(t)``; ``facts`` a list of Boolean constraints that hold
        for ``E = exp(t)`` for every real ``t`` — add them to the hypotheses and prove with
        ``sat_refutes=False``.

    >>> def build(z3):
    ...     t = z3.Real("t")
    ...     e, facts = exp_abstraction(z3, t, "exp_t", lower=1)
    ...     return [t], facts + [t >= 1], e > 2.7
    >>> prove_forall(build, sat_refutes=False).status
    'proved'
    """
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError("name", describe(name), "a non-empty variable name")
    if not z3.is_arith(t):
        raise InvalidArgumentError("t", describe(t), "a z3 arithmetic expression")
    from flint import arb, fmpq

    from .rigorous import arb_to_fraction_bounds, working_precision

    e = z3.Real(name)
    facts = [e > 0, e >= 1 + t]
    with working_precision(128):
        if lower is not None:
            lo = _to_fraction(lower, "lower")
            lo_bound, _ = arb_to_fraction_bounds(arb(fmpq(lo.numerator, lo.denominator)).exp())
            facts.append(z3.Implies(t >= z3.Q(lo.numerator, lo.denominator), e >= z3.Q(lo_bound.numerator, lo_bound.denominator)))
        if upper is not None:
            hi = _to_fraction(upper, "upper")
            _, hi_bound = arb_to_fraction_bounds(arb(fmpq(hi.numerator, hi.denominator)).exp())
            facts.append(z3.Implies(t <= z3.Q(hi.numerator, hi.denominator), e <= z3.Q(hi_bound.numerator, hi_bound.denominator)))
    return e, facts


def exp_monotonicity(z3: Any, pairs: Sequence[tuple[Any, Any]]) -> list[Any]:
    """Monotonicity facts between abstracted exponentials ``E_i = exp(t_i)``.

    For every ordered pair: ``t_i ≤ t_j ⇒ E_i ≤ E_j`` and ``t_i < t_j ⇒ E_i < E_j``.

    >>> def build(z3):
    ...     a, b = z3.Reals("a b")
    ...     ea, fa = exp_abstraction(z3, a, "exp_a")
    ...     eb, fb = exp_abstraction(z3, b, "exp_b")
    ...     return [a, b], fa + fb + exp_monotonicity(z3, [(a, ea), (b, eb)]) + [a < b], ea < eb
    >>> prove_forall(build, sat_refutes=False).status
    'proved'
    """
    pairs = list(pairs)
    facts = []
    for i, (ti, ei) in enumerate(pairs):
        for j, (tj, ej) in enumerate(pairs):
            if i != j:
                facts += [z3.Implies(ti <= tj, ei <= ej), z3.Implies(ti < tj, ei < ej)]
    return facts

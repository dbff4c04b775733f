"""SMT tier (memproof.arith.smt): proofs, refutations with checked models, SMT-LIB re-checks."""
from __future__ import annotations

import sys
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memproof.arith import smt
from memproof.errors import InvalidArgumentError

z3 = pytest.importorskip("z3")


def am_gm(z3):
    x, y = z3.Reals("x y")
    return [x, y], [x > 0, y > 0], (x + y) ** 2 >= 4 * x * y


def test_proves_a_true_universal_statement_and_rechecks_its_text():
    out = smt.prove_forall(am_gm)
    assert out.status == "proved" and out.proved and out.model is None
    assert "(check-sat)" in out.smtlib and "declare-fun x () Real" in out.smtlib
    again = smt.recheck_smtlib(out.smtlib, am_gm)
    assert again.status == "proved"
    assert out.solver.startswith("z3 ") and out.seconds >= 0
    assert out.to_evidence()["smtlib"] == out.smtlib


def test_refutes_a_false_statement_with_a_model_that_violates_it():
    def false_claim(z3):
        x, y = z3.Reals("x y")
        return [x, y], [x > 0, y > 0], x * y >= x + y  # false near 0

    out = smt.prove_forall(false_claim)
    assert out.status == "refuted"
    x, y = Fraction(out.model["x"]), Fraction(out.model["y"])
    assert x > 0 and y > 0 and not (x * y >= x + y)  # the counterexample, checked exactly in Python
    again = smt.recheck_smtlib(out.smtlib, false_claim)
    assert again.status == "refuted"
    x2, y2 = Fraction(again.model["x"]), Fraction(again.model["y"])
    assert x2 > 0 and y2 > 0 and not (x2 * y2 >= x2 + y2)


@settings(max_examples=20, deadline=None)
@given(st.integers(-20, 20), st.integers(-20, 20), st.integers(1, 5))
def test_linear_implications_are_decided_correctly(a, b, k):
    # ∀x: k·x > a ⇒ x > b/k ... true iff a ≥ b
    def build(z3):
        x = z3.Real("x")
        return [x], [k * x > a], k * x > b

    out = smt.prove_forall(build)
    if a >= b:
        assert out.status == "proved"
    else:
        assert out.status == "refuted"
        x = Fraction(out.model["x"])
        assert k * x > a and not (k * x > b)


def test_algebraic_counterexamples_are_exported_as_smtlib_terms():
    def build(z3):
        x = z3.Real("x")
        return [x], [x * x == 2], x < 0  # refuted only by x = √2, an algebraic number
    out = smt.prove_forall(build)
    assert out.status == "refuted"
    assert "root-obj" in out.model["x"]


def test_undecided_queries_are_unknown_with_a_reason():
    def fermat_cubes(z3):  # nonlinear integer arithmetic: undecidable in general
        x, y, z = z3.Ints("x y z")
        return [x, y, z], [x > 0, y > 0, z > 0], x * x * x + y * y * y != z * z * z

    out = smt.prove_forall(fermat_cubes, timeout_ms=200)
    assert out.status == "unknown" and "timeout_ms" in out.reason


def test_exp_abstraction_facts_hold_for_the_real_exponential():
    t = z3.Real("t")
    e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=Fraction(-1, 3), upper=2.5)
    assert len(facts) == 4
    with mpmath.workdps(90):
        # points with irrational exp (t ≠ 0), so no fact is tight at exp(t)
        for tv in (Fraction(-1, 3), Fraction(1, 1000), Fraction(5, 2), Fraction(-7), Fraction(9)):
            ev = mpmath.exp(mpmath.mpf(tv.numerator) / tv.denominator)
            # bracket exp(tv) by rationals 1e-60 apart; every fact must hold at both ends
            lo = Fraction(str(mpmath.nstr(ev - mpmath.mpf("1e-60"), 80)))
            hi = Fraction(str(mpmath.nstr(ev + mpmath.mpf("1e-60"), 80)))
            for val in (lo, hi):
                for fact in facts:
                    sub = z3.substitute(fact, (t, z3.Q(tv.numerator, tv.denominator)), (e, z3.Q(val.numerator, val.denominator)))
                    assert z3.is_true(z3.simplify(sub)), (tv, fact)


def test_exp_abstraction_proves_and_sat_is_not_a_refutation():
    def true_claim(z3):
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=1)
        return [t], facts + [t >= 1], e > Fraction(27, 10)

    assert smt.prove_forall(true_claim, sat_refutes=False).status == "proved"

    def too_strong_for_the_abstraction(z3):  # true (e^1 < 2.72) but the abstraction cannot show it
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=1)
        return [t], facts + [t == 1], e < Fraction(272, 100)

    out = smt.prove_forall(too_strong_for_the_abstraction, sat_refutes=False)
    assert out.status == "unknown" and out.model is not None and "spurious" in out.reason


def test_exp_monotonicity_is_used():
    def build(z3):
        a, b = z3.Reals("a b")
        ea, fa = smt.exp_abstraction(z3, a, "exp_a")
        eb, fb = smt.exp_abstraction(z3, b, "exp_b")
        return [a, b], fa + fb + smt.exp_monotonicity(z3, [(a, ea), (b, eb)]) + [a <= b], ea <= eb

    assert smt.prove_forall(build, sat_refutes=False).status == "proved"

    def without(z3):
        a, b = z3.Reals("a b")
        ea, fa = smt.exp_abstraction(z3, a, "exp_a")
        eb, fb = smt.exp_abstraction(z3, b, "exp_b")
        return [a, b], fa + fb + [a <= b], ea <= eb

    assert smt.prove_forall(without, sat_refutes=False).status == "unknown"


@pytest.mark.parametrize("build", [
    "not callable",
    lambda z3: (1, 2),
    lambda z3: ([z3.Real("x") + 1], [], z3.BoolVal(True)),
    lambda z3: ([z3.Real("x")], [z3.Real("x")], z3.BoolVal(True)),
])
def test_prove_forall_rejects_bad_builds(build):
    with pytest.raises(InvalidArgumentError):
        smt.prove_forall(build)


@pytest.mark.parametrize("kw", [{"timeout_ms": 0}, {"timeout_ms": 1.5}, {"timeout_ms": True}])
def test_prove_forall_rejects_bad_timeouts(kw):
    with pytest.raises(InvalidArgumentError):
        smt.prove_forall(am_gm, **kw)


@pytest.mark.parametrize("text", ["", "   ", "(assert (> x", 42])
def test_recheck_rejects_bad_text(text):
    with pytest.raises(InvalidArgumentError):
        smt.recheck_smtlib(text, am_gm)


def test_exp_abstraction_validates():
    with pytest.raises(InvalidArgumentError):
        smt.exp_abstraction(z3, z3.Bool("p"), "e")
    with pytest.raises(InvalidArgumentError):
        smt.exp_abstraction(z3, z3.Real("t"), "")
    with pytest.raises(InvalidArgumentError):
        smt.exp_abstraction(z3, z3.Real("t"), "e", lower=float("nan"))


def test_without_z3_queries_are_unknown_with_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "z3", None)  # makes `import z3` raise ImportError
    assert not smt.z3_available()
    out = smt.prove_forall(am_gm)
    assert out.status == "unknown" and "pip install memproof[smt]" in out.reason and out.smtlib == ""
    assert smt.recheck_smtlib("(check-sat)", am_gm).status == "unknown"


def _holds_at(facts, point):
    """Whether every fact is true after substituting ``point`` ({z3 constant: Fraction})."""
    subs = [(v, z3.Q(x.numerator, x.denominator)) for v, x in point.items()]
    return all(z3.is_true(z3.simplify(z3.substitute(f, *subs))) for f in facts)


@pytest.mark.parametrize("kw", [{}, {"lower": 0}, {"upper": 0}, {"lower": 0, "upper": 0}])
def test_exp_abstraction_facts_hold_where_exp_is_rational(kw):
    # exp(0) = 1 exactly: the one point where a tangent or a bound computed at 0 is tight, so a
    # strict ``E > 1 + t`` or ``t ≥ 0 ⇒ E > 1`` (false at t = 0) would let z3 "prove" exp(0) ≠ 1
    t = z3.Real("t")
    e, facts = smt.exp_abstraction(z3, t, "exp_t", **kw)
    assert _holds_at(facts, {t: Fraction(0), e: Fraction(1)})

    def exp0_is_not_1(z3):
        tt = z3.Real("t")
        ee, ff = smt.exp_abstraction(z3, tt, "exp_t", **kw)
        return [tt], ff + [tt == 0], ee != 1

    assert smt.prove_forall(exp0_is_not_1, sat_refutes=False).status == "unknown"


def test_exp_abstraction_positivity_is_strict_for_very_negative_t():
    def exp_is_positive(z3):  # ∀t: exp(t) > 0 (the tangent 1 + t says nothing for t ≤ -1)
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t")
        return [t], facts + [t <= -5], e > 0

    assert smt.prove_forall(exp_is_positive, sat_refutes=False).status == "proved"


@pytest.mark.parametrize("lower, upper", [(Fraction(1, 2), None), (None, Fraction(-1, 2)), (0.5, None), (None, -0.5)])
def test_exp_abstraction_bounds_use_the_whole_rational(lower, upper):
    # exp(1/2) = 1.6487... and exp(-1/2) = 0.6065...: a bound computed from the numerator alone
    # (exp(1) = 2.718... or exp(-1) = 0.367...) would prove the false exp(1/2) ≥ 2 or exp(-1/2) ≤ 1/2
    def false_claim(z3):
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=lower, upper=upper)
        if lower is not None:
            return [t], facts + [t == Fraction(1, 2)], e >= 2
        return [t], facts + [t == Fraction(-1, 2)], e <= Fraction(1, 2)

    def true_claim(z3):
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=lower, upper=upper)
        if lower is not None:
            return [t], facts + [t >= Fraction(1, 2)], e >= Fraction(1648, 1000)
        return [t], facts + [t <= Fraction(-1, 2)], e <= Fraction(607, 1000)

    assert smt.prove_forall(false_claim, sat_refutes=False).status == "unknown"
    assert smt.prove_forall(true_claim, sat_refutes=False).status == "proved"


def test_exp_monotonicity_is_not_strict_between_equal_exponents():
    def equal_exponents_strict(z3):  # false: a = b gives exp(a) = exp(b)
        a, b = z3.Reals("a b")
        ea, fa = smt.exp_abstraction(z3, a, "exp_a")
        eb, fb = smt.exp_abstraction(z3, b, "exp_b")
        return [a, b], fa + fb + smt.exp_monotonicity(z3, [(a, ea), (b, eb)]) + [a == b], ea < eb

    assert smt.prove_forall(equal_exponents_strict, sat_refutes=False).status == "unknown"
    a, b, ea, eb = z3.Reals("a b ea eb")
    facts = smt.exp_monotonicity(z3, [(a, ea), (b, eb)])
    assert len(facts) == 4 and _holds_at(facts, {a: Fraction(1), b: Fraction(1), ea: Fraction(3), eb: Fraction(3)})
    assert not _holds_at(facts, {a: Fraction(1), b: Fraction(2), ea: Fraction(3), eb: Fraction(3)})


def test_outcome_evidence_is_the_full_record():
    out = smt.prove_forall(lambda z3: ([z3.Real("x")], [z3.Real("x") > 0], z3.Real("x") * z3.Real("x") > z3.Real("x")))
    ev = out.to_evidence()
    assert ev == {"status": "refuted", "smtlib": out.smtlib, "model": dict(out.model), "solver": out.solver,
                  "reason": out.reason, "seconds": round(out.seconds, 6)}
    assert ev["solver"].startswith("z3 ") and ev["model"] and "x" in ev["model"]
    rec = smt.SmtOutcome("proved", "(check-sat)", None, 0.12345678, "r", "z3 4")
    assert rec.to_evidence() == {"status": "proved", "smtlib": "(check-sat)", "model": None, "solver": "z3 4",
                                 "reason": "r", "seconds": 0.123457}


@pytest.mark.parametrize("bad, kw, name, passed, expected", [
    (None, {"name": ""}, "name", "str ''", "a non-empty variable name"),
    (None, {"name": 3}, "name", "int 3", "a non-empty variable name"),
    ("bool", {"name": "e"}, "t", None, "a z3 arithmetic expression"),
    (None, {"name": "e", "lower": float("nan")}, "lower", None, "a finite rational or float"),
    (None, {"name": "e", "upper": float("-inf")}, "upper", None, "a finite rational or float"),
    (None, {"name": "e", "lower": float("inf")}, "lower", None, "a finite rational or float"),
    (None, {"name": "e", "lower": True}, "lower", None, "a finite rational or float"),
    (None, {"name": "e", "upper": "1"}, "upper", None, "an int, Fraction or float"),
])
def test_exp_abstraction_refusals_name_the_argument(bad, kw, name, passed, expected):
    from memproof.validation import describe

    t = z3.Bool("p") if bad == "bool" else z3.Real("t")
    with pytest.raises(InvalidArgumentError) as err:
        smt.exp_abstraction(z3, t, **kw)
    value = t if name == "t" else kw[name]
    assert (err.value.name, err.value.passed, err.value.expected) == (name, describe(value), expected)
    if passed is not None:
        assert err.value.passed == passed


def test_recheck_refusals_name_the_text():
    from memproof.validation import describe

    for text in ("", "  ", 42):
        with pytest.raises(InvalidArgumentError) as err:
            smt.recheck_smtlib(text, am_gm)
        assert (err.value.name, err.value.passed, err.value.expected) == ("text", describe(text), "non-empty SMT-LIB 2 text")
    with pytest.raises(InvalidArgumentError) as err:
        smt.recheck_smtlib("(assert (> x", am_gm)
    assert err.value.name == "text" and err.value.expected == "valid SMT-LIB 2 text"
    assert err.value.passed.startswith("SMT-LIB text that z3 cannot parse (")


def test_recheck_refuses_a_changed_or_missing_assertion_by_name():
    want = "exactly the query of the claim's builder (hypotheses ∧ ¬goal): extra, missing or different assertions are refused"
    text = smt.prove_forall(am_gm).smtlib
    lines = text.splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("(assert"))
    with pytest.raises(InvalidArgumentError) as err:
        smt.recheck_smtlib("\n".join(lines[:last] + lines[last + 2:]), am_gm)   # "(assert" and its term
    assert (err.value.name, err.value.expected) == ("text", want)
    assert err.value.passed == "SMT-LIB text with 2 assertions; the claim's query has 3"
    with pytest.raises(InvalidArgumentError) as err:
        smt.recheck_smtlib(text.replace("(> x 0.0)", "(> x 1.0)"), am_gm)
    assert (err.value.name, err.value.expected) == ("text", want)
    assert err.value.passed.startswith("SMT-LIB text whose assertion #0 is (> x 1.0) where the claim's query has (> x 0.0)")


def test_recheck_without_z3_keeps_the_text(monkeypatch):
    monkeypatch.setitem(sys.modules, "z3", None)
    out = smt.recheck_smtlib("(check-sat)", am_gm)
    assert (out.status, out.smtlib, out.model, out.seconds, out.reason) == ("unknown", "(check-sat)", None, 0.0, smt.INSTALL_HINT)


def test_models_name_every_variable_and_abstraction():
    def build(z3):
        x, n, b, c, u = z3.Real("x"), z3.Int("n"), z3.Bool("b"), z3.Bool("c"), z3.Real("u")
        return [x, n, b, c, u], [x == Fraction(1, 2), n == 3, b, z3.Not(c)], z3.Not(b)   # u is unconstrained

    out = smt.prove_forall(build)
    assert out.status == "refuted"
    assert out.model == {"x": "1/2", "n": "3", "b": "true", "c": "false", "u": "0"}

    def abstracted(z3):  # the model of an abstracted query also names the variable standing for exp(t)
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t", lower=1)
        return [t], facts + [t == 1], e < Fraction(272, 100)

    model = smt.prove_forall(abstracted, sat_refutes=False).model
    assert set(model) == {"t", "exp_t"} and model["t"] == "1" and Fraction(model["exp_t"]) >= Fraction(27, 10)


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100"])
def test_timeout_refusals_name_the_argument(bad):
    from memproof.validation import describe

    with pytest.raises(InvalidArgumentError) as err:
        smt.prove_forall(am_gm, timeout_ms=bad)
    assert (err.value.name, err.value.passed, err.value.expected) == ("timeout_ms", describe(bad), "a positive integer number of milliseconds")


def test_a_one_millisecond_timeout_is_accepted():
    assert smt.prove_forall(lambda z3: ([z3.Real("x")], [], z3.Real("x") * z3.Real("x") >= 0), timeout_ms=1).status in ("proved", "unknown")
    assert smt.recheck_smtlib(smt.prove_forall(am_gm).smtlib, am_gm, timeout_ms=1).status in ("proved", "unknown")


@pytest.mark.parametrize("build, name, passed, expected", [
    ("not callable", "build", "str 'not callable'", "a callable build(z3) -> (variables, hypotheses, goal)"),
    (lambda z3: (1, 2), "build", "a callable returning tuple (1, 2)", "a callable returning (variables, hypotheses, goal)"),
    (lambda z3: ([z3.Real("x") + 1], [], z3.BoolVal(True)), "variables", None, "z3 constants such as z3.Real('x')"),
    (lambda z3: ([z3.RealVal(1)], [], z3.BoolVal(True)), "variables", None, "z3 constants such as z3.Real('x')"),
    (lambda z3: ([z3.Real("x")], [z3.Real("x")], z3.BoolVal(True)), "hypotheses/goal", None, "z3 Boolean expressions"),
])
def test_bad_builds_are_refused_by_name(build, name, passed, expected):
    with pytest.raises(InvalidArgumentError) as err:
        smt.prove_forall(build)
    assert (err.value.name, err.value.expected) == (name, expected)
    if passed is not None:
        assert err.value.passed == passed
    else:
        assert err.value.passed.split(" ")[0] in ("ArithRef", "RatNumRef")


def test_outcomes_say_why_and_how_long():
    proved = smt.prove_forall(am_gm)
    refuted = smt.prove_forall(lambda z3: ([z3.Real("x")], [], z3.Real("x") > 0))

    def abstracted(z3):
        t = z3.Real("t")
        e, facts = smt.exp_abstraction(z3, t, "exp_t")
        return [t], facts, e > 2

    spurious = smt.prove_forall(abstracted, sat_refutes=False)
    undecided = smt.prove_forall(lambda z3: ([x := z3.Int("x"), y := z3.Int("y"), z := z3.Int("z")], [x > 0, y > 0, z > 0],
                                             x * x * x + y * y * y != z * z * z), timeout_ms=200)
    assert proved.reason == "hypotheses ∧ ¬goal is unsatisfiable" and proved.model is None
    assert refuted.reason == "hypotheses ∧ ¬goal is satisfiable: the model is a counterexample"
    assert spurious.status == "unknown" and spurious.model is not None
    assert spurious.reason == "the abstracted query is satisfiable; the model may be spurious (it need not respect the abstracted functions)"
    assert undecided.status == "unknown" and undecided.model is None
    assert undecided.reason.startswith("z3 answered unknown (") and undecided.reason.endswith("); raise timeout_ms or simplify the query")
    for out in (proved, refuted, spurious, undecided):
        assert out.smtlib.startswith(smt.HEADER) and out.smtlib.rstrip().endswith("(check-sat)")
        assert out.solver.startswith("z3 ") and 0.0 <= out.seconds < 60.0


def test_negative_integers_in_models_are_plain_numbers():
    out = smt.prove_forall(lambda z3: ([n := z3.Int("n")], [n == -3], n > 0))
    assert out.status == "refuted" and out.model == {"n": "-3"}


def test_prove_forall_without_z3_is_unknown_at_no_cost(monkeypatch):
    monkeypatch.setitem(sys.modules, "z3", None)
    out = smt.prove_forall(am_gm)
    assert (out.status, out.smtlib, out.model, out.seconds, out.reason) == ("unknown", "", None, 0.0, smt.INSTALL_HINT)


def test_models_leave_out_uninterpreted_functions():
    def build(z3):
        x = z3.Real("x")
        f = z3.Function("f", z3.RealSort(), z3.RealSort())
        return [x], [f(x) > 1, x == -1], x > 0

    out = smt.prove_forall(build)
    assert out.status == "refuted" and out.model == {"x": "-1"}


def test_unknown_says_why_z3_gave_up_and_recheck_keeps_the_text():
    def fermat(z3):
        x, y, z = z3.Ints("x y z")
        return [x, y, z], [x > 0, y > 0, z > 0], x * x * x + y * y * y != z * z * z

    out = smt.prove_forall(fermat, timeout_ms=200)
    why = out.reason[len("z3 answered unknown ("):].split(")")[0]
    assert out.status == "unknown" and why not in ("", "None")
    text = smt.prove_forall(am_gm).smtlib
    assert smt.recheck_smtlib(text, am_gm).smtlib == text

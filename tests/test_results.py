"""Results as certificates: outcomes, levels, combination rules, three-valued truth, JSON round trip."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from memproof.errors import InvalidArgumentError, UndecidedError
from memproof.results import CORROBORATION, Level, Outcome, Result, Scope, ScopeKind


def proved(level=Level.EXACT, scope=Scope.instance(), **kw):
    return Result.proved("X", "s", level, scope, **kw)


def test_level_order_and_parse():
    assert Level.FORMAL > Level.EXACT > Level.RIGOROUS > Level.SMT > Level.SYMBOLIC > Level.EMPIRICAL
    assert Level.parse("Rigorous") is Level.RIGOROUS
    with pytest.raises(InvalidArgumentError, match="one of formal, exact, rigorous"):
        Level.parse("proof")


def test_truth_is_three_valued():
    assert bool(proved()) is True
    assert bool(Result.refuted("X", "s", Level.EXACT, Scope.instance(), {"x": 1})) is False
    for undecided in (Result.unknown("X", "s", "why"), Result.skipped("X", "s", "why"), Result.error("X", "s", "boom")):
        with pytest.raises(UndecidedError, match="X is"):
            bool(undecided)


def test_combine_takes_weakest_proof_level_and_widest_scope():
    parts = [proved(Level.SMT, Scope.universal()), proved(Level.EXACT, Scope.instance()),
             proved(Level.EMPIRICAL, Scope.instance()).as_corroboration()]
    r = Result.combine("X", "claim", parts)
    assert r.outcome is Outcome.PROVED and r.level is Level.SMT and r.scope.kind is ScopeKind.UNIVERSAL


def test_combine_refuted_part_refutes_even_if_corroboration():
    bad = Result.refuted("X", "instance", Level.EXACT, Scope.instance(), {"witness": [1, 2]}).replace(role=CORROBORATION)
    r = Result.combine("X", "claim", [proved(Level.SYMBOLIC, Scope.universal()), bad])
    assert r.outcome is Outcome.REFUTED and r.counterexample == {"witness": [1, 2]}


def test_combine_unknown_and_error():
    r = Result.combine("X", "c", [proved(), Result.unknown("X", "p", "precision")])
    assert r.outcome is Outcome.UNKNOWN and "precision" in r.reason and r.level is None
    r = Result.combine("X", "c", [Result.unknown("X", "p", "u"), Result.error("X", "q", "boom")])
    assert r.outcome is Outcome.ERROR
    with pytest.raises(InvalidArgumentError):
        Result.combine("X", "c", [])


def test_meets():
    assert proved(Level.RIGOROUS).meets(Level.SMT)
    assert not proved(Level.SYMBOLIC).meets(Level.SMT)
    assert not Result.unknown("X", "s", "u").meets(Level.EMPIRICAL)


@settings(max_examples=30, deadline=None)
@given(level=st.sampled_from(list(Level)), seconds=st.floats(0, 1e3), seed=st.integers(0, 2**31),
       vals=st.lists(st.integers(-5, 5), max_size=4))
def test_json_round_trip(level, seconds, seed, vals):
    inner = Result.refuted("L3", "inner", level, Scope.box("n ≤ 3"), {"v": np.array(vals)}).as_corroboration()
    r = Result.combine("L3", "outer", [proved(level, Scope.universal("all")), inner]).replace(seconds=seconds, seed=seed)
    data = json.loads(json.dumps(r.to_dict()))
    back = Result.from_dict(data)
    assert back.to_dict() == data
    assert back.outcome is Outcome.REFUTED and back.parts[1].counterexample == {"v": vals}

"""SMT evidence is re-checked against the claim's query builder: edited texts are refused before solving."""
from __future__ import annotations

import inspect
import re

import pytest

from memproof.arith import smt
from memproof.errors import InvalidArgumentError
from memproof_proofs.mahdavi2024.checkers import l4_saturation as L4

pytest.importorskip("z3")


def _recheck(text, build, **kw):
    """The re-check as the current API spells it (the builder is required)."""
    return smt.recheck_smtlib(text, build, **kw)


def test_l4_evidence_rechecks_with_its_builder():
    build = L4.l1_bound_query()
    out = smt.prove_forall(build)
    assert out.status == "proved"
    assert _recheck(out.smtlib, build).status == "proved"
    # the refuted variant (constant 1.5 < 2) rechecks as refuted, with a model
    weak = L4.l1_bound_query(1.5)
    bad = smt.prove_forall(weak)
    again = _recheck(bad.smtlib, weak)
    assert again.status == "refuted" and again.model


@pytest.mark.parametrize("edit", [
    lambda t: t + "\n(assert false)\n",
    lambda t: t.replace("(check-sat)", "(assert false)\n(check-sat)"),
    lambda t: t.replace("(check-sat)", "(assert (< B 0.0))\n(check-sat)"),
])
def test_appended_assertion_is_refused_before_solving(edit, monkeypatch):
    build = L4.l1_bound_query(1.5)  # a FALSE claim: (assert false) would make it "proved"
    text = edit(smt.prove_forall(build).smtlib)
    import z3

    monkeypatch.setattr(z3.Solver, "check", lambda self, *a: pytest.fail("the solver ran on a refused text"))
    with pytest.raises(InvalidArgumentError, match="refused"):
        _recheck(text, build)


def test_changed_or_dropped_hypothesis_is_refused():
    build = L4.l1_bound_query()
    text = smt.prove_forall(build).smtlib
    with pytest.raises(InvalidArgumentError, match="assertion"):
        _recheck(text.replace("(>= n 2)", "(>= n 3)"), build)
    dropped = re.sub(r"\(assert\s*\(>= n 2\)\)", "", text)  # the hypothesis n ≥ 2 removed
    assert dropped != text
    with pytest.raises(InvalidArgumentError, match="refused"):
        _recheck(dropped, build)


def test_evidence_of_another_claim_is_refused():
    other = smt.prove_forall(L4._exponent_bound).smtlib
    with pytest.raises(InvalidArgumentError):
        _recheck(other, L4.l1_bound_query())


def test_whitespace_and_comments_do_not_matter():
    build = L4.l1_bound_query()
    text = smt.prove_forall(build).smtlib
    assert _recheck("; re-exported\n" + text.replace("\n", "\n\n"), build).status == "proved"


def test_the_builder_is_required():
    assert "build" in inspect.signature(smt.recheck_smtlib).parameters
    with pytest.raises(TypeError):
        smt.recheck_smtlib("(check-sat)")  # no builder: the text alone is never trusted
    with pytest.raises(InvalidArgumentError):
        smt.recheck_smtlib("(check-sat)", "not a builder")

"""A fast sample of known-dangerous mutants, run in the default suite (the full run is ``make mutation``).

Each case rewrites one line of a checker's source (the text must occur exactly once, so a refactor
that moves it fails here loudly instead of silently testing nothing), installs the mutated function
wherever the original is referenced, and asserts that the named tests — which pass on the real code —
fail against it (an assertion fails, or memproof itself refuses an inconsistent state). The cases are the soundness-critical ones of docs/mutation.md: a Kruskal sweep that
never re-checks a zero minor (or never trusts one), a certificate verifier that skips an entry or
the exact check of one, a Kruskal result that refutes a level its interval leaves open, and a
rigorous bound that drops the balls' radii.
"""
from __future__ import annotations

import __future__
import inspect
import sys
import textwrap

import pytest

import test_mutation_kills_arith as arith_kills
import test_kruskal_trust as trust_kills
import test_mutation_kills_kruskal as kruskal_kills
from memproof.arith import rigorous
from memproof.kruskal import sweep
from memproof.kruskal.engine import KruskalResult
from memproof.kruskal.sweep import SweepCertificate


def _mutant(func, old: str, new: str):
    """``func`` recompiled with the single occurrence of ``old`` in its source replaced by ``new``."""
    src = textwrap.dedent(inspect.getsource(func))
    assert src.count(old) == 1, f"{func.__qualname__}: {old!r} occurs {src.count(old)} times"
    namespace = dict(func.__globals__)
    code = compile(src.replace(old, new), inspect.getsourcefile(func), "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, namespace)
    return namespace[func.__name__]


def _install(monkeypatch, owner, name: str, mutated) -> None:
    """Put ``mutated`` in place of ``owner.name`` and of every module-level alias of the original."""
    original = getattr(owner, name)
    monkeypatch.setattr(owner, name, mutated)
    for module in list(sys.modules.values()):
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                monkeypatch.setattr(module, attr, mutated)


CASES = [
    pytest.param(sweep, "_run_batch", "if not fam.is_independent(S):", "if False:",
                 [kruskal_kills.test_genuine_zero_stops_the_sweep_with_the_dependent_subset,
                  kruskal_kills.test_planted_circuit_among_generic_vectors_is_found_by_the_projected_sweep],
                 id="sweep-never-rechecks-a-zero-minor"),
    pytest.param(sweep, "_run_batch", "if not fam.is_independent(S):", "if True:",
                 [lambda: kruskal_kills.test_spurious_zeros_are_resolved_exactly_and_recorded(256),
                  kruskal_kills.test_kruskal_rank_of_planted_spurious_zeros_is_exact],
                 id="sweep-trusts-every-zero-mod-p"),
    pytest.param(SweepCertificate, "_structure", "for z in self.zero_minors:", "for z in self.zero_minors[1:]:",
                 [kruskal_kills.test_dependent_subset_recorded_as_spurious_zero_is_refused],
                 id="verifier-skips-a-zero-record"),
    pytest.param(SweepCertificate, "_structure", "if not fam.is_independent(sub):", "if False:",
                 [kruskal_kills.test_dependent_subset_recorded_as_spurious_zero_is_refused],
                 id="verifier-trusts-the-recorded-resolution"),
    pytest.param(SweepCertificate, "problems", "    if out:\n        return out\n", "    return out\n",
                 [kruskal_kills.test_spurious_zero_left_out_is_refused],
                 id="verifier-never-replays"),
    pytest.param(KruskalResult, "at_least_decided", "if self.upper < k:", "if self.upper <= k:",
                 [trust_kills.test_result_decides_only_what_its_certificates_decide],
                 id="result-refutes-an-undecided-level"),
    pytest.param(rigorous, "_inf_norm_upper", "[x.abs_upper() for x in r.entries()]", "[abs(x.mid()) for x in r.entries()]",
                 [arith_kills.test_wide_enclosure_containing_a_singular_matrix_is_not_proved],
                 id="rigorous-bound-drops-the-radii"),
]


@pytest.mark.parametrize("owner,name,old,new,tests", CASES)
def test_known_dangerous_mutant_is_killed(monkeypatch, owner, name, old, new, tests):
    for t in tests:  # the tests pass on the real code ...
        t()
    _install(monkeypatch, owner, name, _mutant(getattr(owner, name), old, new))
    for t in tests:  # ... and each one fails against the mutant (an assertion, or memproof refusing
        with pytest.raises(Exception):  # noqa: B017 - an inconsistent state, as the engine does when a
            t()  # "dependent" subset from the sweep turns out independent)

"""The blueprint: parsing, graph validation (cycles, dangling ids), dependency-order runner, exit codes."""
import textwrap

import pytest

from memproof.blueprint import default_blueprint_path, dependency_graph, exit_code, load_blueprint, parse_blueprint, run_blueprint
from memproof.errors import ProofGraphError
from memproof.results import Level, Outcome, Result, Scope

HERE = "tests.test_blueprint"


def ok_checker(ctx):
    return Result.proved("X", "ok", Level.EXACT, Scope.universal())


def symbolic_checker(ctx):
    return Result.proved("X", "ok", Level.SYMBOLIC, Scope.universal())


def refuting_checker(ctx):
    return Result.refuted("X", "bad", Level.EXACT, Scope.instance(), {"witness": 1})


def raising_checker(ctx):
    raise RuntimeError("boom")


def premise_recorder(ctx):
    return Result.proved("X", "saw " + ",".join(sorted(ctx.premises)), Level.EXACT, Scope.instance())


def blueprint(sections: str):
    return parse_blueprint("# Test proof\nPreamble.\n\n" + textwrap.dedent(sections))


def claim(cid, uses="none", checker=None, kind="lemma"):
    return f"## {cid} — title {cid}\n- kind: {kind}\n- uses: {uses}\n- checker: {checker or 'none'}\n\nStatement of {cid}.\n\n"


def test_parse_claims_metadata_and_statement():
    bp = blueprint(claim("A", checker=f"{HERE}:ok_checker") + claim("B", uses="A", checker=f"{HERE}:ok_checker", kind="theorem"))
    assert bp.title == "Test proof" and bp.ids == ("A", "B")
    b = bp.claim("B")
    assert b.uses == ("A",) and b.kind == "theorem" and b.statement == "Statement of B." and b.checker.endswith("ok_checker")
    with pytest.raises(ProofGraphError, match="unknown claim id 'C'"):
        bp.claim("C")


@pytest.mark.parametrize("text, message", [
    (claim("A") + claim("A"), "defined twice"),
    ("## A — t\n- kind: lemmata\n\nx\n", "has kind 'lemmata'"),
    ("## A — t\n- kind: lemma\n- checker: nocolon\n\nx\n", "not of the form module:function"),
    ("just text\n", "no claims found"),
])
def test_parse_errors(text, message):
    with pytest.raises(ProofGraphError, match=message):
        parse_blueprint(text)


def test_graph_rejects_dangling_ids_and_cycles():
    with pytest.raises(ProofGraphError, match="uses 'Z', which the blueprint does not define"):
        dependency_graph(blueprint(claim("A", uses="Z")))
    with pytest.raises(ProofGraphError, match="cycle: .*A.*B|cycle: .*B.*A"):
        dependency_graph(blueprint(claim("A", uses="B") + claim("B", uses="A")))
    with pytest.raises(ProofGraphError, match="uses itself"):
        dependency_graph(blueprint(claim("A", uses="A")))


def test_runner_order_premises_and_skips():
    bp = blueprint(
        claim("A", checker=f"{HERE}:ok_checker")
        + claim("R", checker=f"{HERE}:refuting_checker")
        + claim("U")  # no checker yet
        + claim("B", uses="A", checker=f"{HERE}:premise_recorder")
        + claim("C", uses="B, R", checker=f"{HERE}:ok_checker")
        + claim("D", uses="U", checker=f"{HERE}:ok_checker")
    )
    entries = {e.claim.id: e for e in run_blueprint(bp)}
    assert entries["B"].result.statement == "saw A"  # checker got its premises' results
    assert entries["C"].result.outcome is Outcome.SKIPPED and "premises not established: R" in entries["C"].result.reason
    assert entries["U"].result.outcome is Outcome.SKIPPED and "not yet checked" in entries["U"].result.reason
    assert entries["D"].result.outcome is Outcome.SKIPPED and "U" in entries["D"].result.reason
    assert entries["B"].established is Level.EXACT and entries["C"].established is None


def test_established_level_is_weakest_along_premises():
    bp = blueprint(claim("S", checker=f"{HERE}:symbolic_checker") + claim("T", uses="S", checker=f"{HERE}:ok_checker"))
    entries = {e.claim.id: e for e in run_blueprint(bp)}
    assert entries["T"].result.level is Level.EXACT and entries["T"].established is Level.SYMBOLIC
    assert exit_code(entries.values(), require=Level.SYMBOLIC) == 0
    assert exit_code(entries.values(), require=Level.SMT) == 2


def test_selected_claims_run_with_their_premises_only():
    bp = blueprint(claim("A", checker=f"{HERE}:ok_checker") + claim("B", uses="A", checker=f"{HERE}:ok_checker")
                   + claim("C", checker=f"{HERE}:raising_checker"))
    entries = run_blueprint(bp, claims=["B"])
    assert [(e.claim.id, e.selected) for e in entries] == [("A", False), ("B", True)]
    with pytest.raises(ProofGraphError, match="unknown claim id"):
        run_blueprint(bp, claims=["Q"])


def test_exit_codes():
    bp = blueprint(claim("A", checker=f"{HERE}:ok_checker") + claim("U"))
    assert exit_code(run_blueprint(bp)) == 0
    assert exit_code(run_blueprint(bp), strict=True) == 2
    bp_err = blueprint(claim("E", checker=f"{HERE}:raising_checker"))
    entries = run_blueprint(bp_err)
    assert entries[0].result.outcome is Outcome.ERROR and "RuntimeError: boom" in entries[0].result.reason
    assert exit_code(entries) == 3
    bp_ref = blueprint(claim("R", checker=f"{HERE}:refuting_checker") + claim("E", checker=f"{HERE}:raising_checker"))
    assert exit_code(run_blueprint(bp_ref)) == 1


def test_unknown_checker_path_is_an_error_result():
    entries = run_blueprint(blueprint(claim("A", checker="memproof:no_such_function")))
    assert entries[0].result.outcome is Outcome.ERROR and "no function 'no_such_function'" in entries[0].result.reason


def test_paper_blueprint_is_well_formed():
    bp = load_blueprint(default_blueprint_path())
    graph = dependency_graph(bp)
    expected = {"A1", "A2", "A3", "T1"} | {f"L{i}" for i in range(1, 9)} | {f"S{i}" for i in range(1, 9)} | {f"P{i}" for i in range(1, 5)}
    assert set(bp.ids) == expected
    assert {"S8", "A1", "A2"} <= set(graph.predecessors("T1"))
    for c in bp.claims:
        assert c.statement, c.id
        assert c.checker or c.planned, f"{c.id} has neither a checker nor a planned note"


def interrupting_checker(ctx):
    raise KeyboardInterrupt


def test_interrupt_keeps_finished_claims_and_marks_the_rest():
    from memproof.blueprint.runner import INTERRUPTED

    bp = blueprint(claim("A", checker=f"{HERE}:ok_checker") + claim("B", checker=f"{HERE}:interrupting_checker")
                   + claim("C", checker=f"{HERE}:ok_checker"))
    entries = {e.claim.id: e for e in run_blueprint(bp)}
    assert entries["A"].result.outcome is Outcome.PROVED
    assert entries["B"].result.reason == INTERRUPTED and entries["C"].result.reason == INTERRUPTED

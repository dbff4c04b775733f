"""The blueprint: parsing, graph validation (cycles, dangling ids), dependency-order runner, exit codes."""
import textwrap

import pytest

from memproof.blueprint import (ClaimRegistry, StatementMismatchError, bind, declare, default_blueprint_path, dependency_graph,
                                exit_code, load_blueprint, load_registry, parse_blueprint, run_blueprint)
from memproof.errors import ProofGraphError
from memproof.results import Level, Outcome, Result, Scope, ScopeKind

BEHAVIOURS = {
    "ok": lambda d, ctx: d.combine([Result.proved(d.id, "ok", Level.EXACT, Scope.universal())]),
    "symbolic": lambda d, ctx: d.combine([Result.proved(d.id, "ok", Level.SYMBOLIC, Scope.universal())]),
    "instance": lambda d, ctx: d.combine([Result.proved(d.id, "ok", Level.EXACT, Scope.instance("one matrix"))]),
    "refuting": lambda d, ctx: d.combine([Result.refuted(d.id, "bad", Level.EXACT, Scope.instance(), {"witness": 1})]),
    "raising": lambda d, ctx: (_ for _ in ()).throw(RuntimeError("boom")),
    "premises": lambda d, ctx: d.combine([Result.proved(d.id, "saw " + ",".join(sorted(ctx.premises)), Level.EXACT,
                                                        Scope.instance())]),
    "interrupting": lambda d, ctx: (_ for _ in ()).throw(KeyboardInterrupt()),
    "other_statement": lambda d, ctx: Result.proved(d.id, "something else", Level.EXACT, Scope.universal()),
    "other_claim": lambda d, ctx: Result.proved("Q", d.statement, Level.EXACT, Scope.universal()),
}


def registry_for(bp, behaviours):
    """A toy registry: claim id → behaviour name; each claim declares exactly the blueprint's text."""
    decls = []
    for c in bp.claims:
        if c.id not in behaviours:
            continue
        d = declare(c.id, uses=c.uses, statement=c.statement)
        fn = (lambda d, b: lambda ctx: BEHAVIOURS[b](d, ctx))(d, behaviours[c.id])
        fn.__name__ = f"check_{c.id}"
        d.checker(fn)
        decls.append(d)
    return ClaimRegistry(decls)


def run(bp, behaviours, **kw):
    return run_blueprint(bp, registry=registry_for(bp, behaviours), **kw)


def blueprint(sections: str):
    return parse_blueprint("# Test proof\nPreamble.\n\n" + textwrap.dedent(sections))


def claim(cid, uses="none", checked=True, kind="lemma"):
    checker = f"check_{cid}" if checked else "none"
    return f"## {cid} — title {cid}\n- kind: {kind}\n- uses: {uses}\n- checker: {checker}\n\nStatement of {cid}.\n\n"


def test_parse_claims_metadata_and_statement():
    bp = blueprint(claim("A") + claim("B", uses="A", kind="theorem"))
    assert bp.title == "Test proof" and bp.ids == ("A", "B")
    b = bp.claim("B")
    assert b.uses == ("A",) and b.kind == "theorem" and b.statement == "Statement of B." and b.checker == "check_B"
    with pytest.raises(ProofGraphError, match="unknown claim id 'C'"):
        bp.claim("C")


@pytest.mark.parametrize("text, message", [
    (claim("A") + claim("A"), "defined twice"),
    ("## A — t\n- kind: lemmata\n\nx\n", "has kind 'lemmata'"),
    ("## A — t\n- kind: lemma\n- checker: memproof.lemmas:check_L3\n\nx\n", "not a registry name"),
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
    bp = blueprint(claim("A") + claim("R") + claim("U", checked=False) + claim("B", uses="A")
                   + claim("C", uses="B, R") + claim("D", uses="U"))
    entries = {e.claim.id: e for e in run(bp, {"A": "ok", "R": "refuting", "B": "premises", "C": "ok", "D": "ok"})}
    assert entries["B"].result.parts[0].statement == "saw A"  # checker got its premises' results
    assert entries["C"].result.outcome is Outcome.SKIPPED and "premises not established: R" in entries["C"].result.reason
    assert entries["U"].result.outcome is Outcome.SKIPPED and "not yet checked" in entries["U"].result.reason
    assert entries["D"].result.outcome is Outcome.SKIPPED and "U" in entries["D"].result.reason
    assert entries["B"].established is Level.EXACT and entries["C"].established is None


def test_established_level_and_scope_are_weakest_along_premises():
    bp = blueprint(claim("S") + claim("I") + claim("T", uses="S, I"))
    entries = {e.claim.id: e for e in run(bp, {"S": "symbolic", "I": "instance", "T": "ok"})}
    t = entries["T"]
    assert t.result.level is Level.EXACT and t.result.scope.kind is ScopeKind.UNIVERSAL
    assert t.established is Level.SYMBOLIC and t.established_scope is ScopeKind.INSTANCE
    assert exit_code(entries.values(), require=Level.SYMBOLIC) == 0
    assert exit_code(entries.values(), require=Level.SMT) == 2


def test_assumptions_are_hypotheses_not_premises_that_narrow():
    """A theorem 'for every dataset satisfying A, ...' stays universal when A was checked on instances;
    but A must still be established for the theorem to run at all."""
    bp = blueprint(claim("A", kind="assumption") + claim("T", uses="A", kind="theorem"))
    entries = {e.claim.id: e for e in run(bp, {"A": "instance", "T": "ok"})}
    assert entries["T"].established is Level.EXACT and entries["T"].established_scope is ScopeKind.UNIVERSAL
    entries = {e.claim.id: e for e in run(bp, {"A": "refuting", "T": "ok"})}
    assert entries["T"].result.outcome is Outcome.SKIPPED and entries["T"].established is None
    as_lemma = blueprint(claim("A") + claim("T", uses="A", kind="theorem"))
    entries = {e.claim.id: e for e in run(as_lemma, {"A": "instance", "T": "ok"})}
    assert entries["T"].established_scope is ScopeKind.INSTANCE


def test_selected_claims_run_with_their_premises_only():
    bp = blueprint(claim("A") + claim("B", uses="A") + claim("C"))
    behaviours = {"A": "ok", "B": "ok", "C": "raising"}
    entries = run(bp, behaviours, claims=["B"])
    assert [(e.claim.id, e.selected) for e in entries] == [("A", False), ("B", True)]
    with pytest.raises(ProofGraphError, match="unknown claim id"):
        run(bp, behaviours, claims=["Q"])


def test_exit_codes():
    bp = blueprint(claim("A") + claim("U", checked=False))
    assert exit_code(run(bp, {"A": "ok"})) == 0
    assert exit_code(run(bp, {"A": "ok"}), strict=True) == 2
    entries = run(blueprint(claim("E")), {"E": "raising"})
    assert entries[0].result.outcome is Outcome.ERROR and "RuntimeError: boom" in entries[0].result.reason
    assert exit_code(entries) == 3
    assert exit_code(run(blueprint(claim("R") + claim("E")), {"R": "refuting", "E": "raising"})) == 1


# --------------------------------------------------------------- statements bound to checks (trust.md rule 1)
def test_checker_missing_from_registry_is_refused_before_anything_runs():
    bp = blueprint(claim("A") + claim("B"))
    with pytest.raises(StatementMismatchError, match="B: no checker named 'check_B'"):
        run(bp, {"A": "raising"})


def test_edited_statement_is_refused_with_the_difference():
    bp = blueprint(claim("A"))
    registry = registry_for(bp, {"A": "ok"})
    edited = parse_blueprint(bp_text := "# T\n\n" + claim("A").replace("Statement of A.", "Statement of A + 1."))
    assert "A + 1" in bp_text
    with pytest.raises(StatementMismatchError, match=r"A: the blueprint's statement is not the one check_A establishes: "
                                                     r"declared 'A.' ≠ blueprint 'A \+ 1.'"):
        run_blueprint(edited, registry=registry)


def test_deleted_or_added_premises_are_refused():
    bp = blueprint(claim("A") + claim("B", uses="A"))
    registry = registry_for(bp, {"A": "ok", "B": "ok"})
    with pytest.raises(StatementMismatchError, match="B: uses differ .*missing premises A"):
        run_blueprint(blueprint(claim("A") + claim("B")), registry=registry)
    with pytest.raises(StatementMismatchError, match="A: uses differ .*undeclared premises B"):
        run_blueprint(blueprint(claim("B") + claim("A", uses="B")), registry=registry_for(blueprint(claim("B") + claim("A")),
                                                                                         {"A": "ok", "B": "ok"}))


def test_claim_pointed_at_another_claims_checker_is_refused():
    bp = blueprint(claim("A") + claim("B"))
    registry = registry_for(bp, {"A": "ok", "B": "ok"})
    swapped = parse_blueprint("# T\n\n" + claim("A") + claim("B").replace("check_B", "check_A"))
    with pytest.raises(StatementMismatchError, match="B: its checker check_A establishes A, not B"):
        run_blueprint(swapped, registry=registry)


@pytest.mark.parametrize("behaviour, message", [("other_statement", "about A: 'something else'"),
                                                ("other_claim", "about Q")])
def test_result_about_another_statement_or_claim_is_an_error(behaviour, message):
    entries = run(blueprint(claim("A")), {"A": behaviour})
    r = entries[0].result
    assert r.outcome is Outcome.ERROR and message in r.reason and "not about the declared statement of A" in r.reason
    assert exit_code(entries) == 3


def test_whitespace_is_the_only_forgiven_difference():
    bp = blueprint(claim("A"))
    registry = registry_for(bp, {"A": "ok"})
    spaced = parse_blueprint("# T\n\n" + claim("A").replace("Statement of A.", "Statement   of\nA."))
    assert run_blueprint(spaced, registry=registry)[0].result.outcome is Outcome.PROVED
    cased = parse_blueprint("# T\n\n" + claim("A").replace("Statement of A.", "statement of A."))
    with pytest.raises(StatementMismatchError):
        run_blueprint(cased, registry=registry)


def test_paper_blueprint_is_well_formed_and_bound():
    bp = load_blueprint(default_blueprint_path())
    graph = dependency_graph(bp)
    expected = {"A1", "A2", "A3", "T1"} | {f"L{i}" for i in range(1, 9)} | {f"S{i}" for i in range(1, 9)} | {f"P{i}" for i in range(1, 5)}
    assert set(bp.ids) == expected
    assert {"S8", "A1", "A2"} <= set(graph.predecessors("T1"))
    bound = bind(bp, load_registry(bp.source))
    for c in bp.claims:
        assert c.statement, c.id
        assert c.id in bound or c.planned, f"{c.id} has neither a checker nor a planned note"


PAPER_EDITS = [  # the reviewer's attacks: (claim, old text, new text)
    ("L4", "≤ 2(n−1) exp(−(cγ − 2β))", "≤ (n−1) exp(−(cγ − 2β))"),
    ("L6", "rank F ≥ r + rank(C − G A)", "rank F ≥ r + rank(C − G A) + 1"),
    ("T1", "dataset of T ≤ H(n̄ − 1) + 1 examples", "dataset of T ≤ H n̄ + 1 examples"),
]


@pytest.mark.parametrize("claim_id, old, new", PAPER_EDITS)
def test_edited_paper_statements_are_refused(claim_id, old, new):
    bp = load_blueprint(default_blueprint_path())
    text = bp.source.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"the blueprint no longer states {old!r}"
    edited = parse_blueprint(text.replace(old, new, 1), source=bp.source)
    with pytest.raises(StatementMismatchError, match=f"{claim_id}: the blueprint's statement is not"):
        run_blueprint(edited)


def test_paper_blueprint_with_deleted_premises_or_swapped_checker_is_refused():
    bp = load_blueprint(default_blueprint_path())
    text = bp.source.read_text(encoding="utf-8")
    no_premises = text.replace("- uses: S2, S3, S4, S5, S6", "- uses: none", 1)
    with pytest.raises(StatementMismatchError, match="P1: uses differ .*missing premises S2, S3, S4, S5, S6"):
        run_blueprint(parse_blueprint(no_premises, source=bp.source))
    swapped = text.replace("- checker: check_P3", "- checker: check_L2", 1)
    with pytest.raises(StatementMismatchError, match="P3: its checker check_L2 establishes L2, not P3"):
        run_blueprint(parse_blueprint(swapped, source=bp.source))


def test_interrupt_keeps_finished_claims_and_marks_the_rest():
    from memproof.blueprint.runner import INTERRUPTED

    bp = blueprint(claim("A") + claim("B") + claim("C"))
    entries = {e.claim.id: e for e in run(bp, {"A": "ok", "B": "interrupting", "C": "ok"})}
    assert entries["A"].result.outcome is Outcome.PROVED
    assert entries["B"].result.reason == INTERRUPTED and entries["C"].result.reason == INTERRUPTED

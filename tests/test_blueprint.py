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


# --------------------------------------------------------------- declarations: every refusal says why
def _decl(cid="A", statement="Statement of A.", uses=(), **kw):
    d = declare(cid, statement=statement, uses=uses, **kw)
    d.checker((lambda ctx: None))
    return d


def test_claim_mismatches_name_each_difference_exactly():
    from memproof.blueprint.declare import claim_mismatches, statement_digest

    text = "# T\n\n## A — t\n- kind: lemma\n- uses: B, C\n- checker: check_A\n- coq: Lib.a\n\nStatement of A.\n\n```coq\nforall x, x = x\n```\n"
    bp = parse_blueprint(text + "## B — b\n- kind: lemma\n- uses: none\n\nB.\n\n## C — c\n- kind: lemma\n- uses: none\n\nC.\n")
    claim = bp.claim("A")
    good = _decl(uses=("B", "C"), coq="Lib.a", coq_sha256=statement_digest("forall  x,\nx = x"))
    good.check.__name__ = "check_A"
    assert claim_mismatches(claim, good) == []
    other_lemma = _decl(uses=("B", "C"), coq="Lib.b", coq_sha256=good.coq_sha256)
    other_lemma.check.__name__ = "check_A"
    assert claim_mismatches(claim, other_lemma) == ["A: the blueprint names the Coq lemma Lib.a, the declaration of check_A Lib.b"]
    other_text = _decl(uses=("B", "C"), coq="Lib.a", coq_sha256=statement_digest("forall x, x = 0"))
    other_text.check.__name__ = "check_A"
    [msg] = claim_mismatches(claim, other_text)
    assert msg.startswith("A: the blueprint's Coq statement of Lib.a is not the one check_A declares (sha256 ")
    assert statement_digest("forall x, x = x")[:16] in msg and other_text.coq_sha256[:16] in msg
    only_missing = _decl(uses=("B", "C", "D"), coq="Lib.a", coq_sha256=good.coq_sha256)
    only_missing.check.__name__ = "check_A"
    assert claim_mismatches(claim, only_missing) == ["A: uses differ from the declaration of check_A; missing premises D"]
    extras = _decl(uses=(), coq="Lib.a", coq_sha256=good.coq_sha256)
    extras.check.__name__ = "check_A"
    assert claim_mismatches(claim, extras) == ["A: uses differ from the declaration of check_A; undeclared premises B, C"]


def test_statement_digest_is_sha256_of_the_folded_text():
    import hashlib

    from memproof.blueprint.declare import statement_digest

    assert statement_digest(" a\n b ") == hashlib.sha256("a b".encode()).hexdigest()
    assert statement_digest("a b") != statement_digest("a  c")


def test_declaration_errors_say_what_is_wrong():
    with pytest.raises(ProofGraphError, match=r"^claim X: empty statement$"):
        declare("X", statement=" \n ")
    with pytest.raises(ProofGraphError, match="claim X: a Coq lemma is declared with the digest of its statement"):
        declare("X", statement="s", coq="Lib.x")
    d = declare("X", statement="s")
    with pytest.raises(ProofGraphError, match=r"claim X is declared but has no checker \(register one with X.checker\(fn\)\)"):
        d.name
    d.checker(lambda ctx: None)
    with pytest.raises(ProofGraphError, match="claim X already has the checker <lambda>"):
        d.checker(lambda ctx: None)


def test_registry_refuses_two_checkers_of_one_name_and_lists_the_known_ones():
    a, b = _decl("A"), _decl("B")
    with pytest.raises(ProofGraphError, match=r"two checkers are named '<lambda>' \(A, B\)"):
        ClaimRegistry([a, b])
    b.check.__name__ = "check_B"
    registry = ClaimRegistry([a, b])
    assert len(registry) == 2 and [d.id for d in registry] == ["A", "B"]
    with pytest.raises(ProofGraphError, match=r"no checker named 'check_Q' in the proof's registry \(known: <lambda>, check_B\)"):
        registry.get("check_Q")


def test_mismatch_error_names_the_blueprint_file_and_every_claim(tmp_path):
    path = tmp_path / "blueprint.md"
    path.write_text("# T\n\n" + claim("A") + claim("B"))
    bp = load_blueprint(path)
    with pytest.raises(StatementMismatchError) as info:
        bind(bp, ClaimRegistry([]))
    text = str(info.value)
    assert text.startswith(f"the blueprint ({path}) disagrees with its checkers:\n  A: no checker named 'check_A'")
    assert "\n  B: no checker named 'check_B'" in text


def test_statement_difference_shows_whole_changed_runs_even_in_long_statements():
    from memproof.blueprint.declare import _diff

    assert _diff("rank F ≥ r + s", "rank F ≥ r + s + 1") == "declared '' ≠ blueprint '+ 1'"
    assert _diff("a b c d", "a x y d") == "declared 'b c' ≠ blueprint 'x y'"
    assert _diff("a b c d e", "a x c d y") == "declared 'b' ≠ blueprint 'x'; declared 'e' ≠ blueprint 'y'"
    long = " ".join(["w"] * 300 + ["end"])  # > 200 tokens: difflib's autojunk would hide the change
    assert _diff(long, long.replace("end", "stop")) == "declared 'end' ≠ blueprint 'stop'"


def test_mismatch_error_of_a_text_blueprint_and_digest_prefixes():
    from memproof.blueprint.declare import statement_digest

    with pytest.raises(StatementMismatchError, match=r"^the blueprint disagrees with its checkers:\n  A: no checker"):
        bind(blueprint(claim("A")), ClaimRegistry([]))
    text = "# T\n\n## A — t\n- kind: lemma\n- checker: check_A\n- coq: L.a\n\nS.\n\n```coq\nP\n```\n"
    d = declare("A", statement="S.", coq="L.a", coq_sha256=statement_digest("Q"))
    d.checker(lambda ctx: None).__name__ = "check_A"
    with pytest.raises(StatementMismatchError) as info:
        bind(parse_blueprint(text), ClaimRegistry([d]))
    assert f"(sha256 {statement_digest('P')[:16]}… ≠ {statement_digest('Q')[:16]}…)" in str(info.value)


def test_declaration_combine_and_not_established():
    d = _decl()
    part = Result.proved("A", "a step", Level.EXACT, Scope.universal())
    r = d.combine([part], seconds=2.5)
    assert r.statement == "Statement of A." and r.seconds == 2.5 and d.matches(r)
    assert not d.matches(r.replace(statement="Statement of B.")) and not d.matches(r.replace(claim="B"))
    u = d.not_established("nothing checks the whole", [part.as_step()])
    assert u.outcome is Outcome.UNKNOWN and u.reason == "nothing checks the whole" and u.parts == (part.as_step(),)
    assert d.matches(u)
    bad = Result.unknown("A", "a failed step", "timeout").as_step()
    u = d.not_established("nothing checks the whole", [part.as_step(), bad])
    assert u.reason == "nothing checks the whole; parts not proved: 'a failed step': unknown"
    u = d.not_established("nothing", [bad, bad.replace(statement="another")])
    assert u.reason == "nothing; parts not proved: 'a failed step': unknown; 'another': unknown"

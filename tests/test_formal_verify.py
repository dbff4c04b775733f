"""The formal stage of ``memproof verify`` on the paper's own Coq sources: the claims bound to Coq
lemmas prove at the formal level; an Admitted, an edited Coq statement or a missing coqc each give
the documented outcome (formal only when everything holds; trust.md)."""
import shutil
from pathlib import Path

import pytest

from memproof.blueprint import StatementMismatchError, default_blueprint_path, load_blueprint, parse_blueprint, run_blueprint
from memproof.blueprint.formal_stage import NOT_FORMAL
from memproof.errors import ProofGraphError
from memproof.formal import ALLOWED_AXIOMS, INSTANCE
from memproof.results import Level, Outcome, ScopeKind

needs_coq = pytest.mark.skipif(shutil.which("coqc") is None, reason="coqc not installed (make coq installs it)")
#: Print Assumptions of Theorem 1 at Coq's reals (docs/formal.md, "Theorem 1 at Coq's reals").
R_INSTANCE = "Memproof.Mahdavi2024.Theorem1Reals.T1_memorization_R"
R_INSTANCE_AXIOMS = {
    "Coq.Reals.ClassicalDedekindReals.sig_forall_dec",
    "Coq.Reals.ClassicalDedekindReals.sig_not_dec",
    "Coq.Logic.FunctionalExtensionality.functional_extensionality_dep",
    "Coq.Logic.Epsilon.epsilon_statement",
}
FORMAL_CLAIMS = ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "P1", "P2", "T1", "P3", "P4")


def _copy_proof(tmp_path: Path) -> Path:
    """A copy of the proof's blueprint and formal sources beside a link to its checkers."""
    src = default_blueprint_path().parent
    dst = tmp_path / src.name
    dst.mkdir()
    shutil.copy(src / "blueprint.md", dst / "blueprint.md")
    shutil.copytree(src / "formal", dst / "formal", ignore=shutil.ignore_patterns("*.vo*", "*.glob", ".*.aux"))
    (dst / "checkers").symlink_to(src / "checkers")
    return dst


def test_every_formal_claim_names_a_lemma_and_its_statement():
    bp = load_blueprint(default_blueprint_path())
    bound = {c.id: c for c in bp.claims if c.coq}
    assert set(bound) == set(FORMAL_CLAIMS)
    for c in bound.values():
        assert c.coq.startswith("Memproof.Mahdavi2024.") and c.coq_statement.startswith("forall")
        assert "```" not in c.statement and "Coq statement" not in c.statement  # the prose stays prose


def test_theorem_1_names_its_instance_at_the_reals_and_stays_bound_to_the_abstract_lemma():
    bp = load_blueprint(default_blueprint_path())
    assert [(c.id, c.coq_instance) for c in bp.claims if c.coq_instance] == [("T1", R_INSTANCE)]
    assert bp.claim("T1").coq == "Memproof.Mahdavi2024.Theorem1.T1_memorization"
    text = bp.source.read_text(encoding="utf-8")
    a1 = "## A1 — Queries in general position (Kruskal rank ≥ n)\n- kind: assumption\n"  # a claim without a Coq lemma
    orphan = text.replace(a1, f"{a1}- coq-instance: {R_INSTANCE}\n", 1)
    assert orphan != text
    with pytest.raises(ProofGraphError, match="A1 names a '- coq-instance:' lemma but no '- coq:' lemma"):
        parse_blueprint(orphan, source=bp.source)


@needs_coq
def test_formal_claims_prove_at_the_formal_level():
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(default_blueprint_path()), claims=list(FORMAL_CLAIMS),
                                                     quick=True)}
    for cid in FORMAL_CLAIMS:
        r = entries[cid].result
        assert r.outcome is Outcome.PROVED and r.level is Level.FORMAL and r.scope.kind is ScopeKind.UNIVERSAL, (cid, r.reason)
        formal = r.parts[0]
        assert formal.level is Level.FORMAL and formal.evidence["coq"] == "8.16.1"
        assert all(p.role == "corroboration" for p in r.parts[1:])  # the earlier checks, kept under the proof
    t1 = entries["T1"]  # A1 and A2 are hypotheses of T1's statement: their instance checks do not narrow it
    assert t1.established is Level.FORMAL and t1.established_scope is ScopeKind.UNIVERSAL
    # Theorem 1 at Coq's reals: compiled and queried with the batch, reported beside T1 (which rests on
    # no axiom); beyond the reals' own axioms it costs exactly Hilbert's epsilon (MathComp's choiceType)
    formal = t1.result.parts[0]
    assert formal.evidence["assumptions"] == [] and formal.evidence["lemma"].endswith("Theorem1.T1_memorization")
    found = formal.evidence[INSTANCE]
    assert found["lemma"] == R_INSTANCE and found["file"] == "Theorem1Reals.v" and found["error"] is None
    assert len(found["assumptions"]) == 4 and set(found["assumptions"]) == R_INSTANCE_AXIOMS
    assert found["outside_allowed"] == ["Coq.Logic.Epsilon.epsilon_statement"]
    assert "Coq.Logic.Classical_Prop.classic" in ALLOWED_AXIOMS - set(found["assumptions"])  # not needed at R
    assert "softmax Theorem1Reals.R_expln" in found["readable_statement"]
    assert all(INSTANCE not in entries[c].result.parts[0].evidence for c in FORMAL_CLAIMS if c != "T1")


def _admit(v, theorem: str) -> None:
    """Replace the first ``Qed.`` after ``theorem`` in the Coq file ``v`` by ``Admitted.``."""
    head, marker, tail = v.read_text().partition(theorem)
    assert marker, f"{theorem!r} not in {v.name}"
    body, _, rest = tail.partition("Qed.")
    v.write_text(head + marker + body + "Admitted." + rest)


@needs_coq
def test_admitted_lemma_takes_its_claim_off_the_formal_level(tmp_path):
    proof = _copy_proof(tmp_path)
    _admit(proof / "formal" / "BlockElimination.v", "Theorem L6_block_elimination (R : realFieldType)")
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(proof), claims=["L6", "L2"], quick=True)}
    l6 = entries["L6"].result
    assert l6.outcome is Outcome.PROVED and l6.level is Level.EXACT and l6.scope.kind is ScopeKind.INSTANCE
    assert "L6_block_elimination" in l6.evidence[NOT_FORMAL] and "formal level" in l6.evidence[NOT_FORMAL]
    assert entries["L2"].result.level is Level.FORMAL  # another file: unaffected


@needs_coq
def test_weakened_coq_lemma_is_an_error_of_that_claim(tmp_path):
    """The .v file proves something else under the bound name (an extra hypothesis): Coq's printed
    statement no longer equals the declared one, so L2 is an error — and only L2."""
    proof = _copy_proof(tmp_path)
    v = proof / "formal" / "ReadoutFactorisation.v"
    text = v.read_text()
    assert "Theorem L2_readout_factorisation (F : fieldType) d_o d d_v (M_h : 'M[F]_(d_o, d)) :\n  (minn d d_o <= d_v)%N ->" in text
    text = text.replace("Theorem L2_readout_factorisation (F", "Theorem L2_original (F", 1)
    text += ("\nTheorem L2_readout_factorisation (F : fieldType) d_o d d_v (M_h : 'M[F]_(d_o, d)) :\n"
             "  (0 < d)%N -> (minn d d_o <= d_v)%N ->\n"
             "  exists (W_V : 'M[F]_(d, d_v)) (W_O : 'M[F]_(d_o, d_v)), M_h = W_O *m W_V^T.\n"
             "Proof. by move=> _; apply: L2_original. Qed.\n")
    v.write_text(text)
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(proof), claims=["L2", "L6"], quick=True)}
    r = entries["L2"].result
    assert r.outcome is Outcome.ERROR and "L2" in r.reason
    assert entries["L6"].result.level is Level.FORMAL


def test_missing_coqc_leaves_formal_claims_at_their_own_level(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no coqc, coqdep, coqchk
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(default_blueprint_path()), claims=["L7"], quick=True)}
    r = entries["L7"].result
    assert r.outcome is Outcome.PROVED and r.level is Level.EXACT and r.scope.kind is ScopeKind.INSTANCE
    assert r.evidence[NOT_FORMAL].startswith("unavailable:") and "apt-get install" in r.evidence[NOT_FORMAL]


@needs_coq
def test_missing_multinomials_leaves_P3_at_its_own_level(monkeypatch):
    """coqc present, SsrMultinomials (P3's polynomials) absent: the formal tier is unavailable — P3 is
    reported at its z3 instances' level with the install line, neither failed nor formal."""
    monkeypatch.setattr("memproof.formal.toolchain.has_multinomials", lambda coqc: False)
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(default_blueprint_path()), claims=["P3"], quick=True)}
    r = entries["P3"].result
    assert r.outcome is Outcome.PROVED and r.level is Level.SMT and r.scope.kind is ScopeKind.INSTANCE
    why = r.evidence[NOT_FORMAL]
    assert why.startswith("unavailable: SsrMultinomials") and "libcoq-mathcomp-multinomials" in why and "apt-get install" in why


def test_prose_edit_of_a_formal_claim_is_refused():
    bp = load_blueprint(default_blueprint_path())
    text = bp.source.read_text(encoding="utf-8")
    edited = parse_blueprint(text.replace("then rank D = k.", "then rank D = k + 1.", 1), source=bp.source)
    with pytest.raises(StatementMismatchError, match="L7"):
        run_blueprint(edited)


def test_coq_lemma_swapped_in_the_blueprint_alone_is_refused():
    """L3 pointed at L2's (proved) Coq lemma and statement: the declaration pins L3's own lemma."""
    bp = load_blueprint(default_blueprint_path())
    l2 = bp.claim("L2")
    text = bp.source.read_text(encoding="utf-8")
    start = text.index("## L3 — ")
    end = text.index("## L4 — ")
    section = text[start:end].replace("- coq: Memproof.Mahdavi2024.PrescribedLogits.L3_prescribed_logits", f"- coq: {l2.coq}")
    block_start = section.index("```coq\n") + len("```coq\n")
    block_end = section.index("\n```", block_start)
    forged = section[:block_start] + l2.coq_statement + section[block_end:]
    with pytest.raises(StatementMismatchError, match="L3: the blueprint names the Coq lemma .*ReadoutFactorisation"):
        run_blueprint(parse_blueprint(text[:start] + forged + text[end:], source=bp.source))


def test_coq_statement_edited_in_the_blueprint_alone_is_refused():
    bp = load_blueprint(default_blueprint_path())
    text = bp.source.read_text(encoding="utf-8")
    start = text.index("- coq: Memproof.Mahdavi2024.RankBudget.L8_rank_budget")
    block = text.index("```coq\n", start) + len("```coq\n")
    edited = text[:block] + text[block:].replace("Coq.Init.Datatypes.nat", "Coq.Init.Datatypes.bool", 1)
    with pytest.raises(StatementMismatchError, match="L8: the blueprint's Coq statement of .*L8_rank_budget is not the one"):
        run_blueprint(parse_blueprint(edited, source=bp.source))


def test_P3_coq_statement_or_prose_edited_in_the_blueprint_alone_is_refused():
    """A stronger P3 — (m+1)·d_out weakened to m·d_out — in the Coq block or in the prose: refused."""
    bp = load_blueprint(default_blueprint_path())
    text = bp.source.read_text(encoding="utf-8")
    start = text.index("- coq: Memproof.Mahdavi2024.ReluComparison.P3_relu_memorization")
    block = text.index("```coq\n", start) + len("```coq\n")
    plus_one = ("(mathcomp.ssreflect.ssrnat.muln (mathcomp.ssreflect.ssrnat.addn m (Coq.Init.Datatypes.S Coq.Init.Datatypes.O)) "
                "d_out)")
    assert plus_one in text[block:text.index("```", block)]
    edited = text[:block] + text[block:].replace(plus_one, "(mathcomp.ssreflect.ssrnat.muln m d_out)", 1)
    with pytest.raises(StatementMismatchError, match="P3: the blueprint's Coq statement of .*P3_relu_memorization is not the one"):
        run_blueprint(parse_blueprint(edited, source=bp.source))
    prose = text.replace("then T·d_out ≤ (n+1)m + (m+1)d_out,", "then T·d_out ≤ (n+1)m + m·d_out,", 1)
    assert prose != text
    with pytest.raises(StatementMismatchError, match="P3: the blueprint's statement is not the one check_P3 establishes"):
        run_blueprint(parse_blueprint(prose, source=bp.source))


@needs_coq
def test_admitted_theorem_1_takes_T1_off_the_formal_level(tmp_path):
    """The issue's test: an Admitted in the file stating Theorem 1 — T1 keeps only its instance checks."""
    proof = _copy_proof(tmp_path)
    _admit(proof / "formal" / "Theorem1.v", "Theorem T1_memorization (F : realFieldType)")
    entries = {e.claim.id: e for e in run_blueprint(load_blueprint(proof), claims=["T1"], quick=True)}
    t1 = entries["T1"].result
    assert t1.outcome is Outcome.PROVED and t1.level is Level.RIGOROUS and t1.scope.kind is ScopeKind.INSTANCE
    assert "T1_memorization" in t1.evidence[NOT_FORMAL]
    assert entries["S7"].result.level is Level.FORMAL  # the lemmas before it in the file are unaffected
    # the instance at Coq's reals still compiles, and says that it now rests on the Admitted theorem
    formal = next(p for p in t1.parts if p.evidence.get("lemma") == "Memproof.Mahdavi2024.Theorem1.T1_memorization")
    assert formal.outcome is Outcome.SKIPPED and formal.evidence[INSTANCE]["lemma"] == R_INSTANCE
    assert set(formal.evidence[INSTANCE]["outside_allowed"]) == {
        "Memproof.Mahdavi2024.Theorem1.T1_memorization", "Coq.Logic.Epsilon.epsilon_statement"}

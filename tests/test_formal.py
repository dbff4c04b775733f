"""Tests of memproof.formal, the bridge to Coq (the ``formal`` level), on tests/fixtures/coq."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from memproof.errors import InvalidArgumentError
from memproof.formal import (
    ALLOWED_AXIOMS, INSTALL_LINE, INSTANCE, FileStatus, build_project, ensure_toolchain, formal_result, formal_results,
    instance_evidence, judge, query_lemmas, read_coqproject, recheck,
)
from memproof.formal import query as query_module
from memproof.formal.check import statement_difference
from memproof.results import Level, Outcome, ScopeKind

FIXTURE = Path(__file__).parent / "fixtures" / "coq"
P = "MemproofFixture."
_needs_coqc = pytest.mark.skipif(shutil.which("coqc") is None, reason=f"coqc not on PATH; install Coq with: {INSTALL_LINE}")


def coq_test(obj):
    """Mark ``obj`` as needing Coq (the ``coq`` marker) and skip it when coqc is absent."""
    return pytest.mark.coq(_needs_coqc(obj))


NAT, S, O, EQ = "Coq.Init.Datatypes.nat", "Coq.Init.Datatypes.S", "Coq.Init.Datatypes.O", "@Coq.Init.Logic.eq"
_MC = "mathcomp.algebra."
_SORT, _RING = f"({_MC}ssralg.GRing.ComRing.sort R)", f"({_MC}ssralg.GRing.ComRing.ringType R)"
_RSORT = f"({_MC}ssralg.GRing.Ring.sort {_RING})"
CLEAN = (
    f"forall (R : {_MC}ssralg.GRing.ComRing.type) (m n p : {NAT}) (A : {_MC}matrix.matrix {_SORT} m n) "
    f"(B : {_MC}matrix.matrix {_SORT} n p), {EQ} ({_MC}matrix.matrix {_RSORT} p m) "
    f"(@{_MC}matrix.trmx {_RSORT} m p (@{_MC}matrix.mulmx {_RING} m n p A B)) "
    f"(@{_MC}matrix.mulmx {_RING} p n m (@{_MC}matrix.trmx {_SORT} n p B) (@{_MC}matrix.trmx {_SORT} m n A))"
)
_R = "Coq.Reals.Rdefinitions."
SQR = f"forall x : {_R}RbaseSymbolsImpl.R, {_R}Rle ({_R}IZR Coq.Numbers.BinNums.Z0) ({_R}RbaseSymbolsImpl.Rmult x x)"
EXP_LN = (
    f"forall (x : {_R}RbaseSymbolsImpl.R) (_ : {_R}RbaseSymbolsImpl.Rlt ({_R}IZR Coq.Numbers.BinNums.Z0) x), "
    f"Coq.Init.Logic.and ({EQ} {_R}RbaseSymbolsImpl.R (Coq.Reals.Rtrigo_def.exp (Coq.Reals.Rpower.ln x)) x) "
    f"({EQ} {_R}RbaseSymbolsImpl.R (Coq.Reals.Rpower.ln (Coq.Reals.Rtrigo_def.exp x)) x)"
)
TWO, THREE = f"({S} ({S} {O}))", f"({S} ({S} ({S} {O})))"
ONE_EQ_ZERO = f"{EQ} {NAT} ({S} {O}) {O}"
ONE_EQ_ONE = f"{EQ} {NAT} ({S} {O}) ({S} {O})"  # over Coq's nat: Shadow.v's lemma must not match it


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


SOURCE_BEFORE = _snapshot(FIXTURE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_project(FIXTURE, jobs=2, cache_dir=tmp_path_factory.mktemp("coq-cache"))


@pytest.fixture(scope="module")
def batch(built):
    names = [
        "Clean.trmx_mul_rev", "Dependent.trmx_mul3", "Admitted.two_is_three", "Admitted.uses_admitted",
        "WithAxiom.one_is_zero", "RealsLemma.exp_ln_inverse", "RealsLemma.sqr_nonneg", "Broken.wrong_plus",
        "AfterBroken.fine_but_blocked", "Shadow.one_eq_one",
    ]
    return query_lemmas(built, [P + n for n in names])


def _result(claim, lemma, expected, built, batch, **kw):
    return judge(claim, P + lemma, expected, built, batch.reports[P + lemma], **kw)


def _small_project(folder: Path, files: dict[str, str]) -> Path:
    (folder / "_CoqProject").write_text("-Q . Small\n" + "\n".join(files) + "\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


SMALL = {"A.v": "Lemma one_plus_one : 1 + 1 = 2.\nProof. reflexivity. Qed.\n"}
SMALL_STMT = f"{EQ} {NAT} (Coq.Init.Nat.add ({S} {O}) ({S} {O})) {TWO}"


# ------------------------------------------------------------------ the fixture project
@coq_test
def test_build_statuses(built):
    status = {f: fb.status for f, fb in built.files.items()}
    assert status["theories/Broken.v"] is FileStatus.FAILED
    assert "Unable to unify" in built.files["theories/Broken.v"].error
    assert status["theories/AfterBroken.v"] is FileStatus.BLOCKED
    assert built.files["theories/AfterBroken.v"].blocked_by == ("theories/Broken.v",)
    others = set(status) - {"theories/Broken.v", "theories/AfterBroken.v"}
    assert all(status[f] is FileStatus.COMPILED and built.files[f].seconds > 0 for f in others)
    assert built.versions["coq"].startswith("8.") and built.versions["mathcomp"] != "absent"


@coq_test
class TestFixture:
    def test_clean_mathcomp_lemma_proved(self, built, batch):
        r = _result("C1", "Clean.trmx_mul_rev", CLEAN, built, batch)
        assert r.outcome is Outcome.PROVED and r.level is Level.FORMAL and r.meets(Level.FORMAL)
        assert r.scope.kind is ScopeKind.UNIVERSAL and "all sizes" in r.scope.description
        ev = r.evidence
        assert ev["statement"] == CLEAN and ev["assumptions"] == [] and "matrix.trmx" in ev["readable_statement"]
        assert ev["file"] == "theories/Clean.v" and len(ev["file_sha256"]) == 64 and ev["compile_seconds"] > 0
        assert ev["coq"] == built.versions["coq"] and ev["mathcomp"] == built.versions["mathcomp"]

    def test_dependent_lemma_proved(self, built, batch):
        rep = batch.reports[P + "Dependent.trmx_mul3"]
        assert rep.closed and rep.canonical.startswith(f"forall (R : {_MC}ssralg.GRing.ComRing.type) (m n p q : {NAT})")
        r = _result("C2", "Dependent.trmx_mul3", rep.canonical, built, batch)
        assert r.outcome is Outcome.PROVED and r.level is Level.FORMAL

    def test_admitted_is_not_formal(self, built, batch):
        r = _result("C3", "Admitted.two_is_three", f"{EQ} {NAT} {TWO} {THREE}", built, batch)
        assert r.outcome is Outcome.UNKNOWN and r.level is None
        assert "Admitted" in r.reason and "off the formal level" in r.reason
        r = _result("C4", "Admitted.uses_admitted", f"{EQ} {NAT} {THREE} {TWO}", built, batch)
        assert r.outcome is Outcome.UNKNOWN and P + "Admitted.two_is_three" in r.reason

    def test_user_axiom_is_not_formal(self, built, batch):
        r = _result("C5", "WithAxiom.one_is_zero", ONE_EQ_ZERO, built, batch)
        assert r.outcome is Outcome.UNKNOWN and P + "WithAxiom.all_zero" in r.reason
        assert "off the formal level" in r.reason and not r.meets(Level.EMPIRICAL)

    def test_reals_lemma_uses_exactly_the_allow_list(self, built, batch):
        rep = batch.reports[P + "RealsLemma.exp_ln_inverse"]
        assert {a.name for a in rep.assumptions} == ALLOWED_AXIOMS  # the allow-list, found live
        r = _result("C6", "RealsLemma.exp_ln_inverse", EXP_LN, built, batch)
        assert r.outcome is Outcome.PROVED and r.level is Level.FORMAL
        r = _result("C7", "RealsLemma.sqr_nonneg", SQR, built, batch)
        assert r.outcome is Outcome.PROVED

    def test_allow_list_is_enforced(self, built, batch):
        smaller = ALLOWED_AXIOMS - {"Coq.Logic.Classical_Prop.classic"}
        r = _result("C6", "RealsLemma.exp_ln_inverse", EXP_LN, built, batch, allow=smaller)
        assert r.outcome is Outcome.UNKNOWN and "Coq.Logic.Classical_Prop.classic" in r.reason
        # a short name is not a full name: allowing "Classical_Prop.classic" does not allow the axiom
        r = _result("C6", "RealsLemma.exp_ln_inverse", EXP_LN, built, batch, allow=smaller | {"Classical_Prop.classic"})
        assert r.outcome is Outcome.UNKNOWN

    def test_edited_statement_is_an_error(self, built, batch):
        edited = CLEAN.replace("(m n p :", "(n m p :")
        r = _result("C1", "Clean.trmx_mul_rev", edited, built, batch)
        assert r.outcome is Outcome.ERROR and r.level is None
        assert "C1" in r.reason and "differs" in r.reason and edited in r.reason and CLEAN in r.reason
        assert "^ first difference" in r.reason
        readable = batch.reports[P + "Clean.trmx_mul_rev"].readable
        assert _result("C1", "Clean.trmx_mul_rev", readable, built, batch).outcome is Outcome.ERROR
        spaced = "  " + CLEAN.replace(", ", ",\n   ")
        assert _result("C1", "Clean.trmx_mul_rev", spaced, built, batch).outcome is Outcome.PROVED

    def test_shadowed_names_are_fully_qualified(self, built, batch):
        rep = batch.reports[P + "Shadow.one_eq_one"]
        assert f"{P}Shadow.nat" in rep.canonical and NAT not in rep.canonical
        assert _result("S1", "Shadow.one_eq_one", ONE_EQ_ONE, built, batch).outcome is Outcome.ERROR

    def test_broken_file_fails_only_itself_and_dependents(self, built, batch):
        r = _result("C8", "Broken.wrong_plus", "", built, batch)
        assert r.outcome is Outcome.ERROR and "does not compile" in r.reason and "Unable to unify" in r.reason
        r = _result("C9", "AfterBroken.fine_but_blocked", "", built, batch)
        assert r.outcome is Outcome.ERROR and "theories/Broken.v" in r.reason
        assert _result("C7", "RealsLemma.sqr_nonneg", SQR, built, batch).outcome is Outcome.PROVED

    def test_instance_is_reported_beside_the_claim(self, built):
        """An instance lemma is queried with the claim's batch; its axioms are evidence only."""
        res = formal_results([("C1", P + "Clean.trmx_mul_rev", CLEAN)], built,
                             instances={"C1": P + "RealsLemma.exp_ln_inverse"})
        r = res["C1"]
        assert r.outcome is Outcome.PROVED and r.level is Level.FORMAL and r.evidence["assumptions"] == []
        found = r.evidence[INSTANCE]
        assert found["lemma"] == P + "RealsLemma.exp_ln_inverse" and found["file"] == "theories/RealsLemma.v"
        assert set(found["assumptions"]) == ALLOWED_AXIOMS and found["outside_allowed"] == [] and found["error"] is None
        with pytest.raises(InvalidArgumentError, match="instances"):
            formal_results([("C1", P + "Clean.trmx_mul_rev", CLEAN)], built, instances={"C2": P + "Clean.trmx_mul_rev"})

    def test_instance_outside_the_allow_list_or_broken_is_reported(self, built, batch):
        name = P + "WithAxiom.one_is_zero"
        found = instance_evidence(name, built, batch.reports[name])
        assert found["outside_allowed"] == [P + "WithAxiom.all_zero"] == found["assumptions"]
        name = P + "Admitted.two_is_three"
        assert instance_evidence(name, built, batch.reports[name])["outside_allowed"] == [name]
        smaller = ALLOWED_AXIOMS - {"Coq.Logic.Classical_Prop.classic"}
        name = P + "RealsLemma.exp_ln_inverse"
        assert instance_evidence(name, built, batch.reports[name], allow=smaller)["outside_allowed"] == [
            "Coq.Logic.Classical_Prop.classic"]
        name = P + "AfterBroken.fine_but_blocked"
        found = instance_evidence(name, built, batch.reports[name])
        assert found["assumptions"] == [] and "not built" in found["error"]

    def test_source_folder_unchanged(self, built):
        assert _snapshot(FIXTURE) == SOURCE_BEFORE
        assert not list(FIXTURE.rglob("*.vo")) and built.project.root != FIXTURE.resolve()

    def test_query_names_are_validated(self, built):
        with pytest.raises(InvalidArgumentError):
            query_lemmas(built, [P + "Clean.trmx_mul_rev. Axiom x : False"])


# ------------------------------------------------------------------ small projects (fast)
@coq_test
class TestSmall:
    def test_cache_reuse_still_queries(self, tmp_path, monkeypatch):
        (tmp_path / "p").mkdir()
        root, cache = _small_project(tmp_path / "p", SMALL), tmp_path / "cache"
        first = build_project(root, cache_dir=cache)
        second = build_project(root, cache_dir=cache)
        assert not first.cached and second.cached and second.digest == first.digest
        calls = []
        real = query_module.run_limited
        monkeypatch.setattr(query_module, "run_limited", lambda *a: calls.append(a) or real(*a))
        r = formal_result("X1", "Small.A.one_plus_one", SMALL_STMT, second)
        assert r.outcome is Outcome.PROVED and r.evidence["cached_build"] and len(calls) == 2
        # a damaged cached .vo is discarded: the next build compiles again
        vo = second.project.root / "A.vo"
        vo.write_bytes(vo.read_bytes() + b"\0")
        third = build_project(root, cache_dir=cache)
        assert not third.cached and formal_result("X1", "Small.A.one_plus_one", SMALL_STMT, third).outcome is Outcome.PROVED
        # an edited source changes the digest
        (root / "A.v").write_text(SMALL["A.v"].replace("1 + 1 = 2", "2 = 1 + 1"))
        assert build_project(root, cache_dir=cache).digest != first.digest

    def test_unknown_lemma_is_an_error(self, tmp_path):
        root = _small_project(tmp_path, SMALL)
        b = build_project(root, cache_dir=None)
        res = formal_results([("X1", "Small.A.nope", ""), ("X2", "Small.A.one_plus_one", SMALL_STMT)], b)
        assert res["X1"].outcome is Outcome.ERROR and "not found" in res["X1"].reason
        assert res["X2"].outcome is Outcome.PROVED

    def test_time_limit_kills_coqc(self, tmp_path):
        # ~10¹² steps of the VM in constant memory (an Ltac recursion would end in a stack overflow, a
        # failure rather than a time-out, within seconds on a fast machine)
        loop = "Require Import PArith.\nEval vm_compute in Pos.iter negb true 1000000000000%positive.\n"
        root = _small_project(tmp_path, {**SMALL, "Loop.v": loop})
        b = build_project(root, cache_dir=tmp_path / "cache", timeout=3.0)
        assert b.files["Loop.v"].status is FileStatus.TIMED_OUT and b.files["Loop.v"].seconds < 10
        assert b.files["A.v"].status is FileStatus.COMPILED
        assert not (tmp_path / "cache" / b.digest).exists()  # an incomplete build is never cached

    def test_recheck_with_coqchk(self, tmp_path):
        b = build_project(_small_project(tmp_path, SMALL), cache_dir=None)
        status = recheck(b)
        assert status["ok"] and status["libraries"] == ["Small.A"]


@coq_test
def test_missing_multinomials_is_unavailable(monkeypatch):
    """coqc and MathComp present, SsrMultinomials absent: unavailable with the install line that adds it."""
    monkeypatch.setattr("memproof.formal.toolchain.has_multinomials", lambda coqc: False)
    tc = ensure_toolchain()
    assert not tc.available and tc.reason.startswith("unavailable: SsrMultinomials") and INSTALL_LINE in tc.reason
    assert "libcoq-mathcomp-multinomials" in INSTALL_LINE
    b = build_project(FIXTURE, toolchain=tc)
    assert not b.available and not b.files
    r = formal_result("C1", P + "Clean.trmx_mul_rev", CLEAN, b)
    assert r.outcome is Outcome.UNKNOWN and r.reason.startswith("unavailable:") and r.level is None


@coq_test
def test_multinomials_detected_where_installed():
    from memproof.formal.toolchain import has_multinomials

    assert has_multinomials(shutil.which("coqc")) and ensure_toolchain().available


def test_missing_coqc_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    tc = ensure_toolchain()
    assert not tc.available and tc.reason.startswith("unavailable:") and INSTALL_LINE in tc.reason
    b = build_project(FIXTURE, toolchain=tc)
    assert not b.available and not b.files
    r = formal_result("C1", P + "Clean.trmx_mul_rev", CLEAN, b)
    assert r.outcome is Outcome.UNKNOWN and r.reason.startswith("unavailable:") and r.level is None
    assert recheck(b)["ok"] is False


@pytest.mark.parametrize(
    "line",
    ["-R theories Coq", "-Q theories mathcomp.extra", "-I plugin", "-arg -impredicative-set", "-arg -type-in-type", "theories/../x.v"],
)
def test_coqproject_rejects_unsafe_options(tmp_path, line):
    (tmp_path / "theories").mkdir()
    (tmp_path / "theories" / "A.v").write_text("")
    (tmp_path / "_CoqProject").write_text(f"-R theories Ok\ntheories/A.v\n{line}\n")
    with pytest.raises(InvalidArgumentError):
        read_coqproject(tmp_path)


def test_fixture_coqproject_parses():
    project = read_coqproject(FIXTURE)
    assert project.logical_name("theories/Clean.v") == "MemproofFixture.Clean"
    assert project.warnings == ("-notation-overridden,-ambiguous-paths",)
    assert "-w" not in project.coq_flags(warnings=False)


def test_statement_difference_marks_the_first_difference():
    text = statement_difference("forall n : nat, n = n", "forall m : nat, m = m")
    assert "expected: forall n" in text and "Coq says: forall m" in text and "first difference at character 7" in text

"""Reports (JSON validated against the shipped schema, Markdown) and the command line."""
import json
import shutil

import jsonschema
import pytest

from memproof.blueprint import default_blueprint_path, load_blueprint, run_blueprint
from memproof.cli import main
from memproof.report import Report, report_schema, to_markdown, validate_report
from memproof.results import Level

LEMMAS = "L1,L2,L3,L4,L5,L6,L7,L8"
HAS_COQ = shutil.which("coqc") is not None


@pytest.fixture(scope="module")
def report():
    bp = load_blueprint(default_blueprint_path())
    entries = run_blueprint(bp, claims=LEMMAS.split(","), quick=True, seed=1)
    return Report(bp, tuple(entries), seed=1, quick=True, require=Level.SYMBOLIC, strict=False,
                  versions={"python": "3"}, exit_code=0)


def test_json_report_validates_and_schema_rejects_corruption(report):
    data = json.loads(json.dumps(report.to_dict()))
    validate_report(data)
    assert data["schema_version"] == "1.2" and data["findings"] == [] and data["summary"]["proved"] == 8
    l4 = next(c for c in data["claims"] if c["id"] == "L4")
    assert (l4["established_level"], l4["established_scope"]) == (("formal", "universal") if HAS_COQ else ("smt", "box"))
    assert {c["id"] for c in data["claims"]} == set(LEMMAS.split(","))
    bad = json.loads(json.dumps(data))
    bad["claims"][0]["result"]["outcome"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        validate_report(bad)
    bad = json.loads(json.dumps(data))
    bad["claims"][0]["result"]["level"] = None  # a proved result must carry its level
    with pytest.raises(jsonschema.ValidationError):
        validate_report(bad)
    assert report_schema()["title"].startswith("memproof verification report")


def test_markdown_table_and_evidence(report):
    md = to_markdown(report)
    assert "| claim | title | own level · scope | through premises | outcome | scope | time |" in md
    row = next(line for line in md.splitlines() if line.startswith("| L4 |"))
    if HAS_COQ:
        assert "| formal · universal | formal · universal | proved |" in row
    else:
        assert "| smt · box | smt · box | proved |" in row and "n ∈ {2, 3}" in row
    assert "### L7 — Rank stability" in md and "## Evidence" in md


def test_cli_verify_writes_reports_and_graph(tmp_path, capsys):
    paths = {k: tmp_path / f"r.{k}" for k in ("json", "md", "svg")}
    code = main(["verify", "--claims", "L2,L7", "--quick", "--json", str(paths["json"]), "--md", str(paths["md"]),
                 "--graph", str(paths["svg"])])
    assert code == 0
    data = json.loads(paths["json"].read_text())
    assert [c["id"] for c in data["claims"]] == ["L2", "L7"] and data["exit_code"] == 0
    assert "| L7 |" in paths["md"].read_text()
    assert paths["svg"].read_text().lstrip().startswith("<?xml")
    assert "2 proved" in capsys.readouterr().out


def test_cli_exit_code_for_required_level(tmp_path):
    assert main(["verify", "--claims", "A1", "--quick", "--require", "formal"]) == 2  # A1 is exact · instance
    assert main(["verify", "--claims", "A1", "--quick", "--require", "exact"]) == 0
    assert main(["verify", "--claims", "L7", "--quick", "--require", "formal"]) == (0 if HAS_COQ else 2)


def test_cli_errors_are_reported_with_exit_code_3(tmp_path, capsys):
    bad = tmp_path / "bp.md"
    bad.write_text("## A — x\n- kind: lemma\n- uses: B\n\nS\n")
    assert main(["verify", "--proof", str(bad)]) == 3
    assert "uses 'B', which the blueprint does not define" in capsys.readouterr().err
    assert main(["verify", "--claims", "Q9", "--quick"]) == 3


def test_cli_verify_refuses_an_edited_blueprint_with_exit_code_3(tmp_path, capsys):
    """A wrong constant in L4's statement: refused before anything runs, naming the claim and the difference."""
    src = default_blueprint_path()
    edited = tmp_path / "mahdavi2024"
    edited.mkdir()
    (edited / "blueprint.md").write_text(src.read_text(encoding="utf-8").replace("≤ 2(n−1) exp(−(cγ − 2β))", "≤ (n−1) exp(−(cγ − 2β))", 1))
    (edited / "checkers").symlink_to(src.parent / "checkers")
    out = tmp_path / "r.json"
    assert main(["verify", "--proof", str(edited), "--claims", "L4", "--quick", "--json", str(out)]) == 3
    err = capsys.readouterr().err
    assert "L4: the blueprint's statement is not the one check_L4 establishes" in err and "'(n−1)'" in err
    assert not out.exists()


def test_cli_list_and_versions(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "L3" in out and "checker: check_L3" in out and "uses: A1, A2, S8" in out
    assert "resolved from the memproof source checkout" in out and "24 claims bound to their declared statements" in out
    assert main(["versions"]) == 0
    out = capsys.readouterr().out
    for name in ("python", "numpy", "sympy", "python-flint", "z3-solver", "torch", "device"):
        assert name in out


def test_cli_verify_adds_experiment_findings_without_changing_the_exit_code(tmp_path, capsys):
    from memproof.results import Result, Scope

    folder = tmp_path / "out" / "e1"
    folder.mkdir(parents=True)
    scope = Scope.instance("tiny run")
    findings = [Result.proved("E1.heads", "linear in H", Level.EMPIRICAL, scope),
                Result.refuted("E1.head_size", "flat beyond d_h = n", Level.EMPIRICAL, scope, counterexample={"points": [1, 2]})]
    (folder / "findings.json").write_text(json.dumps([f.to_dict() for f in findings]))
    paths = {k: tmp_path / f"r.{k}" for k in ("json", "md")}
    code = main(["verify", "--claims", "L2", "--quick", "--findings", str(tmp_path / "out"), "--json", str(paths["json"]),
                 "--md", str(paths["md"])])
    assert code == 0  # a refuted empirical finding is reported, not a refuted claim of the proof
    data = json.loads(paths["json"].read_text())
    assert [(f["result"]["claim"], f["result"]["outcome"]) for f in data["findings"]] == [("E1.heads", "proved"),
                                                                                          ("E1.head_size", "refuted")]
    assert data["findings"][0]["source"].endswith("e1/findings.json")
    md = paths["md"].read_text()
    assert "## Empirical findings of the experiments" in md and "| E1.head_size | flat beyond d_h = n |" in md
    bad = json.loads(paths["json"].read_text())
    del bad["findings"][0]["source"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(bad)
    assert main(["verify", "--claims", "L2", "--quick", "--findings", str(tmp_path / "nothing-here")]) == 3
    assert "--findings" in capsys.readouterr().err


def test_shipped_experiment_findings_load():
    from pathlib import Path

    from memproof.report import load_findings

    found = load_findings(Path(__file__).resolve().parents[1] / "docs" / "figures")
    claims = {r.claim for _, r in found}
    assert {"E1.heads", "E1.context", "E1.head_size", "CVT", "TORCH.agree"} <= claims
    assert all(r.outcome.value in ("proved", "refuted") and r.level is not None for _, r in found)

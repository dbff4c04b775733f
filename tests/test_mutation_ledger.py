"""The mutation ledger (tools/mutation.py): verdicts survive a fresh clone, and go stale with their code."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = '''def double(x):
    return 2 * x


class Box:
    def size(self):
        return 1 + 1
'''


@pytest.fixture
def tool(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    monkeypatch.setattr(mod, "STAGE", tmp_path / ".mutation")
    monkeypatch.setattr(mod, "LEDGER", tmp_path / "ledger.json")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "toy.py").write_text(SOURCE)
    (tmp_path / ".mutation" / "mutants" / "pkg").mkdir(parents=True)
    (tmp_path / ".mutation" / "pkg").mkdir()
    (tmp_path / ".mutation" / "pkg" / "toy.py").write_text(SOURCE)
    hashes = mod.function_hashes(SOURCE)
    meta = {"exit_code_by_key": {"pkg.toy.x_double__mutmut_1": 1, "pkg.toy.x_double__mutmut_2": 36,
                                 "pkg.toy.xǁBoxǁsize__mutmut_1": 1, "pkg.toy.xǁBoxǁsize__mutmut_2": None},
            "hash_by_function_name": hashes, "type_check_error_by_key": {}, "durations_by_key": {},
            "estimated_durations_by_key": {}}
    (tmp_path / ".mutation" / "mutants" / "pkg" / "toy.py.meta").write_text(json.dumps(meta))
    return mod


def test_a_fresh_stage_gets_back_the_recorded_verdicts(tool):
    meta = tool.STAGE / "mutants" / "pkg" / "toy.py.meta"
    before = json.loads(meta.read_text())
    tool.save_ledger(["pkg/toy.py"], {"modules": ["pkg/toy.py"], "seconds": 3.0, "max_children": 1})
    meta.unlink()
    assert tool.restore_from_ledger(["pkg/toy.py", "pkg/absent.py"]) == ["pkg/toy.py"]
    after = json.loads(meta.read_text())
    assert after["exit_code_by_key"] == before["exit_code_by_key"]
    assert after["hash_by_function_name"] == before["hash_by_function_name"]
    assert tool.restore_from_ledger(["pkg/toy.py"]) == []  # an existing .meta is never overwritten
    status = tool.results("pkg/toy.py")
    assert status == {"pkg.toy.x_double__mutmut_1": "killed", "pkg.toy.x_double__mutmut_2": "timeout",
                      "pkg.toy.xǁBoxǁsize__mutmut_1": "killed", "pkg.toy.xǁBoxǁsize__mutmut_2": "not checked"}
    assert tool.last_run_seconds("pkg/toy.py", tool.load_ledger()) == (3.0, 1)


def test_verdicts_of_a_changed_function_are_not_counted_and_a_new_function_is_named(tool):
    tool.save_ledger(["pkg/toy.py"], {"modules": ["pkg/toy.py"]})
    ledger = tool.load_ledger()
    (tool.ROOT / "pkg" / "toy.py").write_text(SOURCE.replace("2 * x", "3 * x") + "\n\ndef fresh(y):\n    return y - 1\n")
    status = tool.results("pkg/toy.py", ledger)
    assert status["pkg.toy.x_double__mutmut_1"] == "not checked"  # killed on other code
    assert status["pkg.toy.xǁBoxǁsize__mutmut_1"] == "killed"  # unchanged method keeps its verdict
    assert tool.unknown_functions("pkg/toy.py", ledger) == ["x_fresh"]
    text, failures, _ = tool.build_report(["pkg/toy.py"], 90.0)
    assert any("x_fresh" in f for f in failures)
    assert any("not run" in f for f in failures)


def test_record_reads_another_stage_and_the_ledger_is_plain_json(tool, tmp_path):
    other = tmp_path / "other"
    (tool.STAGE).rename(other)
    tool.save_ledger(["pkg/toy.py"], {"modules": ["pkg/toy.py"]}, other)
    ledger = json.loads(tool.LEDGER.read_text())
    assert ledger["modules"]["pkg/toy.py"]["codes"] == {"x_double": "1 36", "xǁBoxǁsize": "1 -"}
    assert tool.results("pkg/toy.py")["pkg.toy.x_double__mutmut_2"] == "timeout"

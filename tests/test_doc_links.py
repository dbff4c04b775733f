"""Every relative link in the docs resolves inside the repository (a fresh clone has no ``shared/``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = sorted([ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("examples/*.py")])
#: ``[text](target)`` and ``![alt](target "title")``; the target stops at whitespace or ``)``
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)  # http:, https:, mailto:, in-page anchors


def relative_links(text: str) -> list[str]:
    """The link targets of ``text`` that are paths (no URL scheme, no bare ``#anchor``), anchors removed.

    Inline code (`` `a[i](j)` ``) is not Markdown and is skipped.
    """
    prose = re.sub(r"`[^`\n]*`", "", text)
    return [t.split("#", 1)[0] for t in LINK.findall(prose) if not EXTERNAL.match(t)]


def test_link_parser_finds_relative_targets_only():
    text = ('see [a](docs/a.md), ![fig](figures/x.png "title"), [b](../b.md#sec), [w](https://x.org/y.md), '
            '[anchor](#top), [m](mailto:a@b.c), `a[i](j)` and [c](c.py)')
    assert relative_links(text) == ["docs/a.md", "figures/x.png", "../b.md", "c.py"]


def test_scanned_files_exist():
    names = {p.relative_to(ROOT).as_posix() for p in SCANNED}
    assert {"README.md", "docs/kruskal.md", "benchmarks/kruskal_bench.py", "examples/check_lemma_on_my_numbers.py"} <= names


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve_in_the_repository(path):
    text = path.read_text(encoding="utf-8")
    missing = []
    for target in relative_links(text):
        resolved = (path.parent / target).resolve()
        if not resolved.exists() or not resolved.is_relative_to(ROOT):
            missing.append(target)
    assert not missing, f"{path.relative_to(ROOT)} links to paths not in the repository: {missing}"


@pytest.mark.parametrize("path", [*SCANNED, *sorted(ROOT.glob("memproof/**/*.py"))], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_reference_to_the_unshipped_spec(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"shared/spec|\.\./shared/", text), f"{path.relative_to(ROOT)} refers to files outside the repository"

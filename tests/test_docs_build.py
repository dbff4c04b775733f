"""The docs site (``make docs``): ``mkdocs build --strict`` passes, refuses a broken internal link, and the
built site opens from disk in a browser with its API reference, figures and examples."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
pytest.importorskip("mkdocstrings", reason="the docs extra is not installed (pip install -e '.[docs]')")


def build(config: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=config.parent, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs-site")
    done = build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return out


def test_strict_build_has_every_page_the_api_reference_figures_and_examples(site):
    for page in ("index", "levels-and-reports", "model", "kruskal", "construction", "formal", "experiments",
                 "examples", "benchmarks-kruskal", "benchmarks-construct", "benchmarks-float32", "api"):
        assert (site / f"{page}.html").is_file(), page
    api = (site / "api.html").read_text(encoding="utf-8")
    assert 'id="memproof.results.Result"' in api and "A checked claim: a certificate, not a boolean" in api
    assert 'id="memproof.report_site.write_site"' in api
    experiments = (site / "experiments.html").read_text(encoding="utf-8")
    figures = re.findall(r'<img[^>]+src="(figures/[^"]+)"', experiments)
    assert figures and all((site / f).is_file() for f in figures), figures
    examples = (site / "examples.html").read_text(encoding="utf-8")
    assert "construct_memorizing_mha" in examples  # the script's text, included at build time


def test_strict_build_refuses_a_broken_internal_link(tmp_path):
    for name in ("memproof", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "docs" / "model.md").open("a", encoding="utf-8") as f:
        f.write("\nSee [the missing page](no-such-page.md).\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "out")
    assert done.returncode != 0 and "no-such-page.md" in done.stdout + done.stderr


@pytest.mark.browser
def test_browser_opens_the_docs_from_disk(site, chromium, tmp_path):
    url = (site / "index.html").as_uri()
    dom = chromium.dom(url)
    hrefs = set(re.findall(r'href="([^"#]+\.html)', dom))
    assert {"api.html", "experiments.html", "levels-and-reports.html"} <= hrefs
    assert all((site / h).is_file() for h in hrefs if not h.startswith(("http:", "https:", "file:"))), hrefs
    api = chromium.dom((site / "api.html").as_uri())
    assert "memproof.results.Result" in api
    chromium.screenshot(url, tmp_path / "docs-index.png", width=1400, height=900)

"""The report site (``memproof verify --html DIR``): pages, links, escaping, and what a reader's browser shows."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import pytest

from memproof.blueprint import default_blueprint_path, load_blueprint
from memproof.blueprint.draw import LEVEL_COLOURS
from memproof.blueprint.parse import parse_blueprint
from memproof.blueprint.runner import ClaimEntry
from memproof.cli import main
from memproof.formal import INSTANCE
from memproof.report import Report
from memproof.report_site import _formal_section, recheck_command, write_site
from memproof.report_site.pages import COLLAPSE_CHARS
from memproof.results import Level, Result, Scope, ScopeKind

HAS_COQ = shutil.which("coqc") is not None
FORGED = "<script>alert('x')</script> & <b>bold</b>"
SMT = "(declare-const x Real)\n" + "(assert (< x 0))\n" * 400 + "(check-sat)"

TOY = """# Toy proof <with> markup

## A — Base & case
- kind: assumption
- uses: none
- checker: none

a < b holds.

## B — Middle
- kind: lemma
- uses: A
- checker: none

B statement.

## C — Top
- kind: theorem
- uses: A, B
- checker: none

C statement.

## D — Later
- kind: lemma
- uses: C
- checker: none
- planned: someday

D statement.
"""


class Links(HTMLParser):
    """Graph nodes (``<a class="node" data-claim href>``) and every ``href`` of a page."""

    def __init__(self):
        super().__init__()
        self.nodes: dict[str, dict[str, str]] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            if "node" in (a.get("class") or "").split():
                self.nodes[a["data-claim"]] = a


def parse_links(text: str) -> Links:
    links = Links()
    links.feed(text)
    return links


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory):
    bp = parse_blueprint(TOY, source=Path("toy/blueprint.md"))
    a = Result.proved("A", "a < b", Level.EXACT, Scope.universal(), evidence={"smt": SMT, "note": FORGED},
                      margins={"b - a": 0.25}, seconds=0.5)
    b = Result.proved("B", "B statement.", Level.RIGOROUS, Scope.instance("E1 <n=3>"), seconds=0.25)
    c = Result.unknown("C", "C statement.", FORGED)
    entries = (ClaimEntry(bp.claim("A"), a, Level.EXACT, established_scope=ScopeKind.UNIVERSAL),
               ClaimEntry(bp.claim("B"), b, Level.RIGOROUS, established_scope=ScopeKind.INSTANCE),
               ClaimEntry(bp.claim("C"), c, None))
    finding = Result.proved("E9", "trained models reach 1.0 <accuracy>", Level.EMPIRICAL, Scope.instance("seed 0"))
    report = Report(bp, entries, seed=7, quick=True, require=Level.SYMBOLIC, strict=False, versions={"python": "3 <x>"},
                    exit_code=2, findings=(("runs/e9/findings.json", finding),), shared_seconds={"compile <all>": 1.5})
    folder = tmp_path_factory.mktemp("toy-site")
    return report, write_site(report, folder)


def test_every_claim_is_a_graph_node_linking_to_its_page(toy_site):
    report, index = toy_site
    links = parse_links(index.read_text(encoding="utf-8"))
    assert set(links.nodes) == {"A", "B", "C", "D"}
    for claim in report.blueprint.claims:
        target = index.parent / links.nodes[claim.id]["href"]
        text = target.read_text(encoding="utf-8")
        assert f'data-claim="{claim.id}"' in text and claim.statement.replace("<", "&lt;") in text.replace("&#x27;", "'")
    node = links.nodes
    assert (node["A"]["data-outcome"], node["A"]["data-level"], node["A"]["data-scope"]) == ("proved", "exact", "universal")
    assert (node["B"]["data-level"], node["B"]["data-scope"]) == ("rigorous", "instance")
    assert (node["C"]["data-outcome"], node["C"]["data-scope"]) == ("unknown", "none")
    assert node["D"]["data-outcome"] == "not checked"


def test_shapes_follow_the_scope(toy_site):
    _, index = toy_site
    svg = index.read_text(encoding="utf-8")
    node = {m.group(1): m.group(2) for m in re.finditer(r'data-claim="(\w)".*?<g fill="[^"]+" class="([\w-]+)">', svg)}
    assert node == {"A": "border-solid", "B": "border-solid", "C": "border-dashed", "D": "border-dotted"}
    a = svg[svg.index('data-claim="A"'):svg.index('data-claim="B"')]
    b = svg[svg.index('data-claim="B"'):svg.index('data-claim="C"')]
    assert 'rx="27.0"' in a and "<polygon" not in a  # universal: a pill
    assert "<polygon" in b  # instance: a clipped octagon


def test_no_markup_from_evidence_reaches_the_pages(toy_site):
    _, index = toy_site
    for page in index.parent.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<b>bold" not in text and "<with>" not in text, page
    a = (index.parent / "claims" / "A.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in a


def test_long_evidence_is_collapsed_not_cut(toy_site):
    _, index = toy_site
    a = (index.parent / "claims" / "A.html").read_text(encoding="utf-8")
    assert len(SMT) > COLLAPSE_CHARS
    block = re.search(r'<details class="evidence"><summary><code>smt</code> — ([\d,]+) characters.*?<pre>(.*?)</pre></details>', a, re.DOTALL)
    assert block and int(block.group(1).replace(",", "")) == len(SMT)
    assert block.group(2) == SMT.replace("<", "&lt;")  # all 400 assertions, not a prefix
    assert '<div class="evidence"><code>note</code>' in a  # short evidence stays open


def test_claim_page_has_premises_dependents_margins_timing_versions_and_command(toy_site):
    report, index = toy_site
    b = parse_links((index.parent / "claims" / "B.html").read_text(encoding="utf-8"))
    assert {"../claims/A.html", "../claims/C.html", "../index.html", "../findings.html"} <= set(b.hrefs)
    a = (index.parent / "claims" / "A.html").read_text(encoding="utf-8")
    assert "<code>b - a</code></td><td>0.25</td>" in a and "0.500 s" in a and "3 &lt;x&gt;" in a
    command = recheck_command(report, "A")
    assert command == "memproof verify --claims A --seed 7 --require symbolic --quick --proof toy/blueprint.md"
    assert command in a
    d = (index.parent / "claims" / "D.html").read_text(encoding="utf-8")
    assert "not checked in this run" in d and "someday" in d


def test_findings_have_their_own_page(toy_site):
    _, index = toy_site
    findings = (index.parent / "findings.html").read_text(encoding="utf-8")
    assert 'id="E9"' in findings and "1.0 &lt;accuracy&gt;" in findings and "runs/e9/findings.json" in findings
    assert "E9" not in index.read_text(encoding="utf-8").split("findings.html")[0]
    assert not any("E9" in p.read_text(encoding="utf-8") for p in (index.parent / "claims").iterdir())


def test_recheck_command_of_the_default_proof_names_no_path():
    bp = load_blueprint(default_blueprint_path())
    report = Report(bp, (), seed=0, quick=False, require=Level.EMPIRICAL, strict=True, versions={}, exit_code=0)
    assert recheck_command(report, "L4") == "memproof verify --claims L4 --seed 0 --require empirical --strict"


@pytest.fixture(scope="module")
def verified_site(tmp_path_factory):
    """``memproof verify --html`` on two lemmas (one has a Coq lemma) of the paper's proof."""
    folder = tmp_path_factory.mktemp("site")
    assert main(["verify", "--claims", "L2,L7", "--quick", "--html", str(folder)]) == 0
    return folder / "index.html"


def test_cli_writes_the_site_with_the_coq_statement(verified_site):
    bp = load_blueprint(default_blueprint_path())
    assert {p.stem for p in (verified_site.parent / "claims").iterdir()} == set(bp.ids)
    l2 = (verified_site.parent / "claims" / "L2.html").read_text(encoding="utf-8")
    claim = bp.claim("L2")
    assert claim.coq and f"<code>{claim.coq}</code>" in l2 and "Checked statement in Coq" in l2
    assert "memproof verify --claims L2 --seed 0 --require empirical --quick" in l2
    if HAS_COQ:
        assert "as Coq prints it" in l2 and "make formal-check" in l2
    assert parse_links(verified_site.read_text(encoding="utf-8")).nodes["L2"]["data-outcome"] == "proved"
    assert parse_links(verified_site.read_text(encoding="utf-8")).nodes["T1"]["data-outcome"] == "not checked"


def test_instance_lemma_is_shown_beside_the_formal_part_escaped():
    t1 = load_blueprint(default_blueprint_path()).claim("T1")
    found = {"lemma": t1.coq_instance + FORGED, "error": None, "assumptions": ["Coq.A.x", "Coq.Logic.Epsilon.epsilon_statement"],
             "outside_allowed": ["Coq.Logic.Epsilon.epsilon_statement"], "readable_statement": "forall n, n = n"}
    formal = Result.proved("T1", "s", Level.FORMAL, Scope.universal("all sizes"), evidence={"lemma": t1.coq, INSTANCE: found})
    html = _formal_section(t1, Result.combine("T1", "s", [formal]))
    assert "Instance (reported beside the claim, not bound to it)" in html and FORGED not in html
    assert "outside the allow-list: <code>Coq.Logic.Epsilon.epsilon_statement</code>" in html and "<code>Coq.A.x</code>" in html
    broken = _formal_section(t1, Result.combine("T1", "s", [formal.replace(evidence={"lemma": t1.coq, INSTANCE: {**found, "error": "Theorem1Reals.v failed"}})]))
    assert "not queried: Theorem1Reals.v failed" in broken and "Coq.A.x" not in broken
    assert "Instance" not in _formal_section(t1, Result.combine("T1", "s", [formal.replace(evidence={"lemma": t1.coq})]))


def _file(url: str) -> Path:
    return Path(url2pathname(urlparse(url).path))


@pytest.mark.browser
def test_browser_shows_every_claim_and_nodes_reach_their_pages(verified_site, chromium, tmp_path):
    bp = load_blueprint(default_blueprint_path())
    url = verified_site.as_uri()
    dom = parse_links(chromium.dom(url))
    assert set(dom.nodes) == set(bp.ids), "the graph in the browser does not show every claim"
    for claim in bp.claims:  # clicking a node follows its href, resolved against the page's file:// address
        target = urljoin(url, dom.nodes[claim.id]["href"])
        assert target.startswith("file://") and _file(target).is_file(), target
    for claim_id in ("L2", "L7", "T1"):  # open a few in the browser, as a reader clicking them would
        page = chromium.dom(urljoin(url, dom.nodes[claim_id]["href"]))
        assert f'data-claim="{claim_id}"' in page and bp.claim(claim_id).title in page
    shot = chromium.screenshot(url, tmp_path / "report-site.png")
    plt = pytest.importorskip("matplotlib.pyplot")
    pixels = (plt.imread(shot)[..., :3] * 255).round()
    proved = [[int(c[i:i + 2], 16) for i in (1, 3, 5)] for lv, c in LEVEL_COLOURS.items() if lv > Level.EMPIRICAL]
    coloured = sum(int((abs(pixels - rgb).sum(axis=-1) < 12).sum()) for rgb in proved)
    assert coloured > 2000, "the screenshot shows no proved (coloured) nodes"
    print(f"screenshot: {shot}")

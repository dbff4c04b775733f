"""Read a proof blueprint: a Markdown file with one section per claim.

Format (``proofs/<paper>/blueprint.md``)::

    # Title of the paper's proof
    Free text (source, notation) ...

    ## L3 — Prescribed logits
    - kind: lemma
    - uses: A1, A2
    - checker: check_L3

    Statement in words and formulas, any length.

A section starts with ``## ID — Title`` (``—``, ``-`` or ``:`` separate id and title); the ``- key:
value`` lines right after the heading are metadata: ``kind``, ``uses`` (comma-separated ids or
``none``), ``checker`` (a name in the proof's own checker registry, or ``none``; never an import path:
see :mod:`memproof.blueprint.declare`) and ``planned`` (why a claim has no checker yet) and ``coq`` (the fully qualified Coq lemma that proves the claim, see ``docs/formal.md``) and
``coq-instance`` (a lemma that applies it to a concrete structure, e.g. Theorem 1 at Coq's reals:
queried and reported beside the claim, never bound to it; only with ``coq``). The rest
of the section is the statement, except a fenced ````coq```` block (optionally inside ``<details>``):
the lemma's statement as Coq prints it with full names, which ``memproof verify`` compares with Coq.
A reader can read the proof without opening Python.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..errors import ProofGraphError

_HEADING = re.compile(r"^##\s+(?P<id>[A-Za-z][A-Za-z0-9_.]*)\s*(?:—|–|-|:)\s*(?P<title>.+?)\s*$")
_META = re.compile(r"^-\s*(?P<key>kind|uses|checker|planned|coq-instance|coq)\s*:\s*(?P<value>.*?)\s*$")
_COQ_BLOCK = re.compile(r"(?:<details>\s*(?:<summary>.*?</summary>)?\s*)?```coq\n(?P<text>.*?)\n```(?:\s*</details>)?", re.S)
_KINDS = {"assumption", "definition", "lemma", "step", "proposition", "theorem"}


@dataclasses.dataclass(frozen=True)
class Claim:
    """One node of the blueprint: id, title, kind, premises (``uses``), checker path, statement."""

    id: str
    title: str
    kind: str
    uses: tuple[str, ...]
    checker: str | None
    statement: str
    planned: str | None = None
    line: int = 0
    coq: str | None = None
    coq_statement: str | None = None
    coq_instance: str | None = None


@dataclasses.dataclass(frozen=True)
class Blueprint:
    """A parsed proof: its title, preamble text, claims in document order and source path."""

    title: str
    preamble: str
    claims: tuple[Claim, ...]
    source: Path | None = None

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        known = ", ".join(c.id for c in self.claims)
        raise ProofGraphError(f"unknown claim id {claim_id!r}; the blueprint has: {known}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claims)


def _split_ids(value: str) -> tuple[str, ...]:
    if value.strip().lower() in {"", "none", "—", "-"}:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_blueprint(text: str, source: Path | None = None) -> Blueprint:
    """Parse blueprint Markdown; raises :class:`ProofGraphError` on malformed sections."""
    where = f"{source}" if source else "<blueprint>"
    lines = text.splitlines()
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "untitled proof")
    sections: list[tuple[int, re.Match[str]]] = [(i, m) for i, ln in enumerate(lines) if (m := _HEADING.match(ln))]
    preamble_end = sections[0][0] if sections else len(lines)
    preamble = "\n".join(ln for ln in lines[:preamble_end] if not ln.startswith("# ")).strip()
    claims: list[Claim] = []
    seen: set[str] = set()
    for k, (start, match) in enumerate(sections):
        end = sections[k + 1][0] if k + 1 < len(sections) else len(lines)
        body = lines[start + 1 : end]
        meta: dict[str, str] = {}
        i = 0
        while i < len(body) and (not body[i].strip() or _META.match(body[i])):
            if m := _META.match(body[i]):
                meta[m["key"]] = m["value"]
            i += 1
        claim_id = match["id"]
        if claim_id in seen:
            raise ProofGraphError(f"{where}:{start + 1}: claim id {claim_id!r} defined twice")
        seen.add(claim_id)
        kind = meta.get("kind", "").lower()
        if kind not in _KINDS:
            raise ProofGraphError(f"{where}:{start + 1}: claim {claim_id} has kind {kind!r}; expected one of {sorted(_KINDS)}")
        checker = meta.get("checker", "none").strip()
        checker = None if checker.lower() in {"", "none"} else checker
        if checker is not None and not checker.isidentifier():
            raise ProofGraphError(f"{where}:{start + 1}: checker {checker!r} of {claim_id} is not a registry name "
                                  "(checkers are named from the proof's own registry, e.g. check_L3, not by import path)")
        text = "\n".join(body[i:]).strip()
        blocks = list(_COQ_BLOCK.finditer(text))
        if len(blocks) > 1:
            raise ProofGraphError(f"{where}:{start + 1}: claim {claim_id} has {len(blocks)} coq blocks; expected at most one")
        coq, coq_statement = meta.get("coq"), blocks[0]["text"].strip() if blocks else None
        if (coq is None) != (coq_statement is None):
            raise ProofGraphError(f"{where}:{start + 1}: claim {claim_id} needs both a '- coq:' lemma and a ```coq block "
                                  "with its statement (or neither)")
        if "coq-instance" in meta and coq is None:
            raise ProofGraphError(f"{where}:{start + 1}: claim {claim_id} names a '- coq-instance:' lemma but no '- coq:' lemma")
        claims.append(
            Claim(
                id=claim_id,
                title=match["title"],
                kind=kind,
                uses=_split_ids(meta.get("uses", "")),
                checker=checker,
                statement=_COQ_BLOCK.sub("", text).strip(),
                planned=meta.get("planned"),
                line=start + 1,
                coq=coq,
                coq_statement=coq_statement,
                coq_instance=meta.get("coq-instance"),
            )
        )
    if not claims:
        raise ProofGraphError(f"{where}: no claims found (sections start with '## ID — Title')")
    return Blueprint(title=title, preamble=preamble, claims=tuple(claims), source=source)


def load_blueprint(path: str | Path) -> Blueprint:
    """Parse ``path`` (a blueprint ``.md`` file, or a folder holding ``blueprint.md``)."""
    p = Path(path)
    if p.is_dir():
        p = p / "blueprint.md"
    if not p.is_file():
        raise ProofGraphError(f"no blueprint at {p}: expected a Markdown file or a folder with blueprint.md")
    return parse_blueprint(p.read_text(encoding="utf-8"), source=p)

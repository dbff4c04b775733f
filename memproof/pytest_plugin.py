"""pytest integration: run memproof claim checkers in your own test suite.

Installed as a pytest plugin (entry point ``memproof``). It provides

- the marker ``@pytest.mark.claim("L3")`` naming the claim a test checks;
- the fixture ``memproof_result``: call it with a :class:`~memproof.results.Result`; it fails the
  test unless the result is proved (optionally at a minimum ``level``) and records it;
- a terminal summary listing every recorded claim with its outcome, level and scope.

Example::

    @pytest.mark.claim("L3")
    def test_my_logits(memproof_result):
        memproof_result(check_prescribed_logits(queries, contexts, targets), level="exact")
"""
from __future__ import annotations

import pytest

from .results import Level, Result

_RECORDED = pytest.StashKey[list]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "claim(id): the memproof claim id (A1, L3, S6, ...) this test checks")
    config.stash[_RECORDED] = []


@pytest.fixture
def memproof_result(request: pytest.FixtureRequest):
    """Assert a Result is proved (at ``level`` or stronger) and record it for the summary."""

    def record(result: Result, level: str | Level | None = None) -> Result:
        if not isinstance(result, Result):
            raise TypeError(f"memproof_result expects a memproof Result, got {type(result).__name__}")
        request.config.stash[_RECORDED].append((request.node.nodeid, result))
        marker = request.node.get_closest_marker("claim")
        if marker and marker.args and marker.args[0] != result.claim:
            pytest.fail(f"test is marked claim {marker.args[0]!r} but checked {result.claim!r}")
        if not result.meets(Level.parse(level) if level else Level.EMPIRICAL):
            pytest.fail(f"{result.summary()} (required: {level or 'proved at any level'})")
        return result

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    recorded = config.stash.get(_RECORDED, [])
    if not recorded:
        return
    terminalreporter.section("memproof claims")
    for nodeid, result in recorded:
        terminalreporter.write_line(f"{result.summary()}  ({nodeid})")

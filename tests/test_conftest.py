"""The CI rule of tests/conftest.py: where PHARMA_REQUIRE_SERVERS=1, an e2e test never skips.

Each case runs a small pytest session in a temporary folder with this repository's
tests/conftest.py as its conftest, so the hook under test is the one CI runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")
SKIPPING_TESTS = """
import pytest

@pytest.mark.e2e
def test_browser_missing():
    pytest.skip("no browser here")

@pytest.mark.e2e
def test_through_the_helper():
    from conftest import skip_or_fail
    skip_or_fail("no server here")

def test_shared_folder_missing():
    pytest.skip("no shared folder here")

@pytest.mark.e2e
@pytest.mark.xfail(reason="a known gap", strict=True)
def test_known_gap():
    assert False
"""


@pytest.fixture
def session(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    e2e: drives the browser\n")
    pytester.makepyfile(test_skipping=SKIPPING_TESTS)
    return pytester


def test_an_e2e_skip_is_a_failure_where_servers_are_required(session, monkeypatch):
    monkeypatch.setenv("PHARMA_REQUIRE_SERVERS", "1")
    result = session.runpytest("-rfs")
    result.assert_outcomes(failed=2, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "skipped (no browser here), but a test marked e2e must run where *SERVERS=1",
            "E*Failed: no server here (PHARMA_REQUIRE_SERVERS=1: this test must run here)",
            "SKIPPED*test_skipping.py:13: no shared folder here",
        ],
        consecutive=False,
    )


def test_an_e2e_skip_stays_a_skip_elsewhere(session, monkeypatch):
    monkeypatch.delenv("PHARMA_REQUIRE_SERVERS", raising=False)
    result = session.runpytest()
    result.assert_outcomes(skipped=3, xfailed=1)

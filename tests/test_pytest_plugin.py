"""The pytest plugin: claim markers, the memproof_result fixture and the summary of levels reached."""
pytest_plugins = ["pytester"]


def test_plugin_records_and_enforces_levels(pytester):
    pytester.makepyfile(
        """
        import numpy as np
        import pytest
        from memproof.lemmas.rank_stability import check_rank_stability

        @pytest.mark.claim("L7")
        def test_exact(memproof_result):
            memproof_result(check_rank_stability(np.eye(2), np.diag([1.0, 0.5]), 2), level="exact")

        @pytest.mark.claim("L7")
        def test_refuted_fails(memproof_result):
            memproof_result(check_rank_stability(np.eye(2), np.diag([1.0, 0.0]), 2, factor=2.0))

        @pytest.mark.claim("L3")
        def test_wrong_claim_id(memproof_result):
            memproof_result(check_rank_stability(np.eye(2), np.diag([1.0, 0.5]), 2))
        """
    )
    result = pytester.runpytest_subprocess("-q", "--tb=line")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*Failed: L7: refuted [[]exact; instance[]] (required: proved at any level)",
        "*Failed: test is marked claim 'L3' but checked 'L7'",
        "*memproof claims*",
        "L7: proved [[]exact; instance[]]*test_exact*",
        "L7: refuted [[]exact; instance[]]*test_refuted_fails*",
    ])

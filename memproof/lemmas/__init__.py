"""Lemmas L1–L8 of theorem.md §5: for each, the construction, a public instance checker
(returns a :class:`~memproof.results.Result`) and the proof-graph checker ``check_Lk(ctx)``."""

"""Propositions P1–P4 of theorem.md §4: constructors where there are any, instance checkers and
proof-graph checkers ``check_Pk(ctx)``."""

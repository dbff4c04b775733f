"""Run every benchmark (``make bench``): each prints its table with ratios against its named peers.

    python benchmarks/run.py [--quick]

- ``kruskal_bench.py`` — exact Kruskal rank vs P1 (itertools + numpy rank), P2 (sympy exact), P3 (the
  paper's float32 sampler); tables in docs/benchmarks-kruskal.md;
- ``construct_bench.py`` — construction and rigorous certification against T, vs exact rank of the
  float Z; table in docs/benchmarks-construct.md;
- ``float32_bench.py`` — today vs ``target_dtype`` exported to torch.nn.MultiheadAttention, evaluated in
  float64/float32/bfloat16; table in docs/benchmarks-float32.md.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("kruskal_bench.py", "construct_bench.py", "float32_bench.py")


def main(argv: list[str]) -> int:
    extra = ["--quick"] if "--quick" in argv else []
    failed = []
    for script in BENCHMARKS:
        print(f"\n=== {script} {' '.join(extra)}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script), *extra]) != 0:
            failed.append(script)
    if failed:
        print(f"benchmarks that reported a failure: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

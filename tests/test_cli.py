"""The ``memproof`` command itself: closed pipes, usage errors, and what the light commands import."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memproof.cli import EXIT_BROKEN_PIPE, EXIT_ERROR, main

ROOT = Path(__file__).resolve().parents[1]


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra)
    env.pop("PYTHONUNBUFFERED", None)  # the console script's default: block-buffered stdout into a pipe
    return env


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("argv", [["list"], ["--help"], ["kruskal", "--help"]])
def test_closed_pipe_exits_quietly(argv, buffered):
    # `memproof list | head -1` with the reader gone before memproof writes anything, so that every
    # write fails with EPIPE (a reader closing after one line races with memproof's few small writes).
    # Buffered, the failure comes at the final flush; unbuffered, in the command's first print.
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run([sys.executable, "-m", "memproof", *argv], check=False, stdout=w, stderr=subprocess.PIPE,
                          env=_env() if buffered else _env(PYTHONUNBUFFERED="1"),
                          cwd=ROOT, text=True, timeout=120)
    os.close(w)
    assert proc.returncode == EXIT_BROKEN_PIPE
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


def test_usage_errors_exit_3_not_2(capsys):
    # argparse's 2 would read as "unknown" (undecided); a usage error is an error
    for argv in (["no-such-command"], ["list", "--no-such-option"], ["kruskal", "m.npy", "--axis", "diagonal"], []):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == EXIT_ERROR, argv
    assert "invalid choice: 'diagonal'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["list"], ["--help"], ["kruskal", "--help"]])
def test_light_commands_do_not_import_the_heavy_libraries(argv):
    code = ("import sys, contextlib, io\nfrom memproof.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try: main({argv!r})\n    except SystemExit: pass\n"
            "print(sorted(m for m in ('numba', 'torch', 'sympy', 'z3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, env=_env(), cwd=ROOT, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "[]", out.stdout


def test_list_does_not_import_the_other_subcommands():
    """``list`` binds the proof's checkers (so it imports what they use) but no other subcommand's CLI."""
    code = ("import sys, contextlib, io\nfrom memproof.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['list'])\n"
            "print([m for m in ('memproof.kruskal.cli', 'memproof.construction.cli', 'memproof.experiments') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, env=_env(), cwd=ROOT, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.split()[-1] == "[]", out.stdout + out.stderr


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("list", "verify", "versions", "construct", "kruskal", "experiment"):
        assert name in out

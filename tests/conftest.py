"""Make the paper's proof importable as ``memproof_proofs.mahdavi2024`` for the tests (as verify does);
the ``chromium`` fixture of the browser tests."""
import shutil
import subprocess
from pathlib import Path

import pytest

from memproof.blueprint.proofs import locate_proof, proof_package

proof_package(locate_proof()[0])


class Chromium:
    """Headless Chromium driven by its own command line (``--dump-dom``, ``--screenshot``)."""

    def __init__(self, executable: str, profile: Path):
        self.executable, self.profile = executable, profile

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--user-data-dir={self.profile}", "--virtual-time-budget=3000", *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}"
        return done

    def dom(self, url: str) -> str:
        """The page's DOM after load, serialised (what a reader's browser holds)."""
        return self._run("--dump-dom", url).stdout

    def screenshot(self, url: str, path: Path, width: int = 1600, height: int = 1100) -> Path:
        self._run(f"--screenshot={path}", f"--window-size={width},{height}", url)
        assert path.is_file() and path.stat().st_size > 10_000, f"no screenshot of {url} at {path}"
        return path


@pytest.fixture(scope="session")
def chromium(tmp_path_factory) -> Chromium:
    """The browser, or a skip that says why there is none (``make browser`` installs it)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no headless browser: `chromium` is not on PATH (install it with `make browser`, "
                    "i.e. `apt-get install chromium`)")
    return Chromium(executable, tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture(scope="session")
def dask_client():
    """A real local Dask cluster of two single-threaded worker processes (skipped without memproof[distributed])."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from memproof.kruskal import kernel

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    client.run(kernel.warmup)
    yield client
    client.close()
    cluster.close()

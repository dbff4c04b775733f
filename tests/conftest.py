"""Make the paper's proof importable as ``memproof_proofs.mahdavi2024`` for the tests (as verify does)."""
from memproof.blueprint.proofs import locate_proof, proof_package

proof_package(locate_proof()[0])

import pytest  # noqa: E402


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

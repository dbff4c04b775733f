"""Construction aimed at a target dtype and its rigorous evaluation-error budget (issue #13)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from memproof.construction import check_memorizes, construct_memorizing_mha  # noqa: E402
from memproof.errors import InvalidArgumentError  # noqa: E402
from memproof.export import to_torch_mha  # noqa: E402
from memproof.export.error_bound import evaluation_error_bound  # noqa: E402
from memproof.export.torch_mha import round_to_dtype  # noqa: E402


def _uniform(H=6, n=8, d=16, d_o=1, seed=0, one_hot=False):
    rng = np.random.default_rng(seed)
    T = H * (n - 1) + 1
    Q, E = rng.uniform(size=(T, d)), rng.uniform(size=(n, d))
    Y = np.eye(d_o)[rng.integers(d_o, size=T)] if one_hot else rng.normal(size=(T, d_o))
    return Q, E, Y, H, n


def _err(ex, E, Q, Y):
    return float((ex(E, Q).double() - torch.tensor(Y)).abs().max())


@pytest.fixture(scope="module")
def pair():
    Q, E, Y, H, n = _uniform()
    plain = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0)
    tuned = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")
    return Q, E, Y, plain, tuned


def test_target_float32_beats_todays_construction(pair):
    Q, E, Y, plain, tuned = pair
    e_plain = _err(plain.to_torch_mha(dtype=torch.float32), E, Q, Y)
    e_tuned = _err(tuned.to_torch_mha(), E, Q, Y)  # default dtype = the target
    assert e_tuned < 1e-3 < e_plain
    assert max(t.c for t in tuned.trace) < max(t.c for t in plain.trace) / 10
    assert all(t.c > t.c_star for t in tuned.trace[1:])  # still above the S6 scale
    assert all(t.c < 1.001 * t.c_star for t in tuned.trace[1:] if t.c_star > 1)  # and not generously


def test_target_weights_are_the_exported_numbers(pair):
    _, _, _, _, tuned = pair
    w = tuned.weights
    for k in ("W_Q", "W_K", "W_V", "W_O"):
        assert np.array_equal(round_to_dtype(getattr(w, k), "float32"), getattr(w, k))
    ex = tuned.to_torch_mha()
    assert ex.fold == 1.0
    assert np.array_equal(ex.module.q_proj_weight.detach().double().numpy()[: w.d_h, : w.d], w.W_Q[0].T)


def test_budget_is_an_upper_bound_and_rank_certified(pair):
    Q, E, Y, _, tuned = pair
    b = tuned.error_budget
    assert b.dtype == "float32" and b.bound >= b.residual_bound and b.bound >= b.evaluation_bound
    for bf in (False, True):
        assert _err(tuned.to_torch_mha(batch_first=bf), E, Q, Y) <= b.bound
    # the residual part bounds the float64 evaluation of the same float32 numbers
    assert _err(to_torch_mha(tuned.weights, dtype=torch.float64), E, Q, Y) <= b.residual_bound + 1e-12
    assert check_memorizes(tuned.weights, Q, E, Y).outcome.value == "proved"


def test_budget_notices_wrong_labels_and_foreign_weights(pair):
    Q, E, Y, plain, tuned = pair
    wrong = Y.copy()
    wrong[0] += 0.5
    b = evaluation_error_bound(tuned.weights, Q, E, wrong, "float32")
    assert b.residual_bound >= 0.5 - 1e-6  # it does not hide a label the layer misses
    with pytest.raises(InvalidArgumentError):
        evaluation_error_bound(plain.weights, Q, E, Y, "float32")  # not float32 numbers, scale 1
    b64 = evaluation_error_bound(tuned.weights, Q, E, Y, "float64")
    assert b64.evaluation_bound < tuned.error_budget.evaluation_bound


def test_one_hot_argmax_certified_small():
    Q, E, Y, H, n = _uniform(H=4, n=6, d=12, d_o=5, seed=2, one_hot=True)
    built = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")
    out = built.to_torch_mha()(E, Q)
    assert (out.argmax(dim=1).numpy() == Y.argmax(axis=1)).all()
    m = built.error_budget.argmax_margin
    assert m is not None and m <= 1.0
    # the certified margin cannot exceed the realised one
    o = out.double().numpy()
    rows = np.arange(len(Y))
    c = Y.argmax(axis=1)
    other = o.copy()
    other[rows, c] = -np.inf
    assert m <= float((o[rows, c] - other.max(axis=1)).min()) + 1e-12

"""Export of constructed layers to torch.nn.MultiheadAttention (issue #13): layout, 1/√p folding, scale=, CLI."""
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from memproof.cli import main  # noqa: E402
from memproof.construction import check_memorizes, construct_memorizing_mha  # noqa: E402
from memproof.errors import InvalidArgumentError  # noqa: E402
from memproof.export import load_torch_mha, mha_layout, to_torch_mha  # noqa: E402
from memproof.model import AttentionSpec, MHAWeights, mha_batch  # noqa: E402


def _data(shared, d_o=2, seed=0, n=4, d=7, H=3, d_h=4):
    rng = np.random.default_rng(seed)
    T = H * (min(n, d_h) - 1) + 1
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    return rng.normal(size=(T, d)), C, rng.normal(size=(T, d_o)), H, d_h


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("pad_keys", [False, True])
@pytest.mark.parametrize("shared", [False, True])
def test_exported_mha_memorizes_float64(batch_first, pad_keys, shared):
    Q, C, Y, H, d_h = _data(shared)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1)
    ex = built.to_torch_mha(batch_first=batch_first, pad_keys=pad_keys)
    assert isinstance(ex.module, torch.nn.MultiheadAttention) and ex.module.batch_first is batch_first
    out = ex(C, Q)
    assert out.dtype == torch.float64 and out.shape == Y.shape
    assert float((out - torch.tensor(Y)).abs().max()) < 1e-8
    # by hand, with the adapter facts only: pad, run the module, slice
    T, d = Q.shape
    q = torch.nn.functional.pad(torch.tensor(Q), (0, ex.query_pad)).unsqueeze(1)
    Ct = torch.tensor(np.broadcast_to(C, (T,) + C.shape[-2:]).copy())
    kv = torch.nn.functional.pad(Ct, (0, ex.key_pad))
    if not batch_first:
        q, kv = q.transpose(0, 1), kv.transpose(0, 1)
    raw, _ = ex.module(q, kv, kv, need_weights=False)
    raw = raw[:, 0] if batch_first else raw[0]
    a, b = ex.output_slice
    assert torch.equal(raw[:, a:b], out)
    assert (pad_keys and ex.key_pad == ex.module.embed_dim - d) or (not pad_keys and ex.key_pad == 0)


@pytest.mark.parametrize("batch_first", [False, True])
def test_exported_mha_float32_small(batch_first):
    Q, C, Y, H, d_h = _data(True, d_o=1, seed=3)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=0, target_dtype="float32")
    ex = built.to_torch_mha(batch_first=batch_first)
    assert ex.module.q_proj_weight.dtype == torch.float32
    err = float((ex(C, Q).double() - torch.tensor(Y)).abs().max())
    assert err < 1e-4
    assert err <= built.error_budget.bound


def test_missing_sqrt_folding_is_caught():
    Q, C, Y, H, d_h = _data(True, d_o=1)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1)
    lay = mha_layout(built.weights)
    assert lay.fold == pytest.approx(math.sqrt(lay.head_dim))
    assert np.allclose(lay.arrays["q_proj_weight"][:d_h, :Q.shape[1]], math.sqrt(lay.head_dim) * built.weights.W_Q[0].T)
    ex = to_torch_mha(built.weights)
    good = float((ex(C, Q) - torch.tensor(Y)).abs().max())
    sd = ex.module.state_dict()
    sd["q_proj_weight"] = sd["q_proj_weight"] / math.sqrt(lay.head_dim)  # the mapping by hand, unfolded
    ex.module.load_state_dict(sd)
    bad = float((ex(C, Q) - torch.tensor(Y)).abs().max())
    assert good < 1e-8 and bad > 1e-2


def test_scale_sqrt_d_h_folds_nothing_and_certifies():
    Q, C, Y, H, d_h = _data(True, d_o=1)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1, scale="1/sqrt(d_h)")
    assert built.weights.scale == 1 / math.sqrt(d_h)
    lay = mha_layout(built.weights)
    assert lay.head_dim == d_h and lay.fold == 1.0
    assert np.array_equal(lay.arrays["q_proj_weight"][:d_h, :Q.shape[1]], built.weights.W_Q[0].T)
    assert built.max_abs_error < 1e-9
    assert check_memorizes(built.weights, Q, C, Y).outcome.value == "proved"
    # same key–query matrix as the unscaled construction
    plain = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1)
    assert np.allclose(built.weights.keyquery(), plain.weights.keyquery(), rtol=1e-12, atol=1e-9 * np.abs(plain.weights.keyquery()).max())
    # the memproof torch module mirrors memproof's model, scale included
    m = built.to_torch_module()
    out = m(torch.tensor(C), torch.tensor(Q)).detach().numpy()
    assert np.allclose(out, mha_batch(built.weights, C, Q), atol=1e-10)


def test_scale_wrong_is_noticed():
    Q, C, Y, H, d_h = _data(True, d_o=1)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1, scale="1/sqrt(d_h)")
    w = built.weights
    forged = MHAWeights(w.W_Q, w.W_K, w.W_V, w.W_O, w.spec)  # scale dropped
    assert np.abs(mha_batch(forged, C, Q) - Y).max() > 1e-2
    with pytest.raises(InvalidArgumentError):
        construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, scale="1/sqrt(n)")
    with pytest.raises(InvalidArgumentError):
        MHAWeights(w.W_Q, w.W_K, w.W_V, w.W_O, scale=0.0)


def test_scale_round_trips_through_npz(tmp_path):
    w = MHAWeights.random(AttentionSpec(n=3, d=4, heads=2), rng=0)
    w = MHAWeights(w.W_Q, w.W_K, w.W_V, w.W_O, w.spec, 0.25)
    w.save(tmp_path / "w.npz")
    assert MHAWeights.load(tmp_path / "w.npz") == w


def test_returned_arrays_hand_to_torch_without_warnings():
    Q, C, Y, H, d_h = _data(False)
    built = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        built.to_torch_mha(dtype=torch.float32)
        sd = built.state_dict()
        built.to_torch_module()
        torch.as_tensor(built.Z)
        for v in mha_layout(built.weights).arrays.values():
            torch.as_tensor(v)
    assert set(sd) == {"q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"}


def test_cli_export_torch_mha(tmp_path, capsys):
    Q, C, Y, H, d_h = _data(False, d_o=1, seed=5)
    np.savez(tmp_path / "data.npz", queries=Q, contexts=C, labels=Y)
    out = tmp_path / "layer.pt"
    code = main(["construct", str(tmp_path / "data.npz"), "--heads", str(H), "--d-h", str(d_h), "--dtype", "float32",
                 "--export", "torch-mha", "-o", str(out)])
    assert code == 0
    assert "error budget in float32" in capsys.readouterr().out
    blob = torch.load(out)  # weights_only default: plain values and tensors
    assert {"config", "state_dict", "query_pad", "key_pad", "output_slice"} <= set(blob)
    m = torch.nn.MultiheadAttention(**blob["config"], dtype=torch.float32)
    m.load_state_dict(blob["state_dict"])
    T, d = Q.shape
    q = torch.nn.functional.pad(torch.tensor(Q, dtype=torch.float32), (0, blob["query_pad"]))[None]
    kv = torch.nn.functional.pad(torch.tensor(C, dtype=torch.float32), (0, blob["key_pad"])).transpose(0, 1)
    with torch.no_grad():
        y, _ = m(q, kv, kv, need_weights=False)
    a, b = blob["output_slice"]
    assert float((y[0, :, a:b].double() - torch.tensor(Y)).abs().max()) < 1e-3
    again = load_torch_mha(out, batch_first=True)
    assert float((again(C, Q).double() - torch.tensor(Y)).abs().max()) < 1e-3

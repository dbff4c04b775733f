"""The authors' model and recipe in torch: shared-context forward, ensembles that equal their single runs."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from memproof.errors import InvalidArgumentError  # noqa: E402
from memproof.experiments.training import lr_factor, make_model, synthetic_task, train  # noqa: E402

pytestmark = pytest.mark.torch


def test_shared_context_forward_equals_broadcast():
    data = synthetic_task(7, 3, 6, shared=True, classes=5, seed=0)
    model = make_model("authors", 6, 5, 2, 4, seed=0, device="cpu")
    q, c = torch.as_tensor(data["queries"]), torch.as_tensor(data["contexts"])
    out_shared, att_shared = model(q, c)
    out_each, att_each = model(q, c.expand(7, 3, 6))
    assert torch.allclose(out_shared, out_each, atol=1e-6) and torch.allclose(att_shared, att_each, atol=1e-6)


@pytest.mark.parametrize("shared,task", [(True, "classification"), (False, "regression")])
def test_ensemble_members_follow_their_single_runs(shared, task):
    seeds = [3, 4, 5]
    classes = 10 if task == "classification" else None
    datas = [synthetic_task(40, 3, 6, shared=shared, classes=classes, seed=s) for s in seeds]
    n_out = classes or 1
    members = [make_model("authors", 6, n_out, 2, 4, seed=s, device="cpu") for s in seeds]
    res = train(members, datas, steps=30, batch=16, eval_every=10, task=task, seed=seeds)
    assert len(res["members"]) == 3 and res["steps_run"] == 30
    for s, data, member, run in zip(seeds, datas, members, res["members"]):
        alone = make_model("authors", 6, n_out, 2, 4, seed=s, device="cpu")
        before = [p.detach().clone() for p in alone.parameters()]
        single = train(alone, data, steps=30, batch=16, eval_every=10, task=task, seed=s)
        assert abs(single["final"]["loss"] - run["final"]["loss"]) < 1e-4
        with torch.no_grad():
            moved = max(float((a - b).abs().max()) for a, b in zip(alone.parameters(), before))
            gap = max(float((a - b).abs().max()) for a, b in zip(alone.parameters(), member.parameters()))
        assert moved > 1e-3 and gap < 1e-4  # trained weights written back, and equal to the single run's
    losses = {round(r["final"]["loss"], 6) for r in res["members"]}
    assert len(losses) == 3  # members are independent runs, not copies


def test_early_stop_waits_for_every_member():
    datas = [synthetic_task(6, 2, 4, shared=True, classes=2, seed=s) for s in (0, 1)]
    datas[0]["labels"][:] = 0  # one class: member 0 is at 100 % from the first evaluation
    members = [make_model("authors", 4, 2, 1, 2, seed=s, device="cpu") for s in (0, 1)]
    res = train(members, datas, steps=40, batch=6, eval_every=5, seed=[0, 1])
    first, second = res["members"]
    assert first["stopped"] == "early_stop" and first["steps_run"] == 5 and first["best"]["acc"] == 1.0
    assert len(first["history"]) == 1 and res["steps_run"] >= second["steps_run"]


def test_mismatched_ensemble_is_refused():
    datas = [synthetic_task(6, 2, 4, shared=True, classes=2, seed=0)]
    members = [make_model("authors", 4, 2, 1, 2, seed=s, device="cpu") for s in (0, 1)]
    with pytest.raises(InvalidArgumentError, match="same length"):
        train(members, datas, steps=2, seed=[0, 1])


def test_lr_schedule_is_warmup_then_cosine():
    steps = 1000
    values = [lr_factor(s, steps) for s in range(steps + 1)]
    peak = values.index(max(values))
    assert peak == steps // 20 and values[0] == 0.01 and values[-1] < 1e-12
    assert all(a <= b for a, b in zip(values[:peak], values[1:peak + 1]))
    assert all(a >= b for a, b in zip(values[peak:], values[peak + 1:]))


@pytest.mark.parametrize("members", [1, 2])
def test_interrupted_training_resumes_from_its_checkpoint(tmp_path, monkeypatch, members):
    seeds = [7, 8][:members]
    datas = [synthetic_task(30, 3, 5, shared=False, classes=4, seed=s) for s in seeds]
    kw = dict(steps=40, batch=8, eval_every=5, seed=seeds if members > 1 else seeds[0], early_stop=False)

    def fresh():
        ms = [make_model("authors", 5, 4, 2, 3, seed=s, device="cpu") for s in seeds]
        return ms if members > 1 else ms[0], datas if members > 1 else datas[0]

    model, data = fresh()
    reference = train(model, data, **kw)
    ckpt = tmp_path / "cell.ckpt"
    model, data = fresh()
    calls = {"n": 0}
    real_step = torch.optim.Adam.step

    def step_then_die(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 23:  # after the checkpoints at steps 5, 10, 15, 20
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", step_then_die)
    with pytest.raises(KeyboardInterrupt):
        train(model, data, checkpoint=ckpt, checkpoint_every=0.0, **kw)
    assert ckpt.exists()
    calls["n"] = -10**9  # no more interruptions; count the steps the resumed run takes
    model, data = fresh()  # a new process would start from fresh models too
    resumed = train(model, data, checkpoint=ckpt, checkpoint_every=0.0, **kw)
    assert calls["n"] == -10**9 + 20  # it resumed at step 20 of 40
    assert not ckpt.exists()
    runs = [reference] if members == 1 else reference["members"]
    again = [resumed] if members == 1 else resumed["members"]
    for a, b in zip(runs, again):
        assert [h["step"] for h in b["history"]] == [h["step"] for h in a["history"]]
        assert [h["loss"] for h in b["history"]] == pytest.approx([h["loss"] for h in a["history"]], abs=1e-6)
    # a checkpoint written for other settings is not used
    torch.save({"fingerprint": {"steps": 1}}, ckpt)
    model, data = fresh()
    calls["n"] = -10**9
    train(model, data, checkpoint=ckpt, **kw)
    assert calls["n"] == -10**9 + 40  # started over


def test_progress_bar_reports_steps_and_accuracy(capsys):
    pytest.importorskip("tqdm")
    data = synthetic_task(12, 2, 4, shared=True, classes=3, seed=0)
    train(make_model("authors", 4, 3, 1, 2, seed=0, device="cpu"), data, steps=20, batch=4, eval_every=10,
          early_stop=False, progress=True)
    err = capsys.readouterr().err
    assert "10/20" in err and "acc=" in err

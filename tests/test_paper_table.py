"""benchmarks/paper_table.py counts the study's 15,625 discriminator updates:
a model with n_critic D updates per train step trains 15,625 / n_critic
steps, and a candidate that sets n_critic (`--set n_critic=1`) is counted
with its own value, not the model's default."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import paper_table as bench  # noqa: E402


def test_n_critic_comes_from_the_defaults_or_the_candidate():
    assert bench.n_critic_of("nsgan") == 1
    assert bench.n_critic_of("wgan") == 5
    assert bench.n_critic_of("wgan_gp") == 1  # its preset since the n_critic-1 candidate won
    assert bench.n_critic_of("wgan", {"n_critic": 1}) == 1
    assert bench.n_critic_of("wgan_gp", {"n_critic": 5}) == 5
    assert bench.n_critic_of("wgan", {"ema": 0.999}) == 5


def test_a_candidate_row_is_tagged_by_its_settings():
    args = bench.argparse.Namespace(set=["n_critic=1", "ema=0.999"], lr=[])
    settings, rates, tag = bench.variant_of(args)
    assert settings == {"n_critic": 1, "ema": 0.999}
    assert tag == "n_critic=1,ema=0.999"


def test_the_study_check_keeps_the_schedule_it_was_measured_with():
    # wgan_gp's preset moved to n_critic 1 + EMA after wgan_gp@study ran with
    # the paper's n_critic 5; a rerun of that row must train the same way.
    assert bench.schedule_for("wgan_gp@study") == {"n_critic": 5, "ema": None, "ema_rampup": None}
    assert bench.schedule_for("wgan_gp") == {}
    assert bench.n_critic_of("wgan_gp", bench.schedule_for("wgan_gp@study")) == 5
    assert bench.overrides_for("wgan_gp@study")["n_critic"] == 5


def test_a_quick_look_keeps_its_runs_beside_its_output(tmp_path):
    # A short run left in runs/paper_table would be resumed by the full row as
    # finished and scored as if it had trained 15,625 steps.
    assert bench.work_for(bench.OUT) == bench.WORK
    assert bench.work_for(bench.CANDIDATES) == bench.WORK
    out = str(tmp_path / "t.jsonl")
    assert bench.work_for(out) == str(tmp_path / "t_runs")
    assert os.path.commonpath([bench.work_for(out), bench.WORK]) != bench.WORK
    # A table kept in docs/ keeps its checkpoints in the ignored runs/, not in docs/.
    inside = os.path.join(bench.ROOT, "docs", "fashion_pack.jsonl")
    assert bench.work_for(inside) == bench.WORK + "_fashion_pack"
    assert os.path.commonpath([bench.work_for(inside), bench.WORK]) != bench.WORK


def test_the_began_study_row_takes_the_study_autoencoder():
    over = bench.overrides_for("began@study")
    assert over["latent_dim"] == 64
    assert [tuple(o.shape) for o in over["discriminator"].outputs] == [(None, 28, 28, 1), (None, 64)]
    assert over["generator"].output_shape == (None, 28, 28, 1)
    assert bench.overrides_for("began") == {}


def test_another_seed_is_a_candidate_that_trains_from_that_seed(tmp_path, monkeypatch):
    args = bench.argparse.Namespace(set=["learning_rate=0.0004"], lr=[], seed=1)
    assert bench.variant_of(args)[2] == "learning_rate=0.0004,seed=1"
    assert bench.variant_of(bench.argparse.Namespace(set=[], lr=[], seed=0))[2] == ""

    import keras_gans.training

    seen = {}

    def fake_run(name, data, **kw):  # stops the row where it would start training
        seen.update(name=name, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(keras_gans.training, "run", fake_run)
    argv = ["--row", "began", "--seed", "1", "--out", str(tmp_path / "t.jsonl"),
            "--set", "learning_rate=0.0004"]
    try:
        bench.main(argv)
    except KeyboardInterrupt:
        pass
    assert seen["name"] == "began" and seen["seed"] == 1
    assert os.listdir(tmp_path / "t_runs") == ["began-learning_rate0.0004-seed1"]

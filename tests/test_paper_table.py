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
    # wgan's and wgan_gp's presets since their n_critic-1 candidates won
    assert bench.n_critic_of("wgan") == 1
    assert bench.n_critic_of("wgan_gp") == 1
    assert bench.n_critic_of("wgan", {"n_critic": 5}) == 5
    assert bench.n_critic_of("wgan_gp", {"n_critic": 5}) == 5
    assert bench.n_critic_of("wgan_gp", {"ema": 0.999}) == 1
    assert bench.n_critic_of("dualgan") == 2  # a preset n_critic other than 1


def test_a_split_critic_batch_candidate_feeds_64_real_images_to_every_d_update():
    assert bench.train_batch(5) == 64
    assert bench.train_batch(5, {"ema": 0.999}) == 64
    assert bench.train_batch(5, {"split_critic_batch": True}) == 320  # 5 parts of 64
    assert bench.train_batch(1, {"split_critic_batch": True}) == 64
    # run() ends an epoch where a pass over the data ends (60,000 // 320 = 187
    # batches), so the 3,125 steps of 320 must come in epochs of at most 187.
    assert bench.epoch_plan(3125, min(625, bench.TRAIN_IMAGES // 320)) == (25, 125)
    assert bench.epoch_plan(15625, min(625, bench.TRAIN_IMAGES // 64)) == (25, 625)
    assert bench.epoch_plan(3125, 625) == (5, 625)
    assert bench.epoch_plan(7, 5) == (2, 5)  # no divisor: a few steps more
    assert bench.epoch_plan(3, 625) == (1, 3)


def test_a_candidate_row_is_tagged_by_its_settings():
    args = bench.argparse.Namespace(set=["n_critic=1", "ema=0.999"], lr=[], seed=0)
    settings, rates, tag = bench.variant_of(args)
    assert settings == {"n_critic": 1, "ema": 0.999}
    assert tag == "n_critic=1,ema=0.999"


def test_a_candidate_with_a_tuple_setting_gets_a_folder_and_grid_name_without_spaces():
    # The grid's name goes into docs/PAPER_TABLE.md as a Markdown image link,
    # which a space or a bracket would break.
    assert bench.run_name("gan[g_units=(512, 1024),ema=0.999]") == "gan-g_units512-1024-ema0.999"
    # names without tuples keep the folders their runs were resumed from
    assert bench.run_name("wgan_gp@study[split_critic_batch=True]") == "wgan_gp-study-split_critic_batchTrue"
    assert bench.run_name("wgan[clip_value=0.5,lr_d=0.004,lr_g=0.004,seed=1]") == \
        "wgan-clip_value0.5-lr_d0.004-lr_g0.004-seed1"
    assert bench.run_name("nsgan") == "nsgan"


def test_the_study_check_keeps_the_schedule_it_was_measured_with():
    # wgan_gp's preset moved to n_critic 1 + EMA after wgan_gp@study ran with
    # the paper's n_critic 5; a rerun of that row must train the same way.
    # Its critic takes a batch of its own for each of the 5 updates, as the study's.
    assert bench.schedule_for("wgan_gp@study") == {"n_critic": 5, "ema": None, "ema_rampup": None,
                                                   "split_critic_batch": True}
    assert bench.schedule_for("wgan_gp") == {}
    assert bench.n_critic_of("wgan_gp", bench.schedule_for("wgan_gp@study")) == 5
    assert bench.train_batch(5, bench.schedule_for("wgan_gp@study")) == 320
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


def _record(row, fid, **extra):
    machine = {"cores": 2, "cpu": "test", "load_average": [0.0, 0.0, 0.0]}
    return {"row": row, "model": row.split("[")[0], "networks": "own", "fid": fid,
            "train_seconds": 60.0, "train_cpu_seconds": 60.0, "img_s": 1.0, "eval_seconds": 6.0,
            "commit": "abc1234", "date_end": "2026-12-04T00:00:00", "machine_start": machine,
            "machine_end": machine, **extra}


def test_candidates_show_what_they_ran_with_beside_todays_defaults(tmp_path, monkeypatch):
    # A candidate is named by what it changed; the preset under it may have moved
    # since (began's older candidates ran with a 64-d code). The table shows
    # every setting it ran with, and compares with today's defaults' figure.
    import json

    adopted, _, _ = bench.ADOPTED["began"]
    rates = {"d": {"learning_rate": 0.0004}, "g": {"learning_rate": 0.0004}}
    candidates = [
        _record(adopted, 26.26, settings={"code_dim": 16, "learning_rate": 0.0004}, optimizers=rates,
                train_seconds=2040.0, grid="paper_table_candidates/adopted.png",
                command="python benchmarks/paper_table.py --rows began --set code_dim=16"),
        _record("began[learning_rate=0.0004]", 37.0, settings={"learning_rate": 0.0004},
                optimizers=rates),
        _record(adopted[:-1] + ",seed=1]", 27.9, settings={"code_dim": 16}, seed=1,
                optimizers={"d": {"learning_rate": {"class_name": "Schedule"}}}),
    ]
    path = tmp_path / "candidates.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in candidates))
    monkeypatch.setattr(bench, "CANDIDATES", str(path))
    monkeypatch.setattr(bench, "TABLE", str(tmp_path / "TABLE.md"))
    bench.write_table({"began": _record("began", 40.7, command="python benchmarks/paper_table.py --rows began",
                                        grid="paper_table/began.png")}, path=bench.TABLE)
    lines = {line.split(" | ")[0][2:]: line.split(" | ")
             for line in (tmp_path / "TABLE.md").read_text().splitlines() if line.startswith("| began")}
    # The main row at today's defaults is the adopted run, all of it: its wall
    # time, command and samples; the row's first run keeps only its FID and
    # command, named as the earlier defaults'.
    main = lines["began"]
    assert main[2].startswith("26.3 (today's defaults")
    assert "40.7 with the earlier ones, `python benchmarks/paper_table.py --rows began` on" in main[2]
    assert main[5] == "34.0 min"
    assert main[-2] == "`python benchmarks/paper_table.py --rows began --set code_dim=16`"
    assert "paper_table_candidates/adopted.png" in main[-1]
    assert lines["began[learning_rate=0.0004]"][-2] == "not recorded"
    old = lines["began[learning_rate=0.0004]"]
    assert old[1:5] == ["37.0", "26.3", "22.9", "learning_rate=0.0004, lr d=0.0004 g=0.0004"]
    assert lines[adopted][4] == "code_dim=16, learning_rate=0.0004, lr d=0.0004 g=0.0004"
    assert lines[adopted[:-1] + ",seed=1]"][4] == "code_dim=16, lr: a schedule, seed=1"

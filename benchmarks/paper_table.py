"""keras-gans beside Lucic et al. 2018's best FIDs on Fashion-MNIST.

Lucic, Kurach, Michalski, Gelly, Bousquet, "Are GANs Created Equal? A
Large-Scale Study" (NeurIPS 2018, arXiv:1711.10337) trained each loss on
Fashion-MNIST at 28 px for 20 epochs of 50,000 images (15,625 steps of 64)
with InfoGAN-style networks and reported the best FID (10k samples against
the 10k test images) over 100 hyperparameter settings. This script trains
each of our models the same number of steps on the same data, with
keras-gans' own defaults, and scores it with the same protocol
(`keras-gans evaluate --features fid_inception`, 10,000 samples against
fashion_mnist:test). `nsgan` and `wgan_gp` also run on the study's networks
(`keras_gans.networks.study_generator` / `study_discriminator`), as a check
that our FID lands where the paper's does for the paper's networks, and
`began` on the study's G with its BEGAN autoencoder D
(`study_began_discriminator`).

    python benchmarks/paper_table.py                 # every row not yet done, one process each
    python benchmarks/paper_table.py --rows nsgan,began
    python benchmarks/paper_table.py --list          # the rows, done or not
    python benchmarks/paper_table.py --table         # rewrite docs/PAPER_TABLE.md from the rows
    python benchmarks/paper_table.py --rows nsgan --steps 50 --num 500 --out /tmp/t.jsonl  # a quick look, runs in /tmp/t_runs
    python benchmarks/paper_table.py --rows nsgan --set ema=0.999 --lr g=1e-4   # a candidate default
    python benchmarks/paper_table.py --rows began --seed 1   # the same settings, another seed

A row run with `--set NAME=VALUE` (constructor arguments), `--lr
GROUP=VALUE` (learning rates) or `--seed N` (N other than 0: the weights'
initialization, the noise and the data order) is a candidate: it is kept
apart, in docs/paper_table_candidates.jsonl and runs/paper_table/ROW[...]/,
under the name `ROW[NAME=VALUE,...,seed=N]`, and docs/PAPER_TABLE.md lists it
under "Defaults tried", beside today's defaults' figure and with everything
it ran with (the preset of its day, which a later default may have moved).
Another seed of the same settings shows how far a row's FID moves by chance.

It resumes where it stopped. A row is a process: its training keeps a backup
every epoch of 625 steps in runs/paper_table/ROW/ (a rerun of a killed row
goes on after the last finished epoch, and its wall time adds up across
the runs), and a finished row is one JSON line in docs/paper_table.jsonl,
which later runs skip. Each row writes its sample grid to
docs/paper_table/ROW.png; docs/PAPER_TABLE.md is rewritten after every row.

A model with n_critic discriminator updates per generator update (wgan,
wgan_gp) trains 15,625 / n_critic train steps: the study counted D updates.

Figures: FID (10k vs 10k), KID, the wall seconds and CPU seconds of
training, img/s (images trained / wall seconds), the seconds of the 10k
evaluation, the machine, its load average at the start and the end, and
the commit.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OUT = os.path.join(ROOT, "docs", "paper_table.jsonl")
CANDIDATES = os.path.join(ROOT, "docs", "paper_table_candidates.jsonl")
TABLE = os.path.join(ROOT, "docs", "PAPER_TABLE.md")
GRIDS = os.path.join(ROOT, "docs", "paper_table")
WORK = os.path.join(ROOT, "runs", "paper_table")

STEPS = 15625  # the study's 20 epochs of 50,000 images at batch 64
BATCH = 64
EPOCH_STEPS = 625  # a backup every 625 steps: 25 epochs make the 15,625
IMAGE_SIZE = 28
DATA = "fashion_mnist"
TRAIN_IMAGES = 60000  # fashion_mnist:train
NUM = 10000

# Lucic et al. 2018, the best FID on Fashion-MNIST of each model (its
# "x ± y"), from the table of the large-scale search as two later papers
# quote it, in agreement on every Fashion-MNIST cell: Dai & Wipf 2019
# (arXiv:1903.05789) Table 1 and Zhang & Khoreva 2019 (arXiv:1901.10422)
# Table 2 (no BEGAN row). No copy of the VAE's cell could be read: None.
PAPER = {
    "gan": (29.6, 1.6),
    "nsgan": (26.5, 1.6),
    "lsgan": (30.7, 2.2),
    "wgan": (21.5, 1.6),
    "wgan_gp": (24.5, 2.1),
    "dragan": (27.7, 1.2),
    "began": (22.9, 0.9),
    "vae": None,
}
PAPER_NAMES = {"gan": "MM GAN", "nsgan": "NS GAN", "lsgan": "LSGAN", "wgan": "WGAN",
               "wgan_gp": "WGAN GP", "dragan": "DRAGAN", "began": "BEGAN", "vae": "VAE"}
PAPER_SOURCE = ("Lucic et al. 2018, \"Are GANs Created Equal? A Large-Scale Study\", NeurIPS "
                "(arXiv:1711.10337), the table of best FIDs of the large-scale hyperparameter search "
                "(FASHION column), as Dai & Wipf 2019 (Table 1) and Zhang & Khoreva 2019 (Table 2) quote it; "
                "the study scored every checkpoint (every 3,906 steps and the last) and kept the lowest FID, "
                "we score the last")

# Row name -> (model, networks). Rows run in this order: the three the issue
# holds to the paper first, then the protocol check, then the rest.
ROWS = {
    "nsgan": ("nsgan", "own"),
    "wgan_gp": ("wgan_gp", "own"),
    "began": ("began", "own"),
    "nsgan@study": ("nsgan", "study"),
    "wgan_gp@study": ("wgan_gp", "study"),
    "began@study": ("began", "study"),
    "gan": ("gan", "own"),
    "lsgan": ("lsgan", "own"),
    "wgan": ("wgan", "own"),
    "dragan": ("dragan", "own"),
    "vae": ("vae", "own"),
}

# Models outside the study, run only when named (`--rows rgan`): a digits
# default of theirs is weighed on Fashion-MNIST by the same protocol (issue
# 16's rule), and they have no paper figure. Not part of docs/PAPER_TABLE.md.
OTHER_ROWS = {name: (name, "own") for name in ("rgan", "fgan", "sagan", "ylg", "sgan", "dcgan")}
ALL_ROWS = {**ROWS, **OTHER_ROWS}

# A candidate that became its model's default, with the commit that made it
# so: that row's run predates the change, and the table shows the candidate's
# figure as the model's figure at today's defaults (the row's beside it). The
# third entry says which default: the model's, or this data's (`data_presets`).
ADOPTED = {"nsgan": ("nsgan[g_width=64,d_width=64]", "c3b53f5", "the default"),
           "wgan_gp": ("wgan_gp[n_critic=1,ema=0.999,ema_rampup=0.05,g_width=64,d_width=64]", "b38ec1c",
                       "the default"),
           "began": ("began[d_normalization=batch]", "440df12", "the fashion_mnist preset"),
           "lsgan": ("lsgan[g_width=64,d_width=64,ema=0.999,ema_rampup=0.05]", "91f72aa", "the default"),
           "dragan": ("dragan[g_width=64,d_width=64,ema=0.999,ema_rampup=0.05]", "d9968e1", "the default"),
           "wgan": ("wgan[clip_value=0.5,lr_d=0.002,lr_g=0.002]", "bf90c0f", "the fashion_mnist preset"),
           "gan": ("gan[ema=0.999,ema_rampup=0.05,g_units=(512, 1024),d_units=(1024, 512)]", "6ad7ac6",
                   "the default"),
           "wgan_gp@study": ("wgan_gp@study[split_critic_batch=True]", "84f710b",
                             "the study rows' schedule")}


def commit():
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "keras_gans"],
                               capture_output=True, text=True).stdout.strip()
        return out + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def read_rows(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    row = json.loads(line)
                    rows[row["row"]] = row  # the last line of a row wins
    return rows


def parse_pairs(items, what):
    """`["a=1", "b=x"]` -> {"a": 1, "b": "x"}, values read as the CLI's `--set` reads them
    (importing keras_gans, and so TensorFlow, only when there are some)."""
    if not items:
        return {}
    from keras_gans.cli import setting_value

    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"{what} takes NAME=VALUE; got {item!r}")
        out[name.strip()] = setting_value(text)
    return out


def run_name(name):
    """The folder and sample-grid name of a row or candidate: `wgan_gp@study[n_critic=1]`
    -> `wgan_gp-study-n_critic1`. A tuple value loses its brackets and spaces
    (`g_units=(512, 1024)` -> `g_units512-1024`), so the grid's Markdown link holds."""
    for old, new in (("@", "-"), ("[", "-"), ("]", ""), (",", "-"), ("=", ""), ("(", ""), (")", ""),
                     (" ", "")):
        name = name.replace(old, new)
    return name


def variant_of(args):
    """`(settings, learning_rates, tag)` of a candidate run ("" tag: the defaults)."""
    settings = parse_pairs(args.set, "--set")
    rates = {k: float(v) for k, v in parse_pairs(args.lr, "--lr").items()}
    parts = [f"{k}={v}" for k, v in settings.items()] + [f"lr_{k}={v:g}" for k, v in rates.items()]
    if args.seed:
        parts.append(f"seed={args.seed}")
    return settings, rates, ",".join(parts)


# The study rows check our FID protocol on the study's networks; they keep the
# training schedule they were measured with when a preset changes after them
# (wgan_gp's preset became n_critic 1 with an EMA of G in 7d3661a). wgan_gp's
# critic draws its own batch of 64 for each of its 5 updates, as the study's
# (and WGAN-GP's Algorithm 1) did: FID 46.0 against 64.9 with one batch for
# all five (docs/MODEL_NOTES.md#wgan_gp).
STUDY_SCHEDULE = {"wgan_gp": {"n_critic": 5, "ema": None, "ema_rampup": None,
                              "split_critic_batch": True}}


def schedule_for(row):
    """Constructor arguments a row pins whatever the model's preset says."""
    model, networks = ALL_ROWS[row]
    return dict(STUDY_SCHEDULE.get(model, {})) if networks == "study" else {}


def overrides_for(row):
    """The constructor arguments of a row: the study's networks and pinned
    schedule, or none."""
    model, networks = ALL_ROWS[row]
    if networks == "own":
        return {}
    from keras_gans.networks import study_began_discriminator, study_discriminator, study_generator

    shape = (IMAGE_SIZE, IMAGE_SIZE, 1)
    if model == "began":
        # BEGAN's D is an autoencoder: the study's, on its D's two convolutions.
        d = study_began_discriminator(shape)
    else:
        # The study's D has batch norm except where a gradient penalty is taken
        # on per-sample gradients (batch statistics would mix the samples).
        d = study_discriminator(shape, normalization="none" if model in ("wgan_gp", "dragan") else "batch")
    return {"latent_dim": 64, "generator": study_generator(shape, latent_dim=64), "discriminator": d,
            **schedule_for(row)}


def epoch_plan(steps, cap):
    """`(epochs, steps_per_epoch)` for `steps` train steps, an epoch (one
    backup each) at most `cap` steps: `run` ends an epoch where one pass over
    the data ends, so `cap` is also the batches in fashion_mnist:train. The
    largest whole divisor of `steps` up to `cap` when there is one of at least
    half of `cap` (3,125 steps of 320 images: 25 epochs of 125), else epochs
    of `cap` steps and a few steps more than asked."""
    cap = max(1, min(int(cap), steps))
    for size in range(cap, max(1, cap // 2) - 1, -1):
        if steps % size == 0:
            return steps // size, size
    return -(-steps // cap), cap


def train_batch(n_critic, settings=None):
    """Images per train step: 64, or with `split_critic_batch` (each D update
    takes its own part of the step's batch, as the study's and WGAN's
    Algorithm 1's critic draws a new real batch per update) 64 per D update."""
    return BATCH * n_critic if (settings or {}).get("split_critic_batch") else BATCH


def n_critic_of(model_name, settings=None):
    """D updates per train step: a candidate's `--set n_critic=K`, else the
    registered model's default (1 for a model without)."""
    from keras_gans import registry

    if settings and settings.get("n_critic") is not None:
        return int(settings["n_critic"])
    return int(registry.entry(model_name).cls.default_arguments(preset=True).get("n_critic") or 1)


class Clock:
    """Wall and CPU seconds of this process's training, added to what earlier
    (killed) runs of the row spent, written to `path` every few seconds so a
    kill loses at most that much of the count. Time the process spent stopped
    (SIGSTOP) is left out of the wall seconds."""

    def __init__(self, path, every=10.0):
        self.path, self.every = path, every
        self.before = {"seconds": 0.0, "cpu_seconds": 0.0, "runs": 0}
        if os.path.exists(path):
            with open(path) as f:
                self.before = json.load(f)
        self.start, self.cpu_start, self.paused = time.time(), self._cpu(), 0.0
        self.stop_event = threading.Event()

    @staticmethod
    def _cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def now(self):
        return {"seconds": self.before["seconds"] + time.time() - self.start - self.paused,
                "cpu_seconds": self.before["cpu_seconds"] + self._cpu() - self.cpu_start,
                "runs": self.before["runs"] + 1,
                "paused_seconds": self.before.get("paused_seconds", 0.0) + self.paused}

    def write(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.now(), f)
        os.replace(tmp, self.path)

    def _loop(self):
        # A process stopped with SIGSTOP (kill -STOP, to time something else
        # on a quiet machine) and continued later sees a tick come late: the
        # lateness is not training time.
        last = time.time()
        while not self.stop_event.wait(self.every):
            now = time.time()
            if now - last > self.every + 20:
                self.paused += now - last - self.every
            last = now
            self.write()

    def __enter__(self):
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()
        self.write()


def run_row(row, args):
    """Trains (or resumes) one row, scores it and appends it to `args.out`."""
    import keras

    from keras_gans import images as images_lib
    from keras_gans.metrics.evaluation import evaluate_images, real_images
    from keras_gans.metrics.features import get_extractor
    from keras_gans.metrics.reference import real_statistics
    from keras_gans.training import run
    from keras_gans.training.runner import finished_run
    from keras_gans.training.state import NonFiniteError

    model_name, networks = ALL_ROWS[row]
    settings, rates, tag = variant_of(args)
    name = f"{row}[{tag}]" if tag else row
    run_dir = os.path.join(args.work, run_name(name))
    os.makedirs(run_dir, exist_ok=True)
    # The study counted discriminator updates: with n_critic D updates per
    # train step, 15,625 D updates (and 15,625 / n_critic G updates) are
    # 15,625 / n_critic of our train steps.
    pinned = {**schedule_for(row), **settings}
    n_critic = n_critic_of(model_name, pinned)
    batch = train_batch(n_critic, pinned)
    steps = max(1, args.steps // n_critic)
    epochs, steps_per_epoch = epoch_plan(steps, min(args.backup_every, TRAIN_IMAGES // batch))
    record = {"row": name, "model": model_name, "networks": networks, "data": f"{DATA}:train",
              "image_size": IMAGE_SIZE, "batch_size": batch, "steps": epochs * steps_per_epoch,
              "n_critic": n_critic, "discriminator_updates": epochs * steps_per_epoch * n_critic,
              "command": " ".join(["python", "benchmarks/paper_table.py", "--rows", row]
                                  + ([f"--steps {args.steps}"] if args.steps != STEPS else [])
                                  + ([f"--num {args.num}"] if args.num != NUM else [])
                                  + [f"--set {x}" for x in args.set] + [f"--lr {x}" for x in args.lr]
                                  + ([f"--seed {args.seed}"] if args.seed else [])),
              "seed": args.seed, "commit": commit(),
              "date_start": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine_start": machine()}
    clock_path = os.path.join(run_dir, "clock.json")
    diverged = None
    if finished_run(run_dir):
        print(f"[{name}] training finished earlier in {run_dir}; scoring it", flush=True)
        model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    else:
        print(f"[{name}] training {model_name} ({networks} networks) on {DATA} at {IMAGE_SIZE} px: "
              f"{epochs} epochs x {steps_per_epoch} steps of {batch} in {run_dir}", flush=True)
        with Clock(clock_path):
            try:
                result = run(model_name, DATA, epochs=epochs, batch_size=batch, image_size=IMAGE_SIZE,
                             channels=1, steps_per_epoch=steps_per_epoch, seed=args.seed, run_dir=run_dir,
                             export=False, overrides={**overrides_for(row), **settings},
                             learning_rates=rates or None, verbose=args.verbose)
                model = result.model
                record["settings"] = {k: v for k, v in result.settings.get("settings", {}).items()
                                      if isinstance(v, (int, float, str, bool, type(None), list, tuple))}
                record["optimizers"] = {
                    name: {k: (float(v) if isinstance(v, (int, float)) else v)
                           for k, v in opt.get_config().items()
                           if k in ("name", "learning_rate", "beta_1", "beta_2")}
                    for name, opt in model.optimizers.items()}
            except NonFiniteError as e:
                diverged = str(e)
                model = None
    with open(clock_path) as f:
        clock = json.load(f)
    record.update(train_seconds=round(clock["seconds"], 1), train_cpu_seconds=round(clock["cpu_seconds"], 1),
                  train_runs=clock["runs"],
                  img_s=round(record["steps"] * batch / clock["seconds"], 1) if clock["seconds"] else None)
    if model is None:
        record.update(fid=None, diverged=diverged)
    else:
        grids = GRIDS if args.out == OUT else os.path.join(
            os.path.dirname(os.path.abspath(args.out)),
            os.path.splitext(os.path.basename(args.out))[0])
        os.makedirs(grids, exist_ok=True)
        grid_path = os.path.join(grids, os.path.basename(run_dir) + ".png")
        images_lib.save_grid(model.sample(64, seed=1), grid_path, ncols=8)
        record["grid"] = os.path.relpath(grid_path, os.path.dirname(TABLE))
        clock = time.time()
        ext = get_extractor("fid_inception")
        test = real_images(f"{DATA}:test", image_size=IMAGE_SIZE, channels=1, num=args.num)
        reference = real_statistics(test, ext, label=f"{DATA}:test", cache=True, progress=args.verbose)
        fake = model.sample(args.num, seed=0)
        r = evaluate_images(fake, reference, extractor=ext, metrics="fid,kid", progress=args.verbose)
        record.update(fid=round(float(r["fid"]), 2), kid=round(float(r["kid"]), 5),
                      kid_std=round(float(r["kid_std"]), 5), num_fake=len(fake), num_real=len(test),
                      eval_seconds=round(time.time() - clock, 1), reference_statistics=reference.status)
    record["date_end"] = datetime.datetime.now().isoformat(timespec="seconds")
    record["machine_end"] = machine()
    with open(args.out, "a") as f:
        f.write(json.dumps(record, default=str) + "\n")
    print(f"[{name}] FID {record['fid']}  train {record['train_seconds']:.0f} s "
          f"({record['img_s']} img/s)  -> {args.out}", flush=True)
    return record


def fmt(x, nd=1):
    return "—" if x is None else f"{x:.{nd}f}"


def ran_with(row):
    """A candidate row's settings as it ran: the model's preset at the time with
    the row's --set values (`settings`), the learning rates (`optimizers`) and
    its seed. A candidate named by what it changed ran on the preset of its day,
    which a later default may have moved."""
    parts = [f"{k}={v}" for k, v in (row.get("settings") or {}).items()]
    rates = {g: o.get("learning_rate") for g, o in (row.get("optimizers") or {}).items()}
    if rates and all(isinstance(v, (int, float)) for v in rates.values()):
        parts.append("lr " + " ".join(f"{g}={v:.3g}" for g, v in rates.items()))
    elif rates:
        parts.append("lr: a schedule")
    if row.get("seed"):
        parts.append(f"seed={row['seed']}")
    return ", ".join(parts) or "—"


def command_of(row):
    """The command that measured a record (written into it when its row ran;
    "not recorded" for a record without one, rather than a guessed command)."""
    return f"`{row['command']}`" if row.get("command") else "not recorded"


def todays_defaults(name, rows, tried):
    """The record that stands for row `name` at today's defaults: the adopted
    candidate's (from `tried`) where one was adopted and scored, else the row's
    own (None when neither ran)."""
    adopted = ADOPTED.get(name)
    now = tried.get(adopted[0]) if adopted else None
    return now if now is not None and now.get("fid") is not None else rows.get(name)


def write_table(rows, path=TABLE):
    """docs/PAPER_TABLE.md from the finished rows."""
    lines = [
        "# keras-gans beside Lucic et al. 2018 on Fashion-MNIST",
        "",
        f"Written by `python benchmarks/paper_table.py` (every figure below is one row of "
        f"docs/paper_table.jsonl, measured by the command in its row). The paper: {PAPER_SOURCE}; "
        f"its figure is the best over 100 hyperparameter settings of each model, ours is one run "
        f"of keras-gans' defaults.",
        "",
        f"Setup, as the study's: fashion_mnist:train at {IMAGE_SIZE} px, batch {BATCH}, "
        f"{STEPS:,} discriminator updates (20 epochs of 50,000 images; a model with n_critic D "
        f"updates per G update trains {STEPS:,} / n_critic train steps, as the study counted); FID on {NUM:,} samples against the "
        f"{NUM:,} images of fashion_mnist:test with the FID Inception (`keras-gans evaluate "
        f"--features fid_inception`'s protocol). 'own' networks are each model's defaults at 28 px; "
        f"'study' networks are the paper's InfoGAN-style pair (`keras_gans.networks.study_generator`, "
        f"`study_discriminator`; for began, whose D is an autoencoder, the study's BEGAN D, "
        f"`study_began_discriminator`).",
        "",
        "A row at today's defaults shows the run that measured them: where a candidate below was "
        "adopted, its figures, its command and its samples, and the row's first run's FID beside them.",
        "",
        "| row | networks | our FID | paper's best FID | ours ≤ paper's? | train wall | img/s | "
        "train CPU | 10k eval | machine (load start → end) | commit, date | measured by | samples |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    tried = read_rows(CANDIDATES) if path == TABLE else {}
    for name in ROWS:
        row = rows.get(name)
        if row is None:
            continue
        paper = PAPER.get(row["model"])
        paper_s = f"{paper[0]} ± {paper[1]} ({PAPER_NAMES[row['model']]})" if paper else "not found (no readable copy)"
        ours = row.get("fid")
        adopted = ADOPTED.get(name)
        now = todays_defaults(name, rows, tried)
        if now is not row:
            ours = now["fid"]
            ours_s = (f"{fmt(ours)} (today's defaults: {adopted[0]}, {adopted[2]} since "
                      f"{adopted[1]}; {fmt(row.get('fid'))} with the earlier ones, "
                      f"{command_of(row)} on {row['date_end'][:10]})")
            row = now  # every other figure of the row is the run that measured today's defaults
        elif ours is None:
            ours_s = f"diverged: {row.get('diverged', '')[:60]}"
        else:
            ours_s = fmt(ours)
        wins = "—" if ours is None or paper is None else ("yes" if ours <= paper[0] else "no")
        m0, m1 = row["machine_start"], row["machine_end"]
        mach = (f"{m0['cores']} cores {m0['cpu']} ({m0['load_average'][0]} → {m1['load_average'][0]})")
        runs = f", {row['train_runs']} runs" if row.get("train_runs", 1) > 1 else ""
        grid = f"![{name}]({row['grid']})" if row.get("grid") else ""
        lines.append(
            f"| {name} | {row['networks']} | {ours_s} | {paper_s} | {wins} | "
            f"{row['train_seconds'] / 60:.1f} min{runs} | {fmt(row.get('img_s'), 0)} | "
            f"{row['train_cpu_seconds'] / 60:.1f} min | {fmt(row.get('eval_seconds', 0) / 60)} min | "
            f"{mach} | {row['commit']}, {row['date_end'][:10]} | {command_of(row)} | {grid} |")
    if tried:
        lines += ["", "## Defaults tried", "",
                  "Candidate defaults (`--set` / `--lr`, and `--seed` for another run of the same "
                  "settings), each one run of the same protocol, beside today's defaults' figure. "
                  "A candidate is named by what it changed; the column after the paper's gives "
                  "everything it ran with, the preset of its day included. A default changes only "
                  "when it is better here and no worse on digits (benchmarks/quality.py).", "",
                  "| candidate | our FID | today's defaults' FID | paper's best | what it ran with "
                  "(the preset then and its --set, --lr, --seed) | train wall | img/s | commit, date | "
                  "measured by | samples |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, row in tried.items():
            today = todays_defaults(name.split("[")[0], rows, tried) or {}
            paper = PAPER.get(row["model"])
            alt = name.replace("[", " (").replace("]", ")")  # no brackets inside ![...]
            grid = f"![{alt}]({row['grid']})" if row.get("grid") else ""
            ours = fmt(row.get("fid")) if row.get("fid") is not None else "diverged"
            for candidate, _, what in ADOPTED.values():
                if candidate == name:
                    ours += f" (now {what})"
            lines.append(f"| {name} | {ours} | {fmt(today.get('fid'))} | "
                         f"{paper[0] if paper else '—'} | {ran_with(row)} | {row['train_seconds'] / 60:.1f} min | "
                         f"{fmt(row.get('img_s'), 0)} | {row['commit']}, {row['date_end'][:10]} | "
                         f"{command_of(row)} | {grid} |")
    missing = [n for n in ROWS if n not in rows]
    if missing:
        lines += ["", f"Not measured yet: {', '.join(missing)} (`python benchmarks/paper_table.py` "
                      "runs them; it resumes where it stopped)."]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def work_for(out):
    """Where the rows written to `out` keep their runs: runs/paper_table for
    the repository's tables, else OUT_STEM_runs beside `out`, so that a quick
    look (`--steps 50 --out /tmp/t.jsonl`) never leaves a finished short run
    where the full row would resume from it and score it as done. An `out`
    inside the repository (docs/fashion_pack.jsonl) keeps them in the
    git-ignored runs/, as runs/paper_table_STEM, never beside it in docs/."""
    out = os.path.abspath(out)
    if out in (os.path.abspath(OUT), os.path.abspath(CANDIDATES)):
        return WORK
    stem = os.path.splitext(out)[0]
    if os.path.commonpath([out, ROOT]) == ROOT:
        return f"{WORK}_{os.path.basename(stem)}"
    return stem + "_runs"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", default=",".join(ROWS),
                   help=f"comma-separated, of: {', '.join(ROWS)} (and, named only: {', '.join(OTHER_ROWS)})")
    p.add_argument("--row", help=argparse.SUPPRESS)  # one row, in this process
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--num", type=int, default=NUM, help="samples and test images for the FID")
    p.add_argument("--backup-every", type=int, default=EPOCH_STEPS,
                   help="steps per epoch, each ending with a backup")
    p.add_argument("--out", default=OUT)
    p.add_argument("--work", default=None,
                   help="where rows keep their runs and backups (default: runs/paper_table for "
                        "docs/paper_table*.jsonl, else a folder beside --out)")
    p.add_argument("--list", action="store_true")
    p.add_argument("--table", action="store_true", help="only rewrite docs/PAPER_TABLE.md")
    p.add_argument("--redo", action="store_true", help="run the rows even when finished")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a candidate default: a constructor argument (repeatable)")
    p.add_argument("--lr", action="append", default=[], metavar="GROUP=VALUE",
                   help="a candidate default: an optimizer group's learning rate (repeatable)")
    p.add_argument("--seed", type=int, default=0,
                   help="a candidate: the same settings from another seed (0: the table's rows)")
    p.add_argument("--quiet", dest="verbose", action="store_false")
    args = p.parse_args(argv)
    if (args.set or args.lr or args.seed) and args.out == OUT:
        args.out = CANDIDATES
    if args.work is None:
        args.work = work_for(args.out)
    if args.row:
        run_row(args.row, args)
        if args.out in (OUT, CANDIDATES):
            write_table(read_rows(OUT))
        return 0
    wanted = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in wanted if r not in ALL_ROWS]
    if unknown:
        raise SystemExit(f"unknown rows {unknown}; the rows are {', '.join(ALL_ROWS)}")
    tag = variant_of(args)[2]
    done = {k.replace(f"[{tag}]", ""): v for k, v in read_rows(args.out).items()
            if (f"[{tag}]" in k) == bool(tag)}
    if args.list:
        for r in [*ROWS, *(r for r in OTHER_ROWS if r in done)]:
            d = done.get(r)
            print(f"{r:15s} {'FID ' + fmt(d.get('fid')) if d else 'not done'}")
        return 0
    if args.table:
        print(write_table(done))
        return 0
    for r in wanted:
        if r in done and not args.redo:
            print(f"[{r}] done earlier: FID {done[r].get('fid')}; skipped (--redo runs it again)")
            continue
        cmd = [sys.executable, os.path.abspath(__file__), "--row", r, "--steps", str(args.steps),
               "--num", str(args.num), "--out", args.out, "--work", args.work,
               "--backup-every", str(args.backup_every)]
        cmd += [f"--set={x}" for x in args.set] + [f"--lr={x}" for x in args.lr]
        cmd += ["--seed", str(args.seed)]
        if not args.verbose:
            cmd.append("--quiet")
        rc = subprocess.call(cmd)
        if rc != 0:
            print(f"[{r}] exited with {rc}; rerun to resume it", flush=True)
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of `fit()` against a bare `tf.function` loop: docs/BENCHMARKS.md.

For one registered model (default dcgan) it measures the images per second of
`model.fit()` and of the minimal hand-written training loop that does the same
work: a `tf.function` that runs the D step(s), then the G step, with the same
networks, losses, optimizer settings, batch and `tf.data` pipeline. Both run in
one process on two copies of the model with identical initial weights, each
warmed up first (tracing and the first run excluded), then timed in turns
(fit, bare, fit, bare, ...) so that other load on the machine hits both alike.
The headline is the ratio of the medians, fit / bare; the median of the
run-by-run ratios ("paired") and the ratio of images per CPU-second are
printed beside it, being steadier on a shared machine.

Each XLA setting (without, and with: `compile(jit_compile=True)` for fit,
`tf.function(jit_compile=True)` for the bare loop) runs in its own subprocess,
which builds a fit/bare pair per precision (float32; mixed_bfloat16, and
mixed_float16 where a GPU is present or on request) and interleaves them all,
so the bfloat16 speed-up is measured under the same load too. A loop that
cannot run is recorded as "failed: <reason>". Peak memory is measured in one
more subprocess per (precision, XLA setting, loop), so each peak RSS belongs to
one loop. The pipeline has tf.data autotuning off (see `without_autotune`).
`--quality-epochs N` also trains the model under mixed_bfloat16 (and float32,
for reference) on digits and scores the samples with the shipped digit
classifier (coverage of the ten digits, digits-FID).

    python benchmarks/throughput.py                          # dcgan, float32+bf16, jit on/off
    python benchmarks/throughput.py --mixed-precision all --write
    python benchmarks/throughput.py --model lsgan --no-jit --repeats 3
    python benchmarks/throughput.py --quick                  # seconds-long smoke run

The bare loop reproduces the base class's `train_step` with its default hooks,
so it takes models that keep them (dcgan, lsgan, ...); others get a clear error.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DOC = os.path.join(ROOT, "docs", "BENCHMARKS.md")
GRID = os.path.join(ROOT, "docs", "benchmarks_bf16_samples.png")
MARK = "THROUGHPUT_JSON "
POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}

# Hooks of the base GAN's train_step that the bare loop writes out by hand; a
# model that overrides one of them does other work than the bare loop.
BASE_HOOKS = (
    "train_step", "apply_loss", "unpack", "unpack_images", "generator_inputs",
    "generate_fakes", "discriminator_inputs", "discriminator_loss", "generator_loss",
    "after_discriminator_step", "after_train_step", "build_steps", "run_step",
    "discriminator_step_loss", "generator_step_loss",
    "discriminator_step_networks", "generator_step_networks", "sample_latent",
    "preview_grid", "example_data",
)


# ------------------------------------------------------------------ helpers


def machine():
    """CPU model, core count, GPU (if any) and library versions, in one dict."""
    cpu = platform.processor() or platform.machine()
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags.update(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "bf16_flags": sorted(flags & {"avx512_bf16", "amx_bf16", "amx_tile"}),
        "python": platform.python_version(),
    }


def one_line(exc):
    """`Type: first line of the message`, at most 200 characters."""
    msg = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {msg[0] if msg else ''}"
    return text[:200]


def peak_rss_mib():
    """This process's peak resident set size (ru_maxrss is KiB on Linux)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1024.0 * 1024.0) if sys.platform == "darwin" else kib / 1024.0


def allocator_peak_mib(device):
    """Peak bytes of TF's allocator on `device` in MiB, or a reason it has none."""
    import tensorflow as tf

    try:
        info = tf.config.experimental.get_memory_info(device)
    except Exception as e:  # noqa: BLE001 - unsupported on some devices
        return f"n/a ({one_line(e)[:60]})"
    if not info.get("peak"):
        return "n/a (allocator keeps no stats)"
    return info["peak"] / 2**20


def system_busy_seconds():
    """CPU seconds all processes have used so far (from /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def has_gpu():
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


# --------------------------------------------------------- models and loops


def check_supported(model):
    """Raises unless `model` trains with the base train_step and default hooks."""
    from keras_gans.models.base import GAN

    cls = type(model)
    changed = [h for h in BASE_HOOKS if getattr(cls, h) is not getattr(GAN, h)]
    if changed or model.ema_decay is not None:
        raise ValueError(
            f"{cls.__name__} ({getattr(cls, 'registry_name', '?')}) changes the base "
            f"training step ({', '.join(changed) or 'task/ema'}); the bare loop writes "
            "out only the base GAN step, so it would not do the same work. Pick a "
            "model that keeps the default hooks (dcgan, lsgan, ...)."
        )


def build_models(name, overrides, seed):
    """Two copies of model `name` with identical initial G and D weights.

    Both get `seed=seed`, so their latent streams match as well.
    """
    import keras

    import keras_gans

    keras.utils.set_random_seed(seed)
    fit_model = keras_gans.get(name, seed=seed, **overrides)
    check_supported(fit_model)
    bare_model = keras_gans.get(name, seed=seed, **overrides)
    bare_model.generator.set_weights(fit_model.generator.get_weights())
    bare_model.discriminator.set_weights(fit_model.discriminator.get_weights())
    return fit_model, bare_model


def clone_optimizer(opt):
    """A new optimizer of the same class and settings (no state)."""
    import keras

    return keras.optimizers.deserialize(keras.optimizers.serialize(opt))


def make_bare_step(model, d_optimizer, g_optimizer, seed, jit_compile=False):
    """The minimal hand-written train step for `model`'s networks and losses.

    D step(s): z -> G (training, no gradient) -> D on real and fake -> D loss
    -> Adam (or whatever the optimizers are). G step: z -> G -> D -> G loss.
    Logits are cast to float32 before the losses and the losses go through
    `optimizer.scale_loss`, so mixed precision (and a LossScaleOptimizer under
    float16) is handled here, not left to the model. The latent stream is a
    `SeedGenerator(seed)`: with the model's seed, it draws the same z as fit().
    Returns the `tf.function` `step(real)`, which gives the float32
    `(d_loss, g_loss)`.
    """
    import keras
    import tensorflow as tf

    gen, disc = model.generator, model.discriminator
    g_loss_fn, d_loss_fn = model.g_loss_fn, model.d_loss_fn
    g_kwargs, d_kwargs = model.loss_kwargs(g_loss_fn), model.loss_kwargs(d_loss_fn)
    latent_dim, n_critic = model.latent_dim, model.n_critic
    z_seed = keras.random.SeedGenerator(seed)
    d_vars, g_vars = disc.trainable_variables, gen.trainable_variables
    d_optimizer.build(d_vars)
    g_optimizer.build(g_vars)

    def step(real):
        batch = tf.shape(real)[0]
        d_loss = tf.constant(0.0)
        for _ in range(n_critic):
            z = keras.random.normal((batch, latent_dim), seed=z_seed)
            fake = tf.stop_gradient(gen(z, training=True))
            with tf.GradientTape() as tape:
                real_logits = tf.cast(disc(real, training=True), tf.float32)
                fake_logits = tf.cast(disc(fake, training=True), tf.float32)
                d_loss = tf.cast(d_loss_fn(real_logits, fake_logits, **d_kwargs), tf.float32)
                scaled = d_optimizer.scale_loss(d_loss)
            grads = tape.gradient(scaled, d_vars)
            d_optimizer.apply_gradients(zip(grads, d_vars))
        z = keras.random.normal((batch, latent_dim), seed=z_seed)
        with tf.GradientTape() as tape:
            fake_logits = tf.cast(disc(gen(z, training=True), training=True), tf.float32)
            g_loss = tf.cast(g_loss_fn(fake_logits, **g_kwargs), tf.float32)
            scaled = g_optimizer.scale_loss(g_loss)
        grads = tape.gradient(scaled, g_vars)
        g_optimizer.apply_gradients(zip(grads, g_vars))
        return d_loss, g_loss

    return tf.function(step, jit_compile=bool(jit_compile))


class FitRunner:
    """Times `model.fit(ds, epochs=1, steps_per_epoch=steps)` calls."""

    name = "fit"

    def __init__(self, model, dataset, jit_compile, steps_per_execution=1):
        model.compile(jit_compile=bool(jit_compile), steps_per_execution=steps_per_execution)
        self.model, self.dataset = model, dataset

    def run(self, steps):
        self.cpu_start = time.process_time()
        start = time.perf_counter()
        history = self.model.fit(self.dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        seconds = time.perf_counter() - start
        self.cpu_seconds = time.process_time() - self.cpu_start
        losses = [history.history[k][-1] for k in ("d_loss", "g_loss") if k in history.history]
        if not all(map(_finite, losses)):
            raise FloatingPointError(f"fit() losses not finite: {losses}")
        return seconds


class BareRunner:
    """Times the bare `tf.function` step over `steps` batches of the same pipeline."""

    name = "bare"

    def __init__(self, model, dataset, jit_compile, optimizers, seed):
        self.model, self.dataset = model, dataset
        self.d_optimizer, self.g_optimizer = optimizers
        self.step = make_bare_step(model, self.d_optimizer, self.g_optimizer, seed, jit_compile)

    def run(self, steps):
        self.cpu_start = time.process_time()
        start = time.perf_counter()
        out = None
        for real in self.dataset.take(steps):
            out = self.step(real)
        losses = [float(v) for v in out]  # waits for the last step
        seconds = time.perf_counter() - start
        self.cpu_seconds = time.process_time() - self.cpu_start
        if not all(map(_finite, losses)):
            raise FloatingPointError(f"bare loop losses not finite: {losses}")
        return seconds


def _finite(x):
    return x == x and abs(x) != float("inf")


def without_autotune(ds):
    """`ds` with tf.data's autotuning off (the prefetch buffer then stays fixed).

    With autotuning on, deleting an iterator waits for the autotune thread: on
    2 busy cores that stalled 0.1 to 2.5 s at random, at every fit() call and
    bare run alike, which drowns the difference this script measures.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def make_runners(spec):
    """Builds the fit and bare runners of a worker `spec` (policy already set)."""
    from keras_gans.data import load

    fit_model, bare_model = build_models(spec["model"], spec["overrides"], spec["seed"])
    size, channels = fit_model.image_shape[0], fit_model.image_shape[2]
    ds = load("digits", image_size=size, channels=channels, batch_size=spec["batch_size"],
              seed=spec["seed"])
    if not spec.get("data_autotune", False):
        ds = without_autotune(ds)
    ds = ds.repeat()
    runners, errors = {}, {}
    try:
        runners["fit"] = FitRunner(fit_model, ds, spec["jit"], spec["steps_per_execution"])
    except Exception as e:  # noqa: BLE001 - recorded, not raised
        errors["fit"] = one_line(e)
    optimizers = (clone_optimizer(fit_model.d_optimizer), clone_optimizer(fit_model.g_optimizer)) \
        if "fit" in runners else bare_model.paper_optimizers()
    try:
        runners["bare"] = BareRunner(bare_model, ds, spec["jit"], optimizers, spec["seed"])
    except Exception as e:  # noqa: BLE001
        errors["bare"] = one_line(e)
    return runners, errors


# ------------------------------------------------------------------ workers


def set_policy(precision):
    import keras

    keras.mixed_precision.set_global_policy(POLICIES[precision])


def worker_timing(spec):
    """Warm-up, then `repeats` interleaved timed runs of every loop.

    One fit and one bare runner per precision in `spec["precisions"]`, each
    pair built under its policy, all in this process; each repeat runs them in
    turn (fit, bare for the first precision, then the next, ...), so that load
    from other jobs falls on all of them alike. Returns one row per precision.
    """
    runners, errors = {}, {}
    for precision in spec["precisions"]:
        set_policy(precision)  # layers keep the policy they were built under
        built, failed = make_runners(spec)
        runners.update({(precision, n): r for n, r in built.items()})
        errors.update({(precision, n): e for n, e in failed.items()})
    set_policy("float32")
    steps, images = spec["steps"], spec["steps"] * spec["batch_size"]
    for key in list(runners):
        try:
            runners[key].run(spec["warmup_steps"])  # traces, first iterator
        except Exception as e:  # noqa: BLE001 - e.g. XLA cannot compile an op
            errors[key] = one_line(e)
            del runners[key]
    times = {key: [] for key in runners}
    cpu = {key: [] for key in runners}
    loads = [os.getloadavg()[0]]
    start = (time.perf_counter(), time.process_time(), system_busy_seconds())
    for _ in range(spec["repeats"]):
        for key in [(p, n) for p in spec["precisions"] for n in ("fit", "bare")]:
            if key in runners:
                try:
                    times[key].append(runners[key].run(steps))
                    cpu[key].append(runners[key].cpu_seconds)
                except Exception as e:  # noqa: BLE001
                    errors[key] = one_line(e)
                    del runners[key], times[key], cpu[key]
        loads.append(os.getloadavg()[0])
    # The share of the cores that other processes used while this one was timed.
    other = None
    if start[2] is not None:
        busy = system_busy_seconds() - start[2] - (time.process_time() - start[1])
        other = max(0.0, busy) / ((time.perf_counter() - start[0]) * (os.cpu_count() or 1))
    rows = []
    for precision in spec["precisions"]:
        row = {"precision": precision, "jit": spec["jit"], "load_1min": loads,
               "other_cpu_share": other,
               "errors": {n: e for (p, n), e in errors.items() if p == precision}}
        for (p, name), ts in times.items():
            if p != precision:
                continue
            rates = [images / t for t in ts]
            per_cpu = [images / c for c in cpu[(p, name)]]
            row[name] = {"img_per_s": rates, "median": statistics.median(rates),
                         "seconds": ts, "cpu_seconds": cpu[(p, name)],
                         "img_per_cpu_s": per_cpu,
                         "median_per_cpu_s": statistics.median(per_cpu)}
        rows.append(row)
    for row in rows:
        row["process_peak_rss_mib"] = peak_rss_mib()  # all loops of this process
    return {"rows": rows}


def worker_memory(spec):
    """One loop alone in this process: warm-up and one run, then its peaks."""
    set_policy(spec["precision"])
    runners, errors = make_runners(spec)
    name = spec["loop"]
    for other in [n for n in runners if n != name]:
        del runners[other]  # built (same process cost of building both models), not run
    result = {"precision": spec["precision"], "jit": spec["jit"], "loop": name}
    if name not in runners:
        result["error"] = errors.get(name, "not built")
        return result
    try:
        runners[name].run(spec["warmup_steps"])
        runners[name].run(spec["steps"])
    except Exception as e:  # noqa: BLE001
        result["error"] = one_line(e)
        return result
    result["peak_rss_mib"] = peak_rss_mib()
    result["allocator_peak_mib"] = allocator_peak_mib("GPU:0" if has_gpu() else "CPU:0")
    return result


def worker_quality(spec):
    """Trains `model` under `precision` on digits; scores 1000 samples."""
    import keras

    import keras_gans
    from keras_gans.data import load
    from keras_gans.metrics.evaluation import evaluate_model

    set_policy(spec["precision"])
    keras.utils.set_random_seed(spec["seed"])
    model = keras_gans.get(spec["model"], seed=spec["seed"], **spec["overrides"])
    model.compile()
    ds = load("digits", image_size=model.image_shape[0], channels=model.image_shape[2],
              batch_size=spec["batch_size"], seed=spec["seed"])
    start = time.perf_counter()
    model.fit(ds, epochs=spec["epochs"], verbose=0)
    seconds = time.perf_counter() - start
    keras.mixed_precision.set_global_policy("float32")  # the judge runs in float32
    r = evaluate_model(model, metrics="fid", num=spec["num"], seed=spec["seed"])
    result = {
        "precision": spec["precision"], "epochs": spec["epochs"],
        "train_seconds": seconds, "fid": r.get("fid"), "coverage": r.get("coverage"),
        "confidence": r.get("confidence"), "class_histogram": r.get("class_histogram"),
        "generator_compute_dtype": next(
            layer.compute_dtype for layer in model.generator.layers if layer.weights),
        "generator_output_dtype": str(model.generator.outputs[0].dtype),
        "discriminator_output_dtype": str(model.discriminator.outputs[0].dtype),
        "sample_dtype": str(model.sample(2, seed=0).dtype),
    }
    if spec.get("grid"):
        from keras_gans.images import save_grid

        save_grid(model.sample(64, seed=spec["seed"]), spec["grid"], ncols=8)
        result["grid"] = os.path.relpath(spec["grid"], ROOT)
    return result


WORKERS = {"timing": worker_timing, "memory": worker_memory, "quality": worker_quality}


def run_worker(spec, timeout=1800):
    """Runs `spec` in a fresh Python process; returns its dict or an error dict."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"failed: timed out after {timeout} s"}
    for line in reversed(r.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    lines = [ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip()]
    errs = [ln for ln in lines if "Error" in ln or "Exception" in ln]
    return {"error": f"failed: exit {r.returncode}: {(errs or lines or ['?'])[-1].strip()[:200]}"}


# --------------------------------------------------------------- the driver


def parse_config(items, parser):
    """Model overrides from `--config KEY=VALUE` items (VALUE read as JSON when it parses)."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--config takes KEY=VALUE; got {item!r}")
        try:
            value = json.loads(value)
        except ValueError:
            pass
        overrides[key] = tuple(value) if isinstance(value, list) else value
    return overrides


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="dcgan", help="registry name (default dcgan)")
    p.add_argument("--batch-size", type=int, default=None, help="default 64 (8 with --quick)")
    p.add_argument("--steps", type=int, default=None,
                   help="train steps per timed run (default 50, 3 with --quick)")
    p.add_argument("--warmup-steps", type=int, default=None,
                   help="steps of the untimed first run (default: --steps)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed runs of each loop (default 9, 2 with --quick)")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="model constructor override, e.g. --config g_width=64 (repeatable; "
                        "VALUE is read as JSON when it parses, else as a string)")
    p.add_argument("--jit", dest="jit", action="store_const", const="on", default="both",
                   help="only with XLA (default: both with and without)")
    p.add_argument("--no-jit", dest="jit", action="store_const", const="off",
                   help="only without XLA")
    p.add_argument("--mixed-precision", default=None,
                   choices=["none", "bfloat16", "float16", "all"],
                   help="float32 always; plus bfloat16 / float16 / all (float16 only "
                        "where a GPU is present). Default: bfloat16 on CPU, all on GPU")
    p.add_argument("--steps-per-execution", type=int, default=1,
                   help="compile(steps_per_execution=) for fit (documented in the output)")
    p.add_argument("--data-autotune", action="store_true",
                   help="keep tf.data autotuning on in the pipeline (load()'s default); "
                        "off by default here, see without_autotune")
    p.add_argument("--no-memory", action="store_true",
                   help="skip the per-loop peak-memory subprocesses")
    p.add_argument("--quality-epochs", type=int, default=None,
                   help="train under bfloat16 (and float32) this many epochs on digits "
                        "and judge the samples; 0 skips (default 30, 0 with --quick)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true",
                   help="tiny model, batch 8, 3 steps, 2 repeats (a smoke test)")
    p.add_argument("--write", action="store_true", help="write the results to --doc")
    p.add_argument("--doc", default=DOC, help="the Markdown file --write writes")
    p.add_argument("--json", default=None, help="also write all results to this JSON file")
    p.add_argument("--from-json", default=None,
                   help="print (and --write) the results saved by an earlier --json run")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.overrides = {}
    defaults = {"batch_size": 64, "steps": 50, "repeats": 9}
    if args.quick:
        from keras_gans.registry import tiny_config

        args.overrides = tiny_config(args.model)
        defaults = {"batch_size": 8, "steps": 3, "repeats": 2}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.overrides.update(parse_config(args.config, p))
    if args.warmup_steps is None:
        args.warmup_steps = args.steps
    if args.quality_epochs is None:
        args.quality_epochs = 0 if args.quick else 30
    for name in ("batch_size", "steps", "repeats", "warmup_steps", "steps_per_execution"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def precisions(choice, gpu):
    if choice is None:
        choice = "all" if gpu else "bfloat16"
    out = ["float32"]
    if choice in ("bfloat16", "all"):
        out.append("bfloat16")
    if choice == "float16" or (choice == "all" and gpu):
        out.append("float16")
    return out


def fmt(x, digits=0):
    if isinstance(x, (int, float)):
        return f"{x:.{digits}f}"
    return str(x)


def paired(a, b):
    """Median of the run-by-run ratios a[i] / b[i]: runs i ran back to back,
    under the same load, so this is steadier than the ratio of the medians."""
    return statistics.median(x / y for x, y in zip(a, b))


def summarize(results):
    """Adds the ratios fit/bare and the bf16 speed-ups to `results` (in place)."""
    rows = results["timing"]
    for r in rows:
        if "fit" in r and "bare" in r:
            r["ratio"] = r["fit"]["median"] / r["bare"]["median"]
            r["cpu_ratio"] = r["fit"]["median_per_cpu_s"] / r["bare"]["median_per_cpu_s"]
            r["paired_ratio"] = paired(r["fit"]["img_per_s"], r["bare"]["img_per_s"])
    speedups = {}
    for r in rows:
        base = next((b for b in rows if b["precision"] == "float32" and b["jit"] == r["jit"]), None)
        if r["precision"] != "float32" and base:
            for loop in ("bare", "fit"):
                if loop in r and loop in base:
                    speedups[f"{r['precision']} {loop} jit={'on' if r['jit'] else 'off'}"] = {
                        "median": r[loop]["median"] / base[loop]["median"],
                        "paired": paired(r[loop]["img_per_s"], base[loop]["img_per_s"]),
                        "cpu_time": r[loop]["median_per_cpu_s"] / base[loop]["median_per_cpu_s"],
                    }
    results["speedups"] = speedups
    return results


def cell(r, loop):
    if loop in r:
        return fmt(r[loop]["median"])
    err = r.get("errors", {}).get(loop) or r.get("error")
    return f"failed: {err}" if err else "-"


def memory_cell(results, r, loop):
    m = results.get("memory", {}).get(f"{r['precision']}/{'on' if r['jit'] else 'off'}/{loop}")
    if not m:
        return "-", "-"
    if "error" in m:
        return "failed", "failed"
    return fmt(m["peak_rss_mib"]), fmt(m["allocator_peak_mib"], 1)


def table(results):
    """The results as Markdown table lines."""
    lines = [
        "| precision | jit | fit img/s | bare img/s | fit / bare | paired | CPU time "
        "| fit runs (img/s) | bare runs (img/s) | peak RSS fit / bare (MiB) "
        "| TF allocator peak fit / bare (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["timing"]:
        reps = {
            loop: ", ".join(fmt(v) for v in r[loop]["img_per_s"]) if loop in r else "-"
            for loop in ("fit", "bare")
        }
        (rf, af), (rb, ab) = memory_cell(results, r, "fit"), memory_cell(results, r, "bare")
        lines.append(
            f"| {r['precision']} | {'on' if r['jit'] else 'off'} | {cell(r, 'fit')} "
            f"| {cell(r, 'bare')} | {fmt(r['ratio'], 3) if 'ratio' in r else '-'} "
            f"| {fmt(r['paired_ratio'], 3) if 'paired_ratio' in r else '-'} "
            f"| {fmt(r['cpu_ratio'], 3) if 'cpu_ratio' in r else '-'} "
            f"| {reps['fit']} | {reps['bare']} | {rf} / {rb} | {af} / {ab} |"
        )
    return lines


def quality_lines(results):
    lines = []
    for q in results.get("quality", []):
        if "error" in q:
            lines.append(f"- {q.get('precision', '?')}: {q['error']}")
            continue
        lines.append(
            f"- {q['precision']}: {q['epochs']} epochs in {q['train_seconds']:.0f} s; "
            f"coverage {q['coverage']}/10, digits-FID {q['fid']:.1f}, confidence "
            f"{q['confidence']:.3f}, class histogram {q['class_histogram']} "
            f"(G computes in {q['generator_compute_dtype']}; G's output is "
            f"{q['generator_output_dtype']}, D's logits {q['discriminator_output_dtype']}, "
            f"samples {q['sample_dtype']})"
        )
    return lines


def speedup_lines(results, bold=False):
    b = "**" if bold else ""
    return [
        f"- speed-up over float32, {k}: {b}{v['median']:.2f}x{b} (medians; paired "
        f"{v['paired']:.2f}x, CPU time {v['cpu_time']:.2f}x)"
        for k, v in results["speedups"].items()
    ]


def acceptance_lines(results):
    """The issue's two throughput targets, checked against the medians."""
    rows = {(r["precision"], r["jit"]): r for r in results["timing"]}
    out = []
    f32 = rows.get(("float32", False))
    if f32 and "ratio" in f32:
        ok = "met" if f32["ratio"] >= 0.95 else "NOT met"
        out.append(f"- fit() >= 0.95 of the bare loop (float32, no XLA): {ok} "
                   f"({f32['ratio']:.3f}; paired {f32['paired_ratio']:.3f}, "
                   f"CPU time {f32['cpu_ratio']:.3f})")
    s = results["speedups"].get("bfloat16 bare jit=off")
    if s:
        ok = "met" if s["median"] >= 1.4 else "NOT met"
        out.append(f"- bfloat16 >= 1.4x the float32 bare loop (no XLA): {ok} "
                   f"({s['median']:.2f}x; paired {s['paired']:.2f}x, CPU time "
                   f"{s['cpu_time']:.2f}x)")
    return out


def report(results):
    """The printed summary."""
    m = results["machine"]
    out = [
        f"{results['model']} ({describe_config(results)}) on {m['cpu']} ({m['cores']} cores, "
        f"GPU: {m['gpu'] or 'none'}), TF {m['tensorflow']}, Keras {m['keras']}",
        f"batch {results['batch_size']}, {results['steps']} steps per run, "
        f"{results['repeats']} repeats, steps_per_execution {results['steps_per_execution']}; "
        f"load average (1 min) {results['load_before']:.2f} before, "
        f"{results['load_after']:.2f} after. {other_line(results)}",
        *table(results),
    ]
    out += speedup_lines(results)
    out += acceptance_lines(results)
    out += quality_lines(results)
    return "\n".join(out)


def other_line(results):
    shares = [r["other_cpu_share"] for r in results["timing"]
              if r.get("other_cpu_share") is not None]
    if not shares:
        return ""
    low, high = f"{100 * min(shares):.0f}%", f"{100 * max(shares):.0f}%"
    return (f"Other processes used {low if low == high else f'{low} to {high}'} of the "
            f"cores during the timed runs (/proc/stat, less this process). ")


def describe_config(results):
    over = results.get("overrides") or {}
    if not over:
        return "registry defaults"
    return "registry defaults with " + ", ".join(f"{k}={v}" for k, v in over.items())


def write_doc(results, path):
    m = results["machine"]
    timing = results["timing"]
    f32 = next((r for r in timing if r["precision"] == "float32" and not r["jit"]), None)
    head = f"{f32['ratio']:.3f}" if f32 and "ratio" in f32 else "n/a"
    loads = [x for r in timing for x in r.get("load_1min", [])]
    lines = [
        "# Benchmarks: throughput of fit() against a bare tf.function loop",
        "",
        f"Written by `{results['command']}` on {results['date']}.",
        "",
        f"- Device: {m['cpu']}, {m['cores']} cores (CPU flags: "
        f"{', '.join(m['bf16_flags']) or 'no bf16'}), GPU: {m['gpu'] or 'none'}; "
        f"Python {m['python']}, TensorFlow {m['tensorflow']}, Keras {m['keras']}.",
        f"- Model: `{results['model']}` ({describe_config(results)}), "
        f"batch {results['batch_size']}, digits at {results['image_size']} px from "
        f"`keras_gans.data.load` (repeated), tf.data autotuning "
        f"{'on' if results.get('data_autotune') else 'off (see the notes)'}.",
        f"- Each figure: median of {results['repeats']} timed runs of {results['steps']} "
        f"steps, after an untimed warm-up run of {results['warmup_steps']} steps. For each "
        f"XLA setting, one process builds a fit() copy and a bare-loop copy of the model "
        f"(identical initial weights) per precision and runs them in turn (fit, bare, "
        f"then the next precision's fit, bare, ...; repeat), so that other load falls on "
        f"all alike. fit() uses steps_per_execution {results['steps_per_execution']}.",
        f"- **Headline, float32 without XLA: fit() runs at {head} of the bare loop.**",
        *acceptance_lines(results),
        f"- Load: this machine is shared with other agents' jobs. {other_line(results)}"
        f"1-minute load average {results['load_before']:.2f} at the start, "
        f"{results['load_after']:.2f} at the end, {min(loads):.2f} to {max(loads):.2f} "
        f"during the timed runs (it counts this benchmark's own two busy threads)."
        if loads else "- Load: not recorded.",
        "- GPU figures: not measured in this session (no GPU was lent)."
        if not m["gpu"] else f"- GPU: {m['gpu']}.",
        "",
        "Columns: medians of the runs in images per second; `fit / bare` is the ratio of "
        "the medians (the headline), `paired` the median of the run-by-run ratios (each "
        "fit run against the bare run right after it, under the same load; steadier), "
        "`CPU time` the ratio of images per CPU-second of this process (all its threads), "
        "which other jobs on the machine disturb far less than wall time. Peak RSS is the "
        "whole process's `ru_maxrss` (Python, TF, both models built, one loop warmed up and "
        "run once), each loop in its own process; the TF allocator peak is "
        "`tf.config.experimental.get_memory_info()['peak']` of that process.",
        "",
        *table(results),
        "",
    ]
    lines += speedup_lines(results, bold=True)
    if results.get("quality"):
        lines += ["", "## bfloat16 sample quality", "",
                  f"`{results['model']}` trained on digits ({describe_config(results)}, batch "
                  f"{results['batch_size']}, seed {results['seed']}) under each policy, "
                  "1000 samples judged by the shipped digit classifier "
                  "(`keras_gans.metrics.evaluation.evaluate_model`; real digits:train "
                  "against digits:test score digits-FID 13.1):", ""]
        lines += quality_lines(results)
        grid = next((q.get("grid") for q in results["quality"] if q.get("grid")), None)
        if grid:
            rel = os.path.relpath(os.path.join(ROOT, grid), os.path.dirname(os.path.abspath(path)))
            lines += ["", f"![64 bfloat16 samples]({rel})"]
    if results.get("notes"):
        lines += ["", "## Notes", "", results["notes"]]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    return path


# What the measurements found (kept here so --write reproduces the whole doc).
NOTES = """
Findings of 2026-11-23 on this machine. The figures of the first two items come
from short one-off scripts that time the same runners (not kept), run while
other agents' jobs came and went; those of the bfloat16 items from the commands
quoted, started on idle cores.

- **fit() has no per-step overhead worth fixing.** On the tiny dcgan (batch 8,
  about 4.5 ms a step, where overhead shows most), 300-step runs interleaved in
  one process: fit() 4.51 ms a step, the bare loop 4.42 ms (CPU 6.16 and 6.10
  ms). A one-step fit() call costs 9.3 ms, the bare loop's one-step run 13.7 ms
  (it makes a new `take` dataset and iterator). So Keras' loop (one tf.function
  call per step taking the iterator, the callbacks, History at verbose=0) and
  the base class's extras in the graph (two `Mean` trackers, the division by
  `num_replicas_in_sync`) cost about 0.1 ms of dcgan's 35-45 ms step: nothing
  in `keras_gans/models/base.py` needs changing for throughput.
  `--steps-per-execution 10` takes fit() below the bare loop: 3.12 ms a step on
  the tiny model (one Python-to-graph call per 10 steps, which the bare loop
  pays every step), so about 3% at dcgan's size (estimated, not measured).
  The table uses 1, Keras' default.
- **tf.data autotuning stalls iterator teardown.** With autotuning on (the
  default of `keras_gans.data.load`'s `prefetch(AUTOTUNE)`), deleting an
  iterator while both cores train stalled 0.1 to 2.5 s in about one run in
  four, for fit() and the bare loop alike; wall times then clumped at about
  1256 and 626 img/s (runs of 2.55 s and 5.1 s). With
  `options.autotune.enabled = False`, no deletion took over 1 ms in 14 runs, so
  this script turns it off on its pipeline (`--data-autotune` keeps it on).
  Users see it too: `model.fit(load("digits"), epochs=6)` (one new iterator an
  epoch) ran at 1267, 1230 and 1459 img/s with autotuning and 1406, 1506 and
  1467 without, interleaved.
- **BatchNorm was bfloat16's first bottleneck (fixed).** Keras 3's
  BatchNormalization has no fused kernel. It upcasts bfloat16 inputs to
  float32, builds the moments from element-wise ops (Sum, Mul, Square, and
  Tile in the gradient) and casts back. In TensorFlow's profiler those ops
  took as long under bfloat16 as under float32, or longer, with the casts on
  top. `keras_gans.layers.BatchNorm` is the same layer, but it trains through
  TF's fused kernel when one replica trains (oneDNN here). The previous
  version of this page, written by the same command on 2026-11-23 with Keras'
  layer, had the bfloat16 bare loop at 1.09x float32 (1767 and 1928 img/s).
  With the fused layer it is 1.23x (table; paired 1.27x). A `--no-jit
  --no-memory --quality-epochs 0` run gave 1.30x. XLA still gives bfloat16
  nothing here.
- **What is left: oneDNN's bfloat16 filter gradient.** `python
  benchmarks/bf16_kernels.py --steps 40` times every oneDNN kernel of the
  bare step under both policies (docs/BF16_KERNELS.md). At dcgan's defaults,
  bfloat16 gains:

  | kernels | speed-up | share of float32 kernel time |
  |---|---|---|
  | convolution forward | 1.69x | |
  | convolution input gradient | 1.63x | |
  | convolution filter gradient (`backward_weights`; oneDNN picks `jit_bf16:avx512_core_bf16` here) | 1.24x | 25% |
  | batch norm | 0.88x | |
  | reorders | 1.01x | 8% |
  | all oneDNN kernels | 1.37x | |

  The filter gradients ran at 1.06x in an earlier run. The 1-channel layers
  (D's input, G's output) gain about 1.3x. TensorFlow's own ops
  (activations, casts, Adam on float32 weights, random draws) gain nothing.
  So at this size the step stays near 1.3x, short of issue 7's 1.4x.
  - Wider networks get closer. At the DCGAN paper's widths (`--no-jit --config
    g_width=128 --config d_width=128 --steps 10 --repeats 9 --no-memory
    --quality-epochs 0`) the bare loop ran 193 and 267 img/s, 1.38x (paired
    1.39x, CPU time 1.40x; fit() 1.41x). The kernel table there: filter
    gradients 1.07x (28% of kernel time), all kernels 1.46x.
  - Tried, no gain:
    - The filter gradient as patches times a matmul (oneDNN's bfloat16 matmul
      is fast). Extracting the patches alone took 1.0 to 1.8 ms a layer,
      against 1.0 to 1.3 ms for the whole conv kernel.
    - `ONEDNN_DEFAULT_FPMATH_MODE=BF16` under float32 (5-run medians in
      alternating processes: 1621 and 1664 img/s against 1558 and 1752).
    - One inter-op thread (slower).
  - oneDNN's brgemm filter-gradient kernels need AMX; GPUs are the other
    place for the 1.4x.
- **Earlier figures (Keras' BatchNorm).** `--config g_width=64 --config
  d_width=64`: 1.31x. Batch 256: 1.27x. The keras.io-style DCGAN of the issue
  (578 to 844 img/s) costs about as much per image as the width-64 dcgan.
- **Run to run.** Earlier runs of the same command, with Keras' BatchNorm,
  gave fit() at 0.974 and 1.000 of the bare loop and bfloat16 at 1.09x and
  1.10x.
- **Wall-time noise.** Even with the cores idle, successive runs of one loop
  vary by about 15%; the interleaving puts fit() and the bare loop (and the two
  precisions) under the same conditions, and the `paired` and `CPU time`
  columns are steadier than the ratio of the medians.
"""


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        result = WORKERS[spec.pop("kind")](spec)
        print(MARK + json.dumps(result))
        return result

    if args.from_json:
        with open(args.from_json) as f:
            results = summarize(json.load(f))
        results["notes"] = NOTES.strip()
        return finish(results, args)

    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    gpu = ", ".join(tf.config.experimental.get_device_details(g).get("device_name", g.name)
                    for g in gpus)
    from keras_gans.registry import get as registry_get

    probe = registry_get(args.model, **args.overrides)
    check_supported(probe)
    image_size = probe.image_shape[0]
    del probe
    results = {
        "model": args.model, "batch_size": args.batch_size, "steps": args.steps,
        "warmup_steps": args.warmup_steps, "repeats": args.repeats, "seed": args.seed,
        "steps_per_execution": args.steps_per_execution, "quick": args.quick,
        "data_autotune": args.data_autotune, "overrides": args.overrides,
        "image_size": image_size,
        "command": "python benchmarks/throughput.py " + " ".join(
            argv if argv is not None else sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "machine": dict(machine(), gpu=gpu, tensorflow=tf.__version__, keras=keras.__version__),
        "load_before": os.getloadavg()[0], "timing": [], "memory": {}, "quality": [],
    }
    base = {"model": args.model, "overrides": args.overrides, "seed": args.seed,
            "batch_size": args.batch_size, "steps": args.steps,
            "warmup_steps": args.warmup_steps, "repeats": args.repeats,
            "steps_per_execution": args.steps_per_execution,
            "data_autotune": args.data_autotune}
    jits = {"both": [False, True], "on": [True], "off": [False]}[args.jit]
    precs = precisions(args.mixed_precision, bool(gpus))
    rows = {}
    for jit in jits:
        print(f"timing {', '.join(precs)}, jit={'on' if jit else 'off'} ...", flush=True)
        r = run_worker(dict(base, kind="timing", precisions=precs, jit=jit))
        for precision in precs:
            row = next((x for x in r.get("rows", []) if x["precision"] == precision),
                       {"precision": precision, "jit": jit, "error": r.get("error", "no result")})
            rows[(precision, jit)] = row
        if not args.no_memory:
            for precision in precs:
                for loop in ("fit", "bare"):
                    print(f"peak memory {precision}, jit={'on' if jit else 'off'}, {loop} ...",
                          flush=True)
                    key = f"{precision}/{'on' if jit else 'off'}/{loop}"
                    results["memory"][key] = run_worker(
                        dict(base, kind="memory", precision=precision, jit=jit, loop=loop))
    results["timing"] = [rows[(p, j)] for p in precs for j in jits]
    if args.quality_epochs > 0:
        for precision in ("bfloat16", "float32"):
            print(f"quality {precision}, {args.quality_epochs} epochs ...", flush=True)
            spec = dict(kind="quality", model=args.model, overrides=args.overrides,
                        seed=args.seed, batch_size=args.batch_size, precision=precision,
                        epochs=args.quality_epochs, num=1000,
                        grid=GRID if precision == "bfloat16" and args.write else None)
            q = run_worker(spec)
            q.setdefault("precision", precision)
            results["quality"].append(q)
    results["load_after"] = os.getloadavg()[0]
    summarize(results)
    results["notes"] = NOTES.strip()
    return finish(results, args)


def finish(results, args):
    print(report(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.write:
        print(f"wrote {write_doc(results, args.doc)}")
    return results


if __name__ == "__main__":
    main()

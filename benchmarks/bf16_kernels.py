"""Where bfloat16 gains and where it does not: oneDNN kernel times, float32 vs bfloat16.

`benchmarks/throughput.py` gives the bfloat16 speed-up of a whole training step;
this script says which kernels make it. It runs the bare training step of
throughput.py (same model, networks, optimizers and data) once under float32 and
once under mixed_bfloat16, each in a fresh process with oneDNN's verbose log on
(`ONEDNN_VERBOSE=1`, timestamps on), keeps the log lines of the timed steps
(those after the warm-up), and adds up each primitive's execution time per step:
convolutions by direction (forward, backward_data = the input gradient and
Conv2DTranspose's forward, backward_weights = the filter gradient) and shape,
matmuls, batch norms, and reorders (layout conversions). It prints a table, float32 ms per
step against bfloat16 ms per step, and the totals per direction.

    python benchmarks/bf16_kernels.py                      # dcgan, registry defaults, batch 64
    python benchmarks/bf16_kernels.py --config g_width=128 --config d_width=128

The log's own cost inflates every figure a little (about 10% here), alike for
both precisions; the ratios are what the table is for. Ops outside oneDNN
(activations, casts, Adam, random draws) do not appear; on CPU they are the
rest of the step.
"""

import argparse
import collections
import datetime
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MARK = "BF16_KERNELS_START_MS "
PRECISIONS = ("float32", "bfloat16")
MATMULS = ("matmul", "inner_product", "gemm_api")


def worker(spec):
    """Warm-up steps, then prints the start time (ms since the epoch), then timed steps."""
    import keras

    import throughput as T

    keras.mixed_precision.set_global_policy(T.POLICIES[spec["precision"]])
    from keras_gans.data import load

    _, model = T.build_models(spec["model"], spec["overrides"], spec["seed"])
    size, channels = model.image_shape[0], model.image_shape[2]
    ds = T.without_autotune(load("digits", image_size=size, channels=channels,
                                 batch_size=spec["batch_size"], seed=spec["seed"])).repeat()
    d_opt, g_opt = model.paper_optimizers()
    step = T.make_bare_step(model, d_opt, g_opt, spec["seed"])
    batches = iter(ds)
    for _ in range(spec["warmup_steps"]):
        out = step(next(batches))
    float(out[0])
    sys.stderr.write(f"{MARK}{time.time() * 1000.0:.3f}\n")
    sys.stderr.flush()
    start = time.perf_counter()
    for _ in range(spec["steps"]):
        out = step(next(batches))
    float(out[0])
    sys.stderr.write(f"BF16_KERNELS_SECONDS {time.perf_counter() - start:.6f}\n")


def parse_log(stdout, start_ms):
    """{(primitive, direction, shape): total ms} over the exec lines after `start_ms`.

    A line reads `onednn_verbose,v1,<timestamp>,primitive,exec,cpu,<primitive>,
    <implementation>,<direction>,<formats>,<attributes>,<aux>,<shape>,<ms>`.
    """
    totals, counts = collections.defaultdict(float), collections.Counter()
    for line in stdout.splitlines():
        if not line.startswith("onednn_verbose,") or ",exec," not in line:
            continue
        f = line.strip().split(",")
        i = f.index("exec")
        try:
            stamp, ms = float(f[i - 2]), float(f[-1])
        except ValueError:
            continue
        if stamp < start_ms:
            continue
        kind, impl, direction = f[i + 2], f[i + 3], f[i + 4]
        shaped = kind in ("convolution", *MATMULS)
        key = (kind, "" if direction == "undef" else direction, f[-2] if shaped else "")
        totals[key] += ms
        counts[key] += 1
        totals[("impl", key)] = impl  # last implementation seen for the key
    return totals, counts


def run(precision, args):
    spec = {"precision": precision, "model": args.model, "overrides": args.overrides,
            "seed": args.seed, "batch_size": args.batch_size, "steps": args.steps,
            "warmup_steps": args.warmup_steps}
    env = dict(os.environ, ONEDNN_VERBOSE="1", ONEDNN_VERBOSE_TIMESTAMP="1",
               TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    start = [ln for ln in r.stderr.splitlines() if ln.startswith(MARK)]
    if r.returncode != 0 or not start:
        tail = "\n".join(r.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"{precision} worker failed (exit {r.returncode}):\n{tail}")
    secs = [ln.split()[-1] for ln in r.stderr.splitlines() if ln.startswith("BF16_KERNELS_SECONDS")]
    totals, counts = parse_log(r.stdout, float(start[0][len(MARK):]))
    if not counts:
        raise SystemExit(
            f"{precision}: no oneDNN exec lines in the log. This TensorFlow build may not use "
            "oneDNN (TF_ENABLE_ONEDNN_OPTS=0?) or not print ONEDNN_VERBOSE; nothing to compare."
        )
    return totals, counts, float(secs[0]) if secs else None


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="dcgan")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="model constructor override (as in throughput.py)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    p.add_argument("--warmup-steps", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write", default=None, metavar="PATH",
                   help="also write the tables to this Markdown file (docs/BF16_KERNELS.md)")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from throughput import parse_config

    args.overrides = parse_config(args.config, p)
    for name in ("batch_size", "steps", "warmup_steps"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def ratio(a, b):
    """`a / b` to two places, or "-" where either is zero (a kernel one policy never ran)."""
    return f"{a / b:.2f}" if a and b else "-"


def about():
    """The module docstring's prose (no title, no command examples), for the doc."""
    paragraphs = __doc__.strip().split("\n\n")[1:]
    return [line for p in paragraphs if not p.startswith("    ") for line in (*p.splitlines(), "")]


def report(args, results, machine):
    """The Markdown lines of the comparison."""
    (fa, fn, fsec), (ba, bn, bsec) = results["float32"], results["bfloat16"]
    steps = float(args.steps)
    keys = [k for k in set(fa) | set(ba) if k and k[0] != "impl"]
    keys.sort(key=lambda k: -fa.get(k, 0.0))
    config = ", ".join(f"{k}={v}" for k, v in args.overrides.items()) or "registry defaults"
    lines = [
        f"`{args.model}` ({config}), batch {args.batch_size}, bare training step of "
        f"benchmarks/throughput.py, {args.steps} logged steps after {args.warmup_steps} "
        f"warm-up; {machine['cpu']}, {machine['cores']} cores, CPU bf16 flags: "
        f"{', '.join(machine['bf16_flags']) or 'none'}.",
        "",
        "| float32 ms/step | bfloat16 ms/step | f32 / bf16 | calls/step | primitive | "
        "direction | shape | bf16 implementation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in keys:
        a, b = fa.get(k, 0.0) / steps, ba.get(k, 0.0) / steps
        calls = max(fn.get(k, 0), bn.get(k, 0)) / steps
        lines.append(f"| {a:.3f} | {b:.3f} | {ratio(a, b)} | {calls:g} | {k[0]} | {k[1]} | "
                     f"{k[2]} | {ba.get(('impl', k), fa.get(('impl', k), ''))} |")
    groups = {}
    for k in keys:
        g = f"{k[0]} {k[1]}" if k[0] == "convolution" else (
            "matmul / inner product / gemm" if k[0] in MATMULS else k[0])
        a, b = groups.get(g, (0.0, 0.0))
        groups[g] = (a + fa.get(k, 0.0) / steps, b + ba.get(k, 0.0) / steps)
    total_a = sum(a for a, _ in groups.values())
    total_b = sum(b for _, b in groups.values())
    lines += ["", "| kernels | float32 ms/step | bfloat16 ms/step | f32 / bf16 | "
              "share of float32 oneDNN time |", "|---|---|---|---|---|"]
    for g, (a, b) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"| {g} | {a:.2f} | {b:.2f} | {ratio(a, b)} | {100 * a / total_a:.0f}% |")
    lines.append(f"| all oneDNN | {total_a:.2f} | {total_b:.2f} | {ratio(total_a, total_b)} "
                 "| 100% |")
    if fsec and bsec:
        fa_ms, fb_ms = 1000 * fsec / steps, 1000 * bsec / steps
        lines += ["", f"Whole step with the log on: float32 {fa_ms:.1f} ms, bfloat16 "
                  f"{fb_ms:.1f} ms ({ratio(fsec, bsec)}x). The oneDNN kernel times add up "
                  f"to {100 * total_a / fa_ms:.0f}% and {100 * total_b / fb_ms:.0f}% of it "
                  "(TensorFlow runs independent ops side by side, so they may pass 100%); "
                  "the rest is TensorFlow's own (Eigen) ops: activations, casts, Adam, "
                  "random draws."]
    return lines


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(json.loads(args.worker))
    import throughput as T

    machine = T.machine()
    results = {}
    for precision in PRECISIONS:
        print(f"# running {precision} ...", file=sys.stderr, flush=True)
        results[precision] = run(precision, args)
    lines = report(args, results, machine)
    print("\n".join(lines))
    if args.write:
        command = "python benchmarks/bf16_kernels.py " + " ".join(argv or sys.argv[1:])
        with open(args.write, "w") as f:
            f.write("\n".join([
                "# bfloat16 on this CPU: oneDNN kernel times, float32 against bfloat16", "",
                f"Written by `{command.strip()}` on {datetime.date.today()}.", "",
                *about(), *lines]).rstrip() + "\n")
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

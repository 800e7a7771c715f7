"""The `keras-gans` command line: parse, then call the library.

    keras-gans list [PATTERN]   # a part of a name or a shell pattern
    keras-gans train MODEL [--data SPEC] [--epochs N] [--batch-size B]
                     [--image-size S] [--seed S] [--run-dir DIR] [--overwrite]
                     [--export-dir DIR]
                     [--labelled N] [--label-noise RATE] [--noise symmetric|asymmetric]
                     [--d-lr LR] [--g-lr LR] [--c-lr LR] [--lr GROUP=VALUE ...]
    keras-gans sample PATH --out FILE.png [--num N] [--seed S]
                      [--labels 0,1,2 | --vary-code K]
    keras-gans export PATH --format saved_model|tflite [--out DIR_OR_FILE]
    keras-gans evaluate PATH [--data SPEC] [--metrics fid,kid,is,pr] [--num N]
                        [--features digits|inception_v3|fid_inception|FILE]
                        [--no-cache] [--out FILE.json]

`train` is `keras_gans.training.run`; the others call `keras_gans.serving`
and `keras_gans.metrics.evaluation`. Bad input prints one
line and exits with code 2; `--debug` shows the traceback.
"""

import argparse
import os
import sys
import warnings

USER_ERRORS = (ValueError, FileNotFoundError, NotADirectoryError, FileExistsError, PermissionError,
               IsADirectoryError)


class UsageError(Exception):
    """Bad command-line usage: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _quiet_tensorflow():
    import logging

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)  # tfds' and TF's Python warnings
    warnings.filterwarnings("ignore", message=".*shuffle=True.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def build_parser():
    p = _Parser(prog="keras-gans", description="Train, sample and export GANs (Keras 3).")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="list the registered models")
    ls.add_argument("pattern", nargs="?", default="*",
                    help="part of a name, or a shell pattern: 'cycle', '*gan'")

    tr = sub.add_parser("train", help="train a model and export it")
    tr.add_argument("model", help="a name from `keras-gans list`")
    tr.add_argument("--data", default=None,
                    help="digits | fashion_mnist | mnist | idx:IMAGES[,LABELS] | emoji[:SIZE] | "
                         "tfds:NAME[:SPLIT] | folder:PATH; image-to-image models: "
                         "digits-edges | digits-ink | photo-cartoon | tfds:cycle_gan/NAME | "
                         "folder:PATH (with A/ and B/) | sbs:PATH (default: the model's)")
    tr.add_argument("--epochs", type=int, default=None, help="default: the model's preset")
    tr.add_argument("--batch-size", type=int, default=None,
                    help="default: the model's (64; 16 for image-to-image models)")
    tr.add_argument("--image-size", type=int, default=None, help="default: the model's preset")
    tr.add_argument("--channels", type=int, default=None, choices=(1, 3))
    tr.add_argument("--steps-per-epoch", type=int, default=None, help="cap steps per epoch")
    tr.add_argument("--max-seconds", type=float, default=None,
                    help="stop training after this many seconds (a time budget)")
    tr.add_argument("--fid-every-seconds", type=float, default=None,
                    help="log digits-FID (500 samples) every this many training seconds; "
                         "writes RUN_DIR/fid.json (training seconds, FID)")
    tr.add_argument("--seed", type=int, default=None)
    tr.add_argument("--deterministic", action="store_true",
                    help="TF op determinism and seeded data order (--seed, default 0): the "
                         "same command gives the same weights, bit for bit, on this machine")
    tr.add_argument("--run-dir", default=None,
                    help="default: runs/MODEL, or runs/MODEL-2, -3, ... when that holds "
                         "another run; a rerun of a killed run resumes it")
    tr.add_argument("--overwrite", action="store_true",
                    help="replace the finished run in the run dir (else a given --run-dir "
                         "that holds one is refused)")
    tr.add_argument("--export-dir", default=None,
                    help="default: RUN_DIR/export (never the shipped savedmodels/)")
    tr.add_argument("--no-export", action="store_true", help="skip SavedModel and .tflite")
    tr.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a model constructor argument, e.g. --set identity_weight=5 "
                         "(repeatable; VALUE is a Python literal, or true, false, none, null)")
    tr.add_argument("--labelled", type=int, default=None,
                    help="keep labels on only N examples (default: the model's, e.g. 100 for sgan)")
    tr.add_argument("--label-noise", type=float, default=None,
                    help="share of labels flipped (default: the model's, 0.5 for rgan_label_noise)")
    tr.add_argument("--noise", default="symmetric", choices=("symmetric", "asymmetric"),
                    help="the label-noise transition")
    tr.add_argument("--strategy", default="auto", choices=("auto", "one", "mirrored", "multiworker"),
                    help="auto: every GPU if there are 2 or more, else one device; one; "
                         "mirrored: all GPUs (else the CPU); multiworker: reads TF_CONFIG, "
                         "only the chief writes files (see docs/DISTRIBUTED.md)")
    tr.add_argument("--mixed-precision", default=None,
                    choices=("auto", "float16", "bfloat16", "none"),
                    help="16-bit compute (default: float32); auto: bfloat16 on CPUs with "
                         "AMX/AVX512-BF16 and GPUs with compute capability >= 8, float16 "
                         "on other GPUs, float32 on other CPUs")
    tr.add_argument("--jit", action="store_true",
                    help="compile the train step with XLA (one device only; under a "
                         "multi-device strategy or with layers XLA can't compile it warns "
                         "and trains without XLA)")
    tr.add_argument("--d-lr", type=float, default=None, metavar="LR",
                    help="the discriminator's learning rate (default: the paper's)")
    tr.add_argument("--g-lr", type=float, default=None, metavar="LR",
                    help="the generator's learning rate (default: the paper's)")
    tr.add_argument("--c-lr", type=float, default=None, metavar="LR",
                    help="the classifier's learning rate (Triple-GAN; default: the paper's)")
    tr.add_argument("--lr", action="append", default=[], metavar="GROUP=VALUE",
                    help="the learning rate of any optimizer group of the model, e.g. "
                         "--lr e=1e-4 (repeatable; the groups are the model's optimizer_names)")

    sa = sub.add_parser("sample", help="write a grid of samples to a PNG file")
    sa.add_argument("path", help=".keras file, SavedModel (version or base dir) or .tflite")
    sa.add_argument("--num", type=int, default=None,
                    help="images (default 64); per row with --labels (default 10) or "
                         "rows with --vary-code (default 8)")
    sa.add_argument("--out", required=True, help="the PNG file to write")
    sa.add_argument("--seed", type=int, default=None)
    sa.add_argument("--labels", default=None,
                    help="conditional models: comma-separated classes, one grid row each")
    sa.add_argument("--vary-code", type=int, default=None, metavar="K",
                    help="InfoGAN: sweep code K (0 = categorical, 1.. = continuous), one row per z")
    sa.add_argument("--input", default="test",
                    help="image-to-image models: an image file, a folder of images, or 'test' "
                         "(the test split of --data)")
    sa.add_argument("--data", default=None,
                    help="image-to-image models with --input test: the data spec (default: "
                         "the model's training default)")
    sa.add_argument("--direction", default="a_to_b", choices=("a_to_b", "b_to_a"),
                    help="image-to-image models: which way to translate")

    ev = sub.add_parser("evaluate", help="score a model's samples: FID, KID, IS, precision/recall")
    ev.add_argument("path", help="anything `sample` takes")
    ev.add_argument("--data", default=None,
                    help="real images: a data spec (default digits, i.e. digits:test; "
                         "image-to-image models: their training data's test split)")
    ev.add_argument("--metrics", default=None,
                    help="comma-separated: fid,kid,is,pr (default: all the features allow; "
                         "fid_inception has no classifier, so no is)")
    ev.add_argument("--num", type=int, default=1000,
                    help="generated images (image-to-image: test inputs, at most)")
    ev.add_argument("--features", default="digits",
                    help="digits | inception_v3 | fid_inception (the 2015 Inception that "
                         "published FIDs use) | a local weights file")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--no-cache", action="store_true",
                    help="compute the real statistics even when cached, and cache nothing (cache: "
                         "$KERAS_GANS_CACHE, else ~/.keras/keras_gans/reference_statistics)")
    ev.add_argument("--out", default=None, help="JSON file (default: evaluation_<name>.json)")

    ex = sub.add_parser("export", help="export a .keras model to SavedModel or .tflite")
    ex.add_argument("path", help=".keras file (or a SavedModel dir for --format tflite)")
    ex.add_argument("--format", required=True, choices=("saved_model", "tflite"))
    ex.add_argument("--out", default=None,
                    help="base dir (saved_model; the next version goes in it) or file (tflite). "
                         "Default: export/ beside the .keras file, as `keras-gans train` "
                         "writes it (export/N, and export/NAME.tflite named after the model, "
                         "NAME as in `keras-gans list`, not the file); from a SavedModel, "
                         "NAME.tflite beside its version folders")
    return p


def cmd_list(args):
    from keras_gans import registry

    names = registry.list_models(args.pattern)
    if not names:
        raise ValueError(f"No model matches {args.pattern!r}; `keras-gans list` shows all "
                         f"{len(registry.list_models())}.")
    width = max((len(n) for n in names), default=0)
    for n in names:
        print(f"{n:<{width}}  {registry.entry(n).summary}")
    return 0


def _positive(name, value):
    from keras_gans.training.runner import check_positive

    check_positive(f"--{name}", value)


def cmd_train(args):
    from keras_gans import training

    for name in ("epochs", "batch-size", "image-size", "steps-per-epoch"):
        _positive(name, getattr(args, name.replace("-", "_")))
    with warnings.catch_warnings():
        warnings.simplefilter("always", training.TrainingWarning)
        warnings.showwarning = _show_warning
        result = training.run(
            args.model, args.data, epochs=args.epochs, batch_size=args.batch_size,
            image_size=args.image_size, channels=args.channels,
            steps_per_epoch=args.steps_per_epoch, max_seconds=args.max_seconds,
            fid_every_seconds=args.fid_every_seconds, seed=args.seed,
            deterministic=args.deterministic, run_dir=args.run_dir, export_dir=args.export_dir,
            export=not args.no_export, overrides=_overrides(args.set), labelled=args.labelled,
            label_noise=args.label_noise, noise=args.noise,
            learning_rates=_learning_rates(args), strategy=args.strategy,
            mixed_precision=args.mixed_precision, jit=args.jit, overwrite=args.overwrite)
    print(f"model:       {result.paths['model']}")
    print(f"samples:     {result.paths['samples']}")
    if not args.no_export and not result.chief:
        print("saved_model: none (only the chief exports)")
    elif not args.no_export:
        print(f"saved_model: {result.paths['saved_model']}")
        print(f"tflite:      {result.paths['tflite']}")
    if result.discriminator_died:
        return 3  # stopped: D died (the message above says so); the model was saved
    return 0


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings of `keras_gans.training.run` as one `keras-gans: warning:` line each."""
    print(f"keras-gans: warning: {message}", file=sys.stderr)


#: `--set` values that are not Python literals but mean one: the shell's and JSON's spellings.
_SPELLED = {"true": True, "false": False, "none": None, "null": None}


def setting_value(text):
    """The value of a `NAME=VALUE` setting: a Python literal (`5`, `(2, 2)`,
    `True`, which covers JSON's numbers, strings and lists too), true/false/
    none/null in any case as the bools and None, anything else the string
    itself (`hinge`). The benchmarks' `--set`/`arg.` settings read values the
    same way."""
    import ast

    word = text.strip().lower()
    if word in _SPELLED:
        return _SPELLED[word]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _overrides(items):
    """Constructor overrides (name -> value) from `--set NAME=VALUE` flags
    (values read by `setting_value`); the names are checked against the model
    by `keras_gans.training.run`."""
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, e.g. --set identity_weight=5; got {item!r}.")
        if name in ("image_shape", "name"):
            raise ValueError(f"--set {name} is not allowed: use --image-size/--channels.")
        out[name] = setting_value(text)
    return out


def _learning_rates(args):
    """Optimizer group -> learning rate from --d-lr, --g-lr, --c-lr and --lr GROUP=VALUE."""
    rates = {}
    for item in args.lr:
        group, sep, text = item.partition("=")
        group = group.strip()
        try:
            value = float(text) if sep and group else None
        except ValueError:
            value = None
        if value is None:
            raise ValueError(f"--lr takes GROUP=VALUE, e.g. --lr g=1e-4; got {item!r}.")
        if group in rates:
            raise ValueError(f"--lr sets group {group!r} twice.")
        rates[group] = value
    for group in ("d", "g", "c"):
        value = getattr(args, f"{group}_lr")
        if value is not None:
            if group in rates:
                raise ValueError(f"--{group}-lr and --lr {group}=... both set group {group!r}; "
                                 "pass one.")
            rates[group] = value
    return rates  # keras_gans.training.run checks the values and the groups


def _parse_labels(text):
    try:
        labels = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        labels = []
    if not labels:
        raise ValueError(
            f"--labels takes comma-separated class numbers, e.g. --labels 0,1,2; got {text!r}."
        )
    return labels


def cmd_sample(args):
    from keras_gans.images import save_grid
    from keras_gans.serving import load_sampler

    _positive("num", args.num)
    if not args.out.lower().endswith(".png"):
        raise ValueError(f"--out must be a .png file; got {args.out!r}.")
    if args.labels is not None and args.vary_code is not None:
        raise ValueError("Pass --labels (conditional models) or --vary-code (InfoGAN), not both.")
    labels = _parse_labels(args.labels) if args.labels is not None else None
    sampler = load_sampler(args.path)
    images, ncols, caption = sampler.cli_grid(
        args.num, args.seed, labels=labels, vary_code=args.vary_code, inputs=args.input,
        data=args.data, direction=args.direction, name=args.path)
    save_grid(images, args.out, ncols=ncols)
    print(f"samples:     {args.out} ({caption} from {sampler.source})")
    return 0


def cmd_export(args):
    from keras_gans import serving

    # Any saved form loads (one line when it cannot be read); then its kind is checked.
    runtime = serving.load(args.path)
    if args.format == "tflite" and os.path.isdir(args.path):
        # Beside the version folders: BASE/NAME.tflite.
        parent = os.path.dirname(os.path.normpath(runtime.source))
        out = args.out or os.path.join(parent, f"{runtime.name}.tflite")
        print(f"tflite:      {serving.tflite(runtime.source, out)}")
        return 0
    if runtime.model is None:
        raise ValueError(f"export needs a .keras file (or a SavedModel folder for --format "
                         f"tflite); {args.path!r} is already exported.")
    # As `keras-gans train` writes it: DIR/export/N and DIR/export/NAME.tflite, with NAME
    # the model's, not the file's; never the shipped savedmodels/ of the current folder.
    base = os.path.join(os.path.dirname(os.path.abspath(args.path)), "export")
    base = os.path.relpath(base) if not os.path.isabs(args.path) else base
    if args.format == "saved_model":
        print(f"saved_model: {serving.saved_model(runtime.model, args.out or base)}")
    else:
        out = args.out or os.path.join(base, f"{runtime.name}.tflite")
        print(f"tflite:      {serving.tflite(runtime.model, out)}")
    return 0


def cmd_evaluate(args):
    import json

    from keras_gans.metrics.evaluation import evaluate_model, report_lines
    from keras_gans.metrics.reference import default_cache_dir
    from keras_gans.serving import load_sampler

    _positive("num", args.num)
    sampler = load_sampler(args.path)
    cache = not args.no_cache
    unit = sampler.evaluation_unit
    asked = f"up to {args.num:,} test {unit}" if unit == "inputs" else f"{args.num:,} {unit}"
    print(f"Evaluating {sampler.source} with {args.features} features ({asked}); real statistics "
          + (f"cached in {default_cache_dir()}." if cache else "not cached (--no-cache)."), flush=True)
    r = evaluate_model(sampler, data=args.data, metrics=args.metrics, num=args.num,
                       features=args.features, seed=args.seed, progress=True, cache=cache)
    print("\n".join(report_lines(r)))
    print(f"({r['seconds']:.1f} s)")
    stem = os.path.splitext(os.path.basename(os.path.normpath(args.path)))[0]
    if stem.isdigit():  # a SavedModel version dir: name it after its base
        stem = os.path.basename(os.path.dirname(os.path.normpath(args.path)))
    out = args.out or f"evaluation_{stem}.json"
    r["path"] = str(args.path)
    with open(out, "w") as f:
        json.dump(r, f, indent=1)
    print(f"json:        {out}")
    return 0


COMMANDS = {"list": cmd_list, "train": cmd_train, "sample": cmd_sample, "export": cmd_export,
            "evaluate": cmd_evaluate}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    _quiet_tensorflow()
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as e:
        if debug:
            raise
        print(str(e), file=sys.stderr)
        return 2
    except USER_ERRORS as e:
        if debug:
            raise
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"keras-gans: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("keras-gans: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

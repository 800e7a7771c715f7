"""The FID of Fashion-MNIST train against test, and what one 10k evaluation costs here.

The reference figure for the standard FID on Fashion-MNIST: the first `--num`
training images (10,000 by default, in file order) scored as if a generator
had drawn them, against the first `--num` test images, with the FID Inception
and the published protocol (28 px grey, tiled to RGB, TF1 ResizeBilinear to
299, (p - 128) / 128). It runs what `keras-gans evaluate` runs:
`keras_gans.metrics.reference.real_statistics` for the test side (read from
the cache when there, else computed once and cached), then `evaluate_images`
for the train side and the metrics. It prints FID, KID and precision/recall
with what they were computed on, the seconds of each part, the img/s, the
load of the machine, and appends the row to `--out` (JSON lines).

The time of one 10k evaluation of a model is the train side's (10k images
through the network, and the metrics) plus, the first time only, the test
side's: the row has both.

    python benchmarks/fid_train_vs_test.py                  # 10k vs 10k
    python benchmarks/fid_train_vs_test.py --num 500        # a quick look
    python benchmarks/fid_train_vs_test.py --throughput 256 --batch-sizes 8,16,32
    python benchmarks/fid_train_vs_test.py --throughput 256 --onednn

`--throughput N` measures only the extractor: img/s on the first N test
images at each batch size (best of `--repeats`, wall and CPU seconds), no FID.
`--onednn` turns on TensorFlow's oneDNN kernels (off by default on CPUs
without AVX512, such as this machine's EPYC): measured here, 15-28% more img/s
with features that still pass the torch parity test.
"""

import argparse
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def throughput(extractor, images, batch_sizes, repeats):
    """{batch size: {"img_s": best wall img/s, "img_cpu_s": best img per CPU-second, ...}}."""
    ext = extractor
    ext.features(images[: max(batch_sizes)], batch_size=max(batch_sizes))  # trace once
    rows = {b: [] for b in batch_sizes}
    for _ in range(repeats):
        for b in batch_sizes:  # interleaved, so a burst of load hits every size
            wall, cpu = time.perf_counter(), time.process_time()
            ext.features(images, batch_size=b)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rows[b].append((len(images) / wall, len(images) / cpu, os.getloadavg()[0]))
            print(f"  batch {b:>3}: {rows[b][-1][0]:6.2f} img/s, {rows[b][-1][1]:5.2f} img per CPU-s, "
                  f"load {rows[b][-1][2]:.2f}", flush=True)
    return {b: {"img_s": round(max(r[0] for r in v), 2), "img_s_all": [round(r[0], 2) for r in v],
                "img_cpu_s": round(max(r[1] for r in v), 2), "load": [round(r[2], 2) for r in v]}
            for b, v in rows.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="fashion_mnist", help="a spec with :train and :test splits")
    p.add_argument("--num", type=int, default=10000, help="images per side (first N of each split)")
    p.add_argument("--image-size", type=int, default=28)
    p.add_argument("--extractor", default="fid_inception")
    p.add_argument("--metrics", default="fid,kid,pr")
    p.add_argument("--no-cache", action="store_true", help="compute the test side even when cached")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                 "docs", "fid_train_vs_test.jsonl"),
                   help="JSON lines file the row is appended to (default: docs/fid_train_vs_test.jsonl)")
    p.add_argument("--throughput", type=int, default=0, metavar="N",
                   help="only measure the extractor's img/s on N test images")
    p.add_argument("--batch-sizes", default="32", help="with --throughput: comma-separated")
    p.add_argument("--repeats", type=int, default=2, help="with --throughput")
    p.add_argument("--onednn", action="store_true",
                   help="set TF_ENABLE_ONEDNN_OPTS=1 before TensorFlow starts (TF leaves oneDNN off on "
                        "CPUs without AVX512; not what `keras-gans evaluate` runs unless you set it too)")
    args = p.parse_args(argv)
    if args.onednn:
        if "tensorflow" in sys.modules:
            raise SystemExit("--onednn must be set before TensorFlow is imported")
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"

    sys.path.insert(0, ROOT)
    from keras_gans.metrics.evaluation import evaluate_images, real_images, report_lines
    from keras_gans.metrics.features import get_extractor
    from keras_gans.metrics.reference import default_cache_dir, real_statistics

    row = {"command": " ".join(["python", "benchmarks/fid_train_vs_test.py", *sys.argv[1:]]),
           "date": datetime.datetime.now().isoformat(timespec="seconds"), "machine_start": machine()}
    start = time.time()
    ext = get_extractor(args.extractor)
    test_spec, train_spec = f"{args.data}:test", f"{args.data}:train"
    test = real_images(test_spec, image_size=args.image_size, channels=1, num=args.num)
    row["seconds_setup"] = round(time.time() - start, 2)

    if args.throughput:
        sizes = [int(b) for b in args.batch_sizes.split(",")]
        images = test[: args.throughput]
        print(f"{ext.name}: img/s on the first {len(images)} images of {test_spec} "
              f"({args.image_size} px), batch sizes {sizes}, best of {args.repeats}; load {os.getloadavg()}")
        row.update(mode="throughput", images=len(images), batch_sizes=throughput(ext, images, sizes, args.repeats))
    else:
        train = real_images(train_spec, image_size=args.image_size, channels=1, num=args.num)
        cache = not args.no_cache
        print(f"{ext.name}: {len(train):,} images of {train_spec} against {len(test):,} of {test_spec} "
              f"({args.image_size} px); test statistics cache: "
              f"{default_cache_dir() if cache else 'off (--no-cache)'}", flush=True)
        clock = time.time()
        reference = real_statistics(test, ext, label=test_spec, cache=cache, progress=True)
        seconds_test = time.time() - clock
        print(f"test side: {reference.status} ({seconds_test:.1f} s) {reference.path or ''}", flush=True)
        r = evaluate_images(train, reference, extractor=ext, metrics=args.metrics, progress=True)
        r.update(generated=f"the first {len(train):,} images of {train_spec}",
                 real_images=f"the first {len(test):,} images of {test_spec}")
        print("\n".join(report_lines(r)))
        extract = r["timings"]["fake_features"]
        row.update(mode="train_vs_test", data=args.data, image_size=args.image_size, result=r,
                   seconds_test_side=round(seconds_test, 2),
                   seconds_train_features=extract, seconds_metrics=r["timings"]["metrics"],
                   img_s=round(len(train) / extract, 2),
                   seconds_one_evaluation_cached=round(extract + r["timings"]["metrics"], 2),
                   seconds_one_evaluation_cold=round(
                       extract + r["timings"]["metrics"]
                       + (seconds_test if reference.status != "read" else len(test) / (len(train) / extract)), 2))
        print(f"one {len(train):,}-image evaluation: {row['seconds_one_evaluation_cached']:.0f} s with the "
              f"test statistics cached, about {row['seconds_one_evaluation_cold']:.0f} s without "
              f"({row['img_s']:.2f} img/s through {ext.name})")
    row["seconds_total"] = round(time.time() - start, 2)
    row["machine_end"] = machine()
    with open(args.out, "a") as f:
        f.write(json.dumps(row, default=str) + "\n")
    print(f"row appended to {args.out} ({row['seconds_total']:.0f} s in all; load average "
          f"{row['machine_start']['load_average']} at the start, {row['machine_end']['load_average']} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

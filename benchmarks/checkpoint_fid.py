"""FID of a run's earlier weights: did training still improve, or did it peak?

Lucic et al. 2018 scored every checkpoint of a run (every 3,906 steps and the
last) and kept the lowest FID; benchmarks/paper_table.py scores the last. This
script tells whether that difference matters for a run: it loads the run's
finished `model.keras`, then each `*.weights.h5` file of a folder in turn (the
backups `keras-gans train` writes each epoch, `model.save_weights` files,
copied aside while the run went on: a backup keeps only its last two), and
prints one JSON line per weights file and for the final model, with the FID
and KID of `--num` samples (seed 0) against as many fashion_mnist:test images
(or `--data`), by the FID Inception, the paper table's protocol.

    python benchmarks/checkpoint_fid.py RUN_DIR/model.keras WEIGHTS_DIR [--num 2000]

A FID of fewer than 10,000 samples lies above the 10k figure (the estimate
is biased upward), so compare the lines with each other, not with the table.
"""

import argparse
import glob
import json
import os
import sys
import time


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", help="a finished run's model.keras")
    p.add_argument("weights", help="a folder of that model's *.weights.h5 files")
    p.add_argument("--num", type=int, default=2000, help="samples and real images (default 2000)")
    p.add_argument("--data", default="fashion_mnist:test", help="the real images' data spec")
    args = p.parse_args(argv)
    files = sorted(glob.glob(os.path.join(args.weights, "*.weights.h5")))
    if not os.path.isfile(args.model):
        raise SystemExit(f"{args.model}: no such file; pass a finished run's model.keras.")
    if not files:
        raise SystemExit(f"{args.weights}: no *.weights.h5 files (the backups of a run, copied aside).")

    import keras

    from keras_gans.metrics.evaluation import evaluate_images, real_images
    from keras_gans.metrics.features import get_extractor
    from keras_gans.metrics.reference import real_statistics

    model = keras.saving.load_model(args.model)
    side, channels = model.image_shape[0], model.image_shape[-1]
    ext = get_extractor("fid_inception")
    real = real_images(args.data, image_size=side, channels=channels, num=args.num)
    reference = real_statistics(real, ext, label=args.data, cache=True, progress=False)
    for path in files + [None]:
        start = time.time()
        if path is None:
            model = keras.saving.load_model(args.model)
        else:
            model.load_weights(path)
        r = evaluate_images(model.sample(args.num, seed=0), reference, extractor=ext,
                            metrics="fid,kid", progress=False)
        print(json.dumps({"weights": os.path.basename(path) if path else "final (model.keras)",
                          "num": args.num, "fid": round(float(r["fid"]), 2),
                          "kid": round(float(r["kid"]), 5), "seconds": round(time.time() - start)}),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""BEGAN's convergence measure M, per epoch, on the bundled digits.

Trains the registered `began` preset and prints, per epoch, M = L(x) +
|gamma L(x) - L(G(z))| (the epoch mean), L(x), L(G(z)) and k_t (the value at
the epoch's end); then the wall time and the digit judge's figures:

    python benchmarks/began_curve.py [--epochs N] [--seed S] [--grid FILE.png]

M should fall over training (the paper's section 3.4.2); k_t should settle.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="default: BEGAN.default_epochs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grid", default=None, help="write 64 samples to this PNG")
    p.add_argument("--judge", type=int, default=1000, help="samples to judge (0: skip)")
    args = p.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import numpy as np

    import keras_gans

    keras.utils.set_random_seed(args.seed)
    model = keras_gans.get("began")
    model.compile()
    epochs = args.epochs or type(model).default_epochs
    ds = keras_gans.data.load("digits", image_size=model.image_shape[0], seed=args.seed)

    rows = []

    class Curve(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            k = float(np.asarray(keras.ops.convert_to_numpy(model.k_t)))
            rows.append((epoch + 1, logs["convergence"], logs["real_loss"], logs["fake_loss"], k))
            print(
                f"epoch {epoch + 1:3d}  M {logs['convergence']:.4f}  L(x) {logs['real_loss']:.4f}"
                f"  L(G(z)) {logs['fake_loss']:.4f}  k_t {k:.4f}  ({time.time() - start:.0f} s)",
                flush=True,
            )

    start = time.time()
    model.fit(ds, epochs=epochs, verbose=0, callbacks=[Curve()])
    seconds = time.time() - start
    ms = [r[1] for r in rows]
    print(f"trained {epochs} epochs in {seconds:.1f} s; M {ms[0]:.4f} -> {ms[-1]:.4f} "
          f"(min {min(ms):.4f} at epoch {1 + int(np.argmin(ms))})")
    if args.grid:
        from keras_gans.images import save_grid

        print("grid:", save_grid(model.sample(64, seed=0), args.grid))
    if args.judge:
        from digits_judge import judge

        r = judge(model.sample(args.judge, seed=1))
        print(
            f"coverage {r['coverage']}/10  confidence {r['confidence']:.3f}  "
            f"confident(>0.9) {r['confident']:.3f}  histogram {r['histogram']}"
        )
    return rows


if __name__ == "__main__":
    main()

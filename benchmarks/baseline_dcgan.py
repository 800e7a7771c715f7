"""A minimal hand-written DCGAN (keras.io style) for comparison with keras-gans.

It trains on the same bundled digits at the same size for a wall-clock budget,
then judges its samples with the same digit classifier and with the second,
independent judge of `benchmarks/quality.py` (scikit-learn's SVC on the 8x8
digits):

    python benchmarks/baseline_dcgan.py --seconds 180
    python benchmarks/baseline_dcgan.py --epochs 40     # a fixed number of epochs instead

The networks follow the keras.io "DCGAN to generate face images" example,
shrunk to 32x32x1: D = three stride-2 convs (64, 128, 128) with LeakyReLU and
dropout, G = Dense to 4x4x128 and three Conv2DTranspose (128, 256, 512) and a
final 5x5 conv with tanh; binary cross-entropy; Adam(1e-4) for both. Filters are
multiplied by --scale (default 0.25, about keras-gans' dcgan's cost per image;
1.0 gives keras.io's sizes, which train about 20 times slower on 2 cores).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=180)
    p.add_argument("--epochs", type=int, default=None,
                   help="train this many epochs instead of for --seconds (for shared cores)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--scale", type=float, default=0.25,
                   help="filter multiplier; 1.0 is keras.io's sizes (about 20x slower here)")
    args = p.parse_args(argv)

    import keras
    import tensorflow as tf
    from keras import layers

    from digits_judge import judge
    from quality import svc_scores
    from keras_gans.data import load

    latent = 128
    f = lambda n: max(1, int(n * args.scale))  # noqa: E731
    d = keras.Sequential([
        keras.Input((32, 32, 1)),
        layers.Conv2D(f(64), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(f(128), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(f(128), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Flatten(), layers.Dropout(0.2), layers.Dense(1),
    ])
    g = keras.Sequential([
        keras.Input((latent,)),
        layers.Dense(4 * 4 * f(128)), layers.Reshape((4, 4, f(128))),
        layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(f(256), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(f(512), 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(1, 5, padding="same", activation="tanh"),
    ])
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    d_opt, g_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)

    @tf.function
    def step(real):
        b = tf.shape(real)[0]
        z = tf.random.normal((b, latent))
        fake = g(z)
        with tf.GradientTape() as t:
            rl, fl = d(real, training=True), d(fake, training=True)
            dl = bce(tf.ones_like(rl), rl) + bce(tf.zeros_like(fl), fl)
        d_opt.apply_gradients(zip(t.gradient(dl, d.trainable_weights), d.trainable_weights))
        with tf.GradientTape() as t:
            fl = d(g(tf.random.normal((b, latent)), training=True), training=True)
            gl = bce(tf.ones_like(fl), fl)
        g_opt.apply_gradients(zip(t.gradient(gl, g.trainable_weights), g.trainable_weights))
        return dl, gl

    ds = load("digits", image_size=32, batch_size=args.batch_size)
    start, steps, epochs = time.time(), 0, 0
    while (epochs < args.epochs) if args.epochs else (time.time() - start < args.seconds):
        for real in ds:
            step(real)
            steps += 1
        epochs += 1
    seconds = time.time() - start
    images = g(tf.random.normal((1000, latent)), training=False).numpy()
    r = {**judge(images), **svc_scores(images, None)}
    print(
        f"baseline DCGAN: {seconds:.0f} s, {epochs} epochs, {steps} steps, "
        f"{steps * args.batch_size / seconds:.0f} img/s | coverage {r['coverage']}/10 "
        f"confidence {r['confidence']:.3f} confident(>0.9) {r['confident']:.3f} "
        f"histogram {r['histogram']} | SVC coverage {r['svc_coverage']}/10 "
        f"confidence {r['svc_confidence']:.3f}"
    )
    from keras_gans.images import save_grid

    os.makedirs("runs", exist_ok=True)
    save_grid(images[:64], "runs/baseline_dcgan_grid.png")
    return r


if __name__ == "__main__":
    main()

"""Train any unconditional model of the zoo on the bundled digits and compare losses.

    python examples/loss_variants.py --models lsgan,wgan_gp,sngan --epochs 3
"""

import argparse

import keras_gans

p = argparse.ArgumentParser()
p.add_argument("--models", default="lsgan,sngan,began")
p.add_argument("--epochs", type=int, default=3)
args = p.parse_args()

for name in args.models.split(","):
    model = keras_gans.get(name)
    size = model.image_shape[0]
    ds = keras_gans.data.load("digits", image_size=size, batch_size=64)
    model.compile()  # each paper's own optimizers
    history = model.fit(ds, epochs=args.epochs, verbose=0)
    last = {k: round(float(v[-1]), 4) for k, v in history.history.items()}
    path = keras_gans.images.save_grid(model.sample(64, seed=0), f"runs/examples/{name}.png")
    print(f"{name:12s} {last}  grid: {path}")

"""Train a conditional GAN on labelled digits, then draw one row per requested digit.

    python examples/conditional_digits.py --model cgan --epochs 5
"""

import argparse

import numpy as np

import keras_gans

p = argparse.ArgumentParser()
p.add_argument("--model", default="cgan")
p.add_argument("--epochs", type=int, default=5)
args = p.parse_args()

model = keras_gans.get(args.model)
ds = keras_gans.data.load("digits", image_size=model.image_shape[0], batch_size=64, labels=True)
model.compile()
model.fit(ds, epochs=args.epochs, verbose=2)

labels = np.repeat(np.arange(10), 8)  # 8 samples of each digit, one row each
images = model.sample(len(labels), seed=0, labels=labels)
print("grid:", keras_gans.images.save_grid(images, f"runs/examples/{args.model}_rows.png", ncols=8))

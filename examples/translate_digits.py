"""Train an image-to-image GAN on bundled, offline data and write a grid of
input | output (| reconstruction for the two-way models).

    python examples/translate_digits.py --model cyclegan --epochs 10   # digits-ink, unpaired
    python examples/translate_digits.py --model pix2pix --epochs 15    # digits-edges, paired
"""

import argparse

import keras_gans

p = argparse.ArgumentParser()
p.add_argument("--model", default="cyclegan")
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--steps-per-epoch", type=int, default=None)
args = p.parse_args()

model = keras_gans.get(args.model)
size, channels = model.image_shape[0], model.image_shape[2]
load = keras_gans.data.load_pairs if model.paired else keras_gans.data.load_unpaired
ds = load(model.default_data, image_size=size, batch_size=16, channels=channels, seed=0)
model.compile()
model.fit(ds, epochs=args.epochs, steps_per_epoch=args.steps_per_epoch, verbose=2)

# Held-out test images of domain A, translated.
test_a = keras_gans.data.domain_images(model.default_data, "A", "test", image_size=size,
                                       channels=channels, num=16)
images, ncols = model.translation_grid(test_a)
print("grid:", keras_gans.images.save_grid(images, f"runs/examples/{args.model}_translations.png",
                                            ncols=ncols))

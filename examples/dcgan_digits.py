"""Train DCGAN on the bundled digits, save a grid, reload, export. Runs offline.

    python examples/dcgan_digits.py --epochs 5
"""

import argparse

import keras

import keras_gans

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--out", default="runs/example_dcgan")
args = p.parse_args()

ds = keras_gans.data.load("digits", image_size=32, batch_size=64)
model = keras_gans.get("dcgan")
model.compile()  # Adam(2e-4, beta_1=0.5) for G and D, as in the paper
model.fit(
    ds,
    epochs=args.epochs,
    callbacks=[keras_gans.callbacks.SampleGrid(directory=f"{args.out}/samples")],
)
model.save(f"{args.out}/model.keras")

reloaded = keras.saving.load_model(f"{args.out}/model.keras")  # no custom_objects
keras_gans.images.save_grid(reloaded.sample(64, seed=0), f"{args.out}/grid.png")
version = keras_gans.export.saved_model(reloaded, f"{args.out}/savedmodel")
print("SavedModel:", version)
# Converted from that SavedModel: the float32 model is not traced a second time.
print("TFLite:    ", keras_gans.export.tflite(reloaded, f"{args.out}/dcgan.tflite", saved_model_dir=version))

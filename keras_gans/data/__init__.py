"""Image data for the models: `load(spec, ...)` gives a batched `tf.data.Dataset` in [-1, 1].

Specs:
- `digits`: scikit-learn's bundled 8x8 digits (1797 images), resized. Offline.
  `digits:train` and `digits:test` split them into 1497 and 300 (a fixed
  permutation, seed 0; the 300 are the ones `benchmarks/digits_judge.py` holds out).
- `fashion_mnist[:SPLIT]` and `mnist[:SPLIT]` (60,000 train / 10,000 test,
  28x28x1, 10 classes): read from the standard IDX files, found in
  `NAME:PATH[:SPLIT]` or $KERAS_GANS_FASHION_MNIST / $KERAS_GANS_MNIST, else
  Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist, `make
  data` installs it), else Keras' cache (~/.keras/datasets/), else
  `tfds:fashion_mnist` / `tfds:mnist`. At `image_size=32` the 28 px images are
  padded with background, not resized.
- `idx:IMAGES[,LABELS]`: any IDX file of uint8 images (the labels file found
  beside it by name when left out).
- `emoji[:SIZE][:PATH]`: colour emoji (RGB on white; 3,926 in Noto 2.042) from
  the bitmaps of Noto Color Emoji, found at PATH or $KERAS_GANS_EMOJI_FONT,
  else at Debian's `fonts-noto-color-emoji` path (`make data` installs it);
  read with fontTools. Decoded at the image size asked for, at most 128 and at
  most SIZE when given (never upsampled), and cached under
  ~/.keras/keras_gans/emoji/. `load_emoji(size)` gives them with their
  Unicode names ("red apple") for text-to-image models.
- `tfds:NAME[:SPLIT]`: a tensorflow-datasets dataset (downloads on first use),
  center-cropped to a square and resized.
- `folder:PATH`: every image file below PATH (png, jpg, jpeg, bmp, gif, webp,
  tif, tiff); unreadable files are skipped with a warning that counts them
  and names the first few. `folder_channels(PATH)` says whether most are colour.

Image-to-image models load two domains with `load_pairs` and `load_unpaired`
(specs `digits-edges`, `digits-ink`, `photo-cartoon`, `tfds:cycle_gan/NAME`,
`folder:PATH` with `A/` and `B/`, `sbs:PATH`); see `keras_gans.data.pairs`.

With `labels=True`, `load` yields `(images, labels)` (int32 class indices):
digits' digit, an IDX labels file's, a tfds dataset's `label` feature, or for `folder:PATH` the
sub-folder of PATH an image is in (one sub-folder per class, in sorted order).
`labelled=N` keeps the labels of only N examples (the others get label -1);
`label_noise=RATE` flips labels through a known transition matrix
(`noise_transition`).

With `epochs=E` (and `start_epoch=K`), a loader gives the batches of epochs K
to E - 1 in one dataset, each epoch's order a function of the seed and the
epoch only: `keras-gans train` resumes a killed run with the batches an
uninterrupted run would have seen (see `keras_gans.callbacks.Backup`).

The modules, each importing only those above it:
- `transforms`: per-image crop/resize, channel conversion, value range.
- `emoji`: the emoji font's bitmaps, their names and their cache.
- `epochs`: batches by epoch in a reproducible order (resumable shuffles).
- `sources`: one reader per source: digits, folders, side-by-side files,
  IDX files (MNIST, Fashion-MNIST), emoji, tensorflow-datasets; `images_dataset`
  for a one-domain spec.
- `labels`: labelled subsets, `labelled_per_batch` batches, label noise.
- `pipeline`: `load`.
- `pairs`: the two-domain loaders and the bundled pair sets.

Everything public is importable from `keras_gans.data` itself.
"""

from keras_gans.data.emoji import emoji_name, load_emoji
from keras_gans.data.epochs import count_examples, epoch_steps, epoch_stream
from keras_gans.data.labels import (
    corrupt_labels,
    labelled_dataset,
    noise_transition,
    num_classes,
    select_labelled,
)
from keras_gans.data.pairs import (
    INK,
    PAPER,
    cartoonize,
    default_channels,
    domain_images,
    ink,
    ink_strength,
    is_pair_spec,
    load_pairs,
    load_unpaired,
)
from keras_gans.data.pipeline import load
from keras_gans.data.sources import (
    DIGITS_TEST_SIZE,
    IMAGE_EXTENSIONS,
    digits_arrays,
    digits_split_indices,
    folder_channels,
    folder_files,
    folder_labelled_files,
    idx_arrays,
    idx_header,
    idx_image_prep,
    idx_labels_path,
    idx_search_dirs,
    images_dataset,
    list_image_files,
    mnist_arrays,
    read_idx,
    read_images,
)

__all__ = [
    "DIGITS_TEST_SIZE",
    "IMAGE_EXTENSIONS",
    "INK",
    "PAPER",
    "cartoonize",
    "corrupt_labels",
    "count_examples",
    "default_channels",
    "digits_arrays",
    "digits_split_indices",
    "domain_images",
    "emoji_name",
    "epoch_steps",
    "epoch_stream",
    "folder_channels",
    "folder_files",
    "folder_labelled_files",
    "idx_arrays",
    "idx_header",
    "idx_image_prep",
    "idx_labels_path",
    "idx_search_dirs",
    "images_dataset",
    "ink",
    "ink_strength",
    "is_pair_spec",
    "labelled_dataset",
    "list_image_files",
    "load",
    "load_emoji",
    "load_pairs",
    "load_unpaired",
    "mnist_arrays",
    "noise_transition",
    "num_classes",
    "read_idx",
    "read_images",
    "select_labelled",
]

"""Differentiable augmentation of D's inputs: DiffAugment and ADA.

A GAN trained on a few hundred images lets its discriminator memorize them;
augmenting every image D sees (real and generated, in D's step and in G's)
keeps D from it without the generator learning the augmentations, as long as
every op is differentiable (G's gradient passes through it) and is applied
the same way to both sides.

- DiffAugment (Zhao et al. 2020, arXiv:2006.10738): `diffaugment`, the
  paper's policy "color,translation,cutout" on every image.
- ADA (Karras et al. 2020, arXiv:2006.06676): `ada_augment`, each op applied
  to each image with probability p, where p follows D's overfitting
  (`ada_adjustment`).

Every function is pure: it takes float images `[B, H, W, C]` in [-1, 1] and
the random numbers it uses (uniforms in [0, 1) and standard normals, one
row per image), so that the caller draws them (a model draws them from its
`keras.random.SeedGenerator` through `GAN.random_uniform` / `random_normal`,
which makes seeded runs and replicas reproducible) and a test can fix them.
Everything is TensorFlow ops: it runs eagerly and inside a compiled
`train_step`, and gradients flow to the images through every op.

Background: as in the DiffAugment reference code, the pixels that
translation brings in and those that cutout removes are set to `fill`, 0 by
default: the middle of [-1, 1], not the digits' black background (-1). Both
sides get the same ops, so the grey border is no cue to D; pass `fill=-1.0`
for a background of -1.

`keras_gans.models.GAN(augment="diffaugment" | "ada")` applies them.

When it helps: augmentation cures D's overfitting, so it pays only where
the overfitting hurts G, in the papers a FID that turns back up during long
training on a few thousand images. It costs slower convergence otherwise.
benchmarks/augment_small_data.py measures both on dcgan with 200 digits
(docs/augment_small_data.jsonl, docs/augment_small_data_p.png): both
options hold D's overfitting r_v (ADA paper, eq. 1, on held-out digits) near
0.1 where it grows to 0.4 without, yet the unaugmented run keeps improving:
at 1200 epochs (2 seeds) ADA ties with it (digits-FID 51.7 against 50.5, the
seeds 4 apart) and DiffAugment trails by 5, and at 3000 epochs (one seed)
the three are level. A likely reading: an overfit D draws G towards the
200 images it was shown, and G is still far from them (digits-FID near 50;
the 200 images themselves score 24.7 against digits:test), so the pull
does not hurt yet.
ADA's r_t = E[sign D(real)] reads overfitting only when D and G are close
(the paper's StyleGAN2 with R1): dcgan's BatchNorm D is sure of held-out
digits as well as of its training ones (sign +0.9 on both, r_v 0.03) from
its first epochs, so r_t is near 1 and p climbs to about 0.9 at once, from
D's lead rather than from overfitting.
"""

import math
import numbers

import tensorflow as tf

#: The ops of DiffAugment's policy, in the order they are applied.
DIFFAUGMENT_POLICY = ("color", "translation", "cutout")
#: Uniforms per image that `diffaugment` reads: brightness, saturation,
#: contrast, translation (dy, dx), cutout centre (y, x).
DIFFAUGMENT_UNIFORMS = 7
#: ADA's ops, in the order they are applied.
ADA_OPS = ("xflip", "rotate90", "translation", "brightness", "contrast", "cutout")
#: Uniforms per image that `ada_augment` reads: one gate per op (applied
#: when below p), then the flip, the quarter turns, the translation (dy, dx)
#: and the cutout centre (y, x).
ADA_UNIFORMS = len(ADA_OPS) + 6
#: Standard normals per image that `ada_augment` reads: brightness, contrast.
ADA_NORMALS = 2


def _images(images):
    images = tf.convert_to_tensor(images)
    if images.shape.rank != 4:
        raise ValueError(f"images must be [batch, height, width, channels]; got shape "
                         f"{images.shape}.")
    return images


def _per_image(values, images):
    """`values` [B] as [B, 1, 1, 1] in the images' dtype."""
    return tf.reshape(tf.cast(values, images.dtype), [-1, 1, 1, 1])


def _randoms(values, columns, name):
    values = tf.convert_to_tensor(values)
    if values.shape.rank != 2 or (values.shape[1] is not None and values.shape[1] < columns):
        raise ValueError(f"{name} must be [batch, {columns}] (one row per image); got shape "
                         f"{values.shape}.")
    return tf.cast(values, tf.float32)


def uniform_integers(u, low, high):
    """int32 integers uniform in [low, high] (both ends) from uniforms `u` in [0, 1).

    Args:
        u: tensor. Uniforms in [0, 1), any shape.
        low: int. The smallest value.
        high: int. The largest value.

    Returns:
        int32 tensor of `u`'s shape.

    Example:
    ```python
    keras_gans.augment.uniform_integers(tf.constant([0.0, 0.5, 0.999]), -4, 4)  # [-4, 0, 4]
    ```
    """
    n = high - low + 1
    k = tf.cast(tf.floor(tf.cast(u, tf.float32) * n), tf.int32)
    return tf.clip_by_value(k, 0, n - 1) + low


# ------------------------------------------------------------------ colour


def brightness(images, shift):
    """Adds `shift` to every pixel of each image (DiffAugment: U(-0.5, 0.5)).

    Args:
        images: tensor `[B, H, W, C]`. Float images in [-1, 1].
        shift: tensor `[B]`. What each image gets added.

    Returns:
        tensor `[B, H, W, C]` (not clipped).

    Example:
    ```python
    keras_gans.augment.brightness(images, tf.fill([len(images)], 0.2))
    ```
    """
    images = _images(images)
    return images + _per_image(shift, images)


def saturation(images, factor):
    """Scales each pixel's channels around their mean by `factor`
    (DiffAugment: U(0, 2)); a no-op on one-channel images.

    Args:
        images: tensor `[B, H, W, C]`. Float images in [-1, 1].
        factor: tensor `[B]`. 0 makes the image grey, 1 leaves it.

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    grey = keras_gans.augment.saturation(rgb_images, tf.zeros([len(rgb_images)]))
    ```
    """
    images = _images(images)
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    return (images - mean) * _per_image(factor, images) + mean


def contrast(images, factor):
    """Scales each image around its mean (over pixels and channels) by
    `factor` (DiffAugment: U(0.5, 1.5); ADA: 2^N(0, 0.5)).

    Args:
        images: tensor `[B, H, W, C]`. Float images in [-1, 1].
        factor: tensor `[B]`. The image's deviations from its mean are multiplied by it.

    Returns:
        tensor `[B, H, W, C]`: the same mean, the standard deviation times |factor|.

    Example:
    ```python
    keras_gans.augment.contrast(images, tf.fill([len(images)], 1.5))
    ```
    """
    images = _images(images)
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * _per_image(factor, images) + mean


# ------------------------------------------------------------------ geometry


def _source_indices(size, shift, mode):
    """For each image, the source index of every output index along an axis
    of `size` when content moves by `shift` [B]; and whether it is inside."""
    idx = tf.range(size, dtype=tf.int32)[None, :] - tf.cast(shift, tf.int32)[:, None]
    if mode == "reflect":
        period = 2 * (size - 1) if size > 1 else 1
        idx = tf.math.floormod(idx, period)
        idx = (size - 1) - tf.abs((size - 1) - idx)
        return idx, tf.ones_like(idx, dtype=tf.bool)
    inside = (idx >= 0) & (idx < size)
    return tf.clip_by_value(idx, 0, size - 1), inside


def translate(images, dy, dx, fill=0.0, mode="constant"):
    """Moves each image's content by whole pixels: `dy` down and `dx` right.

    Output pixel (y, x) is input pixel (y - dy, x - dx). Pixels that come in
    from outside are `fill` (mode "constant", DiffAugment) or the image
    mirrored at its border (mode "reflect", ADA's integer translation).

    Args:
        images: tensor `[B, H, W, C]`. Float images.
        dy: int tensor `[B]`. Rows down (negative: up).
        dx: int tensor `[B]`. Columns right (negative: left).
        fill: float. The value of the pixels brought in ("constant").
        mode: str. "constant" or "reflect".

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    moved = keras_gans.augment.translate(images, tf.fill([len(images)], 2), tf.zeros([len(images)], tf.int32))
    ```
    """
    if mode not in ("constant", "reflect"):
        raise ValueError(f"mode must be 'constant' or 'reflect'; got {mode!r}.")
    images = _images(images)
    h, w = images.shape[1], images.shape[2]
    rows, row_in = _source_indices(h, dy, mode)
    cols, col_in = _source_indices(w, dx, mode)
    out = tf.gather(images, rows, axis=1, batch_dims=1)
    out = tf.gather(out, cols, axis=2, batch_dims=1)
    if mode == "reflect":
        return out
    inside = row_in[:, :, None, None] & col_in[:, None, :, None]
    return tf.where(inside, out, tf.cast(fill, images.dtype))


def cutout_size(size, ratio=0.5):
    """The side of DiffAugment's cutout square along an axis of `size`: int(size * ratio + 0.5)."""
    return int(size * ratio + 0.5)


def cutout(images, cy, cx, size, fill=0.0, apply=None):
    """Sets a `size` square of each image to `fill`.

    The square covers rows `cy - size[0] // 2` to `cy - size[0] // 2 + size[0] - 1`
    (clipped to the image), and the same for columns, as in DiffAugment's
    reference code.

    Args:
        images: tensor `[B, H, W, C]`. Float images.
        cy: int tensor `[B]`. The square's centre row (0..H).
        cx: int tensor `[B]`. Its centre column (0..W).
        size: int or (int, int). Its side (rows, columns).
        fill: float. The value it is set to.
        apply: bool tensor `[B]` or None. Cut only these images (None: all).

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    half = images.shape[1] // 2
    cut = keras_gans.augment.cutout(images, tf.fill([len(images)], half), tf.fill([len(images)], half), half)
    ```
    """
    images = _images(images)
    sh, sw = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    h, w = images.shape[1], images.shape[2]
    top = tf.cast(cy, tf.int32)[:, None] - sh // 2
    left = tf.cast(cx, tf.int32)[:, None] - sw // 2
    ys, xs = tf.range(h, dtype=tf.int32)[None, :], tf.range(w, dtype=tf.int32)[None, :]
    in_rows = (ys >= top) & (ys < top + sh)
    in_cols = (xs >= left) & (xs < left + sw)
    cut = in_rows[:, :, None, None] & in_cols[:, None, :, None]
    if apply is not None:
        cut = cut & tf.reshape(tf.cast(apply, tf.bool), [-1, 1, 1, 1])
    return tf.where(cut, tf.cast(fill, images.dtype), images)


def flip_x(images, flip):
    """Mirrors the images where `flip` is True (left to right).

    Args:
        images: tensor `[B, H, W, C]`.
        flip: bool tensor `[B]`.

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    keras_gans.augment.flip_x(images, tf.fill([len(images)], True))
    ```
    """
    images = _images(images)
    return tf.where(tf.reshape(tf.cast(flip, tf.bool), [-1, 1, 1, 1]),
                    tf.reverse(images, axis=[2]), images)


def rotate90(images, k):
    """Turns each image by `k` quarter turns counter-clockwise (as `np.rot90`
    on the height and width axes). Square images only.

    Args:
        images: tensor `[B, H, W, C]` with H == W.
        k: int tensor `[B]`. 0 to 3.

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    keras_gans.augment.rotate90(images, tf.ones([len(images)], tf.int32))
    ```
    """
    images = _images(images)
    if images.shape[1] != images.shape[2]:
        raise ValueError(f"rotate90 takes square images; got {images.shape[1]}x{images.shape[2]}.")
    k = tf.reshape(tf.math.floormod(tf.cast(k, tf.int32), 4), [-1, 1, 1, 1])
    out, turned = images, images
    for quarter in (1, 2, 3):
        turned = tf.reverse(tf.transpose(turned, [0, 2, 1, 3]), axis=[1])  # one turn more
        out = tf.where(tf.equal(k, quarter), turned, out)
    return out


# ------------------------------------------------------------------ pipelines


def diffaugment(images, u, policy=DIFFAUGMENT_POLICY, translation_ratio=0.125,
                cutout_ratio=0.5, fill=0.0):
    """DiffAugment (Zhao et al. 2020, arXiv:2006.10738) with the random numbers given.

    On every image, in order:
    - "color": brightness + U(-0.5, 0.5), saturation x U(0, 2) around each
      pixel's channel mean (nothing on one channel), contrast x U(0.5, 1.5)
      around the image's mean;
    - "translation": by whole pixels, uniform in
      [-int(S * translation_ratio + 0.5), +that] along each axis of size S,
      the pixels brought in set to `fill`;
    - "cutout": a square of `cutout_size(S, cutout_ratio)` (half the side)
      set to `fill`, its centre uniform over the image.

    Args:
        images: tensor `[B, H, W, C]`. Float images in [-1, 1].
        u: tensor `[B, DIFFAUGMENT_UNIFORMS]`. Uniforms in [0, 1), one row per
            image (columns: brightness, saturation, contrast, dy, dx, cutout
            row, cutout column).
        policy: tuple of str or str. Ops from `DIFFAUGMENT_POLICY` (a
            comma-separated string is split).
        translation_ratio: float. The largest shift, as a share of the size.
        cutout_ratio: float. The cutout square's side, as a share of the size.
        fill: float. What translation brings in and cutout leaves (0: the
            reference code's zeros).

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    images = keras_gans.data.load("digits", image_size=32).take(1).get_single_element()
    u = tf.random.stateless_uniform([64, keras_gans.augment.DIFFAUGMENT_UNIFORMS], seed=[0, 0])
    augmented = keras_gans.augment.diffaugment(images, u)
    ```
    """
    images = _images(images)
    u = _randoms(u, DIFFAUGMENT_UNIFORMS, "u")
    if isinstance(policy, str):
        policy = tuple(p.strip() for p in policy.split(",") if p.strip())
    unknown = set(policy) - set(DIFFAUGMENT_POLICY)
    if unknown:
        raise ValueError(f"policy may hold {', '.join(DIFFAUGMENT_POLICY)}; got {sorted(unknown)}.")
    h, w = images.shape[1], images.shape[2]
    x = images
    if "color" in policy:
        x = brightness(x, u[:, 0] - 0.5)
        x = saturation(x, u[:, 1] * 2.0)
        x = contrast(x, u[:, 2] + 0.5)
    if "translation" in policy:
        sy, sx = int(h * translation_ratio + 0.5), int(w * translation_ratio + 0.5)
        x = translate(x, uniform_integers(u[:, 3], -sy, sy), uniform_integers(u[:, 4], -sx, sx),
                      fill=fill)
    if "cutout" in policy:
        ch, cw = cutout_size(h, cutout_ratio), cutout_size(w, cutout_ratio)
        cy = uniform_integers(u[:, 5], 0, h - ch % 2)
        cx = uniform_integers(u[:, 6], 0, w - cw % 2)
        x = cutout(x, cy, cx, (ch, cw), fill=fill)
    return x


def ada_augment(images, p, u, n, translation_ratio=0.125, brightness_std=0.2, contrast_std=0.5,
                cutout_ratio=0.5, fill=0.0, ops=ADA_OPS):
    """ADA's augmentation (Karras et al. 2020, arXiv:2006.06676): each op
    applied to each image with probability `p`.

    A CPU-sized subset of the paper's pipeline, in order:
    - "xflip": mirror left-right (when applied: with probability 1/2);
    - "rotate90": 0 to 3 quarter turns, uniform (square images only;
      skipped on others);
    - "translation": whole pixels, uniform in +-`translation_ratio` of the
      size, the border mirrored in (the paper's integer translation);
    - "brightness": + N(0, `brightness_std`);
    - "contrast": x 2^N(0, `contrast_std`) around the image's mean;
    - "cutout": a square of half the side set to `fill`, centre uniform.
    The paper's general geometric (scale, arbitrary rotation, anisotropy,
    fractional translation), hue/saturation/luma flip and filtering ops are
    left out: they need resampling filters that cost too much on a CPU.
    At p = 0 the images come back unchanged.

    Args:
        images: tensor `[B, H, W, C]`. Float images in [-1, 1].
        p: float or scalar tensor. The probability of each op, in [0, 1].
        u: tensor `[B, ADA_UNIFORMS]`. Uniforms in [0, 1): a gate per op
            (`ADA_OPS` order; the op runs where it is below p), then flip,
            quarter turns, dy, dx, cutout row, cutout column.
        n: tensor `[B, ADA_NORMALS]`. Standard normals: brightness, contrast.
        translation_ratio: float. The largest shift, as a share of the size.
        brightness_std: float. Standard deviation of the brightness shift.
        contrast_std: float. Standard deviation of log2 of the contrast factor.
        cutout_ratio: float. The cutout square's side, as a share of the size.
        fill: float. What cutout leaves.
        ops: tuple of str. The ops that run, a subset of `ADA_OPS` (all by
            default, as the paper). Images whose meaning changes under a
            mirror or a quarter turn (digits: a 6 turned twice is a 9) leave
            out "xflip" and "rotate90": at p near 0.8 and above G learns them
            (the paper's leaking). The random numbers are read the same way
            whatever the subset.

    Returns:
        tensor `[B, H, W, C]`.

    Example:
    ```python
    u = tf.random.stateless_uniform([64, keras_gans.augment.ADA_UNIFORMS], seed=[0, 0])
    n = tf.random.stateless_normal([64, keras_gans.augment.ADA_NORMALS], seed=[0, 1])
    augmented = keras_gans.augment.ada_augment(images, 0.3, u, n)
    ```
    """
    images = _images(images)
    u = _randoms(u, ADA_UNIFORMS, "u")
    n = _randoms(n, ADA_NORMALS, "n")
    ops = check_ada_ops(ops)
    p = tf.cast(p, tf.float32)
    on = {op: (u[:, i] < p) & (op in ops) for i, op in enumerate(ADA_OPS)}
    extra = u[:, len(ADA_OPS):]
    h, w = images.shape[1], images.shape[2]
    x = flip_x(images, on["xflip"] & (extra[:, 0] < 0.5))
    if h == w:
        x = rotate90(x, tf.where(on["rotate90"], uniform_integers(extra[:, 1], 0, 3), 0))
    sy, sx = int(h * translation_ratio + 0.5), int(w * translation_ratio + 0.5)
    dy = tf.where(on["translation"], uniform_integers(extra[:, 2], -sy, sy), 0)
    dx = tf.where(on["translation"], uniform_integers(extra[:, 3], -sx, sx), 0)
    x = translate(x, dy, dx, mode="reflect")
    x = brightness(x, tf.where(on["brightness"], n[:, 0] * brightness_std, 0.0))
    # where, not a factor of 1: (x - mean) * 1 + mean is not exactly x in floats
    x = tf.where(tf.reshape(on["contrast"], [-1, 1, 1, 1]),
                 contrast(x, tf.pow(2.0, n[:, 1] * contrast_std)), x)
    ch, cw = cutout_size(h, cutout_ratio), cutout_size(w, cutout_ratio)
    cy = uniform_integers(extra[:, 4], 0, h - ch % 2)
    cx = uniform_integers(extra[:, 5], 0, w - cw % 2)
    return cutout(x, cy, cx, (ch, cw), fill=fill, apply=on["cutout"])


def check_ada_ops(ops):
    """`ops` as a tuple of names of `ADA_OPS`, or a clear error.

    Args:
        ops: str or iterable of str. Op names; a string is split at commas.

    Returns:
        tuple of str, in the order given.

    Example:
    ```python
    keras_gans.augment.check_ada_ops("translation,cutout")  # ('translation', 'cutout')
    ```
    """
    if isinstance(ops, str):
        ops = [o.strip() for o in ops.split(",") if o.strip()]
    ops = tuple(ops)
    unknown = [o for o in ops if o not in ADA_OPS]
    if unknown or not ops:
        raise ValueError(f"ada_ops must name one or more of {', '.join(ADA_OPS)}; got "
                         f"{ops!r}.")
    return ops


def ada_adjustment(r_t, target, images, kimg):
    """ADA's step of p after an adjustment interval (Karras et al. 2020, section 3):
    sign(r_t - target) * images / (kimg * 1000).

    Args:
        r_t: float or tensor. E[sign(D(real))] over the interval.
        target: float. The r_t that p holds D at (0.6 in the paper).
        images: float or tensor. Real images D saw in the interval.
        kimg: float. Thousands of images over which p can go from 0 to 1
            (500 in the paper).

    Returns:
        float32 tensor: what to add to p (then clip to [0, 1]).

    Example:
    ```python
    keras_gans.augment.ada_adjustment(0.8, 0.6, 4 * 64, 500)  # +0.000512
    ```
    """
    if not (isinstance(kimg, numbers.Real) and kimg > 0 and math.isfinite(kimg)):
        raise ValueError(f"kimg must be a positive number; got {kimg!r}.")
    r_t = tf.cast(r_t, tf.float32)
    return tf.sign(r_t - float(target)) * tf.cast(images, tf.float32) / (float(kimg) * 1000.0)

"""InfoGAN (Chen et al. 2016, arXiv:1606.03657)."""

import numpy as np
import tensorflow as tf

from keras import ops

from keras_gans.losses import mutual_information_loss
from keras_gans.models.base import _adam
from keras_gans.models.base import generator_evaluation_images, refuse_translation_flags
from keras_gans.models.conditional import ConditionalGAN
from keras_gans.networks.conditional import conditional_generator, heads_discriminator
from keras_gans.registry import register_model


def make_codes(num_categories, num_continuous, categories=None, continuous=None, num=None, rng=None):
    """InfoGAN codes (numpy float32 [num, num_categories + num_continuous]).

    Args:
        num_categories: int. Values of the categorical code (0 for none).
        num_continuous: int. Number of continuous codes.
        categories: int or ints [num] in [0, num_categories), or None (drawn
            uniformly).
        continuous: floats [num, num_continuous] or [num_continuous], or None
            (drawn uniformly from [-1, 1]).
        num: int or None. How many; from the parts' lengths when None.
        rng: `numpy.random.Generator` or None. For the drawn parts.

    Returns:
        numpy float32 `[num, num_categories + num_continuous]`: the one-hot
        categorical code, then the continuous codes.

    Example:
    ```python
    codes = keras_gans.models.infogan.make_codes(10, 2, categories=[3, 7], continuous=[0.0, 0.5])
    codes.shape  # (2, 12)
    ```
    """
    rng = rng or np.random.default_rng()
    if num is None:
        if categories is not None and np.ndim(categories) == 1:
            num = len(categories)
        elif continuous is not None and np.ndim(continuous) == 2:
            num = len(continuous)
        else:
            num = 1
    num = int(num)
    parts = []
    if num_categories:
        if categories is None:
            cat = rng.integers(0, num_categories, num)
        else:
            cat = np.asarray(categories)
            if cat.dtype.kind == "f" and np.all(cat == np.round(cat)):
                cat = cat.astype("int64")
            if cat.dtype.kind not in "iu":
                raise ValueError(f"categories must be integers; got {categories!r}.")
            cat = np.broadcast_to(cat, (num,)) if cat.ndim == 0 else cat
            if cat.shape != (num,):
                raise ValueError(f"Got {cat.size} categories for {num} images.")
            bad = cat[(cat < 0) | (cat >= num_categories)]
            if bad.size:
                raise ValueError(
                    f"Category {int(bad[0])} is out of range: this InfoGAN's categorical "
                    f"code has {num_categories} values (0 to {num_categories - 1})."
                )
        parts.append(np.eye(num_categories, dtype="float32")[cat])
    elif categories is not None:
        raise ValueError("This InfoGAN has no categorical code.")
    if num_continuous:
        if continuous is None:
            cont = rng.uniform(-1.0, 1.0, (num, num_continuous))
        else:
            cont = np.asarray(continuous, "float32")
            cont = np.broadcast_to(cont, (num, num_continuous)) if cont.ndim == 1 else cont
            if cont.shape != (num, num_continuous):
                raise ValueError(
                    f"continuous codes must be [{num}, {num_continuous}]; got {cont.shape}."
                )
        parts.append(np.asarray(cont, "float32"))
    elif continuous is not None:
        raise ValueError("This InfoGAN has no continuous code.")
    return np.concatenate(parts, axis=-1).astype("float32")


def code_sweep(num_categories, num_continuous, code, rows, steps=10, seed=None):
    """Codes for a grid that sweeps one code: `rows` rows, one value per column.

    Code 0 is the categorical code (its `num_categories` values); codes 1 to
    `num_continuous` are the continuous ones (`steps` values from -1 to 1). The
    other codes are drawn once per row.

    Args:
        num_categories: int. Values of the categorical code (0 for none).
        num_continuous: int. Number of continuous codes.
        code: int. The code to sweep: 0 (categorical) or 1 to `num_continuous`.
        rows: int. Rows of the grid.
        steps: int. Values of a continuous code across a row.
        seed: int or None. Seed of the other codes' draws.

    Returns:
        `(codes, cols)`: numpy float32 `[rows * cols, D]` and the grid's columns.

    Example:
    ```python
    codes, cols = keras_gans.models.infogan.code_sweep(10, 2, code=1, rows=4)
    images = model.sample(len(codes), seed=0, codes=codes)  # a 4 x 10 grid
    ```
    """
    n_codes = (1 if num_categories else 0) + num_continuous
    first = 0 if num_categories else 1
    if not first <= code <= num_continuous:
        names = ("0 (categorical), " if num_categories else "") + (
            f"1 to {num_continuous} (continuous)" if num_continuous else ""
        )
        raise ValueError(
            f"--vary-code {code} is not a code of this InfoGAN ({n_codes} codes: {names.rstrip(', ')})."
        )
    rng = np.random.default_rng(seed)
    base = make_codes(num_categories, num_continuous, num=rows, rng=rng)
    if code == 0:
        values = np.arange(num_categories)
        cols = num_categories
    else:
        values = np.linspace(-1.0, 1.0, steps)
        cols = steps
    codes = np.repeat(base, cols, axis=0)
    if code == 0:
        codes[:, :num_categories] = np.eye(num_categories)[np.tile(values, rows)]
    else:
        codes[:, num_categories + code - 1] = np.tile(values, rows)
    return codes.astype("float32"), cols


def code_cli_grid(source, name, num=None, seed=None, labels=None, vary_code=None, inputs=None,
                  data=None, direction="a_to_b"):
    """What an InfoGAN's `cli_grid` gives: with `vary_code`, a sweep of that
    code (a row per z, a column per value); without, `num` (default 64)
    samples with codes from their prior.

    Shared by `InfoGAN` and the samplers of its saved forms.

    Args:
        source: an InfoGAN or its sampler: `latent_dim`, `num_categories`,
            `num_continuous`, `generate(z, codes=...)` and `sample(num, seed=...)`.
        name: str. The model as error messages name it.
        num: int or None. Rows of the sweep (8 when None), or samples.
        seed: int or None. Seed of the latents and of the other codes.
        labels: must be None (InfoGAN takes codes).
        vary_code: int or None. The code to sweep: 0 the categorical one,
            1 to `num_continuous` the continuous ones (see `code_sweep`).
        inputs: None or "test" (image-to-image only).
        data: None (image-to-image only).
        direction: "a_to_b" (image-to-image only).

    Returns:
        `(images, ncols, caption)`: numpy images, the sweep's columns (None
        without a sweep), and "<count> images".

    Example:
    ```python
    images, ncols, _ = keras_gans.models.infogan.code_cli_grid(
        keras_gans.get("infogan"), "infogan", num=2, vary_code=0)
    ```
    """
    refuse_translation_flags(name, inputs, data, direction)
    if labels is not None:
        raise ValueError(f"{name} is an InfoGAN (use --vary-code K): it takes no --labels.")
    if vary_code is None:
        images = np.asarray(source.sample(num or 64, seed=seed))
        return images, None, f"{len(images)} images"
    if source.num_categories is None:
        raise ValueError(f"{name} does not say how its codes are laid out; cannot sweep them.")
    rows = num or 8
    codes, cols = code_sweep(source.num_categories, source.num_continuous, vary_code, rows,
                             seed=seed)
    z = np.random.default_rng(seed).standard_normal((rows, source.latent_dim)).astype("float32")
    images = source.generate(np.repeat(z, cols, axis=0), codes=codes)
    images = np.asarray(ops.convert_to_numpy(images), "float32")
    return images, cols, f"{len(images)} images"


@register_model(
    "infogan",
    defaults={"image_shape": (32, 32, 1), "latent_dim": 62, "g_width": 32, "d_width": 32},
    tiny={"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4,
          "num_categories": 3},
)
class InfoGAN(ConditionalGAN):
    """InfoGAN: noise z plus codes c; a Q head on D's trunk recovers c (mutual information).

    The codes are one categorical code of `num_categories` values (one-hot) and
    `num_continuous` codes uniform in [-1, 1], given to G as one vector
    `codes` = [one-hot, continuous] of size `num_categories + num_continuous`.
    Q shares all of D but its last layers and outputs the categorical logits
    and the continuous codes' means (a factored Gaussian with sigma 1);
    `info_weight` times the mutual-information bound L_I is added to D's
    (that is, Q's) and to G's loss. Trains on unlabelled images.

    Reference: Chen et al. 2016, arXiv:1606.03657.

    Args:
        image_shape: tuple. (H, W, C).
        latent_dim: int. Size of the noise z (62 for MNIST in the paper).
        num_categories: int. Values of the categorical code (0 for none).
        num_continuous: int. Number of continuous codes.
        g_width: int. Filters of G's last hidden stage.
        d_width: int. Filters of D's first stage.
        d_normalization: str. "batch", "layer" or "none".
        info_weight: float. lambda, the weight of L_I.
        continuous_weight: float. Weight of the continuous part of L_I.
        **kwargs: passed to `keras_gans.models.GAN` (`loss`, `seed`, ...).

    Example:
    ```python
    model = keras_gans.get("infogan")
    model.compile()
    model.fit(keras_gans.data.load("digits"), epochs=100)
    codes = model.make_codes(categories=[0, 1, 2], continuous=[[0.0, 0.5]] * 3)
    model.sample(3, seed=0, codes=codes)
    ```
    """

    default_epochs = 100
    requires_labels = False
    condition_name = "codes"
    metric_names = ("d_loss", "g_loss", "info_loss")

    def __init__(
        self, image_shape=(32, 32, 1), latent_dim=62, num_categories=10, num_continuous=2,
        g_width=64, d_width=64, d_normalization="batch", info_weight=1.0,
        continuous_weight=1.0, **kwargs,
    ):
        kwargs.setdefault("loss", "non_saturating")
        self_categories = int(num_categories)
        if self_categories < 0 or int(num_continuous) < 0 or self_categories + int(num_continuous) < 1:
            raise ValueError(
                "InfoGAN needs at least one code: num_categories >= 2 or num_continuous >= 1; "
                f"got {num_categories} and {num_continuous}."
            )
        if self_categories == 1:
            raise ValueError("num_categories must be 0 (none) or >= 2; got 1.")
        # ConditionalGAN's num_classes is the categorical code's size here.
        super().__init__(image_shape, latent_dim, max(self_categories, 2), **kwargs)
        self.num_categories = self_categories
        self.num_classes = self_categories
        self.num_continuous = int(num_continuous)
        self.code_dim = self.num_categories + self.num_continuous
        self.info_weight = float(info_weight)
        self.continuous_weight = float(continuous_weight)
        heads = {"logits": 1}
        if self.num_categories:
            heads["q_categorical"] = self.num_categories
        if self.num_continuous:
            heads["q_continuous"] = self.num_continuous
        self.set_networks(
            lambda: conditional_generator(
                self.image_shape, self.latent_dim, code_dim=self.code_dim, width=g_width
            ),
            lambda: heads_discriminator(
                self.image_shape, heads, d_width, d_normalization,
                hidden_heads=("q_categorical", "q_continuous"),
            ),
        )

    def paper_optimizers(self):
        # The paper's MNIST setting: Adam(beta_1=0.5), 2e-4 for D (and Q), 1e-3 for G.
        return _adam(2e-4), _adam(1e-3)

    # ----------------------------------------------------------------- codes

    def sample_codes(self, batch_size):
        """Codes from their prior (tensor [batch_size, code_dim]), from the model's seed."""
        parts = []
        if self.num_categories:
            cat = self.random_integers((batch_size,), 0, self.num_categories)
            parts.append(ops.one_hot(cat, self.num_categories))
        if self.num_continuous:
            parts.append(
                self.random_uniform((batch_size, self.num_continuous), -1.0, 1.0)
            )
        return ops.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]

    def make_codes(self, categories=None, continuous=None, num=None, rng=None):
        """Builds codes (numpy [num, code_dim]) from their parts; see `make_codes`."""
        return make_codes(
            self.num_categories, self.num_continuous, categories, continuous, num, rng
        )

    def split_codes(self, codes):
        """`(categorical one-hot or None, continuous or None)` parts of `codes`."""
        cat = codes[:, : self.num_categories] if self.num_categories else None
        cont = codes[:, self.num_categories :] if self.num_continuous else None
        return cat, cont

    def condition_for(self, num, labels=None, codes=None, rng=None):
        if labels is not None:
            raise ValueError(
                "InfoGAN takes codes, not labels: pass codes=model.make_codes(categories=...)."
            )
        if codes is None:
            return self.make_codes(num=num, rng=rng or np.random.default_rng())
        arr = np.asarray(ops.convert_to_numpy(codes) if tf.is_tensor(codes) else codes, "float32")
        if arr.shape != (int(num), self.code_dim):
            raise ValueError(
                f"codes must be [{num}, {self.code_dim}] ({self.num_categories} one-hot "
                f"categorical + {self.num_continuous} continuous); got {arr.shape}. "
                "Build them with model.make_codes(categories=..., continuous=...)."
            )
        return arr

    def preview_condition(self, num):
        cats = np.arange(int(num)) % max(self.num_categories, 1) if self.num_categories else None
        return self.make_codes(cats, np.zeros(self.num_continuous, "float32") if self.num_continuous else None, num=num)

    def condition_spec(self):
        return tf.TensorSpec([None, self.code_dim], tf.float32, name="codes")

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores: `num` samples (codes from their
        prior) and the real test images of `data`; no classes.

        Args: see `keras_gans.models.GenerativeModel.evaluation_images`.

        Returns:
            `(fake, real, None, data_spec)`.

        Example:
        ```python
        fake, real, _, spec = keras_gans.get("infogan").evaluation_images(num=100)
        ```
        """
        return generator_evaluation_images(self, data, num, seed, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid: a sweep of code `vary_code`, or samples.

        Args: see `keras_gans.models.GenerativeModel.cli_grid`.

        Returns:
            `(images, ncols, caption)`: see `code_cli_grid`.

        Example:
        ```python
        images, ncols, caption = keras_gans.get("infogan").cli_grid(num=2, vary_code=0)
        ```
        """
        return code_cli_grid(self, name or f"this {type(self).__name__}", num, seed, labels,
                             vary_code, inputs, data, direction)

    def export_metadata(self):
        meta = super().export_metadata()
        meta.update(num_categories=self.num_categories, num_continuous=self.num_continuous)
        return meta

    # ------------------------------------------------------------- training

    def unpack(self, data):
        return self.unpack_images(data)

    def generator_inputs(self, batch_size, real):
        return [self.sample_latent(batch_size), self.sample_codes(batch_size)]

    def information_loss(self, outputs, codes):
        """-L_I for D's outputs on images generated from `codes`."""
        cat, cont = self.split_codes(codes)
        return mutual_information_loss(
            outputs.get("q_categorical"), cat, outputs.get("q_continuous"), cont,
            continuous_weight=self.continuous_weight,
        )

    def discriminator_loss(self, real, fake):
        r, f = self.discriminator_real_fake(real, fake[0])
        adv = self.d_loss_fn(r["logits"], f["logits"], **self.loss_kwargs(self.d_loss_fn))
        info = self.information_loss(f, fake[1])
        loss = adv + self.info_weight * info
        return loss, {"d_loss": loss, "info_loss": info}

    def generator_loss(self, real, generator_inputs):
        fake = self.generator(generator_inputs, training=True)
        f = self.discriminator(fake, training=True)
        adv = self.g_loss_fn(f["logits"], **self.loss_kwargs(self.g_loss_fn))
        info = self.information_loss(f, generator_inputs[1])
        loss = adv + self.info_weight * info
        return loss, {"g_loss": loss}

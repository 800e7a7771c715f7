"""Image-to-image translators: the base of pix2pix, CycleGAN, DiscoGAN, DualGAN,
CartoonGAN and AnimeGAN.

A translator's generator maps images of domain A to domain B; two-way models
(`two_way = True`) also keep `generator_ba` (B -> A) and a second
discriminator, `discriminator_a`, that judges domain A. Training batches are
`(A, B)` pairs from `keras_gans.data.load_pairs` (paired models) or
`load_unpaired`. The training loop is `GAN.train_step`: a translator only
says what G's inputs are (the real images), how fakes are made, and its
paper's losses.
"""

import numpy as np
import tensorflow as tf

from keras import ops

from keras_gans.models.base import GAN, batched, network_io_shapes, random_image_batches


def translation_grid(translate, images, two_way, direction="a_to_b"):
    """`(grid images, ncols)` for a PNG: input | output, and for two-way models
    | reconstruction (the output translated back), side by side; a few such
    rows per grid row, so the grid is about square.

    Args:
        translate: callable `(images, direction) -> numpy images`.
        images: numpy [N, H, W, C] in [-1, 1].
        two_way: bool. Add the reconstruction column.
        direction: str. "a_to_b" or "b_to_a".

    Returns:
        `(grid, ncols)`: numpy `[N * columns, H, W, C]` in [-1, 1] in row-major
        order, and the grid's number of columns (for `keras_gans.images.grid`).

    Example:
    ```python
    model = keras_gans.get("cyclegan")
    tiles, ncols = keras_gans.models.translation.translation_grid(
        lambda x, d: model.sample(images=x, direction=d), images, two_way=True)
    keras_gans.images.save_grid(tiles, "grid.png", ncols=ncols)
    ```
    """
    out = translate(images, direction)
    columns = [images, out]
    if two_way:
        columns.append(translate(out, "b_to_a" if direction == "a_to_b" else "a_to_b"))
    grid = np.stack(columns, axis=1).reshape((-1, *images.shape[1:]))
    n, k = len(images), len(columns)
    # Inputs per grid row: a divisor of n (no ragged last row), tiles as square as can be.
    per_row = min((d for d in range(1, n + 1) if n % d == 0),
                  key=lambda d: (abs(d * k - n // d), -d)) if n else 1
    return grid, k * per_row


def _is_test_split(inputs):
    return inputs is None or (isinstance(inputs, str) and inputs == "test")


def translation_inputs(image_shape, default_data, inputs=None, data=None, num=8, seed=None,
                       direction="a_to_b", name="this model"):
    """The images a translator's `cli_grid` translates (`keras-gans sample
    --input`), as numpy float32 `[N, H, W, C]` in [-1, 1].

    Args:
        image_shape: tuple. The translator's (H, W, C).
        default_data: str or None. Its training data spec.
        inputs: None or "test" (the test split of `data`: domain A, or B
            for "b_to_a"), an image file or folder, or an array of images.
        data: str or None. The data spec of the test split (`default_data`
            when None); only with the test split.
        num: int. At most this many images.
        seed: int or None. Shuffles the test split when given.
        direction: str. "a_to_b" or "b_to_a".
        name: str. The model as error messages name it.

    Returns:
        numpy float32 images.

    Example:
    ```python
    x = keras_gans.models.translation.translation_inputs((32, 32, 3), "digits-ink", num=4)
    ```
    """
    from keras_gans import data as data_lib

    size, channels = image_shape[0], image_shape[2]
    if _is_test_split(inputs):
        spec = data or default_data
        if spec is None:
            raise ValueError(f"{name} does not say what data it was trained on; "
                             "pass --data SPEC or --input FILE|FOLDER.")
        domain = "B" if direction == "b_to_a" else "A"
        images = data_lib.domain_images(spec, domain, "test", image_size=size, channels=channels)
        if seed is not None:
            images = images[np.random.default_rng(seed).permutation(len(images))]
        return images[:num]
    if data is not None:
        raise ValueError("--data goes with --input test; a file or folder needs no spec.")
    if isinstance(inputs, str) or hasattr(inputs, "__fspath__"):
        return data_lib.read_images(inputs, image_size=size, channels=channels, num=num)
    return np.asarray(inputs, "float32")[:num]


def translator_cli_grid(source, name, num=None, seed=None, labels=None, vary_code=None,
                        inputs=None, data=None, direction="a_to_b"):
    """What a translator's `cli_grid` gives: input | output (| reconstruction)
    side by side for `num` (default 8) inputs.

    Shared by the translators and the samplers of their saved forms.

    Args:
        source: a translator or its sampler: `image_shape`, `default_data`
            and `translation_grid(images, direction)`.
        name: str. The model as error messages name it.
        num: int or None. Inputs (8 when None).
        seed: int or None. Shuffles the test split.
        labels: must be None (generators only).
        vary_code: must be None (InfoGAN only).
        inputs: see `translation_inputs`.
        data: see `translation_inputs`.
        direction: str. "a_to_b" or "b_to_a".

    Returns:
        `(images, ncols, caption)`: the grid's tiles, its columns, and
        "<inputs> translations".

    Example:
    ```python
    tiles, ncols, caption = keras_gans.models.translation.translator_cli_grid(
        keras_gans.get("cyclegan"), "cyclegan", num=4)
    ```
    """
    if labels is not None or vary_code is not None:
        raise ValueError(f"{name} translates images: it takes no --labels or --vary-code.")
    images = translation_inputs(source.image_shape, source.default_data, inputs, data, num or 8,
                                seed, direction, name)
    grid, ncols = source.translation_grid(images, direction)
    return np.asarray(grid, "float32"), ncols, f"{len(images)} translations"


def translator_evaluation_images(source, data=None, num=1000, batch_size=250, progress=False):
    """What a translator's `evaluation_images` gives: the first `num` test
    images of domain A of `data`, translated, and domain B's test images.

    Shared by the translators and the samplers of their saved forms.

    Args:
        source: a translator or its sampler: `image_shape`, `default_data`
            and `translate(images)`.
        data: str or None. The data spec (`default_data` when None).
        num: int. At most this many test inputs.
        batch_size: int. Inputs per forward pass.
        progress: bool. A progress bar while translating.

    Returns:
        `(fake, real, None, data_spec)`: numpy float32 images in [-1, 1].

    Example:
    ```python
    fake, real, _, spec = keras_gans.models.translation.translator_evaluation_images(
        keras_gans.get("cyclegan"), num=40)
    ```
    """
    from keras_gans import data as data_lib

    spec = data or source.default_data
    size, channels = source.image_shape[0], source.image_shape[2]
    inputs = data_lib.domain_images(spec, "A", "test", image_size=size, channels=channels, num=num)
    real = data_lib.domain_images(spec, "B", "test", image_size=size, channels=channels)
    fake = batched(source.translate, [inputs], batch_size, source.image_shape or (),
                   progress=progress, unit="translated")
    return fake, real, None, spec


def random_pair_batches(image_shape, batch_size=4, batches=2, seed=0):
    """A `tf.data.Dataset` of `(A, B)` batches: A uniform random images in
    [-1, 1], B = clip(0.5 - A) (a fixed function of A).

    Args:
        image_shape: tuple. (H, W, C) of both domains.
        batch_size: int. Pairs per batch.
        batches: int. Batches.
        seed: int. Seed of the draw.

    Example:
    ```python
    ds = keras_gans.models.translation.random_pair_batches((16, 16, 3))
    ```
    """
    images = random_image_batches(image_shape, batch_size, batches, seed)
    return images.map(lambda a: (a, tf.clip_by_value(0.5 - a, -1.0, 1.0)))


class Translator(GAN):
    """Base class of the image-to-image GANs: G maps domain A to domain B.

    Both domains have `image_shape`. `fit()` takes `(A, B)` batches:
    `keras_gans.data.load_pairs(spec)` for paired models (`paired = True`),
    `load_unpaired(spec)` for the others.

    Args:
        image_shape: tuple. (H, W, C) of both domains' images, in [-1, 1].
        loss: str. The adversarial loss, a name from `keras_gans.losses`.
        loss_args: dict or None. Extra arguments of the loss pair.
        n_critic: int. D updates per G update.
        seed: int or None. Seed of in-graph randomness (image pools).
        **kwargs: passed to `keras.Model`.

    Example:
    ```python
    model = keras_gans.get("cyclegan")
    model.compile()
    model.fit(keras_gans.data.load_unpaired("digits-ink"), epochs=1)
    out = model.translate(a_images)                     # A -> B
    back = model.translate(out, direction="b_to_a")     # two-way models
    ```
    """

    task = "translation"
    evaluation_unit = "inputs"
    judged_by_class_coverage = False
    plot_color = (30, 0, 200)
    player_names = ("generator", "discriminator", "generator_ba", "discriminator_a")
    default_batch_size = 16
    #: Fully convolutional networks: H and W multiples of 4 (two stride-2
    #: stages), up to `keras_gans.networks.common.MAX_SIDE`.
    image_sizes = 4
    #: True when training needs (A, B) pairs (pix2pix).
    paired = False
    #: True when the model also maps B -> A (`generator_ba`).
    two_way = False
    #: The bundled data spec the CLI trains on by default.
    default_data = "digits-ink"
    #: Constructor overrides the CLI applies for a data spec (e.g. CycleGAN's
    #: identity weight on digits-ink; docs/MODEL_NOTES.md says why).
    data_presets = {}

    def __init__(self, image_shape=(32, 32, 3), loss="least_squares", loss_args=None,
                 n_critic=1, seed=None, **kwargs):
        if kwargs.get("ema") is not None:
            raise ValueError(f"{type(self).__name__}: ema= is for z -> image generators; "
                             "image-to-image models don't support it yet.")
        super().__init__(image_shape=image_shape, latent_dim=0, loss=loss,
                         loss_args=loss_args, n_critic=n_critic, seed=seed, **kwargs)

    # ------------------------------------------------------------ wiring

    def set_translation_networks(self, generator, discriminator, generator_ba=None,
                                 discriminator_a=None):
        """Attaches G (A -> B) and D (judges B); two-way models add G_BA and D_A.

        Args:
            generator: keras.Model or builder. G, A -> B.
            discriminator: keras.Model or builder. D, judges domain B.
            generator_ba: keras.Model, builder or None. G_BA, B -> A (two-way).
            discriminator_a: keras.Model, builder or None. D_A, judges domain A
                (two-way).
        """
        if self.two_way and (generator_ba is None or discriminator_a is None):
            raise ValueError(f"{type(self).__name__} is two-way: pass generator_ba and discriminator_a.")
        players = {}
        if generator_ba is not None:
            players.update(generator_ba=generator_ba, discriminator_a=discriminator_a)
        self.set_players(**players, generator=generator, discriminator=discriminator)

    def check_players(self):
        """Each G maps images of `image_shape` to images of `image_shape`."""
        for name in ("generator", "generator_ba"):
            if name not in self._given_players:
                continue
            ins, outs = network_io_shapes(self._given_players[name])
            if ins is not None and (tuple(ins[0]) != self.image_shape
                                    or tuple(outs[0]) != self.image_shape):
                raise ValueError(
                    f"{name} maps {tuple(ins[0])} to {tuple(outs[0])}; "
                    f"{type(self).__name__} expects images of {self.image_shape} "
                    "(image_shape) in and out.")

    def discriminator_step_networks(self):
        if self.two_way:
            return [self.discriminator_a, self.discriminator]
        return self.discriminator

    def generator_step_networks(self):
        if self.two_way:
            return [self.generator, self.generator_ba]
        return self.generator

    def call(self, images, training=False):
        return self.generator(images, training=training)

    # ------------------------------------------------------------ translating

    def translate(self, images, direction="a_to_b", training=False):
        """Translated images (float32, [-1, 1]) for `images` [N, H, W, C] in [-1, 1].

        Args:
            images: array or tensor. Images of the domain `direction` starts from.
            direction: str. "a_to_b" (G) or, for two-way models, "b_to_a".
            training: bool. Run G in training mode (pix2pix's dropout on).

        Returns:
            float32 tensor of the same shape, in [-1, 1].

        Example:
        ```python
        model = keras_gans.get("cyclegan")
        inked = model.translate(white_digits)
        back = model.translate(inked, direction="b_to_a")
        ```
        """
        return ops.cast(self._generator_for(direction)(images, training=training), "float32")

    def _generator_for(self, direction):
        if direction == "a_to_b":
            return self.generator
        if direction == "b_to_a":
            if not self.two_way:
                raise ValueError(
                    f"{type(self).__name__} translates one way (A -> B); direction "
                    "'b_to_a' needs a two-way model such as cyclegan."
                )
            return self.generator_ba
        raise ValueError(f"direction must be 'a_to_b' or 'b_to_a'; got {direction!r}.")

    def generate(self, images, training=False):
        """`translate(images)`: what G gives for domain-A images."""
        return self.translate(images, training=training)

    def _as_inputs(self, images):
        images = np.asarray(images, "float32")
        if images.ndim == 3:
            images = images[None]
        self.check_images(images.shape, where="the input")
        return images

    def sample(self, num=8, seed=None, images=None, direction="a_to_b", batch_size=64):
        """Translations (numpy float32 in [-1, 1]) of `images`.

        Args:
            num: int. How many, when `images` is None: the first `num` test
                images of `default_data` (shuffled by `seed` when given).
            seed: int or None. Shuffles the test images picked when `images`
                is None.
            images: array [N, H, W, C] in [-1, 1] or None.
            direction: str. "a_to_b" or "b_to_a".
            batch_size: int. Images per forward pass.

        Returns:
            numpy float32 `[N, H, W, C]` in [-1, 1].
        """
        if images is None:
            images = self.default_inputs(num, seed, direction)
        images = self._as_inputs(images)
        return batched(lambda x: self.translate(x, direction), [images], batch_size,
                       self.image_shape)

    def default_inputs(self, num=8, seed=None, direction="a_to_b"):
        """`num` test images of `default_data` (domain A, or B for "b_to_a")."""
        from keras_gans import data

        domain = "B" if direction == "b_to_a" else "A"
        images = data.domain_images(self.default_data, domain, "test",
                                    image_size=self.image_shape[0], channels=self.image_shape[2])
        if seed is not None:
            images = images[np.random.default_rng(seed).permutation(len(images))]
        return images[:num]

    def translation_grid(self, images, direction="a_to_b"):
        """`(grid images, ncols)`: see `translation_grid` (the module function)."""
        images = self._as_inputs(images)
        return translation_grid(lambda x, d: self.sample(images=x, direction=d), images,
                                self.two_way, direction)

    def preview_grid(self, num, seed, inputs=None):
        """What `SampleGrid` shows: the translation grid of `inputs` (or of
        `num` test images of `default_data`)."""
        if inputs is None:
            inputs = self.default_inputs(num, seed)
        return self.translation_grid(inputs[:num])

    @classmethod
    def training_data(cls, spec, image_size, batch_size, channels, seed=None, **options):
        """`(A, B)` batches of `spec` (`load_pairs` when the model is `paired`,
        else `load_unpaired`) and 16 domain-A images (the test split, else
        train) for the progress grids; see `GenerativeModel.training_data`."""
        from keras_gans import data

        loader = data.load_pairs if cls.paired else data.load_unpaired
        ds = loader(spec, image_size=image_size, batch_size=batch_size, channels=channels,
                    seed=seed, **options)
        try:
            previews = data.domain_images(spec, "A", "test", image_size=image_size,
                                          channels=channels)
        except (ValueError, FileNotFoundError):
            previews = data.domain_images(spec, "A", "train", image_size=image_size,
                                          channels=channels)
        return ds, previews[:16]

    def example_data(self, batch_size=4, batches=2, seed=0):
        """Random `(A, B)` image batches in [-1, 1], B a fixed function of A
        (for tests and smoke runs)."""
        return random_pair_batches(self.image_shape, batch_size, batches, seed)

    def example_sample_kwargs(self, num, seed=0):
        """`{"images": ...}`: random domain-A inputs to translate."""
        rng = np.random.default_rng(seed)
        return {"images": rng.uniform(-1, 1, (int(num), *self.image_shape)).astype("float32")}

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `evaluate_model` scores: the first `num` test images of
        domain A of `data` (default: `default_data`), translated, and domain
        B's test images.

        Args:
            data: str or None. The data spec.
            num: int. At most this many test inputs.
            seed: int. Unused: the test inputs are taken in order.
            batch_size: int. Inputs per forward pass.
            progress: bool. A progress bar while translating.

        Returns:
            `(fake, real, None, data_spec)`.

        Example:
        ```python
        fake, real, _, spec = keras_gans.get("cyclegan").evaluation_images(num=40)
        ```
        """
        return translator_evaluation_images(self, data, num, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """`keras-gans sample`'s grid: input | output (| reconstruction) for
        `num` (default 8) inputs; `labels` and `vary_code` are refused.

        Args: see `keras_gans.models.GenerativeModel.cli_grid`.

        Returns:
            `(images, ncols, caption)`: see `translator_cli_grid`.

        Example:
        ```python
        tiles, ncols, caption = keras_gans.get("cyclegan").cli_grid(num=4, seed=3)
        ```
        """
        return translator_cli_grid(self, name or f"this {type(self).__name__}", num, seed,
                                   labels, vary_code, inputs, data, direction)

    # --------------------------------------------------------------- serving

    def serving_signatures(self):
        """`serving_default`: `images` [None, H, W, C] float32 in [-1, 1] (domain A)
        -> `{"images": G(images)}`; two-way models add `translate_b_to_a`."""
        spec = [tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")]

        def a_to_b(images):
            return {"images": self.translate(images)}

        signatures = {"serving_default": (a_to_b, spec)}
        if self.two_way:
            def b_to_a(images):
                return {"images": self.translate(images, "b_to_a")}

            signatures["translate_b_to_a"] = (b_to_a, spec)
        return signatures

    def export_metadata(self):
        """What samplers of exported files need to know (written beside them)."""
        return {
            "model": getattr(self, "registry_name", type(self).__name__),
            "task": "translation",
            "image_shape": list(self.image_shape),
            "two_way": self.two_way,
            "default_data": self.default_data,
        }

    # --------------------------------------------------------------- training

    def _check_pair_spec(self, spec):
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2
                and all(isinstance(s, tf.TensorSpec) for s in spec)):
            loader = "load_pairs" if self.paired else "load_unpaired"
            raise ValueError(
                f"{type(self).__name__} trains on (A, B) image batches; the data "
                f"gives {spec}. Use keras_gans.data.{loader}(spec, ...)."
            )
        a, b = (tuple(s.shape) for s in spec)
        if a[1:] != b[1:]:
            raise ValueError(
                f"The two domains have different image shapes: A {a[1:]} and B {b[1:]}. "
                "Load both at the same image_size and channels."
            )
        self.check_images(a, where="domain A")

    def fit(self, x=None, *args, **kwargs):
        spec = getattr(x, "element_spec", None)
        if spec is not None:
            self._check_pair_spec(spec)
            # GAN.fit would check the first element again; it holds.
        return super().fit(x, *args, **kwargs)

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"{type(self).__name__} trains on (A, B) image batches.")
        return tuple(data)

    def generator_inputs(self, batch_size, real):
        """G's inputs are the real images: A (one-way) or (A, B) (two-way)."""
        return real if self.two_way else real[0]

    def generate_fakes(self, generator_inputs):
        if self.two_way:
            a, b = generator_inputs
            return (self.generator(a, training=True), self.generator_ba(b, training=True))
        return self.generator(generator_inputs, training=True)

    def adversarial_d_loss(self, discriminator, real, fake):
        """The chosen loss's D term for one discriminator."""
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(fake, training=True)
        return self.d_loss_fn(real_logits, fake_logits, **self.loss_kwargs(self.d_loss_fn))

    def adversarial_g_loss(self, discriminator, fake):
        """The chosen loss's G term for one discriminator."""
        logits = discriminator(fake, training=True)
        return self.g_loss_fn(logits, **self.loss_kwargs(self.g_loss_fn))

    def discriminator_outputs(self, data):
        """D's outputs on the real B images; two-way, D_A's on the real A images too."""
        a, b = self.unpack(data)
        if self.two_way:
            return {"discriminator": self.discriminator(b, training=False),
                    "discriminator_a": self.discriminator_a(a, training=False)}
        return self.discriminator(b, training=False)

    def discriminator_loss(self, real, fake):
        """D's loss. Two-way: D_A on (A, pooled fake A) plus D_B on (B, pooled fake B)."""
        a, b = real
        if self.two_way:
            fake_b, fake_a = fake
            loss = (self.adversarial_d_loss(self.discriminator_a, a, fake_a)
                    + self.adversarial_d_loss(self.discriminator, b, fake_b))
        else:
            loss = self.adversarial_d_loss(self.discriminator, b, fake)
        return loss, {"d_loss": loss}

    def cycle_terms(self, real, training=True):
        """For two-way models: `(fake_b, fake_a, adversarial G loss, reconstruction
        of A, reconstruction of B)`; the cycle models combine them."""
        a, b = real
        fake_b = self.generator(a, training=training)
        fake_a = self.generator_ba(b, training=training)
        adv = (self.adversarial_g_loss(self.discriminator, fake_b)
               + self.adversarial_g_loss(self.discriminator_a, fake_a))
        rec_a = self.generator_ba(fake_b, training=training)
        rec_b = self.generator(fake_a, training=training)
        return fake_b, fake_a, adv, rec_a, rec_b

    def reconstruction_losses(self, real, distance):
        """`(adversarial G loss, distance(F(G(a)), a), distance(G(F(b)), b))` for
        two-way models that weight the two reconstructions (DiscoGAN, DualGAN)."""
        a, b = real
        _, _, adv, rec_a, rec_b = self.cycle_terms(real)
        return adv, distance(rec_a, a), distance(rec_b, b)

"""The two base classes of every keras-gans model.

`GenerativeModel(keras.Model)` is the root: constructor-config capture (and
the dtype policy on reload), networks passed in by the user and saved in the
config, sampling, serving signatures, EMA over any set of networks, and the
behaviour that depends on what the model makes (preview grids, evaluation
inputs, example data), as methods each kind of model owns.

`GAN(GenerativeModel)` declares its game as data and runs it in one
`train_step`; a model that is not adversarial uses the same loop with steps
of its own (the VAE: one step that trains its encoder and decoder, with the
adversarial arguments in `inapplicable_arguments`):
- `players`: name -> network (generator, discriminator, encoder, classifier,
  ...), each one a constructor argument that replaces its builder;
- `default_optimizers()`: one optimizer per trained group ("d", "g", ...),
  set by `compile(d_optimizer=..., g_optimizer=..., <group>_optimizer=...)`;
- `steps`: an ordered list of `Step`s; each names the players it trains, its
  optimizer group, its loss method, `repeats` (n_critic), `every` (lazy
  regularization, with StyleGAN2's optimizer correction) and an optional
  `when` condition (a phase);
- one saved int64 step counter, `step_counter`, that conditions read;
- `augment` ("diffaugment", "ada"): every image D sees passes through one
  hook, `augment_discriminator_inputs`, in D's step and in G's loss (ADA's p
  is a saved variable, updated after each step).

A model is its wiring plus the loss methods its steps name.
"""

import fnmatch
import functools
import inspect
import math
import numbers
import os

import numpy as np
import tensorflow as tf

import keras
from keras import ops

from keras_gans.cross_replica import (
    assign_where,
    global_mean,
    multi_worker,
    replica_id,
    replicas_in_sync,
    under_strategy,
)


def _adam(lr, beta_1=0.5, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2)


def trainable_variables_of(networks):
    """The trainable variables of a network or of a list of networks (each once).

    Args:
        networks: keras.Model or list of keras.Model. Networks trained together
            (BiGAN's G and E); a variable they share is listed once.

    Returns:
        list of `keras.Variable`, in the networks' order.

    Example:
    ```python
    model = keras_gans.get("bigan")
    variables = keras_gans.models.base.trainable_variables_of([model.generator, model.encoder])
    ```
    """
    if not isinstance(networks, (list, tuple)):
        return list(networks.trainable_variables)
    seen, out = set(), []
    for n in networks:
        for v in n.trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def _float32_outputs(network):
    """`network` with float32 outputs: under a mixed precision policy its last
    layers compute in float16/bfloat16, and losses, samples and exports want
    float32 (a float32 linear Activation is appended to each output)."""
    try:  # functional models only: a subclassed network has no symbolic output
        outputs = keras.tree.flatten(network.output)
    except (AttributeError, ValueError):
        return network
    if all(keras.backend.standardize_dtype(o.dtype) == "float32" for o in outputs):
        return network
    cast = keras.tree.map_structure(
        lambda o: keras.layers.Activation("linear", dtype="float32")(o), network.output)
    return keras.Model(network.input, cast, name=network.name)


def batched(fn, inputs, batch_size, empty_shape=(), progress=False, unit="images"):
    """`fn` over `inputs` in batches, concatenated as float32 numpy: the one
    batching loop of sampling, translating, classifying, encoding and
    evaluation, for models and for the samplers of their saved forms.

    Args:
        fn: callable. Takes one batch of each of `inputs`, returns an array
            or tensor.
        inputs: list of numpy arrays with the same first dimension.
        batch_size: int. Rows per call.
        empty_shape: tuple. The shape of one output row, for zero rows.
        progress: bool. Show a `keras.utils.Progbar`.
        unit: str. The progress bar's unit name.

    Returns:
        numpy float32 array [N, *empty_shape].

    Example:
    ```python
    model = keras_gans.get("dcgan")
    z = np.random.default_rng(0).standard_normal((1000, model.latent_dim), "float32")
    images = keras_gans.models.base.batched(model.generate, [z], 256, model.image_shape)
    ```
    """
    n, size = len(inputs[0]), int(batch_size)
    bar = keras.utils.Progbar(n, unit_name=unit) if progress else None
    out = []
    for i in range(0, n, size):
        out.append(np.asarray(ops.convert_to_numpy(fn(*[x[i : i + size] for x in inputs])),
                              np.float32))
        if bar is not None:
            bar.add(min(size, n - i))
    if not out:
        return np.zeros((0, *empty_shape), "float32")
    return np.concatenate(out, axis=0)


def refuse_translation_flags(name, inputs=None, data=None, direction="a_to_b"):
    """Raises `keras-gans sample`'s error when a generator is given what only
    an image-to-image model takes (input images, a data spec, a direction).

    Args:
        name: str. The model as the message names it (e.g. its path).
        inputs: None or "test" for a generator; anything else is refused.
        data: None for a generator.
        direction: "a_to_b" for a generator.

    Example:
    ```python
    keras_gans.models.base.refuse_translation_flags("dcgan.keras", direction="b_to_a")  # ValueError
    ```
    """
    default_inputs = inputs is None or (isinstance(inputs, str) and inputs == "test")
    if not default_inputs or data is not None or direction != "a_to_b":
        raise ValueError(f"{name} is a generator: --input, --data and --direction are "
                         "for image-to-image models.")


def generator_evaluation_images(source, data=None, num=1000, seed=0, batch_size=250,
                                progress=False, labels=None):
    """What a generator's `evaluation_images` gives: `num` samples and the
    real test images of `data`.

    Shared by the generator models and the samplers of their saved forms
    (`keras_gans.serving`).

    Args:
        source: a generator model or sampler: `latent_dim` and
            `generate(z, labels=None)`.
        data: str or None. The real images' data spec ("digits" when None).
        num: int. Samples.
        seed: int. Seed of the latents z ~ N(0, I).
        batch_size: int. Samples per forward pass.
        progress: bool. A progress bar while sampling.
        labels: int32 numpy `[num]` or None. The class of each sample
            (label-conditional generators).

    Returns:
        `(fake, real, labels, data_spec)`: numpy float32 `[num, H, W, C]` and
        `[M, H, W, C]` in [-1, 1], `labels` as given, and the spec used.

    Example:
    ```python
    fake, real, _, spec = keras_gans.models.base.generator_evaluation_images(model, num=100)
    ```
    """
    from keras_gans.metrics.evaluation import real_images

    spec = data or "digits"
    num = int(num)
    z = np.random.default_rng(seed).standard_normal((num, source.latent_dim)).astype("float32")
    if labels is None:
        fake = batched(source.generate, [z], batch_size, progress=progress, unit="sampled")
    else:
        fake = batched(lambda zb, lb: source.generate(zb, labels=lb), [z, labels], batch_size,
                       progress=progress, unit="sampled")
    real = real_images(spec, "test", image_size=fake.shape[1], channels=fake.shape[-1])
    return fake, real, labels, spec


def generator_cli_grid(source, name, num=None, seed=None, labels=None, vary_code=None,
                       inputs=None, data=None, direction="a_to_b"):
    """What an unconditional generator's `cli_grid` gives: `num` (default 64) samples.

    Shared by the generator models and the samplers of their saved forms.

    Args:
        source: a generator model or sampler: `sample(num, seed=...)`.
        name: str. The model as error messages name it.
        num: int or None. Samples (64 when None).
        seed: int or None. Seed of the latents.
        labels: must be None (the generator is unconditional).
        vary_code: must be None (it has no latent codes).
        inputs: None or "test" (image-to-image only).
        data: None (image-to-image only).
        direction: "a_to_b" (image-to-image only).

    Returns:
        `(images, ncols, caption)`: numpy `[num, H, W, C]`, None (an about
        square grid), and "<num> images".

    Example:
    ```python
    images, ncols, caption = keras_gans.models.base.generator_cli_grid(model, "dcgan", num=16)
    ```
    """
    refuse_translation_flags(name, inputs, data, direction)
    if labels is not None:
        raise ValueError(f"{name} is unconditional: it takes no --labels.")
    if vary_code is not None:
        raise ValueError(f"{name} is not an InfoGAN: --vary-code needs latent codes.")
    images = np.asarray(source.sample(num or 64, seed=seed))
    return images, None, f"{len(images)} images"


def random_image_batches(image_shape, batch_size=8, batches=2, seed=0):
    """A `tf.data.Dataset` of `batches` batches of uniform random images in [-1, 1].

    Args:
        image_shape: tuple. (H, W, C).
        batch_size: int. Images per batch.
        batches: int. Batches.
        seed: int. Seed of the draw.

    Example:
    ```python
    ds = keras_gans.models.base.random_image_batches((16, 16, 1))
    ```
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (batch_size * batches, *image_shape)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)


def network_io_shapes(network):
    """`(input shapes, output shapes)` of a functional network (lists of
    per-tensor shapes without the batch axis), or `(None, None)` for a
    subclassed one.

    Args:
        network: keras.Model. Functional or subclassed.

    Returns:
        `(list of tuple, list of tuple)` or `(None, None)`.

    Example:
    ```python
    g = keras_gans.networks.dcgan_generator((32, 32, 1), latent_dim=64)
    keras_gans.models.base.network_io_shapes(g)  # ([(64,)], [(32, 32, 1)])
    ```
    """
    try:
        ins = [tuple(t.shape[1:]) for t in keras.tree.flatten(network.input)]
        outs = [tuple(t.shape[1:]) for t in keras.tree.flatten(network.output)]
    except (AttributeError, ValueError):
        return None, None
    return ins, outs


class Step:
    """One update of a GAN's train step, declared as data.

    Args:
        name: str. The step's name (in errors and `GAN.steps_run`).
        trains: str or tuple of str. The players whose trainable variables
            this step updates (player names, or names of model methods that
            return networks, such as `generator_step_networks`).
        loss: str. The model method `loss(real) -> (loss, logs)` that the
            step minimizes (`real` is what `unpack` gave).
        optimizer: str. The optimizer group that applies the update
            ("d" -> `model.d_optimizer`).
        repeats: int or str. Updates per train step (n_critic), or the name
            of a model attribute holding it.
        every: int. Run only on train steps whose counter is a multiple of
            `every` (lazy regularization). The optimizer of a lazy step gets
            StyleGAN2's correction at compile: lr * c, beta ** c, with
            c = every / (every + 1).
        when: str or None. A model method returning a boolean tensor: the step
            runs only when it is True (a phase, a growing stage).
        after: str or None. A model method run after each update (weight
            clipping, EMA).
        split_batch: bool or str. With `repeats` > 1, give each update its
            own equal part of the real batch instead of the whole batch (a
            bool, or the name of a model attribute holding it).

    Example:
    ```python
    keras_gans.models.Step("r1", trains="discriminator", loss="r1_loss",
                           optimizer="d", every=16)
    ```
    """

    def __init__(self, name, trains, loss, optimizer, repeats=1, every=1, when=None,
                 after=None, split_batch=False):
        self.name = str(name)
        self.trains = (trains,) if isinstance(trains, str) else tuple(trains)
        self.loss = loss
        self.optimizer = str(optimizer)
        self.repeats = repeats
        self.every = int(every)
        if self.every < 1:
            raise ValueError(f"Step {name!r}: every must be >= 1; got {every}.")
        self.when = when
        self.after = after
        self.split_batch = split_batch

    def __repr__(self):
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in ("repeats", "every", "when", "after")
                        if getattr(self, k) not in (1, None))
        if self.split_batch:
            extra += f", split_batch={self.split_batch!r}"
        return (f"Step({self.name!r}, trains={self.trains!r}, loss={self.loss!r}, "
                f"optimizer={self.optimizer!r}{extra})")


class OptimizerGroup:
    """What `model.optimizer` is for a GAN: its optimizers, one per group.

    Keras' own `LearningRateScheduler` and `ReduceLROnPlateau` act on every
    optimizer in `optimizers`; `keras_gans.callbacks` has versions of the two
    that act only on the groups named. `iterations` is the model's step
    counter (what TensorBoard's step reads).

    Args:
        model: keras_gans.models.GAN. The compiled GAN.
        names: tuple of str or None. The groups to expose (all when None).

    Example:
    ```python
    model = keras_gans.get("wgan_gp")
    model.compile()
    model.optimizer                       # OptimizerGroup(d, g)
    model.optimizer.learning_rate = 5e-5  # sets it on both
    ```
    """

    built = True

    def __init__(self, model, names=None):
        self._model = model
        self.names = tuple(model.optimizer_names if names is None else names)
        unknown = set(self.names) - set(model.optimizer_names)
        if unknown:
            raise ValueError(
                f"{type(model).__name__} has no optimizer group {sorted(unknown)}; its groups "
                f"are {list(model.optimizer_names)}.")

    @property
    def optimizers(self):
        return [self._model.optimizers[n] for n in self.names]

    @property
    def iterations(self):
        return self._model.step_counter

    @property
    def learning_rate(self):
        return self.optimizers[0].learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        for opt in self.optimizers:
            opt.learning_rate = value

    def build(self, variables=None):
        """Optimizers are built in `GAN.compile`; nothing to do."""

    def __repr__(self):
        return f"OptimizerGroup({', '.join(self.names)})"


# ------------------------------------------------------ constructor arguments
#
# Every constructor argument of every model is checked when the model is
# built (`GenerativeModel.check_arguments`, called from `__new__`): its type
# comes from its default value over the class's MRO, its range from the name
# rules of `GenerativeModel.argument_rules` and of the class's bases.

#: Range kinds of the name rules: kind -> (test of one number, words; "{t}"
#: is the type: "int", "number", ...).
ARGUMENT_RANGES = {
    "positive": (lambda v: v > 0, "positive {t}"),
    "non_negative": (lambda v: v >= 0, "non-negative {t}"),
    "rate": (lambda v: 0 <= v <= 1, "{t} in [0, 1]"),
    "decay": (lambda v: 0 <= v <= 1, "decay in [0, 1] (e.g. 0.999)"),
    "any": (lambda v: True, "{t}"),
}

#: Arguments every `keras.Model` takes (not checked here).
_KERAS_ARGUMENTS = frozenset(
    set(inspect.signature(keras.Layer.__init__).parameters) - {"self", "kwargs"}
    | {"input_shape", "input_dim", "batch_input_shape", "batch_size"})


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_number(v):
    return (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
            and math.isfinite(float(v)))


#: What a type derived from a default accepts: type -> (test, noun).
_ARGUMENT_TYPES = {
    int: (_is_int, "int"),
    float: (_is_number, "number"),
    bool: (lambda v: isinstance(v, (bool, np.bool_)), "bool (True or False)"),
    str: (lambda v: isinstance(v, str), "string"),
    dict: (lambda v: isinstance(v, dict), "dict"),
    tuple: (lambda v: isinstance(v, (tuple, list, np.ndarray, tf.TensorShape))
            and all(_is_int(e) for e in v), "tuple/list of ints"),
}


def _type_of_default(default):
    """The argument type a default value implies (None: unchecked)."""
    if isinstance(default, bool):
        return bool
    if _is_int(default):
        return int
    if isinstance(default, numbers.Real):
        return float
    if isinstance(default, str):
        return str
    if isinstance(default, dict):
        return dict
    if isinstance(default, (tuple, list)) and default and all(_is_int(d) for d in default):
        return tuple
    return None


def _article(words):
    return ("an " if words[:1] in "aeiou" else "a ") + words


@functools.lru_cache(maxsize=None)
def _argument_table(cls):
    """`(defaults, rules)` of a model class: name -> default over the MRO
    (the most derived constructor's), and the ordered (pattern, rule) pairs
    of its own and its bases' `argument_rules`."""
    defaults, rules = {}, []
    for klass in cls.__mro__:
        if klass in keras.Model.__mro__:
            continue
        init = vars(klass).get("__init__")
        if init is not None:
            for p in inspect.signature(init).parameters.values():
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                    defaults.setdefault(p.name, p.default)
        rules.extend(vars(klass).get("argument_rules", {}).items())
    refused = getattr(cls, "refused_arguments", None)
    for name in (refused() if refused is not None else getattr(cls, "inapplicable_arguments", ())):
        defaults.pop(name, None)
    return defaults, tuple(rules)


def _rule_message(name, value, kind, rng, allows_none):
    """The error for an argument that breaks its rule: "<name> must be <...>; got <value>."."""
    test, noun = _ARGUMENT_TYPES[kind]
    words = ARGUMENT_RANGES[rng][1]
    if kind is tuple:
        what = "tuple/list of " + words.format(t="ints")
    elif kind in (int, float):
        what = words.format(t=noun)
    else:
        what = noun
    what = _article(what) + (" or None" if allows_none else "")
    return f"{name} must be {what}; got {value!r}."


def _argument_rule(cls, name):
    """`(default, kind, choices, rule)` of `cls`'s constructor argument `name`:
    its default over the MRO (`inspect.Parameter.empty` if none), the type
    checked (None: unchecked), the string choices of its rule (or None) and
    the rule itself (a key of `ARGUMENT_RANGES` when there are no choices)."""
    defaults, rules = _argument_table(cls)
    default = defaults.get(name, inspect.Parameter.empty)
    rule = next((r for pattern, r in rules if fnmatch.fnmatchcase(name, pattern)), "any")
    kind = None if default is inspect.Parameter.empty else _type_of_default(default)
    if isinstance(rule, tuple) and len(rule) == 2 and isinstance(rule[0], type):
        declared, rule = rule  # the type of an argument whose default is None
        kind = kind or declared
    choices = rule() if callable(rule) else rule if isinstance(rule, (tuple, list)) else None
    return default, kind, choices, rule


def spelled_none_as_choice(cls, config):
    """`config` with None read as the choice "none" for each argument of `cls`
    that takes "none" among its string choices and has no None of its own
    (`d_normalization`, ...). `--set NAME=none` reads None (`setting_value`),
    which such an argument would refuse.

    Args:
        cls: type. A `GenerativeModel` subclass.
        config: dict. Constructor argument name -> value.

    Returns:
        dict. A copy of `config`.

    Example:
    ```python
    keras_gans.models.base.spelled_none_as_choice(
        keras_gans.models.BEGAN, {"g_normalization": None})  # {"g_normalization": "none"}
    ```
    """
    config = dict(config)
    for name, value in config.items():
        if value is None:
            default, _, choices, _ = _argument_rule(cls, name)
            if default is not None and choices is not None and "none" in choices:
                config[name] = "none"
    return config


def check_argument(cls, name, value):
    """Raises `ValueError("<name> must be ...; got ...")` when `value` breaks
    the rule of `cls`'s constructor argument `name`.

    The type comes from the argument's default over the MRO (int, bool,
    float: any finite number, str, dict, tuple of ints: a tuple or list of
    ints; None: unchecked unless a rule gives `(type, range)`); the range
    and choices from the first of `cls`'s `argument_rules` (its own, then
    its bases') whose pattern matches `name`.

    Args:
        cls: type. A `GenerativeModel` subclass.
        name: str. A constructor argument.
        value: the value given.

    Example:
    ```python
    keras_gans.models.base.check_argument(keras_gans.models.DCGAN, "g_width", "abc")  # ValueError
    ```
    """
    default, kind, choices, rule = _argument_rule(cls, name)
    allows_none = default is None
    if value is None and allows_none:
        return
    if choices is not None:
        if kind in (None, str) and not (isinstance(value, str) and value in choices):
            hint = next((c.__dict__["argument_hints"][name] for c in cls.__mro__
                         if name in c.__dict__.get("argument_hints", {})), "")
            raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; "
                             f"got {value!r}.{' ' + hint if hint else ''}")
        return
    if kind is None:
        return
    test, _ = _ARGUMENT_TYPES[kind]
    in_range = ARGUMENT_RANGES[rule][0]
    try:
        ok = test(value)
    except TypeError:  # e.g. a 0-d array for a tuple
        ok = False
    if ok and kind in (int, float):
        ok = in_range(value)
    elif ok and kind is tuple:
        ok = all(in_range(e) for e in value)
        if name == "image_shape":
            ok = ok and len(value) == 3
    if not ok:
        if name == "image_shape":
            raise ValueError(f"image_shape must be (height, width, channels), three positive "
                             f"ints; got {value!r}.")
        raise ValueError(_rule_message(name, value, kind, rule, allows_none))


def _loss_names():
    from keras_gans import losses

    return tuple(losses.names()) + tuple(losses.RELATIVISTIC_PAIRS)


#: `GAN(augment=...)`'s choices (None: no augmentation).
AUGMENT_CHOICES = ("diffaugment", "ada")
#: The constructor arguments of augmentation (refused together).
AUGMENT_ARGUMENTS = ("augment", "ada_target", "ada_kimg", "ada_interval", "ada_ops")
#: What a GAN with `augment="ada"` logs besides its losses: p, and the mean
#: of sign(D(real)) of each step (r_t).
ADA_METRICS = ("ada_p", "ada_rt")


def physical_memory():
    """Bytes of physical memory of this machine (None where unknown)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


class GenerativeModel(keras.Model):
    """The root of every keras-gans model: config, networks, sampling, serving, EMA.

    Subclasses set their networks with `set_players` and describe what they
    make through the methods below. A model that is not a GAN (an
    autoencoder, PixelCNN) subclasses this class and trains with Keras' own
    `compile(optimizer=..., loss=...)` and `fit`.

    Args:
        image_shape: tuple. (H, W, C) of the images, in [-1, 1].
        latent_dim: int. Size of the latent vector z ~ N(0, I).
        ema: float or None. Keep an exponential moving average of the
            `ema_players` with this decay (e.g. 0.999); sampling and exports
            use the averages.
        ema_rampup: float or None. Ramp the average's half-life up with
            training (Karras et al. 2020's ramp-up, in steps): after t
            updates the half-life is min(h, ema_rampup * t) steps, h being
            `ema`'s half-life ln(0.5) / ln(ema), so that a short run's average
            is not still mostly the first weights. StyleGAN2 uses 0.05.
            Needs a model with a step counter (every `GAN`). None: no ramp.
        ema_start: int or None. Train steps before the average starts
            (BigGAN: 20,000): until then every update copies the weights
            (decay 0), and the ramp-up's t counts from here. Needs a step
            counter. None: from the first step.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
    ```python
    class AE(keras_gans.models.GenerativeModel):
        def __init__(self, image_shape=(16, 16, 1), latent_dim=8, **kw):
            super().__init__(image_shape, latent_dim, **kw)
            self.set_players(encoder=enc, generator=dec)
        def call(self, x):
            return self.generator(self.encoder(x))
    ```
    """

    #: What the model makes: "generation" (z -> images) or "translation"
    #: (images -> images). Written into export metadata; code outside
    #: `models/` asks the model's methods instead of this.
    task = "generation"
    #: Player names a constructor takes in place of their builders.
    player_names = ("generator",)
    #: Players the `ema` average is kept for.
    ema_players = ("generator",)
    #: Data spec `keras-gans train` uses when none is given.
    default_data = "digits"
    #: Batch size `keras-gans train` uses when none is given.
    default_batch_size = 64
    #: Constructor overrides `keras-gans train` applies for a data spec.
    data_presets = {}
    #: What `num` of `evaluation_images` counts ("samples"; translators:
    #: "inputs"), for `keras-gans evaluate`'s message.
    evaluation_unit = "samples"
    #: Whether the share of the data's classes among its samples (class
    #: coverage) judges the model: a generator should draw every class; a
    #: translator's outputs follow its inputs' classes.
    judged_by_class_coverage = True
    #: RGB of this kind of model in benchmark plots (generators red); the
    #: green channel is varied per model.
    plot_color = (200, 0, 40)
    #: The image sizes the model's networks take (`check_image_shape`):
    #: "conv" (square, a side in `keras_gans.networks.common.SUPPORTED_SIZES`:
    #: 3 to 7 times a power of two, from 8 to 256),
    #: "any" (MLPs) or an int k (H and W multiples of k).
    image_sizes = "conv"
    #: Arguments of a base class's constructor that this model does not take
    #: (a VAE has no adversarial `loss` or `n_critic`): `check_arguments`
    #: refuses them and `constructor_arguments` does not list them.
    inapplicable_arguments = ()
    #: Name rules of constructor arguments: fnmatch pattern -> range kind
    #: (a key of `ARGUMENT_RANGES`: "positive", "non_negative", "rate",
    #: "decay", "any"), a tuple of choices (or a function returning them), or
    #: `(type, kind)` for an argument whose default is None. The type of an
    #: argument comes from its default (see `check_argument`). A subclass
    #: declares only its special arguments in its own `argument_rules`; they
    #: come before its bases' rules, and the first match wins.
    #: What to do instead, added to the error of an argument that is not one
    #: of its choices: argument name -> a sentence (a subclass's own first).
    argument_hints = {}
    argument_rules = {
        "image_shape": "positive",
        "ema": (float, "decay"),
        "ema_rampup": (float, "non_negative"),
        "ema_start": (int, "non_negative"),
        "seed": (int, "any"),
        "reference_seed": "any",
        "embed_dim": (int, "positive"),
        "depth": (int, "positive"),
        "num_blocks": (int, "positive"),
        "identity_weight": (float, "non_negative"),
        "feature_layer": (str, "any"),
        "loss_args": (dict, "any"),
        "downsamplings": "non_negative",
        "pool_size": "non_negative",
        "num_categories": "non_negative",
        "num_continuous": "non_negative",
        "*_steps": "non_negative",
        "*_start": "non_negative",
        "*_width": "positive",
        "*_dim": "positive",
        "*_units": "positive",
        "*filters": "positive",
        "*_layers": "positive",
        "n_critic": "positive",
        "num_*": "positive",
        "*repeats": "positive",
        "*_size": "positive",
        "power_iterations": "positive",
        "*learning_rate": "positive",
        "*_lr": "positive",
        "clip_value": "positive",
        "margin": "positive",
        "*dropout": "rate",
        "*_rate": "rate",
        "label_smoothing": "rate",
        "real_target": "rate",
        "alpha": "rate",
        "k_0": "rate",
        "*_weight": "non_negative",
        "gamma": "non_negative",
        "lambda_*": "non_negative",
    }

    def __new__(cls, *args, **kwargs):
        # keras.Model.__new__ drops the constructor arguments before Keras'
        # automatic config sees them, so record them here: a model's config is
        # exactly the arguments it was built with (plus the defaults).
        instance = super().__new__(cls, *args, **kwargs)
        sig = inspect.signature(cls.__init__)
        bound = sig.bind(None, *args, **kwargs)
        bound.apply_defaults()
        config = dict(bound.arguments)
        config.pop(next(iter(sig.parameters)))  # self
        for name, p in sig.parameters.items():
            if p.kind == inspect.Parameter.VAR_KEYWORD:
                config.update(config.pop(name, {}))
        config.pop("name", None)
        cls.check_arguments(config)
        if not any(config.get(p) is not None for p in cls.player_names):
            cls.check_memory(config.get("image_shape", _argument_table(cls)[0].get("image_shape")),
                             config)
        # Kept out of Keras' attribute tracking: it may hold the user's networks.
        vars(instance)["_constructor_config"] = config
        return instance

    # ------------------------------------------------- constructor arguments

    @classmethod
    def constructor_arguments(cls):
        """The names the constructor takes (its own and its bases'), sorted."""
        return sorted(_argument_table(cls)[0])

    @classmethod
    def refused_arguments(cls):
        """Arguments of a base class's constructor that this model does not
        take: name -> why (None: `inapplicable_arguments`, refused as unknown).
        `check_arguments` refuses them (a None value of one with a reason
        passes) and `constructor_arguments` does not list them.

        Example:
        ```python
        keras_gans.models.BEGAN.refused_arguments()["augment"]  # why BEGAN takes no augment
        ```
        """
        return {name: None for name in cls.inapplicable_arguments}

    @classmethod
    def default_arguments(cls, preset=True, **config):
        """The constructor arguments `cls` is built with: its defaults over the
        MRO, then its registry preset (when `preset` and `cls` is registered),
        then `config`.

        Args:
            preset: bool. Apply the registered preset (`keras_gans.get`'s
                defaults).
            **config: constructor arguments given.

        Returns:
            dict. Argument name -> value (arguments with no default left out).

        Example:
        ```python
        keras_gans.models.DCGAN.default_arguments()["g_width"]  # 32: the preset
        ```
        """
        out = {k: v for k, v in _argument_table(cls)[0].items()
               if v is not inspect.Parameter.empty}
        name = vars(cls).get("registry_name")
        if preset and name is not None:
            from keras_gans import registry

            out.update(registry.entry(name).defaults)
        out.update(config)
        return out

    @classmethod
    def check_arguments(cls, config):
        """Raises a ValueError that says what was expected when a constructor
        argument in `config` is unknown or breaks its rule (see
        `check_argument` and `argument_rules`); `keras_gans.get`, `--set` and
        direct construction all pass here.

        Args:
            config: dict. Constructor argument name -> value.

        Example:
        ```python
        keras_gans.models.DCGAN.check_arguments({"g_width": "abc"})
        # ValueError: g_width must be a positive int; got 'abc'.
        ```
        """
        defaults, _ = _argument_table(cls)
        refused = cls.refused_arguments()
        for name, value in config.items():
            if name not in defaults:
                if name in _KERAS_ARGUMENTS or name in cls.player_names:
                    continue
                if refused.get(name) is not None:
                    if value is None:  # "none of it": what the model does anyway
                        continue
                    raise ValueError(f"{cls.__name__} does not take {name}: {refused[name]}")
                raise ValueError(f"{cls.__name__} has no argument {name!r}; it takes: "
                                 f"{', '.join(cls.constructor_arguments())}.")
            check_argument(cls, name, value)

    @classmethod
    def check_image_shape(cls, image_shape, **config):
        """Refuses, before anything is built, an image shape this model cannot
        be built or trained at: one its networks don't take (`image_sizes`,
        the rule of `keras_gans.networks.common.check_model_image_shape`), or
        one whose estimated memory is more than this machine has.

        Args:
            image_shape: tuple. (H, W, C).
            **config: constructor arguments (overrides of the preset) the
                estimate uses; checked like the constructor's.

        Returns:
            tuple of int. `(H, W, C)`.

        Example:
        ```python
        keras_gans.models.DCGAN.check_image_shape((4096, 4096, 1))
        # ValueError: DCGAN: Unsupported image size 4096x4096: ... in [8, 10, ..., 256] ...
        ```
        """
        from keras_gans.networks.common import check_model_image_shape

        config = {k: v for k, v in config.items() if k not in ("image_shape", "name")}
        cls.check_arguments(config)
        try:
            shape = check_model_image_shape(image_shape, cls.image_sizes)
        except ValueError as e:
            raise ValueError(f"{cls.__name__}: {e}") from None
        cls.check_memory(shape, config, preset=True)
        return shape

    @classmethod
    def estimate_memory(cls, image_shape, batch_size=None, **config):
        """A rough lower bound of the bytes one training step at `image_shape`
        takes: float32 maps of the batch at full resolution, the images
        and G's output (C channels each) and one feature map as wide as the
        model's narrowest `*_width`/`*filters` argument (with their gradients).
        Models whose size grows faster (MLPs) override it.

        Args:
            image_shape: tuple. (H, W, C).
            batch_size: int or None. Images per step (`default_batch_size`).
            **config: the constructor arguments (see `default_arguments`).

        Returns:
            int. Bytes.
        """
        h, w, c = (int(s) for s in image_shape)
        widths = [v for k, v in config.items()
                  if (k.endswith("width") or k.endswith("filters")) and _is_int(v)]
        batch = int(batch_size or cls.default_batch_size)
        return 2 * 4 * batch * h * w * (2 * c + (min(widths) if widths else 0))

    @classmethod
    def check_memory(cls, image_shape, config=None, preset=False):
        """Refuses an image shape whose `estimate_memory` is more than this
        machine's physical memory (`os.sysconf`), with the estimate.

        Args:
            image_shape: tuple. (H, W, C).
            config: dict or None. Constructor arguments.
            preset: bool. Estimate with the registry preset under `config`.

        Example:
        ```python
        keras_gans.models.VanillaGAN.check_memory((4096, 4096, 1))  # ValueError: ... GiB
        ```
        """
        if image_shape is None:
            return
        try:
            shape = tuple(int(s) for s in image_shape)
        except (TypeError, ValueError):
            return  # the form is check_arguments' and the builders' to refuse
        total = physical_memory()
        if len(shape) != 3 or not total:
            return
        arguments = cls.default_arguments(preset=preset, **(config or {}))
        arguments.pop("image_shape", None)
        need = cls.estimate_memory(shape, **arguments)
        if need > total:
            raise ValueError(
                f"{cls.__name__} at {shape[0]}x{shape[1]}x{shape[2]} would need about "
                f"{need / 2**30:,.1f} GiB to train, more than this machine's "
                f"{total / 2**30:,.1f} GiB of memory: use smaller images "
                "(e.g. --image-size 32) or narrower networks.")

    def __init__(self, image_shape=(32, 32, 1), latent_dim=100, ema=None, ema_rampup=None,
                 ema_start=None, **kwargs):
        given = {n: kwargs.pop(n) for n in list(kwargs) if n in self.player_names}
        super().__init__(**kwargs)
        if ema is not None and not 0.0 <= float(ema) <= 1.0:
            raise ValueError(f"ema must be a decay in [0, 1] (e.g. 0.999) or None; got {ema!r}.")
        if ema_rampup is not None and ema is None:
            raise ValueError("ema_rampup ramps up the EMA of ema=...: give ema as well "
                             "(e.g. ema=0.999, ema_rampup=0.05), or leave ema_rampup None.")
        self.ema_decay = None if ema is None else float(ema)
        self.ema_rampup = None if ema_rampup is None else float(ema_rampup)
        if ema_start is not None and ema is None:
            raise ValueError("ema_start delays the EMA of ema=...: give ema as well "
                             "(e.g. ema=0.9999, ema_start=20000), or leave ema_start None.")
        self.ema_start = None if ema_start is None else int(ema_start)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.latent_dim = int(latent_dim)
        self._player_order = []
        vars(self)["_given_players"] = {}
        for name, net in given.items():
            if net is None:
                continue
            if not isinstance(net, keras.Model):
                raise ValueError(
                    f"{name} must be a keras.Model (functional or subclassed); got "
                    f"{type(net).__name__}.")
            self._given_players[name] = net
        self.infer_shapes(self._given_players)

    # ------------------------------------------------------------ players

    def infer_shapes(self, given):
        """Takes `image_shape` and `latent_dim` from the user's functional
        generator (its first input is z, its output the images)."""
        g = given.get("generator")
        if g is None:
            return
        ins, outs = network_io_shapes(g)
        if ins is None:
            return
        if len(outs) == 1 and len(outs[0]) == 3 and None not in outs[0]:
            self.image_shape = tuple(int(d) for d in outs[0])
        if len(ins[0]) == 1 and ins[0][0] is not None and self.latent_dim:
            self.latent_dim = int(ins[0][0])
        config = self._constructor_config
        for key in ("image_shape", "latent_dim"):
            if key in config:
                config[key] = list(getattr(self, key)) if key == "image_shape" else getattr(self, key)

    def set_players(self, **players):
        """Attaches the model's networks, by player name, and marks it built.

        Each value is a network, a list of networks (N discriminators) or a
        zero-argument builder of either; a network the user
        passed to the constructor under the same name replaces it (the
        builder is then not called). Networks get float32 outputs under mixed
        precision.

        Args:
            **players: name -> keras.Model, list of keras.Model, or a
                zero-argument callable that builds one.
        """
        for name, net in players.items():
            if name in self._given_players:
                net = self._given_players[name]
            elif callable(net) and not isinstance(net, keras.Layer):
                net = net()
            if isinstance(net, (list, tuple)):  # a player that is several networks
                net = [_float32_outputs(n) for n in net]
            else:
                net = _float32_outputs(net)
            setattr(self, name, net)
            if name not in self._player_order:
                self._player_order.append(name)
        self.check_players()
        for name in self.ema_players:
            if self.ema_decay is not None and name in players:
                net = getattr(self, name)
                clone = keras.models.clone_model(net)
                clone.set_weights(net.get_weights())
                setattr(self, f"ema_{name}", clone)
        self.built = True

    @property
    def players(self):
        """dict: player name -> network, in the order they were attached."""
        return {n: getattr(self, n) for n in self._player_order}

    def check_players(self):
        """Raises a clear error when the networks don't fit together; the
        base checks the generator's output against `image_shape`."""
        g = self.players.get("generator")
        if g is None or "generator" not in self._given_players:
            return
        _, outs = network_io_shapes(g)
        if outs is not None and tuple(outs[0]) != self.image_shape:
            raise ValueError(
                f"The generator outputs images of shape {tuple(outs[0])} but "
                f"{type(self).__name__} expects {self.image_shape} (image_shape)."
            )

    def sampling_network(self, name="generator"):
        """The network sampling and exports use: its EMA when `ema` is set."""
        if self.ema_decay is not None and name in self.ema_players:
            return getattr(self, f"ema_{name}")
        return getattr(self, name)

    @property
    def sampling_generator(self):
        """The G that sampling and exports use: the EMA of G when `ema` is set."""
        return self.sampling_network("generator")

    def ema_decay_now(self):
        """The decay this step's EMA update uses: `ema`, or with `ema_rampup`
        the decay of half-life min(h, ema_rampup * t) steps after t updates
        (t counts this one; h is `ema`'s half-life); with `ema_start`, 0
        (a copy of the weights) before that step, and t counted from it."""
        d = self.ema_decay
        start = getattr(self, "ema_start", None)
        if (self.ema_rampup is None and not start) or d <= 0.0:
            return d
        counter = getattr(self, "step_counter", None)
        if counter is None:
            raise ValueError(f"{type(self).__name__} has no step counter, so ema_rampup and "
                             "ema_start cannot know how far training is; leave them None.")
        decay = d
        if self.ema_rampup is not None:
            half_life = math.inf if d >= 1.0 else math.log(0.5) / math.log(d)
            t = ops.cast(counter + 1 - (start or 0), "float32")
            h_now = ops.minimum(ops.cast(half_life, "float32"), self.ema_rampup * t)
            decay = ops.where(h_now > 0, ops.power(0.5, 1.0 / ops.maximum(h_now, 1e-8)), 0.0)
        if start:
            decay = ops.where(counter < start, 0.0, decay)
        return decay

    def update_ema(self):
        """ema <- decay * ema + (1 - decay) * net for every EMA player
        (`ema_decay_now`); non-trainable buffers (BatchNorm statistics) are
        copied."""
        if self.ema_decay is None:
            return
        d = self.ema_decay_now()
        for name in self.ema_players:
            if name not in self._player_order:
                continue
            net, ema = getattr(self, name), getattr(self, f"ema_{name}")
            for e, w in zip(ema.trainable_variables, net.trainable_variables):
                e.assign(d * e + (1.0 - d) * w)
            for e, w in zip(ema.non_trainable_variables, net.non_trainable_variables):
                e.assign(w)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------ config I/O

    def get_config(self):
        config = {}
        for key, value in self._constructor_config.items():
            if isinstance(value, keras.Layer):
                value = keras.saving.serialize_keras_object(value)
            config[key] = value
        config.update(
            name=self.name,
            trainable=self.trainable,
            dtype=keras.dtype_policies.serialize(self.dtype_policy),
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in cls.player_names:
            value = config.get(name)
            if isinstance(value, dict) and "class_name" in value:
                config[name] = keras.saving.deserialize_keras_object(value)
        # The networks are built under the global dtype policy: make it the
        # saved model's (e.g. mixed_bfloat16) while they are built, so a
        # mixed precision model reloads as one.
        policy = config.get("dtype")
        name = keras.dtype_policies.get(policy).name if policy is not None else None
        previous = keras.config.dtype_policy()
        if name is None or name == previous.name:
            return cls(**config)
        keras.config.set_dtype_policy(name)
        try:
            return cls(**config)
        finally:
            keras.config.set_dtype_policy(previous)

    # -------------------------------------------------------------- sampling

    def generate(self, z, training=False):
        """Images in [-1, 1] for latent vectors `z` ([N, latent_dim]).

        Args:
            z: array or tensor `[N, latent_dim]`.
            training: bool. Run G in training mode.

        Returns:
            float32 tensor `[N, H, W, C]`.
        """
        return ops.cast(self.sampling_generator(z, training=training), "float32")

    def preview(self, z):
        """Images a progress grid shows for latents `z`: `generate(z)` here;
        conditional models cycle through their classes or codes."""
        return self.generate(z)

    def sample(self, num, seed=None, batch_size=256):
        """Returns `num` generated images as a float32 numpy array in [-1, 1].

        Args:
            num: int. How many images.
            seed: int or None. Same seed, same images (for the same weights).
            batch_size: int. Images generated per forward pass.

        Returns:
            numpy float32 `[num, H, W, C]` in [-1, 1].

        Example:
        ```python
        model = keras_gans.get("dcgan")
        images = model.sample(16, seed=0)
        keras_gans.images.save_grid(images, "samples.png")
        ```
        """
        z = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        return batched(self.generate, [z.astype("float32")], batch_size, self.image_shape)

    def preview_grid(self, num, seed, inputs=None):
        """What a progress grid (`keras_gans.callbacks.SampleGrid`) shows.

        Args:
            num: int. Images.
            seed: int or None. Seed of the latents.
            inputs: ignored by generators (translators take input images).

        Returns:
            `(images, ncols)`: numpy [num, H, W, C] in [-1, 1], and the grid's
            columns (None: about square).
        """
        z = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        return ops.convert_to_numpy(self.preview(z.astype("float32"))), None

    @classmethod
    def training_data(cls, spec, image_size, batch_size, channels, seed=None, **options):
        """What `keras_gans.training.run` trains on for a data spec.

        Args:
            spec: str. A `keras_gans.data` spec ("digits", "folder:PATH", ...).
            image_size: int. Side of the images.
            batch_size: int. Batch size.
            channels: int. 1 or 3.
            seed: int or None. Seed of the shuffle.
            **options: further `keras_gans.data.load` options (labels,
                labelled, epoch order, ...).

        Returns:
            `(dataset, preview_inputs)`: the `tf.data.Dataset`, and the inputs
            progress grids show (None for a generator: it samples z).

        Example:
        ```python
        ds, _ = keras_gans.models.DCGAN.training_data("digits", 32, 64, 1)
        ```
        """
        from keras_gans import data

        ds = data.load(spec, image_size=image_size, batch_size=batch_size, channels=channels,
                       seed=seed, **options)
        return ds, None

    def example_data(self, batch_size=8, batches=2, seed=0):
        """A small `tf.data.Dataset` of random training batches this model
        takes (for tests and smoke runs): images in [-1, 1] here."""
        return random_image_batches(self.image_shape, batch_size, batches, seed)

    def example_sample_kwargs(self, num, seed=0):
        """Keyword arguments `sample(num, seed, **kwargs)` needs besides its
        count and seed (for tests and smoke runs): none for a generator."""
        return {}

    def evaluation_images(self, data=None, num=1000, seed=0, batch_size=250, progress=False):
        """The images `keras_gans.metrics.evaluation.evaluate_model` scores.

        A generator draws `num` samples (z from `seed`) and compares them
        with the real test images of `data`; conditional generators cycle
        through their classes, translators translate test inputs.

        Args:
            data: str or None. The real images' data spec ("digits" when None).
            num: int. Samples.
            seed: int. Seed of the latents.
            batch_size: int. Samples per forward pass.
            progress: bool. A progress bar while sampling.

        Returns:
            `(fake, real, labels, data_spec)`: numpy float32 images in
            [-1, 1], the class of each fake (int32 `[num]`, or None when the
            model draws no classes), and the data spec used.

        Example:
        ```python
        fake, real, labels, spec = keras_gans.get("dcgan").evaluation_images(num=100)
        ```
        """
        return generator_evaluation_images(self, data, num, seed, batch_size, progress)

    def cli_grid(self, num=None, seed=None, labels=None, vary_code=None, inputs=None, data=None,
                 direction="a_to_b", name=None):
        """The grid `keras-gans sample` writes, with the CLI's errors for
        flags that don't apply to this kind of model.

        A generator draws `num` (default 64) samples; conditional generators
        draw a row per label, InfoGAN sweeps a code, translators show input,
        output (and reconstruction) side by side.

        Args:
            num: int or None. Images (generators), images per row
                (conditional), rows (InfoGAN sweep) or inputs (translators).
            seed: int or None. Seed of the latents (or of the inputs' order).
            labels: list of int or None. `--labels`: a row per class.
            vary_code: int or None. `--vary-code`: the InfoGAN code to sweep.
            inputs: None, "test", an image file or folder, or an array.
                `--input`: what a translator translates.
            data: str or None. `--data`: the spec of a translator's test inputs.
            direction: str. `--direction`: "a_to_b" or "b_to_a".
            name: str or None. The model as error messages name it (the
                CLI passes its path); "this <class>" when None.

        Returns:
            `(images, ncols, caption)`: numpy float32 in [-1, 1], the grid's
            columns (None: about square), and what it shows ("64 images",
            "8 translations").

        Example:
        ```python
        images, ncols, caption = keras_gans.get("dcgan").cli_grid(num=16, seed=0)
        ```
        """
        return generator_cli_grid(self, name or f"this {type(self).__name__}", num, seed,
                                  labels, vary_code, inputs, data, direction)

    # --------------------------------------------------------------- serving

    def serving_signatures(self):
        """Signatures that `keras_gans.export` writes: name -> (fn, input specs).

        `serving_default` maps `z` float32 [None, latent_dim] to
        `{"images": float32 [None, H, W, C] in [-1, 1]}`.
        """

        def serving_default(z):
            return {"images": self.generate(z)}

        spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        return {"serving_default": (serving_default, [spec])}

    # ------------------------------------------------------------- checks

    def check_images(self, shape, where="the data"):
        """Raises a clear error if images of `shape` ([B?, H, W, C]) don't fit.

        The error says how to get images that fit: build the model at the
        data's shape when the model takes it, or else load (or pad/resize)
        the data at the model's size.

        Args:
            shape: tuple. The images' shape, with or without the batch axis.
            where: str. Names the images in the error.
        """
        shape = tuple(shape)
        got = tuple(None if s is None else int(s) for s in shape[-3:])
        if len(shape) >= 3 and all(g is None or g == e for g, e in zip(got, self.image_shape)):
            return
        raise ValueError(self.image_shape_advice(got, where))

    def image_shape_advice(self, got, where="the data"):
        """The one-line error for images of shape `got` ((H, W, C)) that this
        model was not built for, with a fix that works."""
        cls = type(self)
        name, (h, w, c) = cls.__name__, self.image_shape
        text = f"{where} has images of shape {got} but this {name} was built for {self.image_shape}"
        buildable = len(got) == 3 and None not in got
        if buildable:
            try:
                cls.check_image_shape(got)
            except ValueError:
                buildable = False
        if buildable:
            return (f"{text}. Build the model with image_shape={got} or load the data with "
                    f"image_size={h} and channels={c}.")
        if len(got) == 3 and tuple(got[:2]) == (h, w):
            return (f"{text}: load the data with channels={c} "
                    f"(keras_gans.data.load(..., channels={c})) or convert the images to "
                    f"{c} channel{'s' if c > 1 else ''}.")
        from keras_gans.networks.common import describe_image_sizes

        return (f"{text}; {name} takes {describe_image_sizes(cls.image_sizes)}: load the data "
                f"with keras_gans.data.load(..., image_size={h}, channels={c}), or pad or "
                f"resize it to {h}x{w} (e.g. tf.image.resize(x, ({h}, {w}))).")

    def check_image_batch(self, shape, dtype=None, where="the data", values=None, dataset=False):
        """Raises a clear error when a batch of training images ([N, H, W, C],
        with the batch axis) does not fit: not float, a missing channel axis,
        single images instead of batches, a shape the model was not built for,
        or (when `values` are given) values outside [-1, 1].

        Args:
            shape: tuple. The batch's shape, batch axis first.
            dtype: the images' dtype, or None.
            where: str. Names the images in the error.
            values: numpy array or None. The images, for the range check.
            dataset: bool. The batch is a `tf.data.Dataset`'s (fixes say
                `dataset.map(...)`).
        """
        shape = tuple(None if s is None else int(s) for s in shape)
        name, (h, w, c) = type(self).__name__, self.image_shape
        dt = None if dtype is None else keras.backend.standardize_dtype(dtype)
        if dt is not None and not dt.startswith(("float", "bfloat")):
            span = ""
            if values is not None and np.size(values):
                span = f" in {np.min(values)}..{np.max(values)}"
            raise ValueError(
                f"images must be float in [-1, 1]; got {dt}{span}: divide by 127.5 and "
                "subtract 1 (or use keras_gans.data.load).")
        if len(shape) == 3 and shape == self.image_shape:
            raise ValueError(
                f"{where} gives single images of shape {shape}, not batches [N, {h}, {w}, {c}]: "
                "batch it (e.g. dataset.batch(64)).")
        if len(shape) == 3:
            fix = "x[..., None]" if c == 1 else "np.repeat(x[..., None], 3, axis=-1)"
            if dataset:
                fix = f"dataset.map(lambda x: {fix.replace('np.', 'tf.')})"
            raise ValueError(
                f"{where} has images of shape {shape[1:]} with no channel axis ([N, H, W] = "
                f"{shape}): add a channel axis: {fix}; this {name} takes [N, {h}, {w}, {c}].")
        if len(shape) != 4:
            raise ValueError(
                f"{where} has shape {shape}; this {name} trains on batches of images "
                f"[N, {h}, {w}, {c}].")
        self.check_images(shape, where)
        if values is not None and np.size(values):
            lo, hi = float(np.min(values)), float(np.max(values))
            if lo < -1.1 or hi > 1.1 or not (math.isfinite(lo) and math.isfinite(hi)):
                fix = ("divide by 127.5 and subtract 1" if lo >= 0 and hi > 2
                       else "rescale them to [-1, 1]")
                raise ValueError(
                    f"images must be float in [-1, 1]; got {dt or 'float'} in {lo:g}..{hi:g}: "
                    f"{fix} (or use keras_gans.data.load).")


class GAN(GenerativeModel):
    """Base class of every keras-gans GAN: players, optimizers and steps as data.

    Trains with `fit()` on batches of images (or `(images, ...)` tuples). By
    default the steps are `n_critic` discriminator updates and one generator
    update, with the adversarial loss chosen by name from `keras_gans.losses`;
    a model adds or replaces steps through `build_steps`.

    Args:
        image_shape: tuple. (H, W, C) of the images, in [-1, 1].
        latent_dim: int. Size of the latent vector z ~ N(0, I).
        loss: str. A name from `keras_gans.losses.names()`.
        loss_args: dict or None. Extra keyword arguments for the loss pair
            (e.g. LSGAN's targets); split between G and D by name.
        n_critic: int. Discriminator updates per generator update.
        split_critic_batch: bool. With `n_critic` > 1, split each train
            step's real batch into `n_critic` equal parts, one per D update,
            so that every critic update sees real images of its own, as
            Algorithm 1 of WGAN and of WGAN-GP draws a new real batch for
            each. Feed batches `n_critic` times as large to keep D's batch
            size. False (the default): every D update of a train step sees
            the whole batch.
        seed: int or None. Seed of the latent sampling inside `train_step`.
        ema: float or None. Keep an exponential moving average of G's weights
            with this decay (e.g. 0.999), updated after every G step;
            `generate`, `sample` and the exports then use the average.
        augment: str or None. Augment every image D sees, real and generated,
            in D's step and in G's (`augment_discriminator_inputs`; the
            image part only of a conditional D's inputs), with
            differentiable ops from `keras_gans.augment`: "diffaugment"
            (Zhao et al. 2020, arXiv:2006.10738: colour, translation and
            cutout on every image) or "ada" (Karras et al. 2020,
            arXiv:2006.06676: each op with probability p, p adapted to D's
            overfitting). None: no augmentation. The random numbers come
            from the model's seed, like its latents. A model whose own losses
            bypass the hook refuses it (`refused_arguments`).
        ada_target: float. ADA's target of r_t = E[sign(D(real))] (0.6 in
            the paper): p rises while r_t is above it and falls below.
        ada_kimg: float. ADA's speed: p can go from 0 to 1 in this many
            thousand real images (500 in the paper, for runs of millions of
            images; 10 here, for the bundled data's tens of thousands).
        ada_interval: int. Train steps between two adjustments of p (4 in
            the paper); r_t is the mean over them.
        ada_ops: str or tuple of str or None. ADA's ops (names of
            `keras_gans.augment.ADA_OPS`, or one comma-separated string);
            None: all of them, as the paper. Leave out "xflip" and
            "rotate90" for images a mirror or a quarter turn changes (digits,
            text): near p = 0.8 and above G learns them.
        generator: keras.Model or None. Your own G (z -> images), in place
            of the model's builder.
        discriminator: keras.Model or None. Your own D (images -> logits).
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
    ```python
    model = keras_gans.get("dcgan", image_shape=(32, 32, 1))
    model.compile()  # the paper's optimizers
    model.fit(keras_gans.data.load("digits", image_size=32), epochs=1)
    images = model.sample(16, seed=0)  # numpy, [16, 32, 32, 1], in [-1, 1]
    ```
    """

    player_names = ("generator", "discriminator")

    #: A GAN's loss is a name from `keras_gans.losses`; its builders take
    #: these normalizations (see `GenerativeModel.argument_rules`).
    argument_rules = {
        "loss": _loss_names,
        "*_normalization": ("batch", "layer", "none"),
        "augment": AUGMENT_CHOICES,
        "ada_target": "rate",
        "ada_kimg": "positive",
        "ada_interval": "positive",
    }

    #: Whether the model's losses put D's inputs through
    #: `augment_discriminator_inputs`: None infers it (True when the model
    #: keeps the base class's steps, `discriminator_step_loss`,
    #: `generator_step_loss` and `generator_loss`); a model that calls the
    #: hook in losses of its own sets True.
    takes_augment = None

    #: Names of the values `train_step` logs; one `keras.metrics.Mean` each.
    metric_names = ("d_loss", "g_loss")

    #: Where an older (pre-step-counter) .keras file kept the model's own step
    #: count among its variables: `(index, offset)` with count = value - offset,
    #: or None when it kept none.
    legacy_counter = None

    #: When True, the D step calls D once on the real and the generated inputs
    #: concatenated along the batch axis, and splits its outputs
    #: (`discriminator_real_fake`): spectral norm's power iteration then runs
    #: once per D update, and batch statistics cover both halves (SAGAN,
    #: BigGAN). False: two calls, real then generated. A D with a layer that
    #: reads other examples of its call (`reads_other_examples`: minibatch
    #: std, minibatch discrimination) is called twice either way
    #: (`joins_real_and_generated`).
    joint_discriminator_call = False
    #: True for the energy models (EBGAN, BEGAN), whose D is an autoencoder:
    #: a D given to them must output `[reconstruction, code]`, checked when
    #: the model is built (`check_players`).
    discriminator_is_autoencoder = False

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        loss="non_saturating",
        loss_args=None,
        n_critic=1,
        seed=None,
        ema=None,
        ema_rampup=None,
        augment=None,
        split_critic_batch=False,
        ada_target=0.6,
        ada_kimg=10.0,
        ada_interval=4,
        ada_ops=None,
        **kwargs,
    ):
        super().__init__(image_shape, latent_dim, ema=ema, ema_rampup=ema_rampup, **kwargs)
        from keras_gans import losses as losses_lib

        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be >= 1; got {n_critic}.")
        self.n_critic = int(n_critic)
        self.split_critic_batch = bool(split_critic_batch)
        self.loss_name = loss
        self.loss_args = dict(loss_args or {})
        self.g_loss_fn, self.d_loss_fn = losses_lib.get(loss)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.metric_names}
        # The one step counter: train steps run so far. Phases, lazy steps
        # and schedules read it; it is saved with the model and its backups.
        # "only_first_replica": every replica adds the same 1.
        self.step_counter = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False,
            aggregation="only_first_replica", name="step_counter")
        vars(self)["optimizers"] = {}
        vars(self)["_compile_optimizer_configs"] = {}
        self.augment = augment
        self.ada_target = float(ada_target)
        self.ada_kimg = float(ada_kimg)
        self.ada_interval = int(ada_interval)
        if ada_ops is not None:
            from keras_gans.augment import check_ada_ops

            ada_ops = check_ada_ops(ada_ops)
        self.ada_ops = ada_ops
        if augment == "ada":
            # ADA's state, saved with the model and its backups: p, and the
            # sum of this interval's per-step E[sign(D(real))]. Every replica
            # assigns the same value ("mean": assignable in replica context).
            self.ada_p = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         aggregation="mean", name="ada_p")
            self.ada_signs = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                             aggregation="mean", name="ada_signs")
            self.trackers.update({n: keras.metrics.Mean(name=n) for n in ADA_METRICS})

    # ------------------------------------------------------------------ wiring

    def set_networks(self, generator, discriminator):
        """Attaches G and D (networks or builders); see `set_players`."""
        self.set_players(generator=generator, discriminator=discriminator)

    def check_players(self):
        super().check_players()
        g, d = self.players.get("generator"), self.players.get("discriminator")
        if g is None or d is None or not self._given_players:
            return
        _, g_out = network_io_shapes(g)
        d_in, _ = network_io_shapes(d)
        if g_out is None or d_in is None:
            return
        if tuple(d_in[0]) != tuple(g_out[0]):
            raise ValueError(
                f"The generator's output shape {tuple(g_out[0])} does not match the "
                f"discriminator's input shape {tuple(d_in[0])}: D must take G's images "
                f"(expected both {self.image_shape}, the model's image_shape)."
            )
        _, d_out = network_io_shapes(d)
        if self.discriminator_is_autoencoder and (len(d_out) != 2 or tuple(d_out[0]) != tuple(d_in[0])):
            raise ValueError(
                f"{type(self).__name__}'s discriminator is an autoencoder with two outputs, "
                f"[reconstruction {tuple(d_in[0])}, code]; the one given outputs "
                f"{[tuple(o) for o in d_out]}. Build it like "
                f"keras_gans.networks.autoencoder_discriminator or "
                f"study_began_discriminator: keras.Model(images, [reconstruction, code])."
            )

    def discriminator_step_networks(self):
        """The network(s) the D step trains (and `d_optimizer` is built for)."""
        return self.discriminator

    def generator_step_networks(self):
        """The network(s) the G step trains: G; BiGAN adds its encoder."""
        return self.generator

    # ------------------------------------------------------------------ steps

    def build_steps(self):
        """The ordered `Step`s of one train step: `n_critic` D updates
        (weight clipping etc. after each), then one G update (then EMA)."""
        return [
            Step("discriminator", trains="discriminator_step_networks",
                 loss="discriminator_step_loss", optimizer="d", repeats="n_critic",
                 after="after_discriminator_step", split_batch="split_critic_batch"),
            Step("generator", trains="generator_step_networks", loss="generator_step_loss",
                 optimizer="g", after="update_ema"),
        ]

    @property
    def steps(self):
        """The model's `Step`s (see `build_steps`)."""
        cached = vars(self).get("_steps")
        if cached is None:
            cached = tuple(self.build_steps())
            vars(self)["_steps"] = cached
        return cached

    def step_networks(self, step):
        """The networks `step` trains (a list)."""
        out = []
        for name in step.trains:
            net = getattr(self, name)
            net = net() if callable(net) and not isinstance(net, keras.Layer) else net
            out.extend(net if isinstance(net, (list, tuple)) else [net])
        return out

    def step_setting(self, value):
        """A `Step` field's value: itself, or the model attribute it names."""
        return getattr(self, value) if isinstance(value, str) else value

    def step_repeats(self, step):
        return int(self.step_setting(step.repeats))

    def step_batches(self, step, real):
        """The real batch of each of `step`'s updates: the whole batch for
        each, or (`step.split_batch`) its own equal part for each."""
        repeats = self.step_repeats(step)
        if not self.step_setting(step.split_batch) or repeats == 1:
            return [real] * repeats
        first = keras.tree.flatten(real)[0]
        size = first.shape[0]
        if size is not None and size < repeats:
            raise ValueError(
                f"Step {step.name!r} splits each real batch into {repeats} parts, one per "
                f"update, but a batch per replica holds {size} examples: feed batches of at "
                f"least {repeats} per replica ({repeats} times the batch each update should see).")
        part = ops.shape(first)[0] // repeats
        return [keras.tree.map_structure(lambda t, i=i: t[i * part:(i + 1) * part], real)
                for i in range(repeats)]

    def step_condition(self, step):
        """The bool tensor that says whether `step` runs now (None: always)."""
        cond = None
        if step.every > 1:
            cond = ops.equal(self.step_counter % step.every, 0)
        if step.when is not None:
            when = ops.convert_to_tensor(getattr(self, step.when)())
            cond = when if cond is None else ops.logical_and(cond, when)
        return cond

    @property
    def optimizer_names(self):
        """The optimizer groups, in the order the steps first use them."""
        names = []
        for step in self.steps:
            if step.optimizer not in names:
                names.append(step.optimizer)
        return tuple(names)

    def discriminator_step_loss(self, real):
        """The D step: fresh fakes (no gradient to G), then `discriminator_loss`."""
        batch = ops.shape(self.unpack_images(real))[0]
        g_in = self.generator_inputs(batch, real)
        fake_images = keras.tree.map_structure(ops.stop_gradient, self.generate_fakes(g_in))
        fake = self.discriminator_inputs(fake_images, g_in)
        if self.augment is None:
            return self.discriminator_loss(real, fake)
        vars(self).pop("_ada_rt", None)  # none left from another trace
        loss, logs = self.discriminator_loss(self.augment_discriminator_inputs(real),
                                             self.augment_discriminator_inputs(fake))
        rt = vars(self).pop("_ada_rt", None)
        if rt is not None:
            logs = dict(logs, ada_rt=rt)
        return loss, logs

    def generator_step_loss(self, real):
        """The G step: fresh generator inputs, then `generator_loss`."""
        batch = ops.shape(self.unpack_images(real))[0]
        return self.generator_loss(real, self.generator_inputs(batch, real))

    # ------------------------------------------------------------ augmentation

    @classmethod
    def augment_refusal(cls):
        """Why this model cannot take `augment` (None: it can).

        Augmentation reaches D in `discriminator_step_loss` (real and fake)
        and `generator_loss` (fake); a model whose steps or G loss are its
        own would augment D's inputs in one step only, which teaches G the
        augmentations, so it refuses the argument unless it sets
        `takes_augment`.
        """
        if cls.takes_augment is not None:
            return None if cls.takes_augment else (
                f"{cls.__name__} sets takes_augment = False.")
        own = [m for m in ("build_steps", "discriminator_step_loss", "generator_step_loss",
                           "generator_loss") if getattr(cls, m) is not getattr(GAN, m)]
        if not own:
            return None
        return (f"augmentation reaches D through the base class's discriminator_step_loss and "
                f"generator_loss, and {cls.__name__} has its own {', '.join(own)}, so D's "
                "inputs would not be augmented in both steps. (A model that passes them through "
                "self.augment_discriminator_inputs in its own losses sets takes_augment = True.)")

    @classmethod
    def refused_arguments(cls):
        refused = super().refused_arguments()
        why = cls.augment_refusal()
        if why is not None:
            refused.update({name: why for name in AUGMENT_ARGUMENTS if name not in refused})
        return refused

    def augment_discriminator_inputs(self, inputs):
        """D's inputs with their images augmented (`augment`); the inputs
        themselves, untouched, when `augment` is None.

        The one place augmentation enters: `discriminator_step_loss` passes
        the real and the generated inputs through it, `generator_loss` the
        generated ones. Of a list or tuple (a conditional D's
        `[images, labels]`) only the first entry, the images, is augmented.

        Args:
            inputs: tensor `[B, H, W, C]`, or a list/tuple whose first entry is.

        Returns:
            the same structure.
        """
        if self.augment is None:
            return inputs
        if isinstance(inputs, (list, tuple)):
            return type(inputs)([self.augment_images(inputs[0]), *inputs[1:]])
        return self.augment_images(inputs)

    def augment_images(self, images):
        """`images` through the `augment` pipeline, with random numbers from
        the model's seed (`random_uniform` / `random_normal`: one row per
        image, so each replica draws for its own rows)."""
        from keras_gans import augment as augment_lib

        batch = ops.shape(images)[0]
        if self.augment == "diffaugment":
            return augment_lib.diffaugment(
                images, self.random_uniform((batch, augment_lib.DIFFAUGMENT_UNIFORMS)))
        u = self.random_uniform((batch, augment_lib.ADA_UNIFORMS))
        n = self.random_normal((batch, augment_lib.ADA_NORMALS))
        return augment_lib.ada_augment(images, ops.convert_to_tensor(self.ada_p), u, n,
                                       ops=self.ada_ops or augment_lib.ADA_OPS)

    def record_real_outputs(self, real_logits):
        """Keeps the mean of sign(D(real)) of this D update for ADA's r_t
        (`discriminator_loss` calls it; nothing without ADA)."""
        if self.augment == "ada":
            vars(self)["_ada_rt"] = ops.mean(ops.sign(ops.cast(real_logits, "float32")))

    def update_ada(self, logs, real):
        """ADA's controller, after every train step: adds this step's
        E[sign(D(real))] (`ada_rt` in `logs`, averaged over replicas) to the
        interval's sum; every `ada_interval` steps moves p by
        `keras_gans.augment.ada_adjustment` (r_t = the interval's mean) and
        clips it to [0, 1]. Adds `ada_p` (p after the step) to the logs."""
        from keras_gans import augment as augment_lib
        from keras_gans.cross_replica import global_sum

        if "ada_rt" not in logs:
            raise ValueError(
                f"{type(self).__name__}(augment='ada') needs D's outputs on the real batch: "
                "its discriminator_loss must call self.record_real_outputs(real_logits).")
        rt = global_mean(ops.cast(logs["ada_rt"], "float32"))
        images = global_sum(ops.cast(ops.shape(self.unpack_images(real))[0], "float32"))
        signs = self.ada_signs + rt
        due = ops.equal((self.step_counter + 1) % self.ada_interval, 0)
        r_t = signs / float(self.ada_interval)
        step = augment_lib.ada_adjustment(r_t, self.ada_target, images * self.ada_interval,
                                          self.ada_kimg)
        p = ops.clip(self.ada_p + step, 0.0, 1.0)
        self.ada_p.assign(ops.where(due, p, self.ada_p))
        self.ada_signs.assign(ops.where(due, ops.zeros_like(signs), signs))
        logs = dict(logs)
        logs["ada_p"] = ops.convert_to_tensor(self.ada_p)
        return logs

    # ----------------------------------------------------------------- compile

    def paper_optimizers(self):
        """`(d_optimizer, g_optimizer)` as the model's paper sets them."""
        return _adam(2e-4), _adam(2e-4)

    def default_optimizers(self):
        """dict: optimizer group -> a fresh optimizer with the paper's settings."""
        paper = self.paper_optimizers()
        if isinstance(paper, dict):
            return dict(paper)
        d, g = paper
        return {"d": d, "g": g}

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Sets one optimizer per group and builds them.

        Args:
            d_optimizer: `keras.optimizers.Optimizer`, name, config or None. The
                discriminator's optimizer; the paper's when None.
            g_optimizer: same, for the generator.
            **kwargs: `<group>_optimizer` for the model's other groups (see
                `optimizer_names`, e.g. Triple-GAN's `c_optimizer`), and the
                `keras.Model.compile` options that apply here: `jit_compile`,
                `run_eagerly`, `steps_per_execution`.
        """
        given = {"d": d_optimizer, "g": g_optimizer}
        for key in list(kwargs):
            if key.endswith("_optimizer"):
                given[key[: -len("_optimizer")]] = kwargs.pop(key)
        names = self.optimizer_names
        unknown = sorted(k for k, v in given.items() if k not in names and v is not None)
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no optimizer group {unknown}; pass "
                f"{', '.join(n + '_optimizer' for n in names)}.")
        bad = set(kwargs) - {"jit_compile", "run_eagerly", "steps_per_execution"}
        if bad:
            raise ValueError(
                f"{type(self).__name__}.compile() got unsupported arguments {sorted(bad)}: "
                "losses are set in the model's constructor; pass "
                f"{', '.join(n + '_optimizer' for n in names)} here."
            )
        kwargs.setdefault("jit_compile", False)
        super().compile(optimizer=None, **kwargs)
        defaults = self.default_optimizers()
        optimizers = {}
        for name in names:
            opt = keras.optimizers.get(given.get(name)) or defaults[name]
            if any(opt is o for o in optimizers.values()):
                raise ValueError(
                    f"{name}_optimizer is the same object as another group's optimizer: "
                    "each group needs an optimizer object of its own "
                    "(d_optimizer and g_optimizer must be two different optimizer objects)."
                )
            optimizers[name] = opt
        vars(self)["_compile_optimizer_configs"] = {
            n: keras.optimizers.serialize(o) for n, o in optimizers.items()}
        self.correct_lazy_optimizers(optimizers)
        variables = {n: [] for n in names}
        for step in self.steps:
            variables[step.optimizer].append(self.step_networks(step))
        vars(self)["optimizers"] = {}
        for name in names:
            opt = self.loss_scaled(optimizers[name])
            setattr(self, f"{name}_optimizer", opt)
            # Built here, inside any strategy scope, never lazily inside train_step.
            opt.build(trainable_variables_of([n for nets in variables[name] for n in nets]))
            self.optimizers[name] = opt
        vars(self)["optimizer"] = OptimizerGroup(self)
        self._gan_compile_kwargs = dict(kwargs)

    def correct_lazy_optimizers(self, optimizers):
        """StyleGAN2's lazy-regularization correction (Karras et al. 2020,
        appendix B): an optimizer that a step with `every = k` uses runs with
        lr * c and betas ** c, c = k / (k + 1)."""
        for step in self.steps:
            if step.every <= 1:
                continue
            opt = optimizers[step.optimizer]
            c = step.every / (step.every + 1.0)
            opt.learning_rate = float(ops.convert_to_numpy(opt.learning_rate)) * c
            for beta in ("beta_1", "beta_2"):
                if hasattr(opt, beta):
                    setattr(opt, beta, float(getattr(opt, beta)) ** c)

    @staticmethod
    def loss_scaled(optimizer):
        """`optimizer` wrapped in a `LossScaleOptimizer` when the global dtype
        policy is `mixed_float16` (float16 gradients underflow without loss
        scaling; bfloat16 needs none). Keras wraps only `Model.optimizer`, so
        every GAN optimizer passes through here."""
        policy = keras.config.dtype_policy().name
        if policy == "mixed_float16" and not isinstance(
                optimizer, keras.optimizers.LossScaleOptimizer):
            return keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def get_compile_config(self):
        if not self.optimizers:
            return {}
        config = {f"{n}_optimizer": c for n, c in self._compile_optimizer_configs.items()}
        config.update(getattr(self, "_gan_compile_kwargs", {}))
        return config

    def compile_from_config(self, config):
        config = dict(config)
        for key in list(config):
            if key.endswith("_optimizer"):
                config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _get_metrics_result_or_logs(self, logs):
        # Keras' epoch logs (History, callbacks): a value that no step of the
        # epoch computed (a lazy or phase step that did not run) is absent,
        # not 0.
        results = super()._get_metrics_result_or_logs(logs)
        if not isinstance(results, dict):
            return results
        return {k: v for k, v in results.items()
                if k not in self.trackers
                or float(ops.convert_to_numpy(self.trackers[k].count)) > 0}

    # ------------------------------------------------------------ state I/O

    def load_own_variables(self, store):
        own = self._trainable_variables + self._non_trainable_variables
        if len(store.keys()) == len(own) and all(
                tuple(store[str(i)].shape) == tuple(v.shape) for i, v in enumerate(own)):
            return super().load_own_variables(store)
        # A file written before the step counter: its own variables are the
        # model's others, with the model's old counter (if any) among them.
        values = [store[str(i)] for i in range(len(store.keys()))]
        count = 0
        if self.legacy_counter is not None:
            index, offset = self.legacy_counter
            count = int(np.asarray(values.pop(index))) - offset
        rest = [v for v in own if v is not self.step_counter]
        if len(values) != len(rest):
            return super().load_own_variables(store)  # Keras' own error
        for v, value in zip(rest, values):
            v.assign(np.asarray(value))
        self.step_counter.assign(count)

    # -------------------------------------------------------------- sampling

    def random_seed(self):
        """A stateless seed for one random draw inside `train_step`.

        It comes from the model's `seed_generator` (whose state
        `keras_gans.callbacks.Backup` saves and restores, so a resumed run goes
        on with the same stream), and under a strategy it
        differs between replicas, so the replicas draw different noise for
        their shares of the batch.
        """
        seed = self.seed_generator.next()
        rid = ops.cast(replica_id(), seed.dtype)
        return seed + ops.stack([rid * 1000003, ops.zeros_like(rid)])

    def random_normal(self, shape):
        """float32 N(0, 1) noise of `shape` (per-sample draws in `train_step`).

        Every per-sample random draw of a model goes through `random_normal`
        or `random_uniform`, so a test can replace the two to fix the noise.
        """
        return tf.random.stateless_normal(shape, seed=self.random_seed())

    def random_uniform(self, shape, minval=0.0, maxval=1.0):
        """float32 U[minval, maxval) noise of `shape` (see `random_normal`)."""
        return tf.random.stateless_uniform(shape, seed=self.random_seed(),
                                           minval=minval, maxval=maxval)

    def random_integers(self, shape, low, high):
        """int32 uniform integers in [low, high) (from `random_uniform`)."""
        u = self.random_uniform(shape)
        return ops.cast(ops.floor(u * (high - low)), "int32") + low

    def sample_latent(self, batch_size):
        """z ~ N(0, I) of shape [batch_size, latent_dim], from the model's seed."""
        return self.random_normal((batch_size, self.latent_dim))

    # --------------------------------------------------------------- training

    def fit(self, x=None, *args, **kwargs):
        """Keras' `fit`, after the data checks of `check_fit_data` (once per
        call, before any step). Data out of range is refused, not rescaled:
        images must be float in [-1, 1] (`keras_gans.data.load` gives them)."""
        self.check_fit_data(x)
        if not self.optimizers:
            raise ValueError(
                f"Call {type(self).__name__}.compile() before fit(): compile() with "
                "no arguments uses the paper's optimizers."
            )
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself
        return super().fit(x, *args, **kwargs)

    def check_fit_data(self, x):
        """Raises a clear error when `fit`'s data does not fit the model
        (`check_image_batch`), once per `fit` and outside the compiled step.

        A `tf.data.Dataset` is checked on its `element_spec` (dtype and
        shape; its values are not read, so its order is untouched); an array
        or eager tensor (or the first of a tuple of them) on its dtype, shape
        and value range. Integer images (uint8 in 0..255) and floats outside
        [-1, 1] are refused, not rescaled: divide by 127.5 and subtract 1, or
        load the data with `keras_gans.data.load`.

        Example:
        ```python
        model = keras_gans.get("dcgan")
        model.compile()
        model.fit(np.zeros((64, 32, 32, 1), "uint8"))  # ValueError: images must be float in [-1, 1]
        ```
        """
        spec = getattr(x, "element_spec", None)
        if spec is not None:
            first = spec[0] if isinstance(spec, (tuple, list)) else spec
            if isinstance(first, tf.TensorSpec):
                self.check_image_batch(first.shape, first.dtype, dataset=True)
            return
        images = x[0] if isinstance(x, (tuple, list)) and x else x
        if images is None or not (hasattr(images, "shape") and hasattr(images, "dtype")):
            return
        values = None
        if isinstance(images, np.ndarray):
            values = images
        elif isinstance(images, tf.Tensor) and tf.executing_eagerly():
            values = images.numpy()
        self.check_image_batch(images.shape, images.dtype, values=values)

    @staticmethod
    def unpack_images(data):
        """The images of a batch that may be `images` or `(images, ...)`."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        return data

    def unpack(self, data):
        """D's input for a real batch from what the dataset yields.

        Images by default; conditional models return `[images, labels]`.
        """
        return self.unpack_images(data)

    def generator_inputs(self, batch_size, real):
        """G's inputs for one step: z by default; conditional models add labels."""
        return self.sample_latent(batch_size)

    def generate_fakes(self, generator_inputs):
        """G's output for a D step (training mode): images from `generator_inputs`;
        two-way translators return one batch per direction."""
        return self.generator(generator_inputs, training=True)

    def discriminator_inputs(self, images, generator_inputs):
        """D's input for generated `images` made from `generator_inputs`.

        The images by default; conditional models pair them with their labels.
        """
        return images

    def discriminator_outputs(self, data):
        """D's outputs in inference mode on one real batch, as the dataset
        yields it.

        `keras_gans.callbacks.DiscriminatorCheck` reads them after every epoch
        to catch a D that gives one output for every image (it has "died" and
        G learns nothing more). `self.discriminator(self.unpack(data))` by
        default; models whose D takes other inputs override it, and models
        with several Ds return a dict of each one's outputs.

        Returns:
            A tensor, or a structure of tensors, each with the batch as its
            first axis; None when the model has no discriminator.
        """
        return self.discriminator(self.unpack(data), training=False)

    def loss_kwargs(self, fn):
        """The entries of `loss_args` that the loss function `fn` accepts."""
        params = inspect.signature(fn).parameters
        return {k: v for k, v in self.loss_args.items() if k in params}

    def discriminator_loss(self, real, fake):
        """D's loss on a batch of real and of generated images.

        Returns `(loss, logs)`; `loss` is the per-replica mean to minimize and
        `logs` the values to report (keys from `metric_names`).
        """
        real_logits, fake_logits = self.discriminator_real_fake(real, fake)
        self.record_real_outputs(real_logits)
        loss = self.d_loss_fn(real_logits, fake_logits, **self.loss_kwargs(self.d_loss_fn))
        return loss, {"d_loss": loss}

    def joins_real_and_generated(self, discriminator=None):
        """Whether `discriminator_real_fake` calls D once on the joined batch:
        `joint_discriminator_call`, unless a layer of D reads other examples
        of its call (a layer with `reads_other_examples`, such as
        `keras_gans.layers.MinibatchStdDev`), whose groups would then mix real
        and generated images.

        Args:
            discriminator: keras.Model or None. The network (the model's
                `discriminator` when None).

        Returns:
            bool.

        Example:
        ```python
        keras_gans.get("sagan").joins_real_and_generated()                    # True
        keras_gans.get("sagan", d_minibatch_std=4).joins_real_and_generated()  # False
        ```
        """
        if not self.joint_discriminator_call:
            return False
        d = self.discriminator if discriminator is None else discriminator
        return not any(getattr(layer, "reads_other_examples", False)
                       for layer in d._flatten_layers(include_self=False, recursive=True))

    def discriminator_real_fake(self, real, fake, discriminator=None):
        """D's outputs on the real and on the generated inputs, in training mode.

        Two calls by default; one call on their concatenation along the batch
        axis when `joint_discriminator_call` is True, its outputs split back
        at the real batch's size. Inputs may be tensors or matching
        structures (a conditional D's `[images, labels]`: each entry is
        concatenated with its counterpart, cast to the real entry's dtype);
        outputs may be a tensor or any structure of tensors.

        Args:
            real: tensor or list/tuple of tensors. D's inputs for the real batch.
            fake: the same structure for the generated batch.
            discriminator: keras.Model or None. The network to call (the
                model's `discriminator` when None).

        Returns:
            `(real_outputs, fake_outputs)`.

        Example:
        ```python
        model = keras_gans.get("sagan")  # joint_discriminator_call = True
        real_logits, fake_logits = model.discriminator_real_fake(real_images, fake_images)
        ```
        """
        d = self.discriminator if discriminator is None else discriminator
        if not self.joins_real_and_generated(d):
            return d(real, training=True), d(fake, training=True)
        real_parts, fake_parts = keras.tree.flatten(real), keras.tree.flatten(fake)
        if len(real_parts) != len(fake_parts):
            raise ValueError(
                f"{type(self).__name__}: D's real inputs have {len(real_parts)} tensors and its "
                f"generated inputs {len(fake_parts)}; joint_discriminator_call concatenates "
                "them entry by entry, so both must have the same structure.")
        joint = [ops.concatenate([r, ops.cast(f, r.dtype)], axis=0)
                 for r, f in zip(real_parts, fake_parts)]
        joint = keras.tree.pack_sequence_as(real, joint)
        n = ops.shape(real_parts[0])[0]
        outputs = d(joint, training=True)
        return (keras.tree.map_structure(lambda o: o[:n], outputs),
                keras.tree.map_structure(lambda o: o[n:], outputs))

    def generator_loss(self, real, z):
        """G's loss for generator inputs `z` (`real` is there for models that need it)."""
        fake = self.generator(z, training=True)
        fake_logits = self.discriminator(
            self.augment_discriminator_inputs(self.discriminator_inputs(fake, z)), training=True)
        loss = self.g_loss_fn(fake_logits, **self.loss_kwargs(self.g_loss_fn))
        return loss, {"g_loss": loss}

    def after_discriminator_step(self):
        """Runs after each D update (e.g. WGAN's weight clipping)."""

    def after_train_step(self, logs, real):
        """Runs after the steps with their logs (those of the steps that
        always run) and the real batch; may update state and add to the logs
        (BEGAN's k_t). `step_counter` still holds this step's index."""
        return logs

    def apply_loss(self, loss_fn, network, optimizer, partial=False):
        """One optimizer step on `network` for the loss `loss_fn()` returns.

        The loss is divided by the number of replicas in sync, so that summing
        gradients across replicas gives the gradient of the global mean.
        `network` may be a list of networks trained together (BiGAN's G and E).
        `partial=True` (lazy regularizers) leaves out, without Keras' warning,
        the variables the loss cannot reach: R1 does not depend on D's output
        bias, nor the path-length penalty on G's to-RGB biases.
        Returns the logs `loss_fn` gave.
        """
        variables = trainable_variables_of(network)
        with tf.GradientTape() as tape:
            loss, logs = loss_fn()
            scaled = ops.cast(loss, "float32") / replicas_in_sync()
            scaled = optimizer.scale_loss(scaled)  # float16: the loss scale
        grads = tape.gradient(scaled, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None or not partial]
        optimizer.apply_gradients(pairs)
        return logs

    def run_step(self, step, real):
        """Runs every update of `step` on the real batch; returns its logs."""
        loss_fn = getattr(self, step.loss)
        networks = self.step_networks(step)
        optimizer = self.optimizers[step.optimizer]
        after = getattr(self, step.after) if step.after else None
        logs = {}
        for batch in self.step_batches(step, real):
            logs.update(self.apply_loss(lambda: loss_fn(batch), networks, optimizer,
                                        partial=step.every > 1))
            if after is not None:
                after()
        return logs

    def run_conditional_step(self, step, real, condition):
        """Runs `step` only where `condition` holds; its logs go to the
        trackers inside (a step that did not run logs nothing).

        On one device this is a `tf.cond`: a step that does not run is not
        computed. Under a `tf.distribute` strategy TF cannot hold the
        optimizer's collectives inside `tf.cond`, so the step is computed
        and, where the condition is False, every variable it touched is put
        back as it was (weights, optimizer state, seeds): the same result.
        """
        if not under_strategy():
            def run():
                self.track(self.run_step(step, real))
                return ops.convert_to_tensor(True)

            tf.cond(condition, run, lambda: ops.convert_to_tensor(False))
            return
        tracker_ids = {id(v) for t in self.trackers.values() for v in t.variables}
        touched, seen = [], set()
        for v in list(self.variables) + list(self.optimizers[step.optimizer].variables):
            if id(v) not in seen and id(v) not in tracker_ids and v is not self.step_counter:
                seen.add(id(v))
                touched.append(v)
        before = [tf.identity(ops.convert_to_tensor(v)) for v in touched]
        logs = self.run_step(step, real)
        self.track(logs, weight=ops.cast(condition, "float32"))
        with tf.control_dependencies([ops.convert_to_tensor(v) for v in logs.values()]):
            assign_where(condition, touched, before)

    def train_step(self, data):
        real = self.unpack(data)
        images = self.unpack_images(real)
        self.check_image_batch(images.shape, images.dtype, where="the training batch")
        logs = {}
        for step in self.steps:
            condition = self.step_condition(step)
            if condition is None:
                logs.update(self.run_step(step, real))
            else:
                self.run_conditional_step(step, real, condition)
        logs = self.after_train_step(logs, real)
        if self.augment == "ada":
            logs = self.update_ada(logs, real)
        self.track(logs)
        self.step_counter.assign_add(1)
        return self.tracker_results()

    def track(self, logs, weight=None):
        """Feeds `logs` to their trackers (global means over replicas, one
        all-reduce for all of them); `weight` 0 leaves them as they were."""
        unknown = set(logs) - set(self.trackers)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.train_step logged {sorted(unknown)}, which "
                f"are not in metric_names {list(self.metric_names)}."
            )
        if not logs:
            return
        # Each replica's value is a mean over its share of the batch; their mean
        # is the global batch's, so every replica logs the true value.
        values = global_mean({k: ops.cast(v, "float32") for k, v in logs.items()})
        for name, value in values.items():
            self.trackers[name].update_state(value, sample_weight=weight)

    def tracker_results(self):
        """The trackers' running means, as `train_step` returns them."""
        results = {name: t.result() for name, t in self.trackers.items()}
        if multi_worker():
            # Keras 3 reduces fit()'s logs across workers with
            # strategy.reduce(MEAN, axis=0), which fails on scalars
            # ("Invalid reduction dimension 0", keras#20585): give it [1]s.
            results = {name: ops.reshape(r, (1,)) for name, r in results.items()}
        return results

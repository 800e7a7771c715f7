"""History of generated images for the discriminator (Shrivastava et al. 2017,
arXiv:1612.07828, section 2.3), as CycleGAN uses it (Zhu et al. 2017,
arXiv:1703.10593, section 4: "a history of 50 previously generated images")."""

import keras
from keras import layers, ops

from keras_gans.cross_replica import global_batch, local_rows


@keras.saving.register_keras_serializable(package="keras_gans")
class ImagePool(layers.Layer):
    """Feeds D a mix of the newest generated images and older ones.

    The pool holds up to `pool_size` images. For each call, in batch order:

    - while the pool is not full, a new image is stored in the next free slot
      and returned unchanged;
    - once it is full, with probability 1/2 the image is swapped for a stored
      one picked uniformly at random (the stored image is returned and the new
      one takes its slot), otherwise it is returned unchanged.

    This is CycleGAN's `ImagePool.query`, vectorised: the swaps of one call go
    to distinct random slots (a random permutation of the slots), so at most
    `pool_size` images of one batch are swapped; the rest are returned as they
    are. Images that fill the pool in a call can be handed out again by a swap
    later in the same call, as in the sequential version.

    The stored images (`[pool_size, H, W, C]`, float32) and the count of
    stored images (int32) are non-trainable weights made in `build`, so they
    are saved in `.keras` files and with `save_weights`, and restored on load.
    The random draws come from a `keras.random.SeedGenerator`. The layer works
    eagerly and in graph mode (`tf.function`, `train_step`); it has no Python
    loop over the batch and its shapes are static, so it also compiles with XLA.
    With `pool_size=0` it returns its input.

    Args:
        pool_size: int. How many images the pool keeps (CycleGAN: 50).
        seed: int or None. Seed of the random swaps.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
    ```python
    pool = keras_gans.layers.ImagePool(pool_size=50)
    fake_for_d = pool(generator(real_a))   # in train_step, before D's loss
    ```
    """

    def __init__(self, pool_size=50, seed=None, **kwargs):
        super().__init__(**kwargs)
        if int(pool_size) < 0:
            raise ValueError(f"pool_size must be a non-negative integer; got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="image_pool_seed")

    def build(self, input_shape):
        if len(input_shape) < 2 or any(d is None for d in input_shape[1:]):
            raise ValueError(
                "ImagePool needs images of a known shape [batch, height, width, channels]; "
                f"got {tuple(input_shape)}."
            )
        self.images = self.add_weight(
            shape=(self.pool_size, *(int(d) for d in input_shape[1:])),
            initializer="zeros",
            dtype="float32",
            trainable=False,
            aggregation="only_first_replica",
            name="images",
        )
        self.count = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="count",
        )

    def call(self, images):
        if self.pool_size == 0:
            return images
        dtype = images.dtype
        local = ops.shape(images)[0]
        # Under a strategy the pool takes the global batch (every replica's
        # rows, in replica order), so all replicas hold the same pool and
        # draw the same swaps, exactly as one device would; each replica then
        # returns its own rows.
        new = global_batch(ops.cast(images, "float32"))
        size = self.pool_size
        batch = ops.shape(new)[0]
        rows = ops.arange(batch, dtype="int32")
        count = ops.convert_to_tensor(self.count)
        pool = ops.convert_to_tensor(self.images)

        # 1. The first `free` rows fill the free slots count, count + 1, ...
        free = size - count
        fills = rows < free
        fill_slot = ops.where(fills, count + rows, -1)
        pool = self._write(pool, new, fill_slot)

        # 2. Each later row, with probability 1/2, swaps with a distinct random slot.
        later = rows - free  # 0, 1, ... for the rows after the fill
        coin = keras.random.uniform(ops.shape(rows), seed=self.seed_generator) < 0.5
        perm = ops.cast(
            keras.random.shuffle(ops.arange(size, dtype="int32"), seed=self.seed_generator),
            "int32",
        )
        swaps = ops.logical_and(ops.logical_and(later >= 0, later < size), coin)
        slot = ops.take(perm, ops.clip(later, 0, size - 1))
        swap_slot = ops.where(swaps, slot, -1)
        old = ops.take(pool, ops.clip(swap_slot, 0, size - 1), axis=0)
        out = ops.where(self._rows_mask(swaps, new), old, new)
        pool = self._write(pool, new, swap_slot)

        self.images.assign(pool)
        self.count.assign(ops.minimum(count + ops.cast(batch, "int32"), size))
        return ops.cast(local_rows(out, local), dtype)

    def _write(self, pool, new, target):
        """`pool` with row i of `new` written to slot `target[i]` (-1: not written).

        The targets are distinct, so the result is well defined; it is built
        slot by slot (a gather), which keeps every shape static.
        """
        hits = ops.equal(target[:, None], ops.arange(self.pool_size, dtype="int32")[None, :])
        written = ops.any(hits, axis=0)  # [pool_size]
        source = ops.argmax(ops.cast(hits, "int32"), axis=0)  # row writing each slot
        incoming = ops.take(new, source, axis=0)
        return ops.where(self._rows_mask(written, pool), incoming, pool)

    @staticmethod
    def _rows_mask(mask, like):
        return ops.reshape(mask, (-1,) + (1,) * (len(like.shape) - 1))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size, seed=self.seed)
        return config

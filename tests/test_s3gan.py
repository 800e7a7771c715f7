"""S2GAN / S3GAN (issue 18): the rotation loss by hand, quarter turns against
numpy, the rotated rows on one and two replicas, k-means on separated blobs,
and the model: its heads, pseudo-labels, losses with their weights, s2's
clustering schedule, saved state and exports."""

import math

import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import clustering, losses
from keras_gans.models import s3gan as s3
from keras_gans.networks import biggan as _biggan_networks, s3gan as _s3gan_networks  # noqa: F401


def _np(x):
    return np.asarray(x)


# ---------------------------------------------------------------- rotation loss


def test_rotation_loss_by_hand():
    # Equal logits: -log(1/4) for every row.
    assert float(losses.rotation_loss(np.zeros((3, 4)), np.array([0, 1, 3]))) == pytest.approx(
        math.log(4.0), rel=1e-6)
    # softmax of log(1..4) is (1, 2, 3, 4) / 10.
    logits = np.log(np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]))
    want = -(math.log(4 / 10) + math.log(1 / 10)) / 2
    assert float(losses.rotation_loss(logits, np.array([3, 0]))) == pytest.approx(want, rel=1e-6)
    # A confident right answer costs about nothing, a confident wrong one a lot.
    sure = np.array([[0.0, 0.0, 20.0, 0.0]])
    assert float(losses.rotation_loss(sure, np.array([2]))) < 1e-7
    assert float(losses.rotation_loss(sure, np.array([1]))) == pytest.approx(
        20.0 + math.log(1 + 3 * math.exp(-20.0)), rel=1e-6)


def test_rotation_loss_is_float32_for_half_inputs():
    out = losses.rotation_loss(np.zeros((2, 4), "float16"), np.array([0, 1]))
    assert out.dtype == tf.float32


# ----------------------------------------------------------------- quarter turns


def test_quarter_turns_match_numpy_and_tf():
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype("float32")
    for k in range(4):
        want = np.rot90(x, k, axes=(1, 2))
        np.testing.assert_array_equal(_np(s3.quarter_turns(x, k)), want)
        np.testing.assert_array_equal(_np(tf.image.rot90(x, k)), want)


def test_rotated_copies_and_their_rotations():
    x = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3, 1)
    labels = np.array([4, -1], "int32")
    (copies, copy_labels), rotations = s3.rotated_copies([x, labels])
    np.testing.assert_array_equal(_np(rotations), [0, 0, 1, 1, 2, 2, 3, 3])
    assert copies.shape == (6, 3, 3, 1)
    np.testing.assert_array_equal(_np(copies[:2]), np.rot90(x, 1, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copies[2:4]), np.rot90(x, 2, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copies[4:]), np.rot90(x, 3, axes=(1, 2)))
    np.testing.assert_array_equal(_np(copy_labels), [4, -1] * 3)


def test_rotation_rows_are_the_same_images_on_two_replicas():
    batch = np.arange(16)
    one = _np(s3.rotation_rows(batch, 4))
    two = np.concatenate([_np(s3.rotation_rows(half, 4)) for half in np.split(batch, 2)])
    np.testing.assert_array_equal(one, [0, 4, 8, 12])
    np.testing.assert_array_equal(two, one)
    # A batch smaller than `every` still gives one row.
    np.testing.assert_array_equal(_np(s3.rotation_rows(np.arange(3), 4)), [0])


# ------------------------------------------------------------------------ k-means


def blobs(seed=0, per=50, k=4, dim=3, spread=0.1):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 10.0
    labels = np.repeat(np.arange(k), per)
    points = centres[labels] + rng.normal(size=(k * per, dim)) * spread
    order = rng.permutation(len(points))
    return points[order].astype("float32"), labels[order], centres


def _same_partition(a, b):
    """Two labelings give the same partition (up to renaming the clusters)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_kmeans_finds_separated_blobs():
    points, labels, centres = blobs()
    c, assignments = clustering.kmeans(points, 4)
    c, assignments = _np(c), _np(assignments)
    assert _same_partition(assignments, labels)
    # Each centroid is its blob's centre, up to the noise of 50 points.
    for j in range(4):
        nearest = np.min(np.linalg.norm(centres - c[j], axis=1))
        assert nearest < 0.1
    # Inside a traced function too, with the same result.
    traced = tf.function(lambda p: clustering.kmeans(p, 4))(tf.constant(points))
    np.testing.assert_allclose(_np(traced[0]), c, atol=1e-5)


def test_farthest_point_seeding_beats_a_bad_start():
    points, labels, _ = blobs(seed=1)

    def inertia(c):
        return float(np.min(_np(clustering.squared_distances(points, c)), axis=1).sum())

    # Four seeds that may share blobs: Lloyd can stop in a local optimum ...
    bad, _ = clustering.kmeans(points, 4, iterations=30, initial=points[:4])
    # ... farthest-point seeding puts one seed in each blob.
    seeds = _np(clustering.farthest_point_centroids(points, 4))
    assert _same_partition(_np(clustering.nearest_centroid(points, seeds)), labels)
    good, _ = clustering.kmeans(points, 4)
    assert inertia(good) <= inertia(bad) + 1e-3
    assert inertia(good) < 200 * 3 * 0.1**2 * 2  # about the blobs' own spread


def test_kmeans_small_cases_by_hand():
    p = np.array([[0.0], [1.0], [9.0], [10.0]], "float32")
    c, a = clustering.kmeans(p, 2)
    assert sorted(_np(c)[:, 0].tolist()) == [0.5, 9.5]
    assert _np(a)[0] == _np(a)[1] != _np(a)[2] == _np(a)[3]
    np.testing.assert_array_equal(_np(clustering.farthest_point_centroids(
        np.array([[0.0], [1.0], [9.0]]), 2)), [[9.0], [0.0]])
    np.testing.assert_allclose(_np(clustering.squared_distances(
        np.zeros((1, 2)), np.array([[3.0, 4.0]]))), [[25.0]])
    # An empty cluster keeps its centroid.
    c, _ = clustering.kmeans(p, 2, iterations=1, initial=np.array([[0.5], [100.0]]))
    np.testing.assert_allclose(_np(c), [[5.0], [100.0]])


def test_moving_centroids_by_hand():
    c = np.array([[0.0, 0.0], [10.0, 10.0], [50.0, 50.0]], "float32")
    p = np.array([[1.0, 1.0], [3.0, 1.0], [10.0, 12.0]], "float32")
    moved = _np(clustering.moving_centroids(c, p, 0.5))
    # Centroid 0 moves half-way to (2, 1), centroid 1 to (10, 12), 2 gets nothing.
    np.testing.assert_allclose(moved, [[1.0, 0.5], [10.0, 11.0], [50.0, 50.0]])


def test_kmeans_errors():
    with pytest.raises(ValueError, match="k >= 1"):
        clustering.kmeans(np.zeros((3, 2)), 0)
    with pytest.raises(ValueError, match="at least k=4 points"):
        clustering.kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match=r"points \[N, D\]"):
        clustering.kmeans(np.zeros(3), 1)


# -------------------------------------------------------------------------- model


def tiny(**overrides):
    config = keras_gans.registry.tiny_config("s3gan")
    config.update(overrides)
    return keras_gans.get("s3gan", **config)


def labelled_batch(n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 16, 16, 1)).astype("float32")
    y = np.where(np.arange(n) % 2 == 0, np.arange(n) % 10, -1).astype("int32")
    return x, y


@pytest.mark.parametrize("variant", ["s3", "s2"])
def test_heads_and_the_labels_the_projection_uses(variant):
    model = tiny(variant=variant)
    x, y = labelled_batch()
    out = model.discriminator([x, y])
    assert set(out) == {"logits", "rotation", "classes", "labels", "features"}
    assert out["logits"].shape == (8, 1) and out["rotation"].shape == (8, 4)
    assert out["classes"].shape == (8, 10)
    used = _np(out["labels"])
    # Own labels where given; D's guess (the class head's argmax, or the
    # nearest centroid: s2's scores are minus the squared distances) elsewhere.
    guess = np.argmax(_np(out["classes"]), axis=1)
    np.testing.assert_array_equal(used, np.where(y >= 0, y, guess))
    # The projection's logit changes with the label it is given.
    other = model.discriminator([x, (np.maximum(y, 0) + 1) % 10])["logits"]
    assert not np.allclose(_np(other), _np(out["logits"]))


def test_label_threshold_keeps_only_the_sure_guesses(tmp_path):
    x, y = labelled_batch()
    plain = tiny()
    # An untrained trunk's features are large, so the class head's softmax can
    # sit at 1.0 (in float32) for every row, and no threshold splits those.
    # Scale the head's kernel so its logits have a spread of about 1: the
    # guesses' confidences then differ, whatever the initial weights.
    head = plain.discriminator.get_layer("sn_classes")
    logits = _np(plain.discriminator([x, y])["classes"])
    head.set_weights([w / logits.std() if "kernel" in v.path else w
                      for v, w in zip(head.weights, head.get_weights())])
    probs = _np(tf.nn.softmax(plain.discriminator([x, y])["classes"]))
    sure = np.sort(probs.max(axis=1)[y < 0])
    assert sure[-1] - sure[0] > 1e-3, sure  # a threshold between them exists
    threshold = float(sure[0] + sure[-1]) / 2  # between the least and the most sure guess
    model = tiny(label_threshold=threshold)
    model.discriminator.set_weights(plain.discriminator.get_weights())
    out = model.discriminator([x, y])
    guess = np.where(probs.max(axis=1) >= threshold, probs.argmax(axis=1), -1)
    used = _np(out["labels"])
    np.testing.assert_array_equal(used, np.where(y >= 0, y, guess))
    assert (used[y < 0] == -1).any() and (used[y < 0] >= 0).any()
    # The threshold is a constructor argument: it comes back with a saved model.
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras_gans.models.base.keras.saving.load_model(path)
    assert again.label_threshold == pytest.approx(threshold)
    np.testing.assert_array_equal(_np(again.discriminator([x, y])["labels"]), used)
    with pytest.raises(ValueError, match="label_threshold is a probability"):
        tiny(label_threshold=1.5)


def _spy_discriminator_calls(monkeypatch, model):
    calls = []
    cls = type(model.discriminator)
    original = cls.__call__

    def spy(self, *args, **kwargs):
        if self is model.discriminator:
            calls.append(tuple(keras_gans.models.base.ops.shape(args[0][0])))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__call__", spy)
    return calls


def test_discriminator_loss_is_the_weighted_sum_on_one_call(monkeypatch):
    x, y = labelled_batch()
    fake = [tf.constant(x[::-1].copy()), tf.constant(np.arange(8, dtype="int32") % 10)]
    real = [tf.constant(x), tf.constant(y)]
    for w_rot, w_cls in [(1.0, 1.0), (2.0, 0.5)]:
        model = tiny(rotation_weight_d=w_rot, class_weight=w_cls, rotation_every=4)
        model.d_loss_fn = lambda r, f: 0.25 + 0.0 * tf.reduce_mean(r)  # the adversarial part
        calls = _spy_discriminator_calls(monkeypatch, model)
        loss, logs = model.discriminator_loss(real, fake)
        # One call: 8 real + 2 rows x 3 turns, 8 fake + 2 x 3.
        assert calls == [(28, 16, 16, 1)]
        want = 0.25 + w_rot * float(logs["d_rotation_loss"]) + w_cls * float(logs["d_class_loss"])
        assert float(loss) == pytest.approx(want, rel=1e-5)
        assert float(logs["d_loss"]) == pytest.approx(want, rel=1e-5)
        monkeypatch.undo()


def test_rotation_and_class_losses_are_those_of_the_heads():
    model = tiny(rotation_every=4)
    x, y = labelled_batch()
    real = [tf.constant(x), tf.constant(y)]
    fake = [tf.constant(x[::-1].copy()), tf.constant(np.abs(y) % 10)]
    seen = {}
    d = model.discriminator

    def fixed(inputs, training=False):  # D's outputs recorded for a check by hand
        out = d(inputs, training=False)
        seen.update(out=out, images=inputs[0], labels=inputs[1])
        return out

    object.__setattr__(model, "discriminator", fixed)
    try:
        _, logs = model.discriminator_loss(real, fake)
    finally:
        object.__setattr__(model, "discriminator", d)
    out = {k: _np(v) for k, v in seen["out"].items()}
    images = _np(seen["images"])
    # The rows: 8 real, then rows 0 and 4 turned by 90, 180, 270 degrees, then the same for the fakes.
    np.testing.assert_array_equal(images[8:10], np.rot90(x[[0, 4]], 1, axes=(1, 2)))
    np.testing.assert_array_equal(images[12:14], np.rot90(x[[0, 4]], 3, axes=(1, 2)))
    np.testing.assert_array_equal(_np(seen["labels"])[8:14], np.tile(y[[0, 4]], 3))
    rot_rows = np.concatenate([out["rotation"][[0, 4]], out["rotation"][8:14]])
    want = float(losses.rotation_loss(rot_rows, np.repeat(np.arange(4), 2)))
    assert float(logs["d_rotation_loss"]) == pytest.approx(want, rel=1e-5)
    labelled = y >= 0
    logp = _np(tf.nn.log_softmax(out["classes"][:8]))
    want = -np.mean(logp[np.arange(8), np.maximum(y, 0)][labelled])
    assert float(logs["d_class_loss"]) == pytest.approx(want, rel=1e-5)


def test_generator_loss_adds_a_fifth_of_the_rotation_loss(monkeypatch):
    model = tiny(orthogonal_weight=0.0, rotation_every=4)
    model.g_loss_fn = lambda f: 0.5 + 0.0 * tf.reduce_mean(f)
    calls = _spy_discriminator_calls(monkeypatch, model)
    z = [tf.random.normal((8, model.latent_dim)), tf.constant(np.arange(8, dtype="int32"))]
    loss, logs = model.generator_loss(None, z)
    assert calls == [(14, 16, 16, 1)]  # 8 fakes + 2 rows x 3 turns, one call
    assert float(loss) == pytest.approx(0.5 + 0.2 * float(logs["g_rotation_loss"]), rel=1e-5)
    # BigGAN's orthogonal penalty is still there when its weight is not 0.
    model = tiny(rotation_every=4)
    assert float(model.generator_regularization()) > 0


def test_s2_clusters_after_the_warm_up_and_then_follows_the_features():
    model = tiny(variant="s2", cluster_start=2, cluster_bank=16, cluster_rate=0.5,
                 cluster_iterations=5)
    model.compile()
    centroids = model.centroid_layer().centroids
    # Warm-up: one class for all; the data's labels are not used.
    x, y = labelled_batch()
    assert np.all(_np(model.unpack((x, y))[1]) == -1)
    assert np.all(_np(model.generator_inputs(8, None)[1]) == 0)
    ds = model.example_data(batch_size=8, batches=3)
    model.fit(ds.take(1), epochs=1, verbose=0)
    assert np.all(_np(centroids) == 0)
    bank_after_first = _np(model.cluster_bank_features)
    assert not np.any(np.all(bank_after_first == 0, axis=1))  # filled with copies
    model.fit(ds.skip(1).take(1), epochs=1, verbose=0)  # step 1 = cluster_start - 1: k-means
    want, _ = clustering.kmeans(_np(model.cluster_bank_features), 10, 5)
    np.testing.assert_allclose(_np(centroids), _np(want), rtol=1e-5, atol=1e-5)
    assert len(set(_np(model.generator_inputs(64, None)[1]).tolist())) > 1  # classes now
    before = _np(centroids).copy()
    model.fit(ds.skip(2), epochs=1, verbose=0)  # after: centroids move
    assert not np.allclose(_np(centroids), before)


def test_s2_state_is_saved(tmp_path):
    model = tiny(variant="s2", cluster_start=1, cluster_bank=16)
    model.compile()
    model.fit(model.example_data(), epochs=1, verbose=0)
    path = str(tmp_path / "s2.keras")
    model.save(path)
    import keras

    again = keras.models.load_model(path)
    assert again.variant == "s2"
    np.testing.assert_array_equal(_np(again.centroid_layer().centroids),
                                  _np(model.centroid_layer().centroids))
    np.testing.assert_array_equal(_np(again.cluster_bank_features),
                                  _np(model.cluster_bank_features))
    assert int(again.step_counter) == 2


def test_s2_through_the_registry_checks(tmp_path):
    from keras_gans.testing import run_model_test

    model = tiny(variant="s2", cluster_start=1, cluster_bank=16)
    model.compile()
    run_model_test(model, str(tmp_path), name="s3gan(variant='s2')")


def test_classify_is_the_class_head():
    model = tiny()
    x, _ = labelled_batch()
    probs = model.classify(x)
    logits = model.discriminator([x, -np.ones(8, "int32")])["classes"]
    np.testing.assert_allclose(probs, _np(tf.nn.softmax(logits)), rtol=1e-5, atol=1e-6)
    assert "classify" in model.serving_signatures()


def test_errors_say_what_to_do():
    with pytest.raises(ValueError, match="variant must be one of 's2', 's3'"):
        tiny(variant="s4")
    with pytest.raises(ValueError, match="cluster_start must be >= 1"):
        tiny(variant="s2", cluster_start=0)
    with pytest.raises(ValueError, match="cluster_bank must hold at least"):
        tiny(variant="s2", cluster_bank=4)
    plain = keras_gans.networks.biggan.biggan_discriminator((16, 16, 1), 10, 8, None, 1)
    with pytest.raises(ValueError, match="s3gan_discriminator"):
        tiny(discriminator=plain)
    trunk = keras_gans.networks.biggan.biggan_discriminator_features((16, 16, 1), 8, None, 1)
    s3_heads = keras_gans.networks.s3gan.s3gan_discriminator(trunk, 10, "s3")
    with pytest.raises(ValueError, match="NearestCentroid"):
        tiny(variant="s2", discriminator=s3_heads)

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import regularizers


def test_gradient_penalty_linear_critic_by_hand():
    # D(x) = sum(w * x): grad_x D = w everywhere, so the penalty is (||w|| - 1)^2.
    w = tf.constant(np.full((2, 2, 1), 0.5, "float32"))  # ||w|| = sqrt(4 * 0.25) = 1
    critic = lambda x, training=True: tf.reduce_sum(x * w, axis=[1, 2, 3])  # noqa: E731
    real = tf.ones((3, 2, 2, 1))
    fake = -tf.ones((3, 2, 2, 1))
    assert float(regularizers.gradient_penalty(critic, real, fake)) == pytest.approx(0.0, abs=1e-6)
    w2 = tf.constant(np.full((2, 2, 1), 1.5, "float32"))  # ||w|| = 3 -> (3 - 1)^2 = 4
    critic2 = lambda x, training=True: tf.reduce_sum(x * w2, axis=[1, 2, 3])  # noqa: E731
    assert float(regularizers.gradient_penalty(critic2, real, fake)) == pytest.approx(4.0, rel=1e-5)


def test_gradient_penalty_quadratic_critic_at_fixed_alpha():
    # D(x) = sum(x^2): grad = 2 x_hat. With alpha = 0.25, real = 1, fake = -1:
    # x_hat = 0.25 - 0.75 = -0.5 per pixel, grad = -1 per pixel, 4 pixels -> norm 2.
    critic = lambda x, training=True: tf.reduce_sum(tf.square(x), axis=[1, 2, 3])  # noqa: E731
    real = tf.ones((2, 2, 2, 1))
    fake = -tf.ones((2, 2, 2, 1))
    gp = regularizers.gradient_penalty(critic, real, fake, alpha=0.25)
    assert float(gp) == pytest.approx(1.0, rel=1e-5)


def test_feature_matching_is_the_squared_distance_of_mean_features():
    real = tf.constant([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]])  # mean [2, 3, 0]
    fake = tf.constant([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 4.0, 3.0]])  # mean [0, 2, 1]
    # diff [2, 1, -1]: squared norm 6, its mean over 3 features 2
    assert float(regularizers.feature_matching(real, fake)) == pytest.approx(6.0)
    assert float(regularizers.feature_matching(real, fake, reduction="mean")) == pytest.approx(2.0)
    shuffled = tf.gather(real, [1, 0])
    assert float(regularizers.feature_matching(real, shuffled)) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="reduction"):
        regularizers.feature_matching(real, fake, reduction="max")

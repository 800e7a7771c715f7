"""Reconstruction and perceptual terms: distances between images or features.

Pure functions of network outputs of any rank that return float32 scalars:
the pixel distances of the translation models (`l1`, `l2`, `huber`) and
AnimeGAN's style and colour terms. The feature network that feeds
`style_loss` (a frozen VGG, say) stays with the model; these functions only
compare its outputs.
"""

from keras import ops

from keras_gans import image_ops
from keras_gans.losses.common import float32_mean, to_float32

__all__ = ["l1", "l2", "huber", "gram_matrix", "style_loss", "color_loss"]



def l1(x, y):
    """Mean absolute error E|x - y|, in float32.

    The per-replica mean (`GAN.apply_loss` scales it by the replicas).

    Reference: the cycle-consistency and identity terms of CycleGAN (Zhu et
    al. 2017, arXiv:1703.10593, eq. 2), pix2pix's L1 term (Isola et al. 2017,
    arXiv:1611.07004, eq. 3), DualGAN's reconstruction (Yi et al. 2017,
    arXiv:1704.02510) and CartoonGAN's content loss (Chen et al. 2018).

    Args:
        x: tensor. Any rank.
        y: tensor. Same shape as `x` (or broadcastable to it).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.l1(np.array([0.0, 1.0]), np.array([1.0, 3.0]))  # 1.5
    ```
    """
    return float32_mean(ops.abs(to_float32(x) - to_float32(y)))


def l2(x, y):
    """Mean squared error E(x - y)^2, in float32.

    Reference: DiscoGAN's reconstruction loss L_CONST with the squared
    distance (Kim et al. 2017, "Learning to Discover Cross-Domain Relations
    with Generative Adversarial Networks", arXiv:1703.05192).

    Args:
        x: tensor. Any rank.
        y: tensor. Same shape as `x` (or broadcastable to it).

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.l2(np.array([0.0, 1.0]), np.array([1.0, 3.0]))  # 2.5
    ```
    """
    return float32_mean(ops.square(to_float32(x) - to_float32(y)))


def huber(x, y, delta=1.0):
    """Mean Huber loss of x - y, in float32 (`tf.losses.huber_loss`'s).

    Per element, with d = |x - y|: 0.5 d^2 where d <= delta, else
    delta * d - 0.5 delta^2; then the mean over every element.

    Reference: Huber 1964, "Robust Estimation of a Location Parameter"; the U
    and V terms of AnimeGAN's colour loss (Chen, Liu and Chen 2019, section 3).

    Args:
        x: tensor. Any rank.
        y: tensor. Same shape as `x` (or broadcastable to it).
        delta: float. Where the loss turns from quadratic to linear.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.huber(np.array([0.0, 0.0]), np.array([0.5, 3.0]))  # (0.125 + 2.5) / 2
    ```
    """
    d = ops.abs(to_float32(x) - to_float32(y))
    return ops.mean(ops.where(d <= delta, 0.5 * ops.square(d), delta * d - 0.5 * delta**2))


def gram_matrix(features):
    """Gram matrices `[B, C, C]` of feature maps `[B, H, W, C]`, in float32.

    G[b, i, j] = sum over (h, w) of F[b, h, w, i] * F[b, h, w, j], divided by
    H * W * C (the normalisation of AnimeGAN's `gram`, which makes the style
    loss independent of the feature map's size and width). The computation
    is `keras_gans.image_ops.gram_matrix`'s.

    Reference: Gatys, Ecker and Bethge 2016, "Image Style Transfer Using
    Convolutional Neural Networks" (CVPR), the style representation; the
    normalisation of AnimeGAN (Chen, Liu and Chen 2019).

    Args:
        features: tensor [B, H, W, C]. Feature maps.

    Returns:
        A float32 tensor [B, C, C].

    Example:
    ```python
    keras_gans.losses.gram_matrix(np.ones((1, 2, 2, 3)))  # every entry 4 / 12
    ```
    """
    return image_ops.gram_matrix(features)


def style_loss(generated_features, style_features):
    """Style loss: the mean absolute difference of the Gram matrices,
    E|Gram(F(G(p))) - Gram(F(a))|.

    AnimeGAN feeds it the feature maps of its generated images and of
    grayscale anime frames (the texture of the style without its colours).

    Reference: Chen, Liu and Chen 2019, "AnimeGAN: A Novel Lightweight GAN for
    Photo Animation" (ISICA), section 3, the grayscale style loss (after Gatys
    et al. 2016, "Image Style Transfer Using Convolutional Neural Networks").

    Args:
        generated_features: tensor [B, H, W, C]. Feature maps of the generated
            images.
        style_features: tensor [B, H, W, C]. Feature maps of the style images.

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.style_loss(vgg(fake), vgg(keras_gans.image_ops.grayscale_rgb(anime)))
    ```
    """
    return l1(gram_matrix(generated_features), gram_matrix(style_features))


def color_loss(photos, generated):
    """AnimeGAN's colour loss in YUV: E|Y(G(p)) - Y(p)| + Huber(U) + Huber(V).

    The luma is compared with L1 and the two chroma channels with the Huber
    loss (`huber`, delta 1), so G keeps the photo's colours.

    Reference: Chen, Liu and Chen 2019, "AnimeGAN: A Novel Lightweight GAN for
    Photo Animation" (ISICA), section 3, the colour reconstruction loss.

    Args:
        photos: tensor [B, H, W, 3]. The input photos, RGB in [-1, 1].
        generated: tensor [B, H, W, 3]. G's outputs for them, RGB in [-1, 1].

    Returns:
        A float32 scalar.

    Example:
    ```python
    keras_gans.losses.color_loss(photos, generator(photos))
    ```
    """
    p, g = image_ops.rgb_to_yuv(photos), image_ops.rgb_to_yuv(generated)
    return (l1(g[..., 0], p[..., 0]) + huber(g[..., 1], p[..., 1])
            + huber(g[..., 2], p[..., 2]))

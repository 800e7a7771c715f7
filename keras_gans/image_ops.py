"""Image helpers for the image-to-image GANs: colour spaces, Gram matrices and
CartoonGAN's edge smoothing.

Every function takes float32 images in [-1, 1] (the generators' range) shaped
`[B, H, W, C]` and is made of TensorFlow ops, so it runs eagerly and inside a
`tf.function` / `train_step`.
"""

import numpy as np
import tensorflow as tf

#: ITU-R BT.601 luma weights (the ones `tf.image.rgb_to_grayscale` uses).
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def to_unit(x):
    """[-1, 1] -> [0, 1].

    Args:
        x: tensor or array. Values in [-1, 1].

    Returns:
        tensor. (x + 1) / 2.
    """
    return (tf.convert_to_tensor(x) + 1.0) * 0.5


def from_unit(x):
    """[0, 1] -> [-1, 1].

    Args:
        x: tensor or array. Values in [0, 1].

    Returns:
        tensor. 2 x - 1.
    """
    return tf.convert_to_tensor(x) * 2.0 - 1.0


def _check_images(x, name="images"):
    x = tf.convert_to_tensor(x)
    if x.shape.rank != 4:
        raise ValueError(f"{name} must be [batch, height, width, channels]; got shape {x.shape}.")
    return x


def grayscale(x):
    """Luminance `[B, H, W, 1]` in [-1, 1] of RGB images in [-1, 1].

    Y = 0.299 R + 0.587 G + 0.114 B. The weights sum to 1, so the luminance of
    the [0, 1] image mapped back to [-1, 1] is the same weighted sum of the
    [-1, 1] channels. One-channel images are returned as they are.

    Args:
        x: tensor. `[B, H, W, 3]` (or `[B, H, W, 1]`) images in [-1, 1].

    Returns:
        tensor `[B, H, W, 1]` in [-1, 1].

    Example:
    ```python
    grey = keras_gans.image_ops.grayscale(photos)
    ```
    """
    x = _check_images(x)
    if x.shape[-1] == 1:
        return x
    if x.shape[-1] != 3:
        raise ValueError(f"grayscale needs 1 or 3 channels; got {x.shape[-1]}.")
    weights = tf.constant(LUMA_WEIGHTS, dtype=x.dtype)
    return tf.reduce_sum(x * weights, axis=-1, keepdims=True)


def grayscale_rgb(x):
    """The luminance of `x` repeated to 3 channels, `[B, H, W, 3]` in [-1, 1].

    AnimeGAN's style loss compares Gram matrices of the features of grayscale
    anime frames and generated images, both fed to an RGB feature net this way.

    Args:
        x: tensor. `[B, H, W, 3]` images in [-1, 1].

    Returns:
        tensor `[B, H, W, 3]` in [-1, 1], the three channels equal.
    """
    return tf.repeat(grayscale(x), 3, axis=-1)


def rgb_to_yuv(x):
    """YUV of RGB images in [-1, 1] (mapped to [0, 1] first).

    Y is in [0, 1], U in about [-0.44, 0.44] and V in about [-0.62, 0.62]
    (`tf.image.rgb_to_yuv`); white is Y = 1, U = V = 0. AnimeGAN's colour loss
    uses it.

    Args:
        x: tensor. `[B, H, W, 3]` images in [-1, 1].

    Returns:
        tensor `[B, H, W, 3]`: Y, U, V.
    """
    x = _check_images(x)
    return tf.image.rgb_to_yuv(to_unit(x))


def gram_matrix(features):
    """Gram matrices `[B, C, C]` of feature maps `[B, H, W, C]`.

    G[b, i, j] = sum over (h, w) of F[b, h, w, i] * F[b, h, w, j], divided by
    H * W * C (the normalisation of AnimeGAN's `gram`, which makes the style
    loss independent of the feature map's size and width). Computed in float32.

    Args:
        features: tensor. `[B, H, W, C]` feature maps.

    Returns:
        float32 tensor `[B, C, C]`.

    Example:
    ```python
    g = keras_gans.image_ops.gram_matrix(features(images))
    ```
    """
    f = tf.cast(_check_images(features, "features"), tf.float32)
    shape = tf.shape(f)
    norm = tf.cast(shape[1] * shape[2] * shape[3], tf.float32)
    return tf.einsum("bhwi,bhwj->bij", f, f) / norm


def gaussian_kernel(kernel_size=5, sigma=None):
    """Normalised 2-D Gaussian kernel (numpy, float32, `[k, k]`).

    `sigma=None` uses OpenCV's default for the size,
    `0.3 * ((k - 1) * 0.5 - 1) + 0.8` (1.1 for k = 5), as CartoonGAN's
    `cv2.GaussianBlur(..., (5, 5), 0)` does.

    Args:
        kernel_size: int. k, odd and positive.
        sigma: float or None. The standard deviation; None: OpenCV's default.

    Returns:
        numpy float32 `[k, k]`, summing to 1.
    """
    k = int(kernel_size)
    if k < 1 or k % 2 == 0:
        raise ValueError(f"kernel_size must be a positive odd integer; got {kernel_size!r}.")
    if sigma is None:
        sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8
    t = np.arange(k, dtype="float64") - (k - 1) / 2
    g = np.exp(-(t**2) / (2.0 * float(sigma) ** 2))
    g /= g.sum()
    return np.outer(g, g).astype("float32")


def edge_smooth(images, kernel_size=5, threshold=0.4, sigma=None):
    """CartoonGAN's edge-smoothed cartoons `e_i` (Chen et al. 2018, CVPR, section 3.3).

    The paper detects edges with Canny, dilates them and applies Gaussian
    smoothing in the dilated edge regions, giving cartoons without clear
    edges for the edge-promoting adversarial loss. Here, in TensorFlow ops:

    1. edges: the Sobel gradient magnitude (`tf.image.sobel_edges`, L2 norm of
       the two directions) of the luminance in [0, 1] above `threshold`. On
       this scale a step of height s across an edge gives a magnitude of 4 s,
       and Canny's low threshold 100 (of 255) on the same 3x3 Sobel filter
       is 100 / 255 = 0.39: the default 0.4 keeps steps of about a tenth of
       the range;
    2. the edge mask is dilated with a `kernel_size` square (max pooling);
    3. inside the dilated mask the pixels are replaced by a Gaussian blur
       (`kernel_size` taps, reflect-padded, a depthwise convolution); outside
       it they are left exactly as they are.

    It is data preparation: the result is wrapped in `tf.stop_gradient`, it is
    deterministic and it runs in graph mode inside `train_step`.

    Args:
        images: tensor. `[B, H, W, C]` images in [-1, 1] (C = 1 or 3).
        kernel_size: int. Odd size of the dilation and of the Gaussian (5).
        threshold: float. Sobel magnitude, on the [0, 1] luminance, above
            which a pixel is an edge.
        sigma: float or None. The Gaussian's standard deviation; None: OpenCV's
            default for `kernel_size` (1.1 for 5).

    Returns:
        The smoothed images, same shape and dtype as `images`.

    Example:
    ```python
    e = keras_gans.image_ops.edge_smooth(cartoons)  # D's extra fakes in CartoonGAN
    ```
    """
    x = _check_images(images)
    dtype = x.dtype
    x = tf.cast(x, tf.float32)
    kernel = gaussian_kernel(kernel_size, sigma)
    k = int(kernel_size)
    channels = x.shape[-1]
    if channels is None:
        raise ValueError("edge_smooth needs a known channel count.")

    grey = to_unit(grayscale(x))
    sobel = tf.image.sobel_edges(grey)  # [B, H, W, 1, 2]
    magnitude = tf.sqrt(tf.reduce_sum(tf.square(sobel), axis=-1))  # [B, H, W, 1]
    edges = tf.cast(magnitude > threshold, tf.float32)
    dilated = tf.nn.max_pool2d(edges, ksize=k, strides=1, padding="SAME") > 0.5

    pad = k // 2
    padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
    depthwise = np.tile(kernel[:, :, None, None], (1, 1, channels, 1))
    blurred = tf.nn.depthwise_conv2d(
        padded, tf.constant(depthwise), strides=[1, 1, 1, 1], padding="VALID"
    )
    out = tf.where(dilated, blurred, x)
    return tf.stop_gradient(tf.cast(out, dtype))


__all__ = [
    "LUMA_WEIGHTS",
    "edge_smooth",
    "from_unit",
    "gaussian_kernel",
    "grayscale",
    "grayscale_rgb",
    "gram_matrix",
    "rgb_to_yuv",
    "to_unit",
]

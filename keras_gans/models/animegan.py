"""AnimeGAN (Chen, Liu and Chen 2019, "AnimeGAN: A Novel Lightweight GAN for
Photo Animation", ISICA 2019)."""

import keras
from keras import layers

from keras_gans import image_ops
from keras_gans.layers.padding import ReflectionPadding2D
from keras_gans.losses import color_loss, style_loss
from keras_gans.models.cartoongan import CartoonTranslator
from keras_gans.networks.translation import instance_norm, patchgan_discriminator
from keras_gans.registry import register_model

__all__ = ["AnimeGAN", "animegan_generator"]


def _norm_act(x):
    return layers.LeakyReLU(0.2)(instance_norm()(x))


def _conv_block(x, width, kernel=3):
    """Conv-Block: (reflect pad) Conv + instance norm + LeakyReLU(0.2)."""
    if kernel == 3:
        x = ReflectionPadding2D(1)(x)
    return _norm_act(layers.Conv2D(width, kernel, use_bias=False)(x))


def _ds_conv(x, width, strides=1):
    """DSConv: depthwise-separable 3x3 convolution + instance norm + LeakyReLU."""
    if strides == 1:
        x = ReflectionPadding2D(1)(x)
        conv = layers.SeparableConv2D(width, 3, use_bias=False)
    else:
        conv = layers.SeparableConv2D(width, 3, strides=strides, padding="same", use_bias=False)
    return _norm_act(conv(x))


def _down_conv(x, width):
    """Down-Conv: a stride-2 DSConv plus a DSConv of the half-size image
    (2x2 average = bilinear resize by 1/2)."""
    return layers.Add()([_ds_conv(x, width, strides=2),
                         _ds_conv(layers.AveragePooling2D(2)(x), width)])


def _up_conv(x, width):
    """Up-Conv: bilinear resize by 2, then a DSConv (no transposed convolution)."""
    return _ds_conv(layers.UpSampling2D(2, interpolation="bilinear")(x), width)


def _inverted_residual(x, expansion):
    """IRB (MobileNetV2): 1x1 expand + norm + LReLU, depthwise 3x3 + norm +
    LReLU, 1x1 project + norm, added to the input."""
    width = x.shape[-1]
    y = _conv_block(x, int(round(width * expansion)), kernel=1)
    y = ReflectionPadding2D(1)(y)
    y = _norm_act(layers.DepthwiseConv2D(3, use_bias=False)(y))
    y = instance_norm()(layers.Conv2D(width, 1, use_bias=False)(y))
    return layers.Add()([x, y])


def animegan_generator(image_shape, filters=64, num_blocks=8, expansion=2, name="generator"):
    """AnimeGAN's lightweight generator: image -> image in [-1, 1].

    Encoder: 2 Conv-Blocks (`filters`), Down-Conv (2f), Conv-Block, DSConv,
    Down-Conv (4f); middle: Conv-Block, `num_blocks` inverted residual blocks
    (expansion `expansion`), Conv-Block; decoder: Up-Conv (2f), DSConv,
    Conv-Block, Up-Conv (2f), 2 Conv-Blocks (f); a 1x1 convolution and tanh
    (float32). Every block has instance norm and LeakyReLU(0.2); 3x3
    convolutions reflect-pad. As the authors' code (its u1 stage has 2f
    filters where the paper's figure says f). The depthwise-separable
    convolutions and IRBs are what makes it light: at `filters=64` it has
    about 4 M weights where CartoonGAN's G has 11 M.

    Args:
        image_shape: tuple. (H, W, C); H and W divisible by 4 and >= 8.
        filters: int. Width of the first blocks (64 in the paper).
        num_blocks: int. Inverted residual blocks (8 in the paper).
        expansion: float. IRB expansion ratio (2 in the code).
        name: str. The model's name.

    Returns:
        keras.Model. `[B, H, W, C]` images in [-1, 1] -> images of the same shape.

    Example:
    ```python
    g = keras_gans.models.animegan.animegan_generator((256, 256, 3))
    anime = g(photos)  # [B, 256, 256, 3] in [-1, 1]
    ```
    """
    h, w, c = (int(s) for s in image_shape)
    if h % 4 or w % 4 or min(h, w) < 8:
        raise ValueError(
            f"animegan_generator needs a height and width divisible by 4 and at least 8; "
            f"got image_shape {tuple(image_shape)!r}."
        )
    f = int(filters)
    inputs = keras.Input((h, w, c), name="images")
    x = _conv_block(inputs, f)
    x = _conv_block(x, f)
    x = _down_conv(x, 2 * f)
    x = _conv_block(x, 2 * f)
    x = _ds_conv(x, 2 * f)
    x = _down_conv(x, 4 * f)
    x = _conv_block(x, 4 * f)
    for _ in range(int(num_blocks)):
        x = _inverted_residual(x, expansion)
    x = _conv_block(x, 4 * f)
    x = _up_conv(x, 2 * f)
    x = _ds_conv(x, 2 * f)
    x = _conv_block(x, 2 * f)
    x = _up_conv(x, 2 * f)
    x = _conv_block(x, f)
    x = _conv_block(x, f)
    x = layers.Conv2D(c, 1, name="out_conv")(x)
    outputs = layers.Activation("tanh", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


@register_model(
    "animegan",
    defaults=dict(image_shape=(32, 32, 3), filters=16, num_blocks=8, d_filters=16, d_layers=2,
                  init_steps=160, feature_layer="block1_output", adv_weight=0.1,
                  g_learning_rate=1e-3, d_learning_rate=2e-4),
    tiny=dict(image_shape=(16, 16, 3), filters=4, num_blocks=1, d_filters=4, d_layers=2,
              init_steps=1, feature_layer="block2_conv2"),
)
class AnimeGAN(CartoonTranslator):
    """AnimeGAN: light photo -> anime G; grayscale style and YUV colour losses (Chen 2019).

    G is `animegan_generator` (depthwise-separable convolutions and inverted
    residual blocks); D a PatchGAN. Losses (section 3 of the paper):

    - adversarial (LSGAN): D minimizes `adv_weight * [(D(a) - 1)^2 + D(G(p))^2
      + gray_weight D(x)^2 + smooth_weight D(y)^2]` where `a` is an anime
      image, `x = grayscale(a)` (the grayscale adversarial loss: colour alone
      does not make an image anime) and `y = grayscale(edge_smooth(a))` (the
      edge-promoting term of CartoonGAN, 0.1 in the paper); G minimizes
      `adv_weight * (D(G(p)) - 1)^2`;
    - content: `content_weight * |F(G(p)) - F(p)|_1` on the frozen feature
      net F (VGG19 conv4_4 in the paper);
    - grayscale style: `style_weight * |Gram(F(G(p))) - Gram(F(x))|_1`, the
      texture of anime frames without their colours (as in the paper and the
      authors' code, G(p) enters in colour);
    - colour reconstruction in YUV: `color_weight * (|Y(G(p)) - Y(p)|_1 +
      Huber(U(G(p)) - U(p)) + Huber(V(G(p)) - V(p)))`.

    Weights default to the paper's: omega_adv 300, omega_con 1.5, omega_gra 3,
    omega_col 10; the learning rates to the authors' code (G 4e-5, D 8e-5,
    Adam beta_1 0.5; its separate 1e-4 rate for the initialization phase is
    not reproduced: one G optimizer serves both phases). The first
    `init_steps` steps train G on the content loss alone (see
    `CartoonTranslator`); the authors use one epoch.

    The registered `animegan` preset is sized for a short CPU run at 32 px
    (40 epochs of `photo-cartoon`, 640 steps): `filters=16` with the
    paper's 8 IRBs, a 16-filter two-stage D, a 160-step (10-epoch)
    initialization phase, Adam 1e-3 for G and 2e-4 for D, the offline net's
    first block with its pixel group (`feature_layer="block1_output"`, see
    `offline_feature_net`) and `adv_weight=0.1`; see
    docs/MODEL_NOTES.md#animegan for why. With `feature_extractor="vgg19"`
    pass `feature_layer=None` and the paper's weights.

    Reference: Chen, Liu and Chen 2019, "AnimeGAN: A Novel Lightweight GAN for Photo
    Animation", ISICA 2019.

    Args:
        image_shape: tuple. (H, W, 3) of both domains; H and W divisible by 4.
        filters: int. G's base width (64 in the paper).
        num_blocks: int. G's inverted residual blocks (8 in the paper).
        d_filters: int. Width of D's first convolution.
        d_layers: int. Stride-2 stages of D.
        adv_weight: float. omega_adv, on G's and D's adversarial losses.
        content_weight: float. omega_con.
        style_weight: float. omega_gra.
        color_weight: float. omega_col.
        gray_weight: float. Weight of D's term on grayscale anime.
        smooth_weight: float. Weight of D's term on grayscale edge-smoothed anime.
        init_steps: int. Steps of the initialization phase.
        feature_extractor: str. "offline", "vgg19" or a VGG19 weights path.
        feature_layer: str or None. The feature layer (None: the default).
        g_learning_rate: float. G's Adam rate when `compile()` gets none.
        d_learning_rate: float. D's Adam rate when `compile()` gets none.
        **kwargs: `CartoonTranslator` arguments (seed, ...).

    Example:
    ```python
    model = keras_gans.get("animegan")
    model.compile()
    model.fit(keras_gans.data.load_unpaired("photo-cartoon", image_size=32), epochs=40)
    anime = model.translate(photos)
    ```
    """

    default_epochs = 40
    metric_names = ("d_loss", "g_loss", "adv_loss", "content_loss", "style_loss", "color_loss",
                    "init_phase")

    def __init__(self, image_shape=(32, 32, 3), filters=64, num_blocks=8, d_filters=32,
                 d_layers=3, adv_weight=300.0, content_weight=1.5, style_weight=3.0,
                 color_weight=10.0, gray_weight=1.0, smooth_weight=0.1, init_steps=1000,
                 feature_extractor="offline", feature_layer=None, g_learning_rate=4e-5,
                 d_learning_rate=8e-5, loss="least_squares", **kwargs):
        if tuple(image_shape)[-1] != 3:
            raise ValueError(
                f"AnimeGAN works on RGB images (its losses use grayscale and YUV); got "
                f"image_shape {tuple(image_shape)!r}."
            )
        super().__init__(image_shape=image_shape, feature_extractor=feature_extractor,
                         feature_layer=feature_layer, init_steps=init_steps, loss=loss,
                         g_learning_rate=g_learning_rate, d_learning_rate=d_learning_rate,
                         **kwargs)
        self.adv_weight = float(adv_weight)
        self.discriminator_adv_weight = float(adv_weight)
        self.content_weight = float(content_weight)
        self.style_weight = float(style_weight)
        self.color_weight = float(color_weight)
        self.gray_weight = float(gray_weight)
        self.smooth_weight = float(smooth_weight)
        generator = animegan_generator(self.image_shape, filters=filters, num_blocks=num_blocks)
        discriminator = patchgan_discriminator(self.image_shape, filters=d_filters,
                                               num_layers=d_layers, name="discriminator")
        self.set_translation_networks(generator, discriminator)

    def discriminator_fakes(self, real, fake):
        _, b = real
        return [
            (fake, 1.0),
            (image_ops.grayscale_rgb(b), self.gray_weight),
            (image_ops.grayscale_rgb(image_ops.edge_smooth(b)), self.smooth_weight),
        ]

    def style_loss(self, generated, anime):
        """`keras_gans.losses.style_loss` of G(p)'s and grayscale anime's features."""
        return style_loss(self.feature_map(generated),
                          self.feature_map(image_ops.grayscale_rgb(anime)))

    @staticmethod
    def color_loss(photos, generated):
        """`keras_gans.losses.color_loss`: L1 on Y plus Huber on U and V."""
        return color_loss(photos, generated)

    def generator_terms(self, real, fake):
        a, b = real
        style = self.style_loss(fake, b)
        color = self.color_loss(a, fake)
        extra = self.style_weight * style + self.color_weight * color
        return extra, {"style_loss": style, "color_loss": color}

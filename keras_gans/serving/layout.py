"""TF Serving's directory layout: a base directory of numbered versions.

    savedmodels/dcgan/        the base directory
      1/saved_model.pb ...    version 1
      2/saved_model.pb ...    version 2 (TF Serving serves the highest)
"""

import os


def versions(base_dir):
    """The integer version directories under `base_dir`, sorted.

    Args:
        base_dir: str. A model's base directory in TF Serving's layout.

    Returns:
        list of int; empty when `base_dir` does not exist.

    Example:
    ```python
    keras_gans.serving.versions("savedmodels/dcgan")  # [1, 2]
    ```
    """
    if not os.path.isdir(base_dir):
        return []
    return sorted(
        int(d) for d in os.listdir(base_dir)
        if d.isdigit() and os.path.isdir(os.path.join(base_dir, d))
    )


def latest_version_dir(base_dir):
    """The highest version directory under `base_dir`.

    Args:
        base_dir: str. A model's base directory in TF Serving's layout.

    Returns:
        str `base_dir/<highest version>`, or None when there is none.

    Example:
    ```python
    keras_gans.serving.latest_version_dir("savedmodels/dcgan")  # "savedmodels/dcgan/2"
    ```
    """
    v = versions(base_dir)
    return os.path.join(base_dir, str(v[-1])) if v else None


def resolve_saved_model(path):
    """The SavedModel directory that `path` names.

    Args:
        path: str. A SavedModel version directory, or a base directory whose
            highest version holds one.

    Returns:
        str, the directory holding `saved_model.pb`, or None when `path`
        holds no SavedModel.

    Example:
    ```python
    keras_gans.serving.resolve_saved_model("savedmodels/dcgan")  # "savedmodels/dcgan/2"
    ```
    """
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    latest = latest_version_dir(path)
    if latest and os.path.isfile(os.path.join(latest, "saved_model.pb")):
        return latest
    return None

"""`python -m heupwijzer.server.rasa run ...`: Rasa's own command line (`rasa.__main__`), without JAX.

TensorFlow 2.12 depends on JAX and imports it at start when it is installed, for a TFLite helper
Heupwijzer never uses (`tensorflow/lite/python/util.py`, inside `try: ... except ImportError`):
about 65 MB of every Rasa process. A `None` entry in `sys.modules` makes that import fail as if JAX
were not installed (Python's documented way to block an import); TensorFlow then leaves the helper out.
"""

from __future__ import annotations

import sys


def block_jax() -> None:
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]


def main() -> None:
    block_jax()
    from rasa.__main__ import main as rasa_main  # only now: TensorFlow comes with it

    rasa_main()


if __name__ == "__main__":
    main()

from __future__ import annotations

import numpy as np
import pytest

from probe.image.evalset import day_look, load_photo, view


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    return load_photo("astronaut")


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


@pytest.fixture()
def scene(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A normal day frame: a view of a real photograph with a little sensor noise."""
    return day_look(view(photo), rng)

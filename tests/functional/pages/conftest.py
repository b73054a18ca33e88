"""Fixtures for the pages area: real image files made with Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import Image


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (11, 110, 79)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def photo_file():
    """A fresh (stream, filename) pair for a multipart upload of a real JPEG."""

    def make(fmt: str = "JPEG", name: str = "me.jpg"):
        return io.BytesIO(_image(fmt)), name

    return make

import io

import pytest
from PIL import Image

from fundraiser.pages.photos import (
    MAX_WIDTH,
    PhotoError,
    is_stored_name,
    prepare_photo,
)

LIMIT = 5 * 1024 * 1024


def save_photo(stream, folder, max_bytes: int) -> str:
    """Validate, re-encode and store an upload, as the views do; returns the stored name."""
    return prepare_photo(stream, max_bytes).store(folder)


def image_bytes(fmt: str, size=(40, 30), mode="RGB", exif: bool = False) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # Make
        tags[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
        image.save(out, format=fmt, exif=tags)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def test_jpeg_with_exif_is_reencoded_without_it():
    original = image_bytes("JPEG", exif=True)
    assert Image.open(io.BytesIO(original)).getexif()
    photo = prepare_photo(io.BytesIO(original), LIMIT)
    assert photo.extension == "jpg"
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"SecretCam" not in photo.content


def test_png_is_accepted_and_stays_png_when_transparent():
    photo = prepare_photo(io.BytesIO(image_bytes("PNG", mode="RGBA")), LIMIT)
    assert photo.extension == "png"
    assert Image.open(io.BytesIO(photo.content)).format == "PNG"


def test_opaque_png_becomes_jpeg():
    photo = prepare_photo(io.BytesIO(image_bytes("PNG")), LIMIT)
    assert photo.extension == "jpg"


def test_wide_photo_is_shrunk_to_the_maximum_width():
    photo = prepare_photo(io.BytesIO(image_bytes("PNG", size=(3200, 1000))), LIMIT)
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.size == (MAX_WIDTH, 500)


def test_text_file_named_jpg_is_refused():
    with pytest.raises(PhotoError, match="not a photo"):
        prepare_photo(io.BytesIO(b"this is not an image at all"), LIMIT)


def test_truncated_image_is_refused():
    data = image_bytes("JPEG", size=(200, 200))
    with pytest.raises(PhotoError):
        prepare_photo(io.BytesIO(data[: len(data) // 3]), LIMIT)


def test_oversize_file_is_refused_before_decoding():
    data = image_bytes("PNG")
    with pytest.raises(PhotoError, match="smaller than"):
        prepare_photo(io.BytesIO(data), len(data) - 1)


def test_empty_file_is_refused():
    with pytest.raises(PhotoError, match="empty"):
        prepare_photo(io.BytesIO(b""), LIMIT)


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    with pytest.raises(PhotoError):
        prepare_photo(io.BytesIO(out.getvalue()), LIMIT)


def test_saved_photo_has_a_random_safe_name(tmp_path):
    first = save_photo(io.BytesIO(image_bytes("JPEG")), tmp_path, LIMIT)
    second = save_photo(io.BytesIO(image_bytes("JPEG")), tmp_path, LIMIT)
    assert first != second
    assert is_stored_name(first) and (tmp_path / first).is_file()


@pytest.mark.parametrize(
    "name", ["../secret.jpg", "photo.jpg", "a" * 32 + ".svg", "A" * 32 + ".jpg", ".htaccess"]
)
def test_only_our_own_names_are_servable(name):
    assert not is_stored_name(name)

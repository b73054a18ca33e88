"""Photos and logos: checked by Pillow, re-encoded (which drops EXIF, GPS included), resized,
and stored under UPLOAD_FOLDER with a random name, so nothing a person uploads is served as sent."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import url_for
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

MAX_WIDTH = 1600
# Far above any phone photo; refuses "decompression bombs" before they are decoded.
MAX_PIXELS = 40_000_000
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png)$")
# session.info key: stored photos to delete once the session commits.
_DISCARDED = "fundraiser.discarded_photos"


class PhotoError(ValueError):
    """The upload is not a photo we can use; the message says why."""


def read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most max_bytes; refuse anything bigger without reading it all."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoError(f"Choose a photo smaller than {max_bytes // (1024 * 1024) or 1} MB.")
    if not data:
        raise PhotoError("That file is empty; choose a photo.")
    return data


def reencode(data: bytes) -> tuple[bytes, str]:
    """Check the bytes are a real image and re-encode them: returns (bytes, "jpg" or "png")."""
    image = _open_verified(data)
    image = ImageOps.exif_transpose(image)
    if image.width > MAX_WIDTH:
        height = max(1, round(image.height * MAX_WIDTH / image.width))
        image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if _has_transparency(image):
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked, re-encoded photo not yet on disk: it is stored only once the rest of the
    form is valid, so a refused form leaves no file behind."""

    content: bytes
    extension: str

    def store(self, folder: str | Path) -> str:
        """Write under a random name in `folder`; returns the name."""
        name = f"{secrets.token_hex(16)}.{self.extension}"
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(self.content)
        return name


def prepare_photo(stream: BinaryIO, max_bytes: int) -> PreparedPhoto:
    """Read (capped), verify and re-encode an upload."""
    content, extension = reencode(read_capped(stream, max_bytes))
    return PreparedPhoto(content, extension)


def discard_after_commit(session: Session, folder: str | Path, name: str | None) -> None:
    """A photo replaced or removed: its file goes once the change is committed, so its old
    URL answers 404 (a rollback keeps it, and the row that still names it)."""
    if name and is_stored_name(name):
        session.info.setdefault(_DISCARDED, []).append(Path(folder) / name)


@event.listens_for(Session, "after_commit")
def _delete_discarded(session: Session) -> None:
    for path in session.info.pop(_DISCARDED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_discarded(session: Session) -> None:
    session.info.pop(_DISCARDED, None)


def is_stored_name(name: str) -> bool:
    """Only names this module made may be served: no paths, no other files."""
    return bool(STORED_NAME.match(name))


def upload_url(name: str | None) -> str | None:
    """Where a stored photo or logo is served; None for none."""
    return url_for("pages.upload", name=name) if name else None


def _open_verified(data: bytes) -> Image.Image:
    refused = PhotoError("That file is not a photo we can read; upload a JPEG, PNG, GIF or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in {"JPEG", "PNG", "GIF", "WEBP"}:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError("That photo has too many pixels; choose a smaller one.")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise refused from error
    except (OSError, SyntaxError, ValueError) as error:
        raise refused from error
    return image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in {"RGBA", "LA"}:
        return True
    return image.mode == "P" and "transparency" in image.info

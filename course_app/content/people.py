"""Checks on the people in course.yaml that the schema cannot make alone: the signer's signature image."""
from __future__ import annotations

from pathlib import Path

from .problems import Problems
from .schema import CourseFile

IMAGE_TYPES = {".png", ".jpg", ".jpeg"}


def check_signature_image(spec: CourseFile, root: Path, path: Path, problems: Problems) -> None:
    """The signature image must be a PNG or JPEG file inside the content root."""
    relative = spec.signer.signature_image
    if not relative:
        return
    resolved_root = root.resolve()
    image = (root / relative).resolve()
    if Path(relative).is_absolute() or resolved_root not in image.parents:
        problems.add(path, 0, f"signer.signature_image '{relative}' is outside the content root; "
                              "put the image inside it and give its path relative to course.yaml")
    elif image.suffix.lower() not in IMAGE_TYPES:
        problems.add(path, 0, f"signer.signature_image '{relative}' must be a PNG or JPEG image")
    elif not image.is_file():
        problems.add(path, 0, f"signer.signature_image '{relative}' does not exist")

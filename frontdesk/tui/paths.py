"""Where the stylesheets are: inside the installed package, or beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

import frontdesk

_PACKAGE = Path(frontdesk.__file__).parent


def styles_dir() -> Path:
    shipped = _PACKAGE / "styles"
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / "styles"


def stylesheet(name: str) -> Path:
    return styles_dir() / name

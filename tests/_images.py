"""Checks on rendered pictures (PNG screenshots and charts as float RGB(A) arrays), shared by the plot and page tests."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

__all__ = ["CHROMIUM_FLAGS", "assert_not_blank", "chromium_or_skip", "has_colour"]

#: Chromium as root on a closed network: without the background-networking flags it keeps trying Google's hosts.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def assert_not_blank(image: np.ndarray, *, min_size=(300, 500)) -> None:
    height, width = image.shape[:2]
    assert height >= min_size[0] and width >= min_size[1]
    rgb = image[..., :3].reshape(-1, 3)
    assert len(np.unique((rgb * 255).astype(int), axis=0)) > 20  # more than a background and a frame
    assert (rgb.mean(axis=1) < 0.9).mean() > 0.01  # ink covers part of the picture


def has_colour(image: np.ndarray, hex_colour: str, *, tol: float = 0.08, min_pixels: int = 50) -> bool:
    target = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    close = np.abs(image[..., :3] - target).max(axis=-1) < tol
    return int(close.sum()) >= min_pixels


def chromium_or_skip() -> str:
    """The Chromium binary for browser tests: skipped without one, except where TRANSIT_REQUIRE_BROWSER is set (CI)."""
    found = os.environ.get("TRANSIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "no chromium binary: `.ci/run` installs Debian's chromium package (apt-get install chromium); install it to run the browser tests"
    if os.environ.get("TRANSIT_REQUIRE_BROWSER"):
        pytest.fail(reason + " (TRANSIT_REQUIRE_BROWSER is set, so this is an error)")
    pytest.skip(reason)

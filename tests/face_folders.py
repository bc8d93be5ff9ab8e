"""Tiny folders of PNG "faces" with an attributes CSV, as a user with CelebA, ImageNet and PPB would bring.

A face is a disc on gray, orange for skin ``light`` and blue for skin ``dark``; a non-face is
stripes. 16x16 RGB, written with Pillow.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 16
_YY, _XX = np.mgrid[:SIZE, :SIZE]


def face(rng: np.random.Generator, skin: str) -> np.ndarray:
    img = np.full((SIZE, SIZE, 3), 128.0)
    cx, cy, r = rng.uniform(6, 10), rng.uniform(6, 10), rng.uniform(3, 5)
    img[(_XX - cx) ** 2 + (_YY - cy) ** 2 < r**2] = (25, 50, 230) if skin == "dark" else (240, 150, 25)
    return img


def other(rng: np.random.Generator) -> np.ndarray:
    img = np.full((SIZE, SIZE, 3), 128.0)
    period = rng.integers(2, 5)
    img[(_XX // period) % 2 == 0] = rng.uniform(0, 255, 3)
    return img


def save(img: np.ndarray, path: Path, rng: np.random.Generator) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)).save(path)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_faces(folder: Path, skins: list[str], seed: int = 0, prefix: str = "") -> list[str]:
    """One face per entry of ``skins`` into ``folder`` as ``{prefix}{i:03d}.png``; returns the file names."""
    rng = np.random.default_rng(seed)
    names = [f"{prefix}{i:03d}.png" for i in range(len(skins))]
    for name, skin in zip(names, skins):
        save(face(rng, skin), folder / name, rng)
    return names


def write_others(folder: Path, n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    names = [f"o{i:03d}.png" for i in range(n)]
    for name in names:
        save(other(rng), folder / name, rng)
    return names


def balanced_test_folder(folder: Path, n: int = 24) -> Path:
    """A PPB-like folder of faces only, skin x gender balanced, with ``ppb.csv`` inside; returns the CSV."""
    skins = [("dark", "light")[i % 2] for i in range(n)]
    genders = [("female", "male")[(i // 2) % 2] for i in range(n)]
    names = write_faces(folder, skins, seed=7, prefix="p")
    return write_csv(
        folder / "ppb.csv", ["file", "skin", "gender"], [list(r) for r in zip(names, skins, genders)]
    )

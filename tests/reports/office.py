"""LibreOffice headless and poppler, as a reader of the documents would open them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# Page images kept for a person to look at (ignored by git).
OUTPUT = ROOT / "test-output"


def _tool(*names, package):
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {names[0]} is not installed ({package})")
    pytest.skip(f"{names[0]} is not installed (scripts/setup --dev installs {package})")


def convert(path, to, outdir):
    """`path` converted by LibreOffice headless to the format `to` ("pdf", "xlsx") in
    `outdir`; an xlsx opened this way has its formulas computed."""
    soffice = _tool("libreoffice", "soffice", package="libreoffice")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{outdir}/.lo-profile",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    converted = outdir / f"{Path(path).stem}.{to}"
    assert converted.exists(), f"LibreOffice wrote no {converted.name}"
    return converted


def pdf_text(pdf, *, first=1, last=None):
    pdftotext = _tool("pdftotext", package="poppler-utils")
    pages = ["-f", str(first)] + (["-l", str(last)] if last else [])
    done = subprocess.run(
        [pdftotext, "-layout", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def page_images(pdf, name):
    """Every page of `pdf` as a PNG in test-output/NAME-N.png; returns their paths."""
    pdftoppm = _tool("pdftoppm", package="poppler-utils")
    OUTPUT.mkdir(exist_ok=True)
    for old in OUTPUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-r", "80", "-png", str(pdf), str(OUTPUT / name)], check=True, timeout=120
    )
    return sorted(OUTPUT.glob(f"{name}-*.png"))

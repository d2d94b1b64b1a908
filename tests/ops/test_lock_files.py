"""The lock files install on any machine: exact pins only, no index, local path or link."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+$")


@pytest.mark.parametrize(
    "name", ["requirements.lock", "requirements-dev.lock", "requirements-benchmark.lock"]
)
def test_a_lock_file_holds_only_exact_pins(name):
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    requirements = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert requirements, name
    assert [line for line in requirements if not PIN.match(line)] == []
    assert "--no-emit-index-url --no-emit-find-links" in lines[4]  # regenerating keeps it so

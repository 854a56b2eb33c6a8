"""The Space's torch is on ZeroGPU's list (zerogpu-torch.json) with its torchvision, and the tests run on it."""

import json
from importlib.metadata import version

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

ZEROGPU = json.loads((ROOT / "zerogpu-torch.json").read_text())


def pinned(name: str) -> str:
    """The exact version `requirements.txt` pins for `name`."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-") and (req := Requirement(line)).name == name:
            (spec,) = req.specifier
            assert spec.operator == "==", f"{name} must be pinned exactly, not {spec}"
            return spec.version
    raise AssertionError(f"{name} is not in requirements.txt")


def test_the_zerogpu_list_says_where_it_comes_from():
    assert ZEROGPU["source"].endswith("https://huggingface.co/docs/hub/spaces-zerogpu")
    assert ZEROGPU["recorded"][:4].isdigit()
    assert ZEROGPU["torch"] and ZEROGPU["python"]


def test_space_torch_is_on_the_zerogpu_list_with_its_torchvision():
    torch_pin = pinned("torch")
    assert torch_pin in ZEROGPU["torch"], f"torch=={torch_pin} is not on ZeroGPU's list {sorted(ZEROGPU['torch'])}"
    assert pinned("torchvision") == ZEROGPU["torch"][torch_pin]


def test_space_python_is_on_the_zerogpu_list():
    front = (ROOT / "README.md").read_text().split("---")[1]
    (line,) = [l for l in front.splitlines() if l.startswith("python_version:")]
    assert line.split(":", 1)[1].strip().strip('"') in ZEROGPU["python"]


def test_the_tests_run_on_the_pinned_torch():
    for name in ("torch", "torchvision"):
        assert Version(version(name)).base_version == pinned(name), f"installed {name} differs from requirements.txt"

"""The README is a contract: its Quick start test line is what CI runs, and every setting is documented."""

import dataclasses
import re

from conftest import ROOT

from fashionm3.config import Settings


def quick_start_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines() if line.strip()]


def test_quick_start_has_two_lines_and_ci_runs_the_second():
    lines = quick_start_lines()
    assert len(lines) == 2
    assert lines[0].endswith("python app.py")
    ci_commands = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l and not l.startswith(("#", "set ", "cd "))]
    assert ci_commands == [lines[1]]


def test_every_setting_is_documented_with_its_variable():
    readme = (ROOT / "README.md").read_text()
    for field in dataclasses.fields(Settings):
        assert f"`FASHIONM3_{field.name.upper()}`" in readme, field.name


def test_space_front_matter():
    front = (ROOT / "README.md").read_text().split("---")[1]
    for key in ("sdk: gradio", "app_file: app.py", 'python_version: "3.12"', "suggested_hardware:", "license:", "short_description:"):
        assert key in front
    assert re.search(r"sdk_version: 6\.", front)

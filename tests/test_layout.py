"""Engineering rules: domain code never imports Gradio, app.py stays thin, modules stay readable."""

import ast

from conftest import ROOT

PACKAGE = ROOT / "fashionm3"


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_the_ui_layer_imports_gradio():
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts
        and any(name.split(".")[0] in ("gradio", "gradio_client") for name in imported_modules(path))
    ]
    assert offenders == []


def test_app_py_is_thin():
    source = (ROOT / "app.py").read_text()
    assert len(source.splitlines()) < 40
    assert source.lstrip().split("\n", 2)[1].startswith("import spaces") or "import spaces" in source.split("import logging")[0]


def test_modules_stay_under_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}

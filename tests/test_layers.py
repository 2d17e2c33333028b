"""The layers import one way, with no import circle (the contracts are in pyproject.toml,
``[tool.importlinter]``, and docs/architecture.md draws them).

``lint-imports`` (import-linter) checks every import, those inside functions included: the
layers (configuration < storage < crawlers | summarizer | digest < developer tools < application
< Airflow integration), the storage facade, Airflow only on top, and no circle inside any package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in proc.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    """The contracts can fail: a copy of the tree where the registry imports the pipeline is refused."""
    import shutil

    copy = tmp_path / "tree"
    for name in (
        "config",
        "storage",
        "crawlers",
        "summarizer",
        "digest",
        "devtools",
        "review",
        "policywatch",
        "policywatch_airflow",
    ):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.toml"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    sources = copy / "config" / "sources.py"
    sources.write_text(
        sources.read_text(encoding="utf-8") + "\n\ndef _upward():\n    import policywatch.pipeline\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(copy / "pyproject.toml")],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stdout[-4000:]
    assert "config.sources -> policywatch.pipeline" in proc.stdout


def test_dag_files_import_only_the_airflow_integration_at_parse_time():
    """A DAG file wires tasks: at module level it imports Airflow, the Airflow integration and the
    standard library; the pipeline only inside tasks."""
    allowed = {"airflow", "pendulum", "policywatch_airflow", "__future__", *sys.stdlib_module_names}
    for dag_file in sorted((ROOT / "dags").glob("*.py")):
        tree = ast.parse(dag_file.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{dag_file.name} imports {name} at parse time"

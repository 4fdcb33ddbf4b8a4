"""The layering rules import-linter cannot state exactly: the domain modules allowed Prefect use
only its form and URL helpers, never what starts, suspends or resumes a run."""

from __future__ import annotations

import ast
from pathlib import Path

import csflows

ALLOWED = {"prefect.input", "prefect.settings", "prefect.utilities.urls"}


def _prefect_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("prefect"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "prefect"}
    return found


def _outside_allowed(names: set[str]) -> set[str]:
    return {n for n in names if not any(n == a or n.startswith(a + ".") for a in ALLOWED)}


def test_the_domain_imports_only_prefects_forms_and_urls() -> None:
    root = Path(csflows.__file__).parent
    driving = {
        str(path.relative_to(root.parent)): sorted(_outside_allowed(_prefect_imports(path)))
        for path in root.rglob("*.py")
        if path.name != "__main__.py"
    }
    assert {module: names for module, names in driving.items() if names} == {}


def test_a_module_that_resumes_runs_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "gate.py"
    module.write_text("from prefect.flow_runs import resume_flow_run\nimport prefect.client\n")
    assert _outside_allowed(_prefect_imports(module)) == {
        "prefect.flow_runs.resume_flow_run",
        "prefect.client",
    }

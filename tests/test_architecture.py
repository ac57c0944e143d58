"""The house rules, read from the source (``ast``), so a newcomer's change cannot drift from them.

(a) No module imports an underscore name from another module of ours: private means private.
(b) ``targets`` never imports ``reporting``: reporting is derived from the plan, not the reverse.
(c) Model writes happen only in the three rooms for them: ``targets/services/`` (the plan and
    its figures), ``reporting/rollup/`` (the derived rollup tables) and ``reporting/services/``
    (reporting's own records). Everything else calls them.
(d) No module is longer than 500 lines (migrations are generated, and exempt).

Each rule is a function from a file's path and source to its problems; the tests at the end
feed each one a small bad snippet, so a rule that stopped finding anything would fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("skills_plan", "targets", "reporting", "bench", "tests")
MAX_LINES = 500

# (c) Where model writes belong.
WRITE_ROOMS = ("targets/services/", "reporting/rollup/", "reporting/services/")
# (c) The packages the write rule reads. Not ``tests`` (tests build their data as they need),
# nor ``bench`` (benchmarks build and wipe synthetic data sets directly, as tests do).
WRITE_RULED = ("skills_plan/", "targets/", "reporting/")
WRITE_METHODS = frozenset(
    {
        "save",
        "delete",
        "update",
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "create_user",
        "create_superuser",
    }
)
# (c) Receivers of those methods that are not our models, managers or querysets.
HARMLESS_RECEIVERS = {
    "workbook": "an openpyxl workbook written to a file",
    "wb": "an openpyxl workbook written to a file",
    "document": "a python-docx document written to a file",
    "digest": "a hashlib digest",
    "context": "a template context (a dict)",
    "options": "a dict of field options",
    "by_text": "a dict",
    "item": "a dict",
    "layout": "a dict of chart layout",
    "cache": "Django's cache, not the database",
    "storage": "a Django file storage (targets/evidence.py saves a file, not a row)",
}
# (c) Writes outside the rooms, each with its reason: (path, receiver); receiver "*": any.
WRITE_EXCEPTIONS = {
    # django-axes' own AccessAttempt table, cleared inside axes' handler hook: not our model.
    ("skills_plan/auth.py", "attempts"),
}

# (d) Modules allowed over the limit, each with its reason (none today).
LONG_EXCEPTIONS: set[str] = set()


def project_files() -> Iterator[Path]:
    """Our .py files: the packages of ``OURS``, never the virtualenv or migrations."""
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and ".venv" not in path.parts:
                yield path


def imported_modules(path: str, tree: ast.AST) -> Iterator[tuple[ast.stmt, str, list[str]]]:
    """Every import as (node, absolute module, names), relative imports resolved."""
    package = path.removesuffix(".py").split("/")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield node, module, [alias.name for alias in node.names]


def _is_ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(path: str, source: str) -> list[str]:
    """(a) ``from x import _y`` where x is one of our modules."""
    problems = []
    for node, module, names in imported_modules(path, ast.parse(source)):
        for name in names:
            if _is_ours(module) and _is_private(name):
                problems.append(f"{path}:{node.lineno} imports {name} from {module}")
    return problems


def reporting_imports(path: str, source: str) -> list[str]:
    """(b) Any import of ``reporting`` from a module of ``targets``."""
    if not path.startswith("targets/"):
        return []
    problems = []
    for node, module, names in imported_modules(path, ast.parse(source)):
        wanted = [module] if module else []
        wanted += [f"{module}.{name}" if module else name for name in names]
        if any(m == "reporting" or m.startswith("reporting.") for m in wanted):
            problems.append(f"{path}:{node.lineno} imports {module or names}")
    return problems


def _receiver(call: ast.Call) -> str | None:
    """The name a method is called on (``context`` in ``context.update(…)``); None for a
    chain of calls (``X.objects.filter(…).update(…)``: a queryset) or a subscript."""
    assert isinstance(call.func, ast.Attribute)
    value = call.func.value
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Attribute):
        return value.attr
    return None


def _imported_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def _is_write(call: ast.Call, modules: set[str]) -> bool:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in WRITE_METHODS:
        return False
    if isinstance(call.func.value, ast.Name) and call.func.value.id in modules:
        return False  # ``jobs.create(…)``: a function of a module, checked where it lives
    if any(k.arg == "commit" and getattr(k.value, "value", True) is False for k in call.keywords):
        return False  # ``formset.save(commit=False)`` builds unsaved objects for a service
    value = call.func.value
    if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "super":
        return False  # a model's own save() calling Django's
    return _receiver(call) not in HARMLESS_RECEIVERS


def misplaced_writes(path: str, source: str) -> list[str]:
    """(c) A model write outside the rooms for them."""
    if not path.startswith(WRITE_RULED) or path.startswith(WRITE_ROOMS):
        return []
    tree = ast.parse(source)
    modules = _imported_names(tree)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_write(node, modules):
            receiver = _receiver(node)
            if {(path, receiver), (path, "*")} & WRITE_EXCEPTIONS:
                continue
            problems.append(f"{path}:{node.lineno} {ast.get_source_segment(source, node.func)}")
    return problems


def long_module(path: str, source: str) -> list[str]:
    """(d) A module over ``MAX_LINES`` lines."""
    if path in LONG_EXCEPTIONS:
        return []
    lines = len(source.splitlines())
    return [f"{path}: {lines} lines"] if lines > MAX_LINES else []


def _problems(rule: object) -> list[str]:
    assert callable(rule)
    found: list[str] = []
    for path in project_files():
        found += rule(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    return found


RULES = [private_imports, reporting_imports, misplaced_writes, long_module]


def test_the_rules_read_our_modules() -> None:
    paths = {path.relative_to(ROOT).as_posix() for path in project_files()}
    assert {"targets/services/plans.py", "reporting/tasks.py", "tests/conftest.py"} <= paths
    assert not any("/migrations/" in path for path in paths)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_house_keeps_the_rule(rule: object) -> None:
    assert _problems(rule) == []


# --- each rule can fail ---------------------------------------------------------------------

# Snippets each rule must find (bad) and must let pass (good).
BAD = [
    (private_imports, "tests/test_x.py", "from tests.test_authz_matrix import _url\n"),
    (private_imports, "reporting/views/a.py", "from ..exports.jobs import _discard\n"),
    (private_imports, "targets/a.py", "from targets.services.base import audit, _json\n"),
    (reporting_imports, "targets/views/a.py", "from reporting.rollup import rebuild\n"),
    (reporting_imports, "targets/a.py", "import reporting.tasks\n"),
    (reporting_imports, "targets/a.py", "from reporting import tasks\n"),
    (reporting_imports, "targets/services/a.py", "from ...reporting import tasks\n"),
    (misplaced_writes, "targets/views/a.py", "Plan.objects.create(year=2016)\n"),
    (misplaced_writes, "targets/a.py", "Plan.objects.filter(pk=1).update(status='x')\n"),
    (misplaced_writes, "reporting/a.py", "ExportJob.objects.filter(pk=1).delete()\n"),
    (misplaced_writes, "targets/forms.py", "submission.save(update_fields=['value'])\n"),
    (misplaced_writes, "targets/demo.py", "User.objects.get_or_create(username='x')\n"),
    (misplaced_writes, "reporting/a.py", "jobs = ExportJob.objects.all()\njobs.update(log=None)\n"),
    (misplaced_writes, "skills_plan/auth.py", "Group.objects.bulk_create([])\n"),
    (long_module, "targets/a.py", "x = 1\n" * (MAX_LINES + 1)),
    (misplaced_writes, "targets/views/a.py", "cells[0].save()\n"),
    (misplaced_writes, "targets/a.py", "record.delete()\n"),
]
GOOD = [
    (private_imports, "targets/a.py", "from __future__ import annotations\n"),
    (private_imports, "targets/a.py", "from axes.helpers import _private\n"),
    (reporting_imports, "reporting/a.py", "from reporting import tasks\n"),
    (reporting_imports, "targets/a.py", "from .reporting_periods import x\n"),
    (misplaced_writes, "targets/services/a.py", "Plan.objects.create(year=2016)\n"),
    (misplaced_writes, "reporting/rollup/a.py", "Rollup.objects.bulk_create([])\n"),
    (misplaced_writes, "reporting/services/a.py", "ExportLog.objects.create()\n"),
    (misplaced_writes, "tests/test_a.py", "Plan.objects.create(year=2016)\n"),
    (misplaced_writes, "targets/a.py", "workbook.save(out)\ncontext.update(a=1)\n"),
    (misplaced_writes, "targets/admin/a.py", "formset.save(commit=False)\n"),
    (misplaced_writes, "reporting/a.py", "from .exports import jobs\njobs.create(plan, 3, user)\n"),
    (long_module, "targets/a.py", "x = 1\n" * MAX_LINES),
    (misplaced_writes, "targets/models/a.py", "super().save(*args, **kwargs)\n"),
]


@pytest.mark.parametrize(
    ("rule", "path", "source", "bad"),
    [(*case, True) for case in BAD] + [(*case, False) for case in GOOD],
)
def test_a_rule_tells_bad_from_good(rule: object, path: str, source: str, bad: bool) -> None:
    assert callable(rule)
    found = rule(path, source)
    assert bool(found) is bad, f"{rule.__name__} on {source!r}: {found}"

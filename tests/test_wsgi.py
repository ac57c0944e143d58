"""The WSGI entry point loads the application and freezes what it loaded (see wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wsgi_application_loads_and_freezes_the_startup_heap() -> None:
    script = (
        "import gc, skills_plan.wsgi as w; "
        "print(callable(w.application), gc.get_freeze_count() > 10000)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "skills_plan.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]

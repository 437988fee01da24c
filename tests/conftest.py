"""Shared test setup: quiet TensorFlow before anything can import it; Hypothesis
profiles (CI runs a fixed, derandomized set of examples so a run is reproducible)."""

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# One BLAS thread, as the server runs (ui/serve.py); `make test` exports the same.
# Effective for the subprocesses tests start, and here when NumPy is not loaded yet.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


REPO = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("tensorflow", "keras", "tf_keras", "streamlit")
_REPORT_HEAVY = f"""
import sys as _sys
_heavy = sorted(
    m for m in _sys.modules
    if m.split(".")[0] in {HEAVY_MODULES!r} or m == "rnn_core.keras_backend"
)
print("HEAVY MODULES LOADED:", _heavy)
"""


@pytest.fixture
def assert_stays_light() -> Callable[[str], None]:
    """Run code in a fresh interpreter; fail unless it ran without loading
    TensorFlow, Keras, Streamlit or rnn_core.keras_backend (the NumPy path)."""

    def check(code: str) -> None:
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code) + _REPORT_HEAVY],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "HEAVY MODULES LOADED: []" in result.stdout, result.stdout

    return check


# The browser fixtures of tests/test_browser.py (Debian's Chromium, one server per
# test module, a browser, a fresh page and its console), for every browser test.
from tests.test_browser import browser, chromium, console, page, server  # noqa: E402, F401

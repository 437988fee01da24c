"""Untrusted files and many users: nothing is unpickled, caches stay bounded.

- No code of the app or the package can deserialize a user's Keras model or a
  pickle: no `load_model`, no pickle module, every `np.load`/`read_array` with
  `allow_pickle=False` (checked on the syntax tree, so comments and strings do not
  count and a new call anywhere does).
- Every Streamlit cache of a function with arguments has `max_entries` and `ttl`.
- Several hundred distinct layers run through the app's cached computation keep the
  server process under `RSS_CAP` (the container gets 3 GB; TensorFlow alone is about
  0.6 GB). Without the bounds each trace would stay cached: about 20 MB each here,
  4 GB for the run.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP_CODE = [
    *sorted((REPO / "rnn_core").glob("*.py")),
    *sorted((REPO / "ui").glob("*.py")),
    REPO / "app.py",
    *sorted((REPO / "pages").glob("*.py")),
]
FORBIDDEN_MODULES = {"pickle", "cPickle", "cloudpickle", "dill", "joblib", "marshal"}
FORBIDDEN_MODULES |= {"shelve", "torch", "h5py"}
FORBIDDEN_CALLS = {
    "load_model",  # keras.models / keras.saving / tf.keras: runs a model's code
    "model_from_json",
    "model_from_yaml",
    "deserialize_keras_object",
    "from_config",
    "load_weights",  # reads .h5 / .keras archives
    "eval",
    "exec",
    "unsafe_load",
}
NPY_READERS = {"load", "read_array"}  # np.load, np.lib.format.read_array
RSS_CAP = 2 * 2**30  # bytes, resident memory of the whole server process
SPECS = 200


def _name(node: ast.AST) -> str:
    """The dotted name a call is made through: np.lib.format.read_array, eval, ..."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def _problems(path: Path, root: Path = REPO) -> list[str]:
    """Every import, call or argument of `path` that could unpickle or load a model."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            )
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.append(node.module)
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{where} imports {module}")
        pickles_allowed = (
            isinstance(node, ast.keyword)
            and node.arg == "allow_pickle"
            and not (isinstance(node.value, ast.Constant) and node.value.value is False)
        )
        if pickles_allowed:
            found.append(f"{where} passes allow_pickle={ast.unparse(node.value)}")
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        if last in FORBIDDEN_CALLS:
            found.append(f"{where} calls {name}")
        if last in NPY_READERS and name.split(".")[0] in ("np", "numpy"):
            pickles = [k for k in node.keywords if k.arg == "allow_pickle"]
            if not pickles:  # np.load's default is False, but say so explicitly
                found.append(f"{where} calls {name} without allow_pickle=False")
    return found


def test_no_model_file_or_pickle_is_ever_deserialized():
    assert len(APP_CODE) > 20
    problems = [p for path in APP_CODE for p in _problems(path)]
    assert problems == []


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The checker above, on code that does each forbidden thing."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent(
            """
            import pickle
            from joblib import load
            import numpy as np
            import keras
            keras.models.load_model("model.keras")
            keras.saving.load_model("m.keras")
            np.load("x.npy")
            np.load("x.npy", allow_pickle=True)
            np.lib.format.read_array(f, allow_pickle=flag)
            eval("1")
            """
        ),
        encoding="utf-8",
    )
    found = _problems(bad, tmp_path)
    assert len(found) == 8, found


def test_every_cache_of_a_function_with_arguments_is_bounded():
    caches = 0
    for path in [*sorted((REPO / "ui").glob("*.py")), REPO / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for decorator in function.decorator_list:
                name = _name(getattr(decorator, "func", decorator))
                if name not in ("st.cache_data", "st.cache_resource"):
                    continue
                caches += 1
                arguments = function.args.args + function.args.kwonlyargs
                if not arguments:
                    continue  # one entry at most
                keywords = {k.arg for k in getattr(decorator, "keywords", []) if k.arg}
                assert {"max_entries", "ttl"} <= keywords, (path, function.name)
    assert caches >= 3


MEMORY_RUN = """
import json, logging, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
logging.disable(logging.WARNING)  # Streamlit's bare-mode warnings, per call
import psutil
from rnn_core import LayerSpec
from rnn_core.inputs import generate, input_digest
from rnn_core.spec import ACTIVATIONS, CELLS
from ui import compute
from ui.settings import View

process = psutil.Process()
cap, count = int(sys.argv[1]), int(sys.argv[2])
compute.keras_ready()
print(json.dumps({"baseline": process.memory_info().rss}), flush=True)
specs = set()
for i in range(count):
    spec = LayerSpec(
        cell=CELLS[i % 3],
        units=1 + (i * 97) % 256,
        activation=ACTIVATIONS[i % len(ACTIVATIONS)],
        return_sequences=True,
        use_bias=bool((i // 30) % 2),
    )
    specs.add(spec)
    x = generate("uniform", 64, 100, 8, seed=i)  # (batch, timesteps, features)
    view = View(
        spec=spec, x=x, digest=input_digest(x), weights_key="seed:0",
        weights_seed=0, uploaded_weights=None, batch_index=0, input_label="run",
    )
    trace = compute.trace_for(view)
    for kind in ("states_heatmap", "residual_heatmap"):
        compute.figure(view, trace, kind, state="h", batch_index=0)
    del trace
    rss = process.memory_info().rss
    print(json.dumps({"spec": i, "rss": rss}), flush=True)
    if rss > cap:
        break  # the test fails on this sample; no need to exhaust the machine
print(json.dumps({"distinct": len(specs)}), flush=True)
"""


@pytest.mark.keras
def test_hundreds_of_distinct_layers_stay_under_the_memory_cap():
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_RUN, str(RSS_CAP), str(SPECS)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    samples = [r["rss"] for r in records if "rss" in r]
    assert records[-1] == {"distinct": SPECS}
    assert len(samples) == SPECS, f"stopped at {len(samples)}: over the cap"
    peak = max(samples)
    assert peak < RSS_CAP, f"peak RSS {peak / 2**20:.0f} MiB"

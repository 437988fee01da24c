"""rnn_core.notebook_export: the notebook's structure, and the notebook executed.

The executed notebooks run in a fresh kernel started from this interpreter
(`sys.executable -m ipykernel_launcher`, through a kernel spec written to a temporary
directory), so the test needs only the venv: no `jupyter kernelspec install`, and no
other Python's kernel can be picked up by mistake.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnn_core import LayerSpec
from rnn_core.notebook_export import TEXTS, notebook_bytes, notebook_for
from tests.arrays import random_weights as _weights

KERNEL_NAME = "rnn-stepper-test"
CELL_SECONDS = 300  # the Keras cell imports TensorFlow in the new kernel


def _case(spec: LayerSpec, shape=(3, 4, 5), seed: int = 0):
    x = np.random.default_rng(seed + 100).random(shape).astype(np.float32)
    return spec, x, _weights(spec, shape[2], seed)


def _code(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _markdown(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


# --- structure (NumPy only) -----------------------------------------------------------


SPECS = [
    LayerSpec(units=4, activation=None),
    LayerSpec(cell="lstm", units=3, return_sequences=True, return_state=True),
    LayerSpec(cell="gru", units=2, reset_after=False, go_backwards=True),
    LayerSpec(cell="gru", units=3, bidirectional=True, merge_mode=None),
    LayerSpec(cell="lstm", units=2, use_bias=False, activation="selu"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.keras_code())
def test_notebook_is_valid_v4_and_its_code_compiles(spec):
    notebook = notebook_for(*_case(spec))
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata.kernelspec.name == "python3"
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown"
    assert kinds.count("code") == 5
    for source in _code(notebook):
        ast.parse(source)  # every code cell is valid Python
    assert spec.keras_code() in notebook.cells[0].source
    last = _code(notebook)[-1]
    assert "assert worst < TOLERANCE" in last
    assert "assert mismatches == 0" in last


def test_the_formula_and_the_convention_are_in_the_markdown():
    notebook = notebook_for(*_case(LayerSpec(cell="lstm", units=2)))
    text = _markdown(notebook)
    assert r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t" in text
    assert "row vectors" in text
    assert "(3, 4, 5)" in text


def test_notebook_bytes_are_deterministic_json():
    spec, x, weights = _case(LayerSpec(cell="gru", units=3))
    first = notebook_bytes(spec, x, weights)
    assert first == notebook_bytes(spec, x, weights)
    loaded = nbformat.reads(first.decode("utf-8"), as_version=4)
    nbformat.validate(loaded)
    assert [cell.id for cell in loaded.cells][:2] == ["rnn-stepper-0", "rnn-stepper-1"]


def test_spanish_markdown_and_the_same_code():
    case = _case(LayerSpec(units=4, activation=None, go_backwards=True))
    english, spanish = notebook_for(*case), notebook_for(*case, language="es")
    assert _code(english) == _code(spanish)
    assert "## ¿Coinciden?" in _markdown(spanish)
    assert "go_backwards=True` el paso s lee" in _markdown(spanish)
    assert "Do they agree?" not in _markdown(spanish)


def test_texts_have_both_languages_with_the_same_fields():
    from string import Formatter

    for message_id, texts in TEXTS.items():
        assert set(texts) == {"en", "es"}, message_id
        fields = [
            {name for _, name, _, _ in Formatter().parse(text) if name}
            for text in texts.values()
        ]
        assert fields[0] == fields[1], message_id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"language": "fr"}, "`language`"),
        ({"tolerance": 0.0}, "`tolerance`"),
        ({"weights": [np.zeros((2, 2), np.float32)]}, "weight arrays"),
    ],
)
def test_bad_arguments_are_refused(change, message):
    spec, x, weights = _case(LayerSpec(units=4))
    arguments = {"spec": spec, "x": x, "weights": weights, **change}
    with pytest.raises(ValueError, match=message):
        notebook_for(**arguments)


def test_building_a_notebook_stays_light(assert_stays_light):
    assert_stays_light(
        """
        import numpy as np
        from rnn_core import LayerSpec
        from rnn_core.notebook_export import notebook_bytes
        spec = LayerSpec(cell="lstm", units=2)
        x = np.zeros((1, 2, 3), np.float32)
        weights = [np.zeros(s, np.float32) for s in spec.weight_shapes(3)]
        assert notebook_bytes(spec, x, weights).startswith(b"{")
        """
    )


# --- executed with nbclient -----------------------------------------------------------


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel spec that starts this interpreter's ipykernel (the venv's)."""
    root = tmp_path_factory.mktemp("kernels")
    spec_dir = root / KERNEL_NAME
    spec_dir.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "RNN Stepper test", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return root


def execute(notebook, kernel_dir: Path, workdir: Path):
    """Run every cell in a new kernel; raises CellExecutionError on a failing cell."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    specs = KernelSpecManager(kernel_dirs=[str(kernel_dir)], ensure_native_kernel=False)
    manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_SECONDS,
        resources={"metadata": {"path": str(workdir)}},
    )
    return client.execute()


def _stdout(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )


EXECUTED = [
    LayerSpec(units=4, activation=None),  # the seed notebook's layer
    LayerSpec(
        cell="lstm",
        units=3,
        return_sequences=True,
        return_state=True,
        go_backwards=True,
    ),
    LayerSpec(
        cell="gru", units=2, bidirectional=True, merge_mode="ave", reset_after=False
    ),
]


@pytest.mark.keras
@pytest.mark.parametrize("spec", EXECUTED, ids=lambda s: s.keras_code())
def test_exported_notebook_runs_and_agrees(spec, kernel_dir, tmp_path):
    notebook = nbformat.reads(notebook_bytes(*_case(spec)).decode(), as_version=4)
    execute(notebook, kernel_dir, tmp_path)
    printed = _stdout(notebook)
    assert "AGREE: max |NumPy - Keras|" in printed, printed
    for name in ("output", *(["state_h"] if spec.return_state else [])):
        assert name in printed


@pytest.mark.keras
@pytest.mark.parametrize(
    ("original", "tampered"),
    [
        # The NumPy cell with a wrong formula: the recurrent term left out.
        (
            "pre = x_t @ kernel + bias + h_prev @ recurrent_kernel",
            "pre = x_t @ kernel + bias",
        ),
        # The Keras side given other weights than the NumPy side.
        (
            "layer.set_weights(weights)",
            "layer.set_weights([w * 1.001 for w in weights])",
        ),
    ],
    ids=["numpy-formula", "keras-weights"],
)
def test_tampered_notebook_fails_in_its_last_cell(
    original, tampered, kernel_dir, tmp_path
):
    from nbclient.exceptions import CellExecutionError

    spec, x, weights = _case(LayerSpec(units=4, activation="tanh"), shape=(2, 3, 4))
    notebook = notebook_for(spec, x, weights)
    changed = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and original in cell.source:
            cell.source = cell.source.replace(original, tampered)
            changed += 1
    assert changed == 1
    with pytest.raises(CellExecutionError) as failure:
        execute(notebook, kernel_dir, tmp_path)
    assert "AssertionError" in str(failure.value)
    assert "DISAGREE" in str(failure.value)
    # Every cell before the comparison ran; the comparison is the one that failed.
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells)
    assert [o.output_type for o in code_cells[-1].outputs][-1] == "error"
    assert not any(o.output_type == "error" for c in code_cells[:-1] for o in c.outputs)

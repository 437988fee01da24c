"""A Jupyter notebook that rebuilds one layer with Keras and checks it with NumPy.

`notebook_for(spec, x, weights)` writes, in nbformat v4: a markdown introduction, the
exact input and weights (embedded, so the notebook needs no other file), the layer
built and called by Keras, the layer's formula written out in NumPy, and a last cell
that asserts the two agree (it raises `AssertionError` otherwise, so "Run all" stops
there). The code is the standalone script's (`rnn_core.export`), cut into cells with
the formulas in between. The markdown is in English or Spanish (`language`).

Needs `nbformat`; never imports TensorFlow, Keras or Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import nbformat
import numpy as np
from nbformat import NotebookNode

from rnn_core import explain
from rnn_core.export import (
    DIFFERENCE_SOURCE,
    ENVIRONMENT_SOURCE,
    KERAS_LAYER_SOURCE,
    LOAD_ARRAY_SOURCE,
    RUN_DIRECTION_SOURCE,
    THIRD_PARTY_IMPORTS,
    _cell_functions,
    _checked,
    _constants,
    _embedded,
    _layer_source,
    _weight_blobs,
)
from rnn_core.manual import output_names
from rnn_core.spec import LayerSpec

__all__ = ["LANGUAGES", "TEXTS", "notebook_bytes", "notebook_for"]

LANGUAGES: tuple[str, ...] = ("en", "es")

# The notebook's markdown, by message id and language. Fields in braces are filled in
# with `str.format`; both languages of a message take the same fields.
TEXTS: dict[str, dict[str, str]] = {
    "intro": {
        "en": (
            "# `{keras_code}`\n\n"
            "Written by RNN Stepper. This notebook rebuilds one Keras recurrent "
            "layer with its exact weights and input, runs it, computes the same "
            "thing again with the layer's formula written out in NumPy, and checks "
            "that the two agree.\n\n"
            "- Input `x`: shape {x_shape} (batch, timesteps, features), float32.\n"
            "- The states start at zero; no mask is used.\n"
            "- It needs only NumPy and Keras 3 with TensorFlow. Run every cell in "
            "order (*Run All*): the last one fails with an `AssertionError` if Keras "
            "and the formula disagree by more than {tolerance}."
        ),
        "es": (
            "# `{keras_code}`\n\n"
            "Generado por RNN Stepper. Este cuaderno reconstruye una capa recurrente "
            "de Keras con sus pesos y su entrada exactos, la ejecuta, vuelve a "
            "calcular lo mismo con la fórmula de la capa escrita en NumPy y "
            "comprueba que ambos resultados coinciden.\n\n"
            "- Entrada `x`: forma {x_shape} (lote, pasos de tiempo, "
            "características), float32.\n"
            "- Los estados parten en cero; no se usa máscara.\n"
            "- Solo necesita NumPy y Keras 3 con TensorFlow. Ejecuta las celdas en "
            "orden (*Run All*): la última falla con un `AssertionError` si Keras y "
            "la fórmula difieren en más de {tolerance}."
        ),
    },
    "convention": {
        "en": (
            "**Convention.** Keras stores the weights for *row vectors*: a step "
            "computes $x_t W_x$, the input row (1 × features) times the kernel $W_x$ "
            "(features × units·g), and $h_{{t-1}} W_h$ with the recurrent kernel "
            "$W_h$ (units × units·g), where g = 1 for SimpleRNN, 4 for LSTM (gates "
            "i, f, c, o) and 3 for GRU (gates z, r, h), side by side in that order."
        ),
        "es": (
            "**Convención.** Keras guarda los pesos para *vectores fila*: cada paso "
            "calcula $x_t W_x$, la fila de entrada (1 × características) por el "
            "kernel $W_x$ (características × unidades·g), y $h_{{t-1}} W_h$ con el "
            "kernel recurrente $W_h$ (unidades × unidades·g), donde g = 1 en "
            "SimpleRNN, 4 en LSTM (compuertas i, f, c, o) y 3 en GRU (compuertas z, "
            "r, h), una al lado de la otra en ese orden."
        ),
    },
    "data": {
        "en": (
            "## The exact input and weights\n\n"
            "Embedded as compressed `np.save` bytes and read back with "
            "`allow_pickle=False`. `WEIGHTS` is in the order of "
            "`layer.get_weights()`."
        ),
        "es": (
            "## La entrada y los pesos exactos\n\n"
            "Van incrustados como bytes de `np.save` comprimidos y se leen con "
            "`allow_pickle=False`. `WEIGHTS` sigue el orden de "
            "`layer.get_weights()`."
        ),
    },
    "keras": {
        "en": (
            "## The layer, computed by Keras\n\n"
            "Build the real layer, give it the weights and call it on `x`. It "
            "returns {names}."
        ),
        "es": (
            "## La capa, calculada por Keras\n\n"
            "Se construye la capa real, se le asignan los pesos y se llama sobre "
            "`x`. Devuelve {names}."
        ),
    },
    "numpy": {
        "en": (
            "## The same layer, computed by the formula in NumPy\n\n"
            "At every step the cell computes:"
        ),
        "es": (
            "## La misma capa, calculada con la fórmula en NumPy\n\n"
            "En cada paso la celda calcula:"
        ),
    },
    "go_backwards": {
        "en": (
            "With `go_backwards=True` step s reads input timestep T−1−s, and the "
            "returned sequence stays in that reading order."
        ),
        "es": (
            "Con `go_backwards=True` el paso s lee el paso de tiempo T−1−s de la "
            "entrada, y la secuencia devuelta conserva ese orden de lectura."
        ),
    },
    "bidirectional": {
        "en": (
            "`Bidirectional` runs two copies with their own weights: one forwards, "
            "one backwards (its sequence is flipped back into input time before "
            "the merge, `merge_mode={merge_mode}`)."
        ),
        "es": (
            "`Bidirectional` ejecuta dos copias con pesos propios: una hacia "
            "adelante y otra hacia atrás (su secuencia se vuelve a poner en el "
            "orden de la entrada antes de combinarlas, `merge_mode={merge_mode}`)."
        ),
    },
    "compare": {
        "en": (
            "## Do they agree?\n\n"
            "max |NumPy − Keras| for every returned array. The cell raises an "
            "`AssertionError` unless every shape matches, every difference is "
            "below `TOLERANCE` = {tolerance} and any NaN or infinity appears on "
            "both sides alike."
        ),
        "es": (
            "## ¿Coinciden?\n\n"
            "max |NumPy − Keras| para cada arreglo devuelto. La celda lanza un "
            "`AssertionError` salvo que todas las formas coincidan, todas las "
            "diferencias queden bajo `TOLERANCE` = {tolerance} y cualquier NaN o "
            "infinito aparezca igual en ambos lados."
        ),
    },
}

_SETUP = """\
{environment}
import base64
import io
import zlib

{third_party_imports}

{constants}"""

_DATA = """\
{load_array}

X = {x_blob}  # {x_shape}: (batch, timesteps, features), float32

WEIGHTS = [  # as layer.get_weights(), float32
{weight_blobs}
]
print("x", X.shape, "| weights", [w.shape for w in WEIGHTS])"""

_RUN_KERAS = """\
{keras_layer}

keras_results = keras_layer(X, WEIGHTS)
for name, result in zip(NAMES, keras_results):
    print(name, result.shape)"""

_RUN_NUMPY = """\
{functions}


{run_direction}

{numpy_layer}

numpy_results = numpy_layer(X, WEIGHTS)
for name, result in zip(NAMES, numpy_results):
    print(name, result.shape)"""

_COMPARE = """\
{difference}

assert len(numpy_results) == len(keras_results), (
    f"Keras returned {{len(keras_results)}} arrays, NumPy {{len(numpy_results)}}"
)
worst = 0.0
for name, mine, theirs in zip(NAMES, numpy_results, keras_results):
    assert mine.shape == theirs.shape, (
        f"{{name}}: shape {{theirs.shape}} in Keras, {{mine.shape}} in NumPy"
    )
    gap, mismatches = difference(mine, theirs)
    print(f"{{name}} {{theirs.shape}}: max |NumPy - Keras| = {{gap:.3e}}")
    assert mismatches == 0, f"{{name}}: {{mismatches}} NaN/inf entries differ"
    worst = max(worst, gap)
assert worst < TOLERANCE, (
    f"DISAGREE: max |NumPy - Keras| = {{worst:.3e}}, tolerance {{TOLERANCE:g}}"
)
print(f"AGREE: max |NumPy - Keras| = {{worst:.3e}} < {{TOLERANCE:g}}")"""

_KERNEL = {
    "name": "python3",
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
}


def _text(message_id: str, language: str, **fields: object) -> str:
    return TEXTS[message_id][language].format(**fields)


def _formula_markdown(spec: LayerSpec, language: str) -> str:
    """The cell's formulas as display math, then the notes on direction."""
    parts = [_text("numpy", language)]
    # Lines with words inside the math (reading order, merge) become sentences below.
    parts += [
        f"$$\n{line.latex}\n$$"
        for line in explain.formula_lines(spec)
        if r"\text" not in line.latex and not line.latex.startswith("y_t")
    ]
    if spec.go_backwards:
        parts.append(_text("go_backwards", language))
    if spec.bidirectional:
        parts.append(_text("bidirectional", language, merge_mode=repr(spec.merge_mode)))
    parts.append(_text("convention", language))
    return "\n\n".join(parts)


def notebook_for(
    spec: LayerSpec,
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    tolerance: float = 1e-5,
    language: str = "en",
) -> NotebookNode:
    """The notebook (nbformat v4) that rebuilds and checks this layer on this input.

    Args:
        spec: the layer.
        x: input (batch, timesteps, features), within `rnn_core.limits`.
        weights: arrays as `layer.get_weights()`.
        tolerance: the largest max |NumPy − Keras| the last cell accepts.
        language: "en" or "es", for the markdown cells (the code is the same).

    Raises:
        ValueError: a bad language or tolerance, an input beyond the limits, or
            weights that do not fit the spec and input.
    """
    if language not in LANGUAGES:
        raise ValueError(
            f"Received an invalid value for `language`: expected one of "
            f"{', '.join(map(repr, LANGUAGES))}; got {language!r}."
        )
    x, arrays = _checked(spec, x, weights, tolerance)
    names = output_names(spec)
    keras_code = spec.keras_code()
    shown_names = ", ".join(f"`{name}`" for name in names)
    setup = _SETUP.format(
        environment=ENVIRONMENT_SOURCE,
        third_party_imports=THIRD_PARTY_IMPORTS,
        constants=_constants(spec, tolerance).rstrip(),
    )
    data = _DATA.format(
        load_array=LOAD_ARRAY_SOURCE.rstrip(),
        x_blob=_embedded(x, ""),
        x_shape=tuple(x.shape),
        weight_blobs=_weight_blobs(spec, arrays),
    )
    run_keras = _RUN_KERAS.format(
        keras_layer=KERAS_LAYER_SOURCE.format(keras_code=keras_code).rstrip()
    )
    run_numpy = _RUN_NUMPY.format(
        functions=_cell_functions(spec).rstrip(),
        run_direction=RUN_DIRECTION_SOURCE.rstrip(),
        numpy_layer=_layer_source(spec).rstrip(),
    )
    compare = _COMPARE.format(difference=DIFFERENCE_SOURCE.rstrip())
    new_md, new_code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        new_md(
            _text(
                "intro",
                language,
                keras_code=keras_code,
                x_shape=tuple(x.shape),
                tolerance=f"{tolerance:g}",
            )
        ),
        new_code(setup),
        new_md(_text("data", language)),
        new_code(data),
        new_md(_text("keras", language, names=shown_names)),
        new_code(run_keras),
        new_md(_formula_markdown(spec, language)),
        new_code(run_numpy),
        new_md(_text("compare", language, tolerance=f"{tolerance:g}")),
        new_code(compare),
    ]
    for k, cell in enumerate(cells):
        cell["id"] = f"rnn-stepper-{k}"  # fixed ids: the same view gives the same file
    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": dict(_KERNEL), "language_info": {"name": "python"}},
    )
    nbformat.validate(notebook)
    return notebook


def notebook_bytes(
    spec: LayerSpec,
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    tolerance: float = 1e-5,
    language: str = "en",
) -> bytes:
    """`notebook_for(...)` as the UTF-8 bytes of an .ipynb file."""
    notebook = notebook_for(spec, x, weights, tolerance, language)
    return nbformat.writes(notebook).encode("utf-8")

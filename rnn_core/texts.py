"""The teaching texts `rnn_core` writes, in English and Spanish (never Streamlit).

`TEXTS`: message id -> {"en": text, "es": text}, `str.format` templates whose two
languages take the same fields; `text(message_id, language, **fields)` fills one in.
The functions that write these texts (`explain.formula_lines`, `step_equations`,
`spectral_note`, `flag_explanations`, `weights.describe_weights`) take
`language="en"`; their English output is the library's documented output. The app's
catalog (`ui.i18n.MESSAGES`) includes these texts, so its tests check them too.
"""

from __future__ import annotations

LANGUAGES = ("en", "es")

TEXTS: dict[str, dict[str, str]] = {
    # --- gates (rnn_core.weights.GATE_MEANINGS) --------------------------------------
    "core.gate.i": {"en": "input gate", "es": "compuerta de entrada"},
    "core.gate.f": {"en": "forget gate", "es": "compuerta de olvido"},
    "core.gate.c": {"en": "cell candidate", "es": "candidato de celda"},
    "core.gate.o": {"en": "output gate", "es": "compuerta de salida"},
    "core.gate.z": {"en": "update gate", "es": "compuerta de actualización"},
    "core.gate.r": {"en": "reset gate", "es": "compuerta de reinicio"},
    "core.gate.h": {"en": "candidate state", "es": "estado candidato"},
    # --- describe_weights ------------------------------------------------------------
    "core.weights.stacked": {
        "en": ", gates stacked as {gates}",
        "es": ", compuertas apiladas como {gates}",
    },
    "core.weights.kernel": {
        "en": "input weights: x_t · Wx{stacked}",
        "es": "pesos de entrada: x_t · Wx{stacked}",
    },
    "core.weights.recurrent_kernel": {
        "en": "recurrent weights: h_(t-1) · Wh{stacked}",
        "es": "pesos recurrentes: h_(t-1) · Wh{stacked}",
    },
    "core.weights.bias": {"en": "bias{stacked}", "es": "sesgo{stacked}"},
    "core.weights.bias_two_rows": {
        "en": "bias, row 0 added to x_t · Wx, row 1 to h_(t-1) · Wh{stacked}",
        "es": "sesgo, la fila 0 se suma a x_t · Wx, la fila 1 a h_(t-1) · Wh{stacked}",
    },
    # --- formula_lines ---------------------------------------------------------------
    "core.formula.cell_candidate": {
        "en": "c̃_t: cell candidate",
        "es": "c̃_t: candidato de celda",
    },
    "core.formula.cell_state": {"en": "c_t: cell state", "es": "c_t: estado de celda"},
    "core.formula.hidden_state": {
        "en": "h_t: hidden state",
        "es": "h_t: estado oculto",
    },
    "core.formula.gate": {"en": "{gate}_t: {meaning}", "es": "{gate}_t: {meaning}"},
    "core.formula.gru_candidate": {
        "en": (
            "h̃_t: candidate state (reset_after={reset_after}: r_t applied "
            "{after} the recurrent matmul)"
        ),
        "es": (
            "h̃_t: estado candidato (reset_after={reset_after}: r_t se aplica "
            "{after} del producto recurrente)"
        ),
    },
    "core.formula.after": {"en": "after", "es": "después"},
    "core.formula.before": {"en": "before", "es": "antes"},
    "core.formula.gru_new": {
        "en": "h_t: new state (Keras: z_t keeps the old state)",
        "es": "h_t: nuevo estado (Keras: z_t conserva el estado anterior)",
    },
    "core.formula.odot": {
        "en": "⊙ is the elementwise product; {columns} are gate g's columns of {of}",
        "es": (
            "⊙ es el producto elemento a elemento; {columns} son las columnas de "
            "la compuerta g en {of}"
        ),
    },
    "core.formula.go_backwards": {
        "en": "go_backwards: step s reads input timestep T−1−s",
        "es": "go_backwards: el paso s lee el paso de tiempo T−1−s de la entrada",
    },
    "core.formula.bidirectional": {
        "en": (
            "Bidirectional: each direction has its own weights; the backward "
            "direction reads input timestep T−1−s at step s"
        ),
        "es": (
            "Bidirectional: cada dirección tiene sus propios pesos; la dirección "
            "hacia atrás lee el paso de tiempo T−1−s de la entrada en el paso s"
        ),
    },
    "core.formula.merge": {
        "en": (
            "merge_mode={mode}: output at input timestep t (without "
            "return_sequences: each direction's last step)"
        ),
        "es": (
            "merge_mode={mode}: salida en el paso de tiempo t de la entrada (sin "
            "return_sequences: el último paso de cada dirección)"
        ),
    },
    # --- step_equations --------------------------------------------------------------
    "core.step.reading": {
        "en": "step {step} reads input timestep {t}",
        "es": "el paso {step} lee el paso de tiempo {t} de la entrada",
    },
    "core.direction.forward": {"en": "forward", "es": "hacia adelante"},
    "core.direction.backward": {"en": "backward", "es": "hacia atrás"},
    "core.step.reading_direction": {
        "en": "{direction} direction, {reading}",
        "es": "dirección {direction}, {reading}",
    },
    "core.step.reading_backwards": {
        "en": "{reading} (go_backwards: read from the last timestep)",
        "es": "{reading} (go_backwards: se lee desde el último paso de tiempo)",
    },
    "core.step.initial": {"en": " (the initial state)", "es": " (el estado inicial)"},
    "core.step.gate_blocks": {
        "en": " (gate blocks {gates})",
        "es": " (bloques de compuertas {gates})",
    },
    "core.step.x": {"en": "x_t: {reading}", "es": "x_t: {reading}"},
    "core.step.bx": {"en": "bx: input bias", "es": "bx: sesgo de entrada"},
    "core.step.bh": {"en": "bh: recurrent bias", "es": "bh: sesgo recurrente"},
    "core.step.pre": {"en": "pre-activation", "es": "preactivación"},
    "core.step.activation": {
        "en": "activation: h_t = {name}(a_t)",
        "es": "activación: h_t = {name}(a_t)",
    },
    "core.step.masked": {
        "en": (
            "masked step: mask[{item}, {t}] is False, so Keras discards "
            "the values above and carries the state over ({note})"
        ),
        "es": (
            "paso enmascarado: mask[{item}, {t}] es False, así que Keras descarta "
            "los valores de arriba y arrastra el estado ({note})"
        ),
    },
    "core.step.masked_zeros": {
        "en": "Bidirectional with return_sequences outputs zeros there",
        "es": "Bidirectional con return_sequences da ceros ahí",
    },
    "core.step.masked_repeat": {
        "en": "the output repeats the previous output",
        "es": "la salida repite la salida anterior",
    },
    "core.step.difference": {
        "en": "{state}_t: NumPy − Keras",
        "es": "{state}_t: NumPy − Keras",
    },
    "core.step.reset_after": {
        "en": "reset applied after the recurrent matmul (reset_after=True)",
        "es": "reinicio aplicado después del producto recurrente (reset_after=True)",
    },
    "core.step.reset_before": {
        "en": "reset applied before the recurrent matmul (reset_after=False)",
        "es": "reinicio aplicado antes del producto recurrente (reset_after=False)",
    },
    "core.step.gru_candidate": {
        "en": "h̃_t: candidate state",
        "es": "h̃_t: estado candidato",
    },
    "core.step.gru_new": {"en": "h_t: new state", "es": "h_t: nuevo estado"},
    # --- spectral_note ---------------------------------------------------------------
    "core.spectral.nan": {
        "en": "ρ is undefined: the recurrent weights hold NaN or infinity.",
        "es": "ρ no está definido: los pesos recurrentes contienen NaN o infinito.",
    },
    "core.spectral.below": {
        "en": (
            "{shown} < 1: without new input the state shrinks step by step, and so "
            "do the gradients through time: the memory of early inputs fades "
            "(vanishing gradients)."
        ),
        "es": (
            "{shown} < 1: sin entrada nueva el estado se encoge paso a paso, y "
            "también los gradientes a través del tiempo: la memoria de las primeras "
            "entradas se desvanece (desvanecimiento del gradiente)."
        ),
    },
    "core.spectral.near": {
        "en": (
            "{shown} ≈ 1: along its strongest direction the state neither shrinks "
            "nor grows much per step (Keras' orthogonal initialisation starts here)."
        ),
        "es": (
            "{shown} ≈ 1: en su dirección más fuerte el estado ni se encoge ni "
            "crece mucho en cada paso (la inicialización ortogonal de Keras empieza "
            "aquí)."
        ),
    },
    "core.spectral.bounded": {
        "en": (
            "{shown} > 1: the state is pushed to grow, but {name} is bounded, so the "
            "units saturate instead of exploding (and gradients vanish there)."
        ),
        "es": (
            "{shown} > 1: el estado tiende a crecer, pero {name} está acotada, así "
            "que las unidades se saturan en lugar de explotar (y ahí los gradientes "
            "se desvanecen)."
        ),
    },
    "core.spectral.unbounded": {
        "en": (
            "{shown} > 1 with the unbounded {name} activation: the state can grow "
            "without bound, step after step (exploding states and gradients)."
        ),
        "es": (
            "{shown} > 1 con la activación no acotada {name}: el estado puede "
            "crecer sin límite, paso tras paso (estados y gradientes que explotan)."
        ),
    },
    # --- flag_explanations -----------------------------------------------------------
    "core.flag.return_sequences": {
        "en": (
            "True: the output holds h_t for every timestep, (batch, timesteps, "
            "units); False: only the last timestep's h_t, (batch, units). 'Last' "
            "means the last timestep of the sequence, not the last layer."
        ),
        "es": (
            "True: la salida contiene h_t de cada paso de tiempo, (lote, pasos, "
            "unidades); False: solo h_t del último paso, (lote, unidades). 'Último' "
            "se refiere al último paso de la secuencia, no a la última capa."
        ),
    },
    "core.flag.return_state": {
        "en": (
            "True: the layer also returns its final state after the output, "
            "(output, state_h), plus state_c for an LSTM (the cell state, which the "
            "output never contains); the state is the one after the last timestep."
        ),
        "es": (
            "True: la capa devuelve también su estado final después de la salida, "
            "(output, state_h), y además state_c en una LSTM (el estado de celda, "
            "que la salida nunca contiene); es el estado tras el último paso."
        ),
    },
    "core.flag.go_backwards": {
        "en": (
            "True: the layer reads the sequence from its last timestep to its first; "
            "a returned sequence stays in that reading order (reversed in time), and "
            "its last entry is the state after reading x[0]."
        ),
        "es": (
            "True: la capa lee la secuencia desde su último paso hasta el primero; "
            "una secuencia devuelta queda en ese orden de lectura (invertida en el "
            "tiempo), y su última entrada es el estado tras leer x[0]."
        ),
    },
}


def text(message_id: str, language: str = "en", **fields: object) -> str:
    """The text of `message_id` in `language`, its fields filled in.

    Raises:
        ValueError: a language other than "en" and "es".
        KeyError: an unknown message id.
    """
    if language not in LANGUAGES:
        raise ValueError(
            f"Received an invalid value for `language`: expected one of "
            f"{', '.join(map(repr, LANGUAGES))}; got {language!r}."
        )
    return TEXTS[message_id][language].format(**fields)

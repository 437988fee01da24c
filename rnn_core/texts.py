"""The teaching texts `rnn_core` writes, in English and Spanish (never Streamlit).

`TEXTS`: message id -> {"en": text, "es": text}, `str.format` templates whose two
languages take the same fields; `text(message_id, language, **fields)` fills one in.
The functions that write these texts (`explain.formula_lines`, `step_equations`,
`spectral_note`, `flag_explanations`, `weights.describe_weights`) take
`language="en"`; their English output is the library's documented output. The app's
catalog (`ui.i18n.MESSAGES`) includes these texts, so its tests check them too.
"""

from __future__ import annotations

from rnn_core.markup import Markup, fill

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


# --- rnn_core.figures: titles, axes, hover texts and notes ----------------------
FIGURE_TEXTS: dict[str, dict[str, str]] = {
    "core.fig.source.manual": {
        "en": "manual NumPy formulas",
        "es": "fórmulas manuales en NumPy",
    },
    "core.fig.source_short.manual": {"en": "manual", "es": "NumPy"},
    "core.fig.weight.Wx": {
        "en": "input weights (kernel)",
        "es": "pesos de entrada (kernel)",
    },
    "core.fig.weight.Wh": {
        "en": "recurrent weights (recurrent_kernel)",
        "es": "pesos recurrentes (recurrent_kernel)",
    },
    "core.fig.weight.b": {"en": "bias", "es": "sesgo"},
    "core.fig.weight.bx": {
        "en": "input bias, added to x_t·Wx",
        "es": "sesgo de entrada, sumado a x_t·Wx",
    },
    "core.fig.weight.bh": {
        "en": "recurrent bias, added to h_(t-1)·Wh",
        "es": "sesgo recurrente, sumado a h_(t-1)·Wh",
    },
    "core.fig.word.timestep": {"en": "timestep", "es": "pasos de tiempo"},
    "core.fig.word.step": {"en": "step", "es": "pasos"},
    "core.fig.note.time": {
        "en": (
            "summarised: every {stride} {word} shown, plus the last ({shown} of "
            "{total})"
        ),
        "es": (
            "resumido: se muestra 1 de cada {stride} {word}, más el último "
            "({shown} de {total})"
        ),
    },
    "core.fig.note.rows": {
        "en": "every {stride} row",
        "es": "1 de cada {stride} filas",
    },
    "core.fig.note.columns": {
        "en": "every {stride} column",
        "es": "1 de cada {stride} columnas",
    },
    "core.fig.note.grid": {
        "en": "summarised: {parts} shown",
        "es": "resumido: se muestra {parts}",
    },
    "core.fig.note.grid_both": {
        "en": "summarised: {rows} and {columns} shown",
        "es": "resumido: se muestra {rows} y {columns}",
    },
    "core.fig.note.non_finite": {
        "en": "{count} non-finite entries (NaN or ±inf) shown as grey gaps",
        "es": "{count} valores no finitos (NaN o ±inf) dibujados como huecos grises",
    },
    "core.fig.note.reversed": {
        "en": "input read from the last timestep to the first",
        "es": "entrada leída desde el último paso de tiempo hasta el primero",
    },
    "core.fig.layer.bidirectional": {
        "en": "Bidirectional({name}), {direction} direction",
        "es": "Bidirectional({name}), dirección {direction}",
    },
    "core.fig.hover.step": {
        "en": (
            "{label}unit k=%{{y}}, step s=%{{x}} (input timestep "
            "t=%{{customdata}}): {value}<extra></extra>"
        ),
        "es": (
            "{label}unidad k=%{{y}}, paso s=%{{x}} (paso de tiempo de entrada "
            "t=%{{customdata}}): {value}<extra></extra>"
        ),
    },
    "core.fig.hover.timestep": {
        "en": "{label}unit k=%{{y}}, timestep t=%{{x}}: {value}<extra></extra>",
        "es": "{label}unidad k=%{{y}}, paso de tiempo t=%{{x}}: {value}<extra></extra>",
    },
    "core.fig.axis.bias_row": {"en": "bias row", "es": "fila del sesgo"},
    "core.fig.axis.bias": {"en": "bias", "es": "sesgo"},
    "core.fig.axis.unit_k": {"en": "unit k", "es": "unidad k"},
    "core.fig.axis.row": {"en": "row {row}", "es": "fila {row}"},
    "core.fig.axis.feature_j": {"en": "feature j", "es": "característica j"},
    "core.fig.axis.unit_j": {
        "en": "unit j (from h<sub>t-1</sub>)",
        "es": "unidad j (de h<sub>t-1</sub>)",
    },
    "core.fig.axis.row_i": {"en": "row i", "es": "fila i"},
    "core.fig.axis.column_k": {"en": "column k", "es": "columna k"},
    "core.fig.axis.blocks": {
        "en": "column k (blocks {gates} of {units} units each)",
        "es": "columna k (bloques {gates} de {units} unidades cada uno)",
    },
    "core.fig.axis.step_s": {"en": "step s", "es": "paso s"},
    "core.fig.axis.timestep_t": {"en": "timestep t", "es": "paso de tiempo t"},
    "core.fig.axis.value": {"en": "value", "es": "valor"},
    "core.fig.axis.state_value": {"en": "{state} value", "es": "valor de {state}"},
    "core.fig.weights.per_gate": {
        "en": "{which} per gate: {meaning}, {layer}",
        "es": "{which} por compuerta: {meaning}, {layer}",
    },
    "core.fig.states.title": {
        "en": "{state} over time: {source}, {layer}, batch item {item}",
        "es": (
            "{state} a lo largo del tiempo: {source}, {layer}, elemento {item} del lote"
        ),
    },
    "core.fig.residual.title": {
        "en": "{state} {what}, {layer}, batch item {item}: {formula} = {largest}",
        "es": (
            "{what} de {state}, {layer}, elemento {item} del lote: {formula} = "
            "{largest}"
        ),
    },
    "core.fig.residual.relative": {"en": "relative residual", "es": "residuo relativo"},
    "core.fig.residual.absolute": {"en": "residual", "es": "residuo"},
    "core.fig.residual.relative_short": {"en": "relative", "es": "relativo"},
    "core.fig.residual.relative_formula": {
        "en": "max |manual − Keras| / max(|Keras|, tiny)",
        "es": "máx |manual − Keras| / máx(|Keras|, ínfimo)",
    },
    "core.fig.residual.formula": {
        "en": "max |manual − Keras|",
        "es": "máx |manual − Keras|",
    },
    "core.fig.residual.no_finite": {
        "en": "nan (no finite entry)",
        "es": "nan (ningún valor finito)",
    },
    "core.fig.lines.where_step": {
        "en": "step s=%{{x}} (input timestep t=%{{customdata}})",
        "es": "paso s=%{{x}} (paso de tiempo de entrada t=%{{customdata}})",
    },
    "core.fig.lines.where_timestep": {
        "en": "timestep t=%{{x}}",
        "es": "paso de tiempo t=%{{x}}",
    },
    "core.fig.lines.name": {
        "en": "unit {unit} {source}",
        "es": "unidad {unit} {source}",
    },
    "core.fig.lines.hover": {
        "en": "{source} {state}, unit k={unit}, {where}: %{{y:.7g}}<extra></extra>",
        "es": "{source} {state}, unidad k={unit}, {where}: %{{y:.7g}}<extra></extra>",
    },
    "core.fig.lines.some_units": {
        "en": "units {ranges} of {total}",
        "es": "unidades {ranges} de {total}",
    },
    "core.fig.lines.all_units": {
        "en": "all {total} units",
        "es": "las {total} unidades",
    },
    "core.fig.lines.title": {
        "en": (
            "{state} per unit: Keras (solid) and manual formulas (dotted), "
            "{layer}, batch item {item}"
        ),
        "es": (
            "{state} por unidad: Keras (línea continua) y fórmulas manuales "
            "(punteada), {layer}, elemento {item} del lote"
        ),
    },
    "core.fig.lines.left_out": {
        "en": "{count} non-finite values left out",
        "es": "{count} valores no finitos omitidos",
    },
    "core.fig.lines.legend": {"en": "unit, computation", "es": "unidad, cálculo"},
    "core.fig.gates.title": {
        "en": (
            "Gate activations over time (manual NumPy formulas), {layer}, batch "
            "item {item}"
        ),
        "es": (
            "Activaciones de las compuertas a lo largo del tiempo (fórmulas "
            "manuales en NumPy), {layer}, elemento {item} del lote"
        ),
    },
    "core.fig.unrolled.final_returned": {
        "en": "{names}<br>final state<br>(returned)",
        "es": "{names}<br>estado final<br>(devuelto)",
    },
    "core.fig.unrolled.final_not_returned": {
        "en": "{names}<br>final state<br>(not returned)",
        "es": "{names}<br>estado final<br>(no devuelto)",
    },
    "core.fig.unrolled.hover": {
        "en": (
            "{direction} step {step} reads x[{read}]: h<sub>{next}</sub> from "
            "x[{read}] and h<sub>{step}</sub>"
        ),
        "es": (
            "paso {step} ({direction}) lee x[{read}]: h<sub>{next}</sub> a partir "
            "de x[{read}] y h<sub>{step}</sub>"
        ),
    },
    "core.fig.unrolled.title": {
        "en": "{name} unrolled: step {step} (of 0–{last}) {reading}",
        "es": "{name} desplegada: paso {step} (de 0–{last}) {reading}",
    },
    "core.fig.unrolled.reads": {"en": "reads {read}", "es": "lee {read}"},
    "core.fig.unrolled.reads_both": {
        "en": "reads {forward} (forward) and {backward} (backward)",
        "es": "lee {forward} (hacia adelante) y {backward} (hacia atrás)",
    },
    "core.fig.unrolled.sequences": {
        "en": "return_sequences=True: every step's output is returned",
        "es": "return_sequences=True: se devuelve la salida de cada paso",
    },
    "core.fig.unrolled.last_only": {
        "en": (
            "return_sequences=False: only the last step's output (step {last}) is "
            "returned"
        ),
        "es": (
            "return_sequences=False: solo se devuelve la salida del último paso "
            "(paso {last})"
        ),
    },
    "core.fig.unrolled.backwards": {
        "en": "go_backwards: step s reads x[T−1−s]",
        "es": "go_backwards: el paso s lee x[T−1−s]",
    },
    "core.fig.unrolled.merged": {
        "en": "the two rows' outputs are merged (merge_mode={mode})",
        "es": "las salidas de las dos filas se combinan (merge_mode={mode})",
    },
    "core.fig.unrolled.merged_flipped": {
        "en": (
            "the two rows' outputs are merged (merge_mode={mode}), the backward "
            "row's flipped back into input time first"
        ),
        "es": (
            "las salidas de las dos filas se combinan (merge_mode={mode}), las de "
            "la fila hacia atrás devueltas antes al orden de la entrada"
        ),
    },
    "core.fig.unrolled.window": {
        "en": "steps {first}–{last} of {total} shown",
        "es": "se muestran los pasos {first}–{last} de {total}",
    },
}

# --- rnn_core.errors.CoreError: what a user did wrong, and what is allowed -------
ERROR_TEXTS: dict[str, dict[str, str]] = {
    "core.dtype.described": {"en": "{dtype} ({kind})", "es": "{dtype} ({kind})"},
    "core.dtype.objects": {"en": "Python objects", "es": "objetos de Python"},
    "core.dtype.complex": {"en": "complex numbers", "es": "números complejos"},
    "core.dtype.text": {"en": "text", "es": "texto"},
    "core.dtype.bytes": {"en": "bytes", "es": "cadenas de bytes"},
    "core.dtype.records": {
        "en": "raw or structured records",
        "es": "registros sin formato o estructurados",
    },
    "core.dtype.structured": {
        "en": "structured records",
        "es": "registros estructurados",
    },
    "core.dtype.dates": {"en": "dates", "es": "fechas"},
    "core.dtype.spans": {"en": "time spans", "es": "intervalos de tiempo"},
    "core.what.input": {"en": "The input", "es": "La entrada"},
    "core.what.input_at": {
        "en": (
            "The input at x[{b}, {t}, {f}] (batch item {b}, timestep {t}, feature {f})"
        ),
        "es": (
            "La entrada en x[{b}, {t}, {f}] (elemento {b} del lote, paso de tiempo "
            "{t}, característica {f})"
        ),
    },
    "core.what.csv_file": {"en": "The CSV file", "es": "El archivo CSV"},
    "core.what.upload_file": {"en": "The file", "es": "El archivo"},
    "core.what.npy_file": {"en": "The .npy file", "es": "El archivo .npy"},
    "core.what.npy_header": {
        "en": "The .npy header",
        "es": "La cabecera del archivo .npy",
    },
    "core.what.weights_file": {"en": "The weights file", "es": "El archivo de pesos"},
    "core.what.weights_member": {
        "en": "The weights file's {label}",
        "es": "El arreglo {label} del archivo de pesos",
    },
    "core.what.weights_header": {
        "en": "The .npy header of {label}",
        "es": "La cabecera .npy de {label}",
    },
    "core.what.at": {"en": "{what} at {index}", "es": "{what} en {index}"},
    "core.csv.row": {"en": "row {row}", "es": "la fila {row}"},
    "core.csv.header": {
        "en": "the header in row {row}",
        "es": "la cabecera en la fila {row}",
    },
    "core.csv.cell": {
        "en": "CSV row {row}, column {column}",
        "es": "La fila {row}, columna {column} del CSV",
    },
    "core.hint.pickled": {
        "en": "it looks pickled, and pickled content is not accepted",
        "es": "parece serializado con pickle, y ese contenido no se acepta",
    },
    "core.hint.expected_npy": {
        "en": "expected an array written by np.save",
        "es": "se espera un arreglo escrito por np.save",
    },
    "core.hint.single_npy": {
        "en": "it is a single .npy array",
        "es": "es un único arreglo .npy",
    },
    "core.hint.not_zip": {
        "en": "it is not a zip archive",
        "es": "no es un archivo zip",
    },
    "core.hint.nothing": {"en": "nothing", "es": "nada"},
    "core.err.dtype_objects": {
        "en": (
            "{what} holds Python objects (dtype {dtype}); pickled content is not "
            "accepted. Expected an array of numbers: bool, int, uint or float."
        ),
        "es": (
            "{what} contiene objetos de Python (dtype {dtype}); no se acepta "
            "contenido serializado con pickle. Se espera un arreglo de números: "
            "bool, int, uint o float."
        ),
    },
    "core.err.dtype_structured": {
        "en": (
            "{what} has a structured dtype {dtype}; expected a plain array of "
            "numbers: bool, int, uint or float."
        ),
        "es": (
            "{what} tiene un dtype estructurado {dtype}; se espera un arreglo "
            "simple de números: bool, int, uint o float."
        ),
    },
    "core.err.dtype_kind": {
        "en": (
            "{what} has dtype {dtype}; expected real numbers: bool, int, uint or float."
        ),
        "es": (
            "{what} tiene dtype {dtype}; se esperan números reales: bool, int, "
            "uint o float."
        ),
    },
    "core.err.input_rank": {
        "en": (
            "The input must have rank 3, shape (batch, timesteps, features); got "
            "rank {rank}, shape {shape}."
        ),
        "es": (
            "La entrada debe tener rango 3, forma (lote, pasos de tiempo, "
            "características); se recibió rango {rank}, forma {shape}."
        ),
    },
    "core.err.not_finite": {
        "en": "{where} is {value}: only finite numbers are allowed.",
        "es": "{where} vale {value}: solo se admiten números finitos.",
    },
    "core.err.too_large": {
        "en": (
            "{where} is {value}, too large for float32: values must lie within ±{most}."
        ),
        "es": (
            "{where} vale {value}, demasiado grande para float32: los valores "
            "deben estar dentro de ±{most}."
        ),
    },
    "core.err.impulse_feature": {
        "en": (
            "`feature` must be None or a feature index from 0 to {last}; got {value}."
        ),
        "es": (
            "`feature` debe ser None o un índice de característica de 0 a {last}; "
            "se recibió {value}."
        ),
    },
    "core.err.vocabulary": {
        "en": (
            "`features` must be at least the text's vocabulary size {size} "
            "({letters}); got {value}."
        ),
        "es": (
            "`features` debe ser al menos el tamaño del vocabulario del texto, "
            "{size} ({letters}); se recibió {value}."
        ),
    },
    "core.err.text_empty": {
        "en": "`text` must be a non-empty string; got {value}.",
        "es": "`text` debe ser un texto no vacío; se recibió {value}.",
    },
    "core.err.text_long": {
        "en": (
            "`text` must be at most {most} characters (one timestep each); got {count}."
        ),
        "es": (
            "`text` debe tener como máximo {most} caracteres (un paso de tiempo "
            "cada uno); se recibieron {count}."
        ),
    },
    "core.err.upload_too_big": {
        "en": "{what} is {size} bytes; at most {limit} bytes are allowed.",
        "es": "{what} ocupa {size} bytes; se admiten como máximo {limit} bytes.",
    },
    "core.err.upload_empty": {
        "en": "{what} is empty.",
        "es": "{what} no tiene contenido.",
    },
    "core.err.weights_too_big": {
        "en": (
            "The weights file is {size} bytes; at most {limit} bytes for this "
            "layer (its {count} arrays as float64) are allowed."
        ),
        "es": (
            "El archivo de pesos ocupa {size} bytes; para esta capa se admiten "
            "como máximo {limit} bytes (sus {count} arreglos en float64)."
        ),
    },
    "core.err.npy_version": {
        "en": (
            "format version {version} is not supported; expected 1.0 or 2.0 (what "
            "np.save writes for numeric arrays)"
        ),
        "es": (
            "la versión de formato {version} no es compatible; se espera 1.0 o 2.0 "
            "(lo que escribe np.save para arreglos numéricos)"
        ),
    },
    "core.err.npy_header_cut": {
        "en": "the file ends inside the header",
        "es": "el archivo termina dentro de la cabecera",
    },
    "core.err.npy_header_long": {
        "en": "the header declares {length} bytes; at most {most} are allowed",
        "es": "la cabecera declara {length} bytes; se admiten como máximo {most}",
    },
    "core.err.unreadable": {
        "en": "{what} cannot be read: {reason}",
        "es": "{what} no se puede leer: {reason}",
    },
    "core.err.encrypted": {
        "en": (
            "{what} cannot be read: its entry {member} in the .npz archive is "
            "encrypted. Save the weights with np.savez, without a password."
        ),
        "es": (
            "{what} no se puede leer: su entrada {member} del archivo .npz está "
            "cifrada. Guarde los pesos con np.savez, sin contraseña."
        ),
    },
    "core.err.npy_truncated": {
        "en": (
            "{what} is truncated: its header declares shape {shape} of {dtype}, "
            "{declared} bytes of data, but it holds only {held}."
        ),
        "es": (
            "{what} está incompleto: su cabecera declara la forma {shape} de "
            "{dtype}, {declared} bytes de datos, pero solo contiene {held}."
        ),
    },
    "core.err.npy_extra": {
        "en": (
            "{what} has {extra} unexpected bytes after the {declared} bytes of "
            "data its header declares (shape {shape} of {dtype}); expected a file "
            "written by np.save."
        ),
        "es": (
            "{what} tiene {extra} bytes inesperados después de los {declared} "
            "bytes de datos que declara su cabecera (forma {shape} de {dtype}); se "
            "espera un archivo escrito por np.save."
        ),
    },
    "core.err.csv_lines": {
        "en": (
            "The CSV file has more than {lines} lines; at most {most} rows of "
            "numbers (one per timestep) are allowed, with a header and blank "
            "lines."
        ),
        "es": (
            "El archivo CSV tiene más de {lines} líneas; se admiten como máximo "
            "{most} filas de números (una por paso de tiempo), con una cabecera y "
            "líneas en blanco."
        ),
    },
    "core.err.csv_line_long": {
        "en": (
            "CSV line {line} is more than {most} characters long; at most {most} "
            "are allowed (one line is one timestep of at most {features} numbers)."
        ),
        "es": (
            "La línea {line} del CSV tiene más de {most} caracteres; se admiten "
            "como máximo {most} (una línea es un paso de tiempo de como máximo "
            "{features} números)."
        ),
    },
    "core.err.csv_utf8": {
        "en": (
            "The CSV file is not UTF-8 text: byte {byte} at position {position} "
            "cannot be decoded. Save it as UTF-8 (in Excel: CSV UTF-8)."
        ),
        "es": (
            "El archivo CSV no es texto UTF-8: el byte {byte} en la posición "
            "{position} no se puede decodificar. Guárdalo como UTF-8 (en Excel: "
            "CSV UTF-8)."
        ),
    },
    "core.err.csv_columns": {
        "en": (
            "CSV row {row} has {count} values; at most {most} columns (features) "
            "are allowed."
        ),
        "es": (
            "La fila {row} del CSV tiene {count} valores; se admiten como máximo "
            "{most} columnas (características)."
        ),
    },
    "core.err.csv_ragged": {
        "en": (
            "CSV row {row} has {count} values, expected {expected} (as in "
            "{source}); every row must have the same number of columns."
        ),
        "es": (
            "La fila {row} del CSV tiene {count} valores, se esperaban {expected} "
            "(como en {source}); todas las filas deben tener el mismo número de "
            "columnas."
        ),
    },
    "core.err.csv_ragged_one": {
        "en": (
            "CSV row {row} has {count} value, expected {expected} (as in "
            "{source}); every row must have the same number of columns."
        ),
        "es": (
            "La fila {row} del CSV tiene {count} valor, se esperaban {expected} "
            "(como en {source}); todas las filas deben tener el mismo número de "
            "columnas."
        ),
    },
    "core.err.csv_rows": {
        "en": (
            "The CSV file has more than {most} data rows; each row is one timestep "
            "and at most {most} are allowed."
        ),
        "es": (
            "El archivo CSV tiene más de {most} filas de datos; cada fila es un "
            "paso de tiempo y se admiten como máximo {most}."
        ),
    },
    "core.err.csv_not_number": {
        "en": (
            "CSV row {row}, column {column} is {value}: expected a number such as "
            "0.5 or -3e-2."
        ),
        "es": (
            "La fila {row}, columna {column} del CSV es {value}: se espera un "
            "número como 0.5 o -3e-2."
        ),
    },
    "core.err.csv_unreadable": {
        "en": "The CSV file could not be read at line {line}: {reason}.",
        "es": "No se pudo leer el archivo CSV en la línea {line}: {reason}.",
    },
    "core.err.csv_empty": {
        "en": "The CSV file has no rows of numbers; expected one row per timestep.",
        "es": (
            "El archivo CSV no tiene filas de números; se espera una fila por paso "
            "de tiempo."
        ),
    },
    "core.err.npy_zip": {
        "en": (
            "The file is a zip archive (an .npz?); expected a single .npy array "
            "written by np.save."
        ),
        "es": (
            "El archivo es un archivo zip (¿un .npz?); se espera un único arreglo "
            ".npy escrito por np.save."
        ),
    },
    "core.err.npy_magic": {
        "en": (
            "The file is not a .npy file: it does not start with the NumPy magic "
            "string {magic}; {hint}."
        ),
        "es": (
            "El archivo no es un archivo .npy: no empieza con la cadena mágica de "
            "NumPy {magic}; {hint}."
        ),
    },
    "core.err.npy_rank": {
        "en": (
            "The .npy array must have rank 2 (timesteps, features) or 3 (batch, "
            "timesteps, features); got rank {rank}, shape {shape}."
        ),
        "es": (
            "El arreglo .npy debe tener rango 2 (pasos de tiempo, características) "
            "o 3 (lote, pasos de tiempo, características); se recibió rango "
            "{rank}, forma {shape}."
        ),
    },
    "core.err.npy_shape": {
        "en": (
            "The .npy array of shape {shape} is read as (batch, timesteps, "
            "features) = {full_shape}: {reason}"
        ),
        "es": (
            "El arreglo .npy de forma {shape} se lee como (lote, pasos de tiempo, "
            "características) = {full_shape}: {reason}"
        ),
    },
    "core.err.weights_not_npz": {
        "en": (
            "The weights file is not an .npz file: {hint}; expected the arrays of "
            "layer.get_weights() as written by np.savez(path, "
            "*layer.get_weights())."
        ),
        "es": (
            "El archivo de pesos no es un archivo .npz: {hint}; se esperan los "
            "arreglos de layer.get_weights() tal como los escribe np.savez(path, "
            "*layer.get_weights())."
        ),
    },
    "core.err.weights_unreadable": {
        "en": "The weights file is not a readable .npz file: {reason}",
        "es": "El archivo de pesos no es un archivo .npz legible: {reason}",
    },
    "core.err.weights_members": {
        "en": (
            "The weights file must hold {count} arrays for this layer "
            "({expected}); got {got}."
        ),
        "es": (
            "El archivo de pesos debe contener {count} arreglos para esta capa "
            "({expected}); se recibió {got}."
        ),
    },
    "core.err.weights_shape": {
        "en": (
            "{what} must have shape {shape} for this layer and {features} "
            "features; got {got}."
        ),
        "es": (
            "{what} debe tener forma {shape} para esta capa y {features} "
            "características; se recibió {got}."
        ),
    },
    "core.err.limit_whole": {
        "en": "`{name}` must be a whole number from 1 to {limit}; got {value}.",
        "es": "`{name}` debe ser un número entero de 1 a {limit}; se recibió {value}.",
    },
    "core.err.limit_above": {
        "en": "`{name}` must be at most {limit}; got {value}.",
        "es": "`{name}` debe ser como máximo {limit}; se recibió {value}.",
    },
    "core.err.input_elements": {
        "en": (
            "The input batch × timesteps × features = {batch} × {timesteps} × "
            "{features} = {elements} values; at most {most} are allowed."
        ),
        "es": (
            "La entrada lote × pasos de tiempo × características = {batch} × "
            "{timesteps} × {features} = {elements} valores; se admiten como máximo "
            "{most}."
        ),
    },
    "core.err.trace_elements": {
        "en": (
            "The states of this trace would hold batch × timesteps × units × "
            "directions = {batch} × {timesteps} × {units} × {directions} = "
            "{elements} values per state; at most {most} are allowed (use a "
            "smaller batch, fewer timesteps or fewer units)."
        ),
        "es": (
            "Los estados de esta traza tendrían lote × pasos de tiempo × unidades "
            "× direcciones = {batch} × {timesteps} × {units} × {directions} = "
            "{elements} valores por estado; se admiten como máximo {most} (usa un "
            "lote más pequeño, menos pasos de tiempo o menos unidades)."
        ),
    },
    "core.err.field_choice": {
        "en": (
            "Received an invalid value for `{field}`: expected one of {allowed}; "
            "got {value}."
        ),
        "es": (
            "Valor no válido para `{field}`: se espera uno de {allowed}; se "
            "recibió {value}."
        ),
    },
    "core.err.field_flag": {
        "en": (
            "Received an invalid value for `{field}`: expected True or False; got "
            "{value}."
        ),
        "es": (
            "Valor no válido para `{field}`: se espera True o False; se recibió "
            "{value}."
        ),
    },
    "core.err.field_units": {
        "en": (
            "Received an invalid value for `units`: expected an integer from 1 to "
            "{most}; got {value}."
        ),
        "es": (
            "Valor no válido para `units`: se espera un entero de 1 a {most}; se "
            "recibió {value}."
        ),
    },
    "core.err.backwards_bidirectional": {
        "en": (
            "Received an invalid combination of `go_backwards` and "
            "`bidirectional`: both True. Keras' Bidirectional already runs one "
            "copy backwards and refuses a layer with go_backwards set; expected at "
            "most one of them True."
        ),
        "es": (
            "Combinación no válida de `go_backwards` y `bidirectional`: ambos en "
            "True. Bidirectional de Keras ya ejecuta una copia hacia atrás y "
            "rechaza una capa con go_backwards activado; se espera como máximo uno "
            "de los dos en True."
        ),
    },
    # settings of the gradients and training pages (rnn_core.gradients,
    # rnn_core.gradient_lab, rnn_core.trainer, rnn_core.tasks)
    "core.err.one_of": {
        "en": "`{name}` must be one of {allowed}; got {value}.",
        "es": "`{name}` debe ser uno de {allowed}; se recibió {value}.",
    },
    "core.err.whole_range": {
        "en": "`{name}` must be a whole number from {low} to {high}; got {value}.",
        "es": (
            "`{name}` debe ser un número entero de {low} a {high}; se recibió {value}."
        ),
    },
    "core.err.range": {
        "en": "`{name}` must be from {low} to {high}; got {value}.",
        "es": "`{name}` debe estar entre {low} y {high}; se recibió {value}.",
    },
    "core.err.number_range": {
        "en": "`{name}` must be a number from {low} to {high}; got {value}.",
        "es": "`{name}` debe ser un número de {low} a {high}; se recibió {value}.",
    },
    "core.err.positive_number": {
        "en": "`{name}` must be a number above 0; got {value}.",
        "es": "`{name}` debe ser un número mayor que 0; se recibió {value}.",
    },
    "core.err.positive_at_most": {
        "en": "`{name}` must be above 0 and at most {high}; got {value}.",
        "es": "`{name}` debe ser mayor que 0 y como máximo {high}; se recibió {value}.",
    },
    "core.err.grad_activation": {
        "en": (
            "Gradients are not available for activation {name}; supported: {supported}."
        ),
        "es": (
            "Los gradientes no están disponibles para la activación {name}; se "
            "admiten: {supported}."
        ),
    },
    "core.err.grad_merge_none": {
        "en": (
            "Gradients need one output: Bidirectional with merge_mode None returns "
            "two; use merge_mode concat, sum, ave or mul."
        ),
        "es": (
            "Los gradientes necesitan una sola salida: Bidirectional con merge_mode "
            "None devuelve dos; usa merge_mode concat, sum, ave o mul."
        ),
    },
    "core.err.prediction_elements": {
        "en": (
            "The prediction would hold {elements} values; at most {most} are allowed."
        ),
        "es": (
            "La predicción tendría {elements} valores; se admiten como máximo {most}."
        ),
    },
    "core.err.train_work": {
        "en": (
            "steps × batch × timesteps × units = {steps} × {batch} × {timesteps} × "
            "{units} = {work}; at most {most} are allowed (use fewer steps or a "
            "smaller batch)."
        ),
        "es": (
            "pasos × lote × pasos de tiempo × unidades = {steps} × {batch} × "
            "{timesteps} × {units} = {work}; se admiten como máximo {most} (usa "
            "menos pasos o un lote más pequeño)."
        ),
    },
    "core.err.memory_steps": {
        "en": ("`steps` must be at most {most} for the memory curve; got {value}."),
        "es": (
            "`steps` debe ser como máximo {most} para la curva de memoria; se "
            "recibió {value}."
        ),
    },
}

# --- rnn_core.trace.overflow_warning -------------------------------------------------
OVERFLOW_TEXTS: dict[str, dict[str, str]] = {
    "core.overflow.states": {
        "en": (
            "The states overflowed: {keras_bad} of Keras' {total} state values and "
            "{manual_bad} of the NumPy formulas' are NaN or ±inf, from step {step} "
            "on."
        ),
        "es": (
            "Los estados se desbordaron: {keras_bad} de los {total} valores de "
            "estado de Keras y {manual_bad} de los de las fórmulas en NumPy son "
            "NaN o ±inf, desde el paso {step}."
        ),
    },
    "core.overflow.outputs": {
        "en": (
            "The outputs overflowed: {count} output values are NaN or ±inf (the "
            "two directions merged by {mode}), though every state is finite."
        ),
        "es": (
            "Las salidas se desbordaron: {count} valores de salida son NaN o ±inf "
            "(las dos direcciones combinadas con {mode}), aunque todos los estados "
            "son finitos."
        ),
    },
    "core.overflow.float_range": {
        "en": (
            "{overflowed} float32 holds numbers up to about ±{most}; a value that "
            "grows beyond that becomes ±inf, and then inf − inf or 0 × inf gives "
            "NaN."
        ),
        "es": (
            "{overflowed} float32 guarda números hasta unos ±{most}; un valor que "
            "crece más allá se vuelve ±inf, y luego inf − inf o 0 × inf da NaN."
        ),
    },
    "core.overflow.exploding": {
        "en": (
            "Here the recurrent weights have spectral radius ρ = {radius} > 1 and "
            "the activation {name} is unbounded, so h_t can grow by a factor of "
            "about ρ at every step: exploding states."
        ),
        "es": (
            "Aquí los pesos recurrentes tienen radio espectral ρ = {radius} > 1 y "
            "la activación {name} no está acotada, así que h_t puede crecer en un "
            "factor de aproximadamente ρ en cada paso: estados que explotan."
        ),
    },
    "core.overflow.unbounded": {
        "en": (
            "The activation {name} is unbounded, so large inputs or weights carry "
            "over from step to step without saturating."
        ),
        "es": (
            "La activación {name} no está acotada, así que las entradas o pesos "
            "grandes se arrastran de paso en paso sin saturarse."
        ),
    },
    "core.overflow.intermediate": {
        "en": "Large inputs or weights overflow an intermediate value.",
        "es": "Entradas o pesos grandes desbordan un valor intermedio.",
    },
    "core.overflow.one_side": {
        "en": (
            "{count} values are NaN or ±inf on one side only: the two computations "
            "overflowed differently there."
        ),
        "es": (
            "{count} valores son NaN o ±inf solo en uno de los dos cálculos: allí "
            "se desbordaron de forma distinta."
        ),
    },
    "core.overflow.same": {
        "en": "Both computations overflow at the same places.",
        "es": "Los dos cálculos se desbordan en los mismos lugares.",
    },
    "core.overflow.advice": {
        "en": (
            "Residuals are undefined there and drawn as grey gaps; max |manual − "
            "Keras| is taken over the finite values only. Smaller weights, a "
            "bounded activation such as tanh, or fewer timesteps keep the states "
            "finite."
        ),
        "es": (
            "Allí los residuos no están definidos y se dibujan como huecos grises; "
            "máx |manual − Keras| se toma solo sobre los valores finitos. Pesos "
            "más pequeños, una activación acotada como tanh o menos pasos de "
            "tiempo mantienen finitos los estados."
        ),
    },
}

TEXTS.update(FIGURE_TEXTS)
TEXTS.update(OVERFLOW_TEXTS)
TEXTS.update(ERROR_TEXTS)


def _template(message_id: str, language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(
            f"Received an invalid value for `language`: expected one of "
            f"{', '.join(map(repr, LANGUAGES))}; got {language!r}."
        )
    return TEXTS[message_id][language]


def text(message_id: str, language: str = "en", **fields: object) -> str:
    """The text of `message_id` in `language`, its fields filled in as plain text
    (for the command line, logs, figures: invisible characters made visible,
    nothing escaped; see `rnn_core.markup`).

    Raises:
        ValueError: a language other than "en" and "es".
        KeyError: an unknown message id.
    """
    return fill(_template(message_id, language), fields, markdown=False)


def markdown_text(message_id: str, language: str = "en", **fields: object) -> Markup:
    """The text of `message_id` as Markdown for a page: the template's Markdown
    works, every field shows as typed (`rnn_core.markup.fill`).

    Raises:
        ValueError: a language other than "en" and "es".
        KeyError: an unknown message id.
    """
    return fill(_template(message_id, language), fields)  # type: ignore[return-value]

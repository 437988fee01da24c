"""The texts of the shared sidebar, Home, pages 1–4 and `ui`, in English and Spanish.

Part of `ui.i18n.MESSAGES` (merged there; same rules: `str.format` templates, both
languages with the same fields). Prefixes: "set." (the sidebar and its messages),
"gen." (the input generators), "link." (permalinks), "page." (what every page
shares: errors, downloads, the summary line), "home.", "step.", "weights.",
"states.", "shapes." (one per page).
"""

from __future__ import annotations

APP_MESSAGES: dict[str, dict[str, str]] = {
    # --- navigation ----------------------------------------------------------------
    "nav.home": {"en": "Home", "es": "Inicio"},
    "nav.step": {"en": "Step through time", "es": "Paso a paso en el tiempo"},
    "nav.weights": {"en": "Weights", "es": "Pesos"},
    "nav.states": {"en": "Hidden states", "es": "Estados ocultos"},
    "nav.shapes": {"en": "Output shapes", "es": "Formas de salida"},
    # --- the sidebar: layer -----------------------------------------------------------
    "set.layer": {"en": "Layer", "es": "Capa"},
    "set.label.cell": {"en": "Cell", "es": "Celda"},
    "set.label.units": {"en": "Units", "es": "Unidades"},
    "set.label.activation": {"en": "Activation", "es": "Activación"},
    "set.label.recurrent_activation": {
        "en": "Recurrent activation",
        "es": "Activación recurrente",
    },
    "set.label.weights_seed": {"en": "Weights seed", "es": "Semilla de los pesos"},
    "set.label.source": {"en": "Input source", "es": "Origen de la entrada"},
    "set.label.generator": {"en": "Generator", "es": "Generador"},
    "set.label.batch": {"en": "Batch", "es": "Lote"},
    "set.label.timesteps": {"en": "Timesteps", "es": "Pasos de tiempo"},
    "set.label.features": {"en": "Features", "es": "Características"},
    "set.label.input_seed": {"en": "Input seed", "es": "Semilla de la entrada"},
    "set.label.impulse_feature": {
        "en": "Impulse feature",
        "es": "Característica del impulso",
    },
    "set.label.text": {"en": "Text", "es": "Texto"},
    "set.label.batch_index": {
        "en": "Batch item to follow",
        "es": "Elemento del lote a seguir",
    },
    "set.label.table_features": {"en": "Table columns", "es": "Columnas de la tabla"},
    "set.label.step": {"en": "Step", "es": "Paso"},
    "set.label.direction": {"en": "Direction", "es": "Dirección"},
    "set.label.merge_mode": {"en": "merge_mode", "es": "merge_mode"},
    "set.help.cell": {
        "en": "The Keras layer: keras.layers.SimpleRNN, LSTM or GRU.",
        "es": "La capa de Keras: keras.layers.SimpleRNN, LSTM o GRU.",
    },
    "set.units": {"en": "Units (1 to {most})", "es": "Unidades (1 a {most})"},
    "set.help.units": {
        "en": "Size of the hidden state h_t.",
        "es": "Tamaño del estado oculto h_t.",
    },
    "set.none_linear": {"en": "None (linear)", "es": "None (lineal)"},
    "set.none_merge": {
        "en": "None (both, as a list)",
        "es": "None (ambas, como lista)",
    },
    "set.help.activation": {
        "en": (
            "Applied to the pre-activation (SimpleRNN), the candidate and c_t (LSTM),"
            " the candidate (GRU). None means linear, as in the notebook."
        ),
        "es": (
            "Se aplica a la preactivación (SimpleRNN), al candidato y a c_t (LSTM), "
            "al candidato (GRU). None significa lineal, como en el cuaderno."
        ),
    },
    "set.recurrent_activation": {
        "en": "Recurrent activation (gates)",
        "es": "Activación recurrente (compuertas)",
    },
    "set.help.recurrent_activation": {
        "en": "Applied to the gates; Keras' default is sigmoid.",
        "es": "Se aplica a las compuertas; en Keras vale sigmoid por defecto.",
    },
    "set.help.use_bias": {
        "en": "Add the bias vector b.",
        "es": "Suma el vector de sesgo b.",
    },
    "set.help.return_sequences": {
        "en": "Return h_t for every timestep, not only the last one.",
        "es": "Devuelve h_t en cada paso de tiempo, no solo en el último.",
    },
    "set.help.return_state": {
        "en": "Also return the final state(s): (output, state_h[, state_c]).",
        "es": "Devuelve también el estado o los estados finales: "
        "(output, state_h[, state_c]).",
    },
    "set.help.go_backwards": {
        "en": (
            "Read the sequence from its last timestep to its first. "
            "Not used with Bidirectional, which builds its own backward layer."
        ),
        "es": (
            "Lee la secuencia desde su último paso de tiempo hasta el primero. "
            "No se usa con Bidirectional, que construye su propia capa hacia atrás."
        ),
    },
    "set.help.unit_forget_bias": {
        "en": "Start the forget gate's bias at 1 (changes the drawn weights).",
        "es": "Inicia en 1 el sesgo de la compuerta de olvido (cambia los pesos "
        "sorteados).",
    },
    "set.help.reset_after": {
        "en": (
            "Apply the reset gate after the recurrent product (Keras' default, "
            "two bias rows) or before it (the original GRU)."
        ),
        "es": (
            "Aplica la compuerta de reinicio después del producto recurrente (lo "
            "habitual en Keras, dos filas de sesgo) o antes (la GRU original)."
        ),
    },
    "set.help.bidirectional": {
        "en": "keras.layers.Bidirectional: one layer forwards, one backwards.",
        "es": "keras.layers.Bidirectional: una capa hacia adelante y otra hacia atrás.",
    },
    "set.help.merge_mode": {
        "en": "How the two directions' outputs are joined.",
        "es": "Cómo se unen las salidas de las dos direcciones.",
    },
    "set.help.weights_seed": {
        "en": "Seeds Keras' own initializers (Glorot uniform, orthogonal, zeros).",
        "es": "Semilla de los inicializadores de Keras (Glorot uniforme, ortogonal, "
        "ceros).",
    },
    "set.draw_weights": {"en": "Draw new weights", "es": "Sortear pesos nuevos"},
    # --- the sidebar: input -----------------------------------------------------------
    "set.input": {"en": "Input", "es": "Entrada"},
    "set.limits": {
        "en": (
            "Limits: batch ≤ {batch}, timesteps ≤ {timesteps}, features ≤ "
            "{features}, batch × timesteps × features ≤ {values} values; "
            "units ≤ {units}, batch × timesteps × units ≤ {states} per "
            "state; uploads ≤ {upload_bytes} bytes ({upload_mb} MB), .npy without "
            "pickles, CSV "
            "≤ {timesteps} rows × {features} columns."
        ),
        "es": (
            "Límites: lote ≤ {batch}, pasos de tiempo ≤ {timesteps}, "
            "características ≤ {features}, lote × pasos × características ≤ {values} "
            "valores; unidades ≤ {units}, lote × pasos × unidades ≤ {states} por "
            "estado; archivos ≤ {upload_bytes} bytes ({upload_mb} MB), .npy sin "
            "pickles, CSV ≤ {timesteps} filas "
            "× {features} columnas."
        ),
    },
    "set.source": {"en": "Source", "es": "Origen"},
    "set.source.generator": {"en": "Generator", "es": "Generador"},
    "set.source.upload": {"en": "Upload CSV / .npy", "es": "Subir CSV / .npy"},
    "set.source.table": {"en": "Type it in a table", "es": "Escribirla en una tabla"},
    "set.scaled": {"en": "Scaled into [0, 1)", "es": "Escalada a [0, 1)"},
    "set.help.scaled": {
        "en": "Off: 0, 1, 2, ... as Keras.",
        "es": "Desactivada: 0, 1, 2, ... como Keras.",
    },
    "set.impulse_feature": {
        "en": "Feature that gets the 1 (−1: every feature)",
        "es": "Característica que recibe el 1 (−1: todas)",
    },
    "set.text": {
        "en": "Text (one character per timestep)",
        "es": "Texto (un carácter por paso de tiempo)",
    },
    "set.help.batch": {
        "en": "1 to {most}; batch × timesteps × features at most {values} values.",
        "es": "1 a {most}; lote × pasos × características, como mucho {values} "
        "valores.",
    },
    "set.help.timesteps_text": {
        "en": "Set by the text's length.",
        "es": "Lo fija la longitud del texto.",
    },
    "set.help.features_text": {
        "en": "Set by the text's distinct characters.",
        "es": "Lo fijan los caracteres distintos del texto.",
    },
    "set.new_input": {"en": "New input", "es": "Entrada nueva"},
    "set.input.seeded": {
        "en": "{generator}, seed {seed}",
        "es": "{generator}, semilla {seed}",
    },
    "set.input.uploaded": {
        "en": "uploaded file {name}",
        "es": "el archivo subido {name}",
    },
    "set.input.table": {"en": "typed table", "es": "la tabla escrita a mano"},
    "set.upload": {
        "en": "CSV (rows = timesteps, columns = features) or .npy (2-D or 3-D)",
        "es": "CSV (filas = pasos de tiempo, columnas = características) o .npy "
        "(2-D o 3-D)",
    },
    "set.help.upload": {
        "en": "At most {upload_bytes} bytes and {values} values.",
        "es": "Como mucho {upload_bytes} bytes y {values} valores.",
    },
    "set.upload.none": {
        "en": (
            "Upload a CSV or .npy file to use as input: a CSV has one row per "
            "timestep and one column per feature; an .npy holds a (timesteps, "
            "features) or (batch, timesteps, features) array."
        ),
        "es": (
            "Sube un archivo CSV o .npy como entrada: un CSV tiene una fila por paso "
            "de tiempo y una columna por característica; un .npy guarda un arreglo "
            "(pasos, características) o (lote, pasos, características)."
        ),
    },
    "set.table.columns": {
        "en": "Columns (features, 1 to {most})",
        "es": "Columnas (características, 1 a {most})",
    },
    "set.table.caption": {
        "en": "One row per timestep; add rows at the bottom.",
        "es": "Una fila por paso de tiempo; agrega filas abajo.",
    },
    "set.table.column": {"en": "feature {index}", "es": "característica {index}"},
    "set.table.empty": {
        "en": "The table is empty: type at least one row (one timestep).",
        "es": "La tabla está vacía: escribe al menos una fila (un paso de tiempo).",
    },
    "set.table.empty_cell": {
        "en": (
            "Table: row {row}, column '{column}' is empty. Fill every cell with a "
            "finite number."
        ),
        "es": (
            "Tabla: la fila {row}, columna '{column}' está vacía. Llena cada celda "
            "con un número finito."
        ),
    },
    "set.table.not_number": {
        "en": (
            "Table: row {row}, column '{column}' is {value}, not a number. Fill "
            "every cell with a finite number."
        ),
        "es": (
            "Tabla: la fila {row}, columna '{column}' tiene {value}, que no es un "
            "número. Llena cada celda con un número finito."
        ),
    },
    "set.table.reset": {
        "en": "Table: the stored table was not a list of rows; reset.",
        "es": "Tabla: la tabla guardada no era una lista de filas; se restableció.",
    },
    "set.weights_upload": {
        "en": "Upload weights (.npz)",
        "es": "Subir pesos (.npz)",
    },
    "set.weights_upload.label": {
        "en": (
            "An .npz as downloaded from the Weights page (np.savez of "
            "layer.get_weights())"
        ),
        "es": (
            "Un .npz como el que se descarga en la página Pesos (np.savez de "
            "layer.get_weights())"
        ),
    },
    "set.batch_index": {
        "en": "Batch item to follow (0 to {last})",
        "es": "Elemento del lote a seguir (0 a {last})",
    },
    "set.help.batch_index": {
        "en": "Which sequence of the batch the per-step views show.",
        "es": "Qué secuencia del lote muestran las vistas paso a paso.",
    },
    # --- the sidebar: problems --------------------------------------------------------
    "set.problem.layer": {"en": "Layer: {error}", "es": "Capa: {error}"},
    "set.problem.input": {"en": "Input: {error}", "es": "Entrada: {error}"},
    "set.problem.table": {"en": "Table: {error}", "es": "Tabla: {error}"},
    "set.problem.size": {"en": "Size: {error}", "es": "Tamaño: {error}"},
    "set.problem.weights": {
        "en": "Weights `{name}`: {error} Using the seeded weights instead.",
        "es": "Pesos `{name}`: {error} Se usan en su lugar los pesos de la semilla.",
    },
    "set.problem.upload": {
        "en": "file `{name}`: {error}",
        "es": "archivo `{name}`: {error}",
    },
    "set.last_valid": {
        "en": "Showing the last valid layer and input until this is fixed.",
        "es": "Se muestran la última capa y la última entrada válidas hasta que se "
        "corrija.",
    },
    "set.bad.bool": {
        "en": "{label}: {value} is not on or off; kept {fallback}.",
        "es": "{label}: {value} no es activado ni desactivado; se mantiene {fallback}.",
    },
    "set.bad.names": {"en": "{count} names", "es": "{count} nombres"},
    "set.bad.choice": {
        "en": "{label}: {value} is not one of {choices}; kept {fallback}.",
        "es": "{label}: {value} no es una de estas opciones: {choices}; se mantiene "
        "{fallback}.",
    },
    "set.bad.not_text": {
        "en": "{label}: {value} is not text; kept the text.",
        "es": "{label}: {value} no es texto; se mantiene el texto.",
    },
    "set.bad.text_long": {
        "en": (
            "{label}: {count} characters; at most {most} are allowed "
            "(one per timestep). Cut to the first {most}."
        ),
        "es": (
            "{label}: {count} caracteres; se permiten como mucho {most} (uno por "
            "paso de tiempo). Se recorta a los primeros {most}."
        ),
    },
    "set.bad.int": {
        "en": "{label}: {value} is not a whole number from {low} to {high}; kept "
        "{fallback}.",
        "es": "{label}: {value} no es un número entero de {low} a {high}; se "
        "mantiene {fallback}.",
    },
    "set.bad.out_of_range": {
        "en": (
            "{label}: {value} is out of range (allowed: {low} to {high}); set to "
            "{fixed}. The other settings are unchanged."
        ),
        "es": (
            "{label}: {value} está fuera de rango (se permite de {low} a {high}); "
            "se fija en {fixed}. El resto de la configuración no cambia."
        ),
    },
    "set.bad.not_whole": {
        "en": (
            "{label}: {value} is not a whole number (allowed: {low} to {high}); set "
            "to {fixed}. The other settings are unchanged."
        ),
        "es": (
            "{label}: {value} no es un número entero (se permite de {low} a {high}); "
            "se fija en {fixed}. El resto de la configuración no cambia."
        ),
    },
    # --- the input generators (rnn_core.inputs.GENERATORS) --------------------------
    "gen.uniform.label": {"en": "Uniform [0, 1)", "es": "Uniforme [0, 1)"},
    "gen.uniform.description": {
        "en": "Random values between 0 and 1, like the notebook's np.random.random.",
        "es": "Valores aleatorios entre 0 y 1, como np.random.random en el cuaderno.",
    },
    "gen.normal.label": {"en": "Normal (0, 1)", "es": "Normal (0, 1)"},
    "gen.normal.description": {
        "en": "Random values from a bell curve around 0 with standard deviation 1.",
        "es": "Valores aleatorios de una campana centrada en 0 con desviación "
        "estándar 1.",
    },
    "gen.sine.label": {"en": "Sine waves", "es": "Ondas senoidales"},
    "gen.sine.description": {
        "en": "A smooth wave in [-1, 1] per feature, random period and phase.",
        "es": "Una onda suave en [-1, 1] por característica, con período y fase "
        "aleatorios.",
    },
    "gen.ramp.label": {"en": "Ramp (Keras tests)", "es": "Rampa (pruebas de Keras)"},
    "gen.ramp.description": {
        "en": "0, 1/n, 2/n, ... counted through the array, as in Keras' own RNN tests.",
        "es": "0, 1/n, 2/n, ... contando a lo largo del arreglo, como en las pruebas "
        "de RNN de Keras.",
    },
    "gen.impulse.label": {"en": "Impulse", "es": "Impulso"},
    "gen.impulse.description": {
        "en": "A single 1 at the first timestep, then zeros: see how memory fades.",
        "es": "Un único 1 en el primer paso de tiempo y luego ceros: mira cómo se "
        "desvanece la memoria.",
    },
    "gen.one_hot_text.label": {"en": "One-hot text", "es": "Texto one-hot"},
    "gen.one_hot_text.description": {
        "en": "One character per timestep, one feature per distinct character.",
        "es": "Un carácter por paso de tiempo, una característica por carácter "
        "distinto.",
    },
    # --- permalinks ------------------------------------------------------------------
    "link.header": {"en": "Link to this view", "es": "Enlace a esta vista"},
    "link.in_page": {
        "en": "The link to this view, with its step, is under the equations.",
        "es": "El enlace a esta vista, con su paso, está bajo las ecuaciones.",
    },
    "link.caption": {
        "en": (
            "Copy it (the button at its right) into slides or a message: it opens "
            "this page with these settings and the same numbers. The address bar "
            "holds the same link."
        ),
        "es": (
            "Cópialo (con el botón a su derecha) en diapositivas o un mensaje: abre "
            "esta página con esta configuración y los mismos números. La barra de "
            "direcciones tiene el mismo enlace."
        ),
    },
    "link.no_upload": {
        "en": (
            "An uploaded file cannot go in a link: the link names the file and asks "
            "for it again, showing the generator's input until then."
        ),
        "es": (
            "Un archivo subido no cabe en un enlace: el enlace nombra el archivo y lo "
            "vuelve a pedir, y muestra la entrada del generador hasta entonces."
        ),
    },
    "link.no_table": {
        "en": (
            "A table typed by hand cannot go in a link: the link opens the table "
            "with its example rows."
        ),
        "es": (
            "Una tabla escrita a mano no cabe en un enlace: el enlace abre la tabla "
            "con sus filas de ejemplo."
        ),
    },
    "link.no_weights": {
        "en": (
            "Uploaded weights cannot go in a link either: the link names the .npz "
            "file and asks for it again."
        ),
        "es": (
            "Tampoco caben en un enlace unos pesos subidos: el enlace nombra el "
            "archivo .npz y lo vuelve a pedir."
        ),
    },
    # --- a restart of the server, or a link whose input was a file (ui.restart) ------
    "restart.upload.restart": {
        "en": (
            "The server restarted and your uploaded file {name} was lost: choose it "
            "again."
        ),
        "es": (
            "El servidor se reinició y se perdió tu archivo subido {name}: vuelve a "
            "elegirlo."
        ),
    },
    "restart.upload.restart_unnamed": {
        "en": "The server restarted and your uploaded file was lost: choose it again.",
        "es": (
            "El servidor se reinició y se perdió tu archivo subido: vuelve a elegirlo."
        ),
    },
    "restart.upload.link": {
        "en": (
            "This link's input was the uploaded file {name}, which a link cannot "
            "carry: choose that file to see the same view."
        ),
        "es": (
            "La entrada de este enlace era el archivo subido {name}, que un enlace "
            "no puede llevar: elige ese archivo para ver la misma vista."
        ),
    },
    "restart.weights.restart": {
        "en": (
            "The server restarted and your weights file {name} was lost: choose it "
            "again. Using the seeded weights until then."
        ),
        "es": (
            "El servidor se reinició y se perdió tu archivo de pesos {name}: vuelve "
            "a elegirlo. Hasta entonces se usan los pesos de la semilla."
        ),
    },
    "restart.weights.restart_unnamed": {
        "en": (
            "The server restarted and your weights file was lost: choose it again. "
            "Using the seeded weights until then."
        ),
        "es": (
            "El servidor se reinició y se perdió tu archivo de pesos: vuelve a "
            "elegirlo. Hasta entonces se usan los pesos de la semilla."
        ),
    },
    "restart.weights.link": {
        "en": (
            "This link's weights were the uploaded file {name}, which a link cannot "
            "carry: choose that file to see the same view. Using the seeded weights "
            "until then."
        ),
        "es": (
            "Los pesos de este enlace eran el archivo subido {name}, que un enlace no "
            "puede llevar: elige ese archivo para ver la misma vista. Hasta entonces "
            "se usan los pesos de la semilla."
        ),
    },
    "restart.table": {
        "en": (
            "The table typed by hand is not on the server any more (it restarted, or "
            "this link opened a new session: a link cannot carry a table). It shows "
            "the example rows again: type yours."
        ),
        "es": (
            "La tabla escrita a mano ya no está en el servidor (se reinició, o este "
            "enlace abrió una sesión nueva: un enlace no puede llevar una tabla). "
            "Vuelve a mostrar las filas de ejemplo: escribe las tuyas."
        ),
    },
    "set.generator_meanwhile": {
        "en": "Meanwhile the page shows the generator's input.",
        "es": "Mientras tanto, la página muestra la entrada del generador.",
    },
    "link.quiz": {
        "en": "The link opens this question; your answer and score stay here.",
        "es": "El enlace abre esta pregunta; tu respuesta y tu puntuación se quedan "
        "aquí.",
    },
    "link.notice": {
        "en": "Link: {problem} It was left out (its default stays); the rest of "
        "the link is used.",
        "es": "Enlace: {problem} Se dejó fuera (queda su valor por defecto); se usa "
        "el resto del enlace.",
    },
    "link.bad.bool": {
        "en": "`{name}={value}` is not on or off (allowed: 1 or 0, true or false).",
        "es": "`{name}={value}` no es activado ni desactivado (se permite: 1 o 0, "
        "true o false).",
    },
    "link.bad.choice": {
        "en": "`{name}={value}` is not allowed (allowed: {allowed}).",
        "es": "`{name}={value}` no está permitido (se permite: {allowed}).",
    },
    "link.bad.text": {
        "en": "`{name}={value}` is too long (at most {most} characters).",
        "es": "`{name}={value}` es demasiado largo (como mucho {most} caracteres).",
    },
    "link.bad.int": {
        "en": "`{name}={value}` is not a whole number from {low} to {high}.",
        "es": "`{name}={value}` no es un número entero de {low} a {high}.",
    },
    "link.bad.size": {
        "en": (
            "batch × timesteps × features = {shape} = {count} values; at most "
            "{most} are allowed, so batch, timesteps and features were not used."
        ),
        "es": (
            "lote × pasos × características = {shape} = {count} valores; se "
            "permiten como mucho {most}, así que no se usaron batch, timesteps ni "
            "features."
        ),
    },
    "link.unknown": {
        "en": "`{name}` is not a setting of this app (see the link box in the "
        "sidebar for the ones it has).",
        "es": "`{name}` no es una opción de esta aplicación (el enlace de la barra "
        "lateral muestra las que tiene).",
    },
    # --- every page (ui.page, ui.compute) --------------------------------------------
    "page.convention": {
        "en": (
            "Row vectors, as Keras stores the weights: $x_t W_x$ with $W_x$ of shape "
            "(features, units), $h_{{t-1}} W_h$ with $W_h$ of shape (units, units)."
        ),
        "es": (
            "Vectores fila, como Keras guarda los pesos: $x_t W_x$ con $W_x$ de forma "
            "(características, unidades), $h_{{t-1}} W_h$ con $W_h$ de forma "
            "(unidades, unidades)."
        ),
    },
    "page.unexpected": {
        "en": (
            "Something unexpected went wrong while computing this view; the server's "
            "log has the details. Your settings are kept: change one to try again."
        ),
        "es": (
            "Algo inesperado falló al calcular esta vista; el registro del servidor "
            "tiene los detalles. Tu configuración se conserva: cambia algo para "
            "intentarlo de nuevo."
        ),
    },
    "page.summary": {
        "en": "`{code}` on input {shape} from {source} · max |manual − Keras| = "
        "{residual}",
        "es": "`{code}` sobre la entrada {shape} de {source} · máx |manual − Keras| "
        "= {residual}",
    },
    "page.download": {"en": "Download", "es": "Descargar"},
    "page.download.csv": {
        "en": "h_t and residuals (CSV)",
        "es": "h_t y residuos (CSV)",
    },
    "page.download.csv_item": {
        "en": "h_t and residuals (CSV), batch item {item}",
        "es": "h_t y residuos (CSV), elemento {item} del lote",
    },
    "page.download.csv_help": {
        "en": "Every state of every batch item and step: Keras, NumPy, residual.",
        "es": "Cada estado de cada elemento del lote y cada paso: Keras, NumPy, "
        "residuo (columnas con nombres en inglés, para programas).",
    },
    "page.download.weights": {"en": "Weights (.npz)", "es": "Pesos (.npz)"},
    "page.download.weights_help": {
        "en": "np.savez of layer.get_weights(); upload it back under Upload weights.",
        "es": "np.savez de layer.get_weights(); se puede volver a cargar en Subir "
        "pesos.",
    },
    "page.download.script": {
        "en": "Python script that checks it",
        "es": "Script de Python que lo comprueba",
    },
    "page.download.script_help": {
        "en": "Rebuilds this layer and input with Keras and NumPy and asserts that "
        "they agree.",
        "es": "Reconstruye esta capa y esta entrada con Keras y NumPy y comprueba "
        "que coinciden (código y comentarios en inglés; el cuaderno está en "
        "español).",
    },
    "page.download.notebook": {
        "en": "Jupyter notebook that checks it",
        "es": "Cuaderno de Jupyter que lo comprueba",
    },
    "page.download.notebook_help": {
        "en": "The same check as a notebook: the layer by Keras, the formula in "
        "NumPy, and a last cell that asserts they agree.",
        "es": "La misma comprobación como cuaderno: la capa con Keras, la fórmula "
        "en NumPy y una última celda que comprueba que coinciden.",
    },
    "page.spinner.tensorflow": {
        "en": "Loading TensorFlow and Keras (once per server)…",
        "es": "Cargando TensorFlow y Keras (una vez por servidor)…",
    },
    "page.spinner.trace": {
        "en": "Running the layer through Keras and through NumPy…",
        "es": "Calculando la capa con Keras y con NumPy…",
    },
    "page.spinner.combinations": {
        "en": "Calling the Keras layer once per combination of flags…",
        "es": "Llamando a la capa de Keras una vez por combinación de opciones…",
    },
    # --- Home ------------------------------------------------------------------------
    "home.intro": {
        "en": (
            "Pick a Keras recurrent layer and an input in the sidebar. Every number "
            "here is computed twice: by the real Keras layer, and by the written-out "
            "formula in NumPy. The other pages step through time, show the weights, "
            "the hidden states and every output shape."
        ),
        "es": (
            "Elige una capa recurrente de Keras y una entrada en la barra lateral. "
            "Cada número se calcula dos veces: con la capa real de Keras y con la "
            "fórmula escrita en NumPy. Las demás páginas avanzan paso a paso en el "
            "tiempo, muestran los pesos, los estados ocultos y cada forma de salida."
        ),
    },
    "home.layer": {"en": "The layer", "es": "La capa"},
    "home.agree": {
        "en": "Keras and the formula agree",
        "es": "Keras y la fórmula coinciden",
    },
    "home.metric.residual": {
        "en": "max |manual − Keras|",
        "es": "máx |manual − Keras|",
    },
    "home.metric.relative": {
        "en": "max |manual − Keras| / |Keras|",
        "es": "máx |manual − Keras| / |Keras|",
    },
    "home.metric_help": {
        "en": (
            "Largest absolute difference over every output and every h_t (and c_t) "
            "of every batch item and timestep. float32 rounding gives about 1e-7 "
            "per unit of magnitude."
        ),
        "es": (
            "Mayor diferencia absoluta entre todas las salidas y todos los h_t (y "
            "c_t) de cada elemento del lote y cada paso. El redondeo de float32 da "
            "cerca de 1e-7 por unidad de magnitud."
        ),
    },
    "home.relative_help": {
        "en": (
            "The same, relative to the size of Keras' value: |manual − Keras| / "
            "max(|Keras|, tiny), tiny ≈ 1.2e-38. Large states have large absolute "
            "residuals; float32 rounding keeps this near 1e-7."
        ),
        "es": (
            "Lo mismo, relativo al tamaño del valor de Keras: |manual − Keras| / "
            "max(|Keras|, tiny), tiny ≈ 1.2e-38. Los estados grandes tienen "
            "residuos absolutos grandes; el redondeo de float32 deja este cerca de "
            "1e-7."
        ),
    },
    "home.returns": {
        "en": "**What Keras returns** for these flags:",
        "es": "**Lo que devuelve Keras** con estas opciones:",
    },
    "home.col.returned": {"en": "returned", "es": "devuelto"},
    "home.col.shape": {"en": "shape", "es": "forma"},
    "home.col.name": {"en": "name", "es": "nombre"},
    "home.col.keras_name": {"en": "Keras name", "es": "nombre en Keras"},
    "home.col.what": {"en": "what it is", "es": "qué es"},
    "home.formula": {"en": "The formula", "es": "La fórmula"},
    "home.weights": {"en": "Weights", "es": "Pesos"},
    "home.flags": {"en": "What the flags change", "es": "Qué cambian las opciones"},
    "home.on": {"en": "on", "es": "activada"},
    "home.off": {"en": "off", "es": "desactivada"},
    "home.states": {"en": "Hidden states", "es": "Estados ocultos"},
    # --- Step through time ------------------------------------------------------------
    "step.direction.forward": {"en": "forward", "es": "hacia adelante"},
    "step.direction.backward": {"en": "backward", "es": "hacia atrás"},
    "step.slider": {"en": "Step (0 to {last})", "es": "Paso (0 a {last})"},
    "step.slider_help": {
        "en": "Processing step s: the s-th call of the cell.",
        "es": "Paso de procesamiento s: la s-ésima llamada a la celda.",
    },
    "step.one": {
        "en": "One timestep: step 0 is the whole sequence.",
        "es": "Un solo paso de tiempo: el paso 0 es toda la secuencia.",
    },
    "step.reads": {
        "en": "**Step {step}** reads input timestep **{read}** of batch item "
        "**{item}**.",
        "es": "**Paso {step}**: lee el paso de tiempo **{read}** de la entrada, "
        "elemento **{item}** del lote.",
    },
    "step.reads_backwards": {
        "en": "**Step {step}** reads input timestep **{read}** of batch item "
        "**{item}** (go_backwards: read from the end).",
        "es": "**Paso {step}**: lee el paso de tiempo **{read}** de la entrada, "
        "elemento **{item}** del lote (go_backwards: se lee desde el final).",
    },
    "step.formula": {
        "en": "The formula, for every step",
        "es": "La fórmula, para cada paso",
    },
    "step.play": {"en": "▶ Play", "es": "▶ Reproducir"},
    "step.pause": {"en": "⏸ Pause", "es": "⏸ Pausa"},
    "step.play_help": {
        "en": "Advance one step every second or so, re-running only the step view.",
        "es": "Avanza un paso cada segundo, más o menos, recalculando solo la vista "
        "del paso.",
    },
    "step.gates": {
        "en": "Gates over every step",
        "es": "Compuertas a lo largo de los pasos",
    },
    # --- Weights ---------------------------------------------------------------------
    "weights.rows": {
        "en": (
            "Keras stores weights for **row vectors**: a step computes $x_t W_x$, the "
            "input row (1 × features) times $W_x$ (features × units), not $W x_t$. "
            "So rows of $W_x$ are input features and columns are units."
        ),
        "es": (
            "Keras guarda los pesos para **vectores fila**: un paso calcula "
            "$x_t W_x$, la fila de entrada (1 × características) por $W_x$ "
            "(características × unidades), no $W x_t$. Así, las filas de $W_x$ son "
            "características de entrada y las columnas son unidades."
        ),
    },
    "weights.gates": {
        "en": " For this layer the columns hold the gates side by side, in Keras' "
        "order ({gates}): one panel each below.",
        "es": " En esta capa las columnas tienen las compuertas una junto a otra, en "
        "el orden de Keras ({gates}): un panel para cada una abajo.",
    },
    "weights.spectral": {
        "en": "Spectral radius of Wh",
        "es": "Radio espectral de Wh",
    },
    "weights.col.matrix": {"en": "matrix", "es": "matriz"},
    "weights.col.radius": {"en": "spectral radius ρ", "es": "radio espectral ρ"},
    "weights.col.meaning": {"en": "what it means", "es": "qué significa"},
    "weights.spectral_caption": {
        "en": (
            "ρ is the largest |eigenvalue|: each step multiplies the state by Wh, so "
            "ρ < 1 makes it (and its gradients) shrink, ρ > 1 lets it grow."
        ),
        "es": (
            "ρ es el mayor |valor propio|: cada paso multiplica el estado por Wh, así "
            "que ρ < 1 lo encoge (y a sus gradientes), ρ > 1 lo deja crecer."
        ),
    },
    "weights.no_bias": {
        "en": "use_bias=False: the layer has no b.",
        "es": "use_bias=False: la capa no tiene b.",
    },
    "weights.layer.forward": {"en": "Forward layer", "es": "Capa hacia adelante"},
    "weights.layer.backward": {"en": "Backward layer", "es": "Capa hacia atrás"},
    "weights.which.Wx": {
        "en": "Input weights Wx, (features × units·g): row j holds what feature j "
        "adds to each unit k.",
        "es": "Pesos de entrada Wx, (características × unidades·g): la fila j tiene "
        "lo que la característica j suma a cada unidad k.",
    },
    "weights.which.Wh": {
        "en": "Recurrent weights Wh, (units × units·g): row j holds what unit j of "
        "h_(t-1) adds to each unit k of the next state.",
        "es": "Pesos recurrentes Wh, (unidades × unidades·g): la fila j tiene lo que "
        "la unidad j de h_(t-1) suma a cada unidad k del estado siguiente.",
    },
    "weights.which.b": {
        "en": "Bias b, (units·g,): added at every step.",
        "es": "Sesgo b, (unidades·g,): se suma en cada paso.",
    },
    # --- Hidden states ---------------------------------------------------------------
    "states.caption": {
        "en": (
            "Rows are units, columns are processing steps (under go_backwards step s "
            "reads timestep T−1−s). Residual = NumPy − Keras, on a colour scale "
            "centred on zero. Batch item {item}."
        ),
        "es": (
            "Las filas son unidades, las columnas pasos de procesamiento (con "
            "go_backwards el paso s lee el paso de tiempo T−1−s). Residuo = NumPy − "
            "Keras, en una escala de color centrada en cero. Elemento {item} del "
            "lote."
        ),
    },
    "states.relative": {
        "en": "Relative residuals: |manual − Keras| / max(|Keras|, tiny)",
        "es": "Residuos relativos: |manual − Keras| / max(|Keras|, tiny)",
    },
    "states.relative_help": {
        "en": (
            "The absolute residual grows with the state (float32 keeps about 7 "
            "significant digits, so rounding differs by about 1e-7 × |h|); the "
            "relative one does not. tiny is float32's smallest normal number, about "
            "1.2e-38."
        ),
        "es": (
            "El residuo absoluto crece con el estado (float32 guarda unas 7 cifras "
            "significativas, así que el redondeo difiere en cerca de 1e-7 × |h|); el "
            "relativo no. tiny es el menor número normal de float32, cerca de "
            "1.2e-38."
        ),
    },
    "states.title.h": {"en": "Hidden state h_t", "es": "Estado oculto h_t"},
    "states.title.c": {
        "en": "Cell state c_t (LSTM)",
        "es": "Estado de celda c_t (LSTM)",
    },
    # --- Output shapes ---------------------------------------------------------------
    "shapes.intro": {
        "en": (
            "Each row calls the real Keras layer with the same weights and input and "
            "the flags of that row; the shapes and the equalities are read off the "
            "arrays it returned, not written by hand."
        ),
        "es": (
            "Cada fila llama a la capa real de Keras con los mismos pesos y la misma "
            "entrada y con las opciones de esa fila; las formas y las igualdades se "
            "leen de los arreglos que devolvió, no se escriben a mano."
        ),
    },
    "shapes.col.returns": {"en": "returns", "es": "devuelve"},
    "shapes.col.equal": {
        "en": "equal arrays (checked)",
        "es": "arreglos iguales (comprobado)",
    },
    "shapes.col.current": {"en": "current", "es": "actual"},
    "shapes.this_layer": {"en": "◀ this layer", "es": "◀ esta capa"},
}

"""Texts of the "Gradients through time" page, in English and Spanish.

`GRAD_UI_MESSAGES`: message id ("grad.page." and "nav.gradients") -> {"en", "es"},
merged into `ui.i18n.MESSAGES`. The figures' and explanations' texts, which
`rnn_core` writes, are in `rnn_core.gradient_texts`.
"""

from __future__ import annotations

GRAD_UI_MESSAGES: dict[str, dict[str, str]] = {
    "nav.gradients": {"en": "Gradients through time", "es": "Gradientes en el tiempo"},
    "grad.page.spinner": {
        "en": "Computing the gradients with Keras and by hand…",
        "es": "Calculando los gradientes con Keras y a mano…",
    },
    "grad.page.intro": {
        "en": (
            "Training needs ∂L/∂W, and to get it the error flows backwards through "
            "time: backpropagation through time (BPTT). Below, ∂L/∂h_t at every "
            "step, computed twice: by Keras (`tf.GradientTape` through the real "
            "layer) and by the written-out BPTT in NumPy. Where ‖∂L/∂h_t‖ falls "
            "towards the early steps the gradient *vanishes*: those inputs barely "
            "change the weights. Where it grows it *explodes*."
        ),
        "es": (
            "Entrenar necesita ∂L/∂W, y para obtenerlo el error fluye hacia atrás en "
            "el tiempo: retropropagación en el tiempo (BPTT). Abajo, ∂L/∂h_t en cada "
            "paso, calculado dos veces: con Keras (`tf.GradientTape` a través de la "
            "capa real) y con la BPTT escrita en NumPy. Donde ‖∂L/∂h_t‖ cae hacia "
            "los primeros pasos el gradiente *se desvanece*: esas entradas apenas "
            "cambian los pesos. Donde crece, *explota*."
        ),
    },
    "grad.page.task_line": {
        "en": (
            "`{code}` on the {task}: {batch} seeded sequences of shape "
            "{shape}, then a Dense readout to one number."
        ),
        "es": (
            "`{code}` en la {task}: {batch} secuencias con semilla de forma "
            "{shape}, luego una capa Dense de salida a un número."
        ),
    },
    "grad.page.task.echo": {"en": "echo task", "es": "tarea de eco"},
    "grad.page.task.sum": {"en": "sum task", "es": "tarea de suma"},
    "grad.page.task.sine": {"en": "sine task", "es": "tarea del seno"},
    "grad.page.target": {"en": "Target", "es": "Objetivo"},
    "grad.page.target_help": {
        "en": (
            "A toy task (one feature; the layer gets its seeded weights for it and a "
            "Dense readout to one number), or a target for the sidebar's own input "
            "and weights."
        ),
        "es": (
            "Una tarea de juguete (una característica; la capa recibe sus pesos con "
            "semilla para ella y una capa Dense de salida a un número), o un objetivo "
            "para la entrada y los pesos de la barra lateral."
        ),
    },
    "grad.page.target.echo": {
        "en": "Echo task: repeat the input from delay steps ago",
        "es": "Tarea de eco: repetir la entrada de hace delay pasos",
    },
    "grad.page.target.sum": {
        "en": "Sum task: the sum of the sequence",
        "es": "Tarea de suma: la suma de la secuencia",
    },
    "grad.page.target.sine": {
        "en": "Sine task: the next value of a sine wave",
        "es": "Tarea del seno: el siguiente valor de una onda senoidal",
    },
    "grad.page.target.zero": {
        "en": "Sidebar input, target 0",
        "es": "Entrada de la barra lateral, objetivo 0",
    },
    "grad.page.target.random": {
        "en": "Sidebar input, random target",
        "es": "Entrada de la barra lateral, objetivo aleatorio",
    },
    "grad.page.timesteps": {
        "en": "Sequence length (timesteps)",
        "es": "Longitud de la secuencia (pasos)",
    },
    "grad.page.timesteps_help": {
        "en": "Longer sequences make vanishing and exploding gradients plain to see.",
        "es": (
            "Las secuencias largas muestran bien los gradientes que se desvanecen o "
            "explotan."
        ),
    },
    "grad.page.timesteps_sidebar": {
        "en": "Sequence length: {timesteps} timesteps, set in the sidebar.",
        "es": (
            "Longitud de la secuencia: {timesteps} pasos, fijada en la barra lateral."
        ),
    },
    "grad.page.delay": {
        "en": "Echo delay (steps back)",
        "es": "Retardo del eco (pasos atrás)",
    },
    "grad.page.delay_help": {
        "en": "The target is the input this many steps before the last one.",
        "es": "El objetivo es la entrada de tantos pasos antes del último.",
    },
    "grad.page.rescale": {
        "en": "Set the spectral radius of Wh",
        "es": "Fijar el radio espectral de Wh",
    },
    "grad.page.rescale_help": {
        "en": (
            "Scales every (units × units) block of Wh so that its largest |eigenvalue| "
            "is ρ: below 1 gradients vanish, above 1 they can explode."
        ),
        "es": (
            "Escala cada bloque (unidades × unidades) de Wh para que su mayor "
            "|autovalor| sea ρ: por debajo de 1 los gradientes se desvanecen, por "
            "encima pueden explotar."
        ),
    },
    "grad.page.radius": {
        "en": "Spectral radius ρ of Wh",
        "es": "Radio espectral ρ de Wh",
    },
    "grad.page.loss": {
        "en": "Loss (mean squared error) on",
        "es": "Pérdida (error cuadrático medio) en",
    },
    "grad.page.task_loss": {
        "en": "Loss: mean squared error on {loss}, as the task defines it.",
        "es": "Pérdida: error cuadrático medio en {loss}, como la define la tarea.",
    },
    "grad.page.task_weights": {
        "en": (
            "A toy task has one feature, so the uploaded weights do not fit: the "
            "layer's seeded Keras weights are used."
        ),
        "es": (
            "Una tarea de juguete tiene una característica, así que los pesos subidos "
            "no encajan: se usan los pesos de Keras con semilla."
        ),
    },
    "grad.page.metric.loss": {"en": "Loss L (Keras)", "es": "Pérdida L (Keras)"},
    "grad.page.metric.error": {
        "en": "max relative error, manual vs Keras",
        "es": "máx. error relativo, manual frente a Keras",
    },
    "grad.page.metric.error_help": {
        "en": (
            "Over every gradient array: max |manual − Keras| / max |Keras| of that "
            "array. Keras computes in float32, the manual BPTT in float64."
        ),
        "es": (
            "Sobre cada arreglo de gradientes: máx |manual − Keras| / máx |Keras| de "
            "ese arreglo. Keras calcula en float32, la BPTT manual en float64."
        ),
    },
    "grad.page.metric.tolerance": {"en": "Tolerance", "es": "Tolerancia"},
    "grad.page.agree": {
        "en": (
            "Keras and the manual BPTT agree: relative error {error} ≤ tolerance "
            "{tolerance}."
        ),
        "es": (
            "Keras y la BPTT manual coinciden: error relativo {error} ≤ tolerancia "
            "{tolerance}."
        ),
    },
    "grad.page.disagree": {
        "en": (
            "Relative error {error} exceeds the tolerance {tolerance} (or is not "
            "finite: the gradient overflowed float32)."
        ),
        "es": (
            "El error relativo {error} supera la tolerancia {tolerance} (o no es "
            "finito: el gradiente desbordó float32)."
        ),
    },
    "grad.page.spectral": {
        "en": "As on the Weights page, {name}: {note}",
        "es": "Como en la página Pesos, {name}: {note}",
    },
    "grad.page.spectral_gates": {
        "en": (
            "Largest spectral radius of a gate block (Weights page): {name}, "
            "ρ = {radius}. The gates' sigmoid derivative (at most 0.25) shrinks the "
            "error further."
        ),
        "es": (
            "Mayor radio espectral de un bloque de compuerta (página Pesos): {name}, "
            "ρ = {radius}. La derivada sigmoide de las compuertas (como mucho 0.25) "
            "reduce más el error."
        ),
    },
    "grad.page.measured": {
        "en": (
            "Measured here: ‖∂L/∂h‖ at the first step is **{ratio}** × the last, "
            "{steps} steps later."
        ),
        "es": (
            "Medido aquí: ‖∂L/∂h‖ en el primer paso es **{ratio}** × el último, "
            "{steps} pasos después."
        ),
    },
    "grad.page.formula": {
        "en": "Backpropagation through time (SimpleRNN)",
        "es": "Retropropagación en el tiempo (SimpleRNN)",
    },
    "grad.page.formula_caption": {
        "en": (
            "ℓ_(t-1) is the loss's own term on output t−1 (0 when the loss is on the "
            "last output only); ⊙ multiplies element by element. The weight sums add "
            "every step and the batch."
        ),
        "es": (
            "ℓ_(t-1) es el término propio de la pérdida en la salida t−1 (0 si la "
            "pérdida es solo en la última salida); ⊙ multiplica elemento a elemento. "
            "Las sumas de los pesos recorren cada paso y el lote."
        ),
    },
    "grad.page.weights": {"en": "∂L/∂W per gate", "es": "∂L/∂W por compuerta"},
    "grad.page.weights_caption": {
        "en": (
            "Each gradient has the shape of its weight. Top row: Keras' values (hover "
            "for the manual value too); bottom row: manual − Keras."
        ),
        "es": (
            "Cada gradiente tiene la forma de su peso. Fila de arriba: valores de "
            "Keras (el cursor muestra también el valor manual); fila de abajo: "
            "manual − Keras."
        ),
    },
    "grad.page.direction": {"en": "Direction", "es": "Dirección"},
    "grad.page.compare": {
        "en": "SimpleRNN vs LSTM vs GRU on the echo task",
        "es": "SimpleRNN frente a LSTM y GRU en la tarea de eco",
    },
    "grad.page.compare.intro": {
        "en": (
            "The same echo task for three layers with Keras' defaults (tanh, sigmoid "
            "gates, Keras' seeded initial weights): the target is the input `delay` "
            "steps before the end, marked in red. To learn it, enough of the error "
            "must reach that step. The LSTM's forget-gate bias and the GRU's "
            "update-gate bias are yours to set: Keras starts them at 1 and 0, where "
            "both vanish even faster than SimpleRNN; training raises them when a task "
            "needs memory."
        ),
        "es": (
            "La misma tarea de eco para tres capas con los valores por defecto de "
            "Keras (tanh, compuertas sigmoide, pesos iniciales de Keras con semilla): "
            "el objetivo es la entrada `delay` pasos antes del final, marcada en "
            "rojo. Para aprenderla, suficiente error debe llegar a ese paso. El sesgo "
            "de olvido de la LSTM y el de actualización de la GRU los fijas tú: Keras "
            "los empieza en 1 y 0, donde ambos se desvanecen aún más rápido que "
            "SimpleRNN; el entrenamiento los sube cuando una tarea necesita memoria."
        ),
    },
    "grad.page.compare.units": {"en": "Units", "es": "Unidades"},
    "grad.page.compare.delay": {"en": "Echo delay", "es": "Retardo del eco"},
    "grad.page.compare.lstm_bias": {
        "en": "LSTM forget-gate bias",
        "es": "Sesgo de olvido de la LSTM",
    },
    "grad.page.compare.lstm_bias_help": {
        "en": (
            "f = sigmoid(… + bias): 1 (Keras' start) gives f ≈ 0.73, 3 gives f ≈ 0.95."
        ),
        "es": "f = sigmoid(… + sesgo): 1 (inicio de Keras) da f ≈ 0.73, 3 da f ≈ 0.95.",
    },
    "grad.page.compare.gru_bias": {
        "en": "GRU update-gate bias",
        "es": "Sesgo de actualización de la GRU",
    },
    "grad.page.compare.gru_bias_help": {
        "en": (
            "z = sigmoid(… + bias): 0 (Keras' start) gives z ≈ 0.5, 3 gives z ≈ 0.95."
        ),
        "es": "z = sigmoid(… + sesgo): 0 (inicio de Keras) da z ≈ 0.5, 3 da z ≈ 0.95.",
    },
}

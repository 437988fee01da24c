"""Texts of the Train page (pages/8_Train.py, ui/train_compute.py), English and Spanish.

Ids start with "train." (and "nav.train" for the navigation); the figures' texts
("train.fig.") live beside the figures in rnn_core.train_figures and are merged here.
Merged into ui.i18n.MESSAGES.
"""

from __future__ import annotations

from rnn_core.train_figures import FIGURE_TEXTS

TRAIN_MESSAGES: dict[str, dict[str, str]] = {
    "nav.train": {"en": "Train", "es": "Entrenar"},
    "train.title": {
        "en": "Train a recurrent layer on a toy task",
        "es": "Entrenar una capa recurrente en una tarea de juguete",
    },
    "train.intro": {
        "en": (
            "A recurrent layer followed by a Dense readout learns a small task, one "
            "update at a time. Each step draws a fresh batch, computes the mean "
            "squared error and its gradient with respect to every weight by "
            "backpropagation through time (written out in NumPy), and updates the "
            "weights: plain gradient descent, or Keras' own Adam. **echo**: output "
            "the input seen *k* steps before the end (a memory test); **sum**: the "
            "sum of the sequence; **sine**: the next value of a sine wave, at every "
            "step. The same settings and seed always give the same run."
        ),
        "es": (
            "Una capa recurrente seguida de una capa Dense de salida aprende una "
            "tarea pequeña, una actualización cada vez. En cada paso se genera un "
            "lote nuevo, se calcula el error cuadrático medio y su gradiente "
            "respecto a cada peso por retropropagación en el tiempo (escrita en "
            "NumPy) y se actualizan los pesos: descenso de gradiente simple, o el "
            "Adam de Keras. **eco**: devolver la entrada vista *k* pasos antes del "
            "final (una prueba de memoria); **suma**: la suma de la secuencia; "
            "**seno**: el valor siguiente de una onda senoidal, en cada paso. La "
            "misma configuración y semilla dan siempre el mismo entrenamiento."
        ),
    },
    # --- settings ---------------------------------------------------------------------
    "train.preset": {"en": "Preset", "es": "Configuración predefinida"},
    "train.preset_help": {
        "en": (
            "Settings that show something: on echo with a delay of 20, LSTM learns "
            "within a few hundred steps while SimpleRNN stays at the variance of "
            "the target (it remembers nothing). Any change makes the settings "
            "custom."
        ),
        "es": (
            "Configuraciones que muestran algo: en eco con un retardo de 20, LSTM "
            "aprende en unos cientos de pasos mientras SimpleRNN se queda en la "
            "varianza del objetivo (no recuerda nada). Cualquier cambio las vuelve "
            "personalizadas."
        ),
    },
    "train.preset.custom": {"en": "Custom", "es": "Personalizada"},
    "train.preset.echo_lstm": {
        "en": "Echo, delay 20: LSTM remembers",
        "es": "Eco, retardo 20: LSTM recuerda",
    },
    "train.preset.echo_simple_rnn": {
        "en": "Echo, delay 20: SimpleRNN forgets",
        "es": "Eco, retardo 20: SimpleRNN olvida",
    },
    "train.preset.echo_gru": {
        "en": "Echo, delay 20: GRU",
        "es": "Eco, retardo 20: GRU",
    },
    "train.preset.sum_sgd": {
        "en": "Sum: SimpleRNN, plain gradient descent with clipping",
        "es": "Suma: SimpleRNN, descenso de gradiente simple con recorte",
    },
    "train.preset.sine_adam": {
        "en": "Sine: LSTM with Adam",
        "es": "Seno: LSTM con Adam",
    },
    "train.task": {"en": "Task", "es": "Tarea"},
    "train.task.echo": {"en": "echo (memory)", "es": "eco (memoria)"},
    "train.task.sum": {"en": "sum of the sequence", "es": "suma de la secuencia"},
    "train.task.sine": {"en": "sine: next value", "es": "seno: valor siguiente"},
    "train.delay": {"en": "Echo delay k", "es": "Retardo del eco k"},
    "train.delay_help": {
        "en": (
            "Echo only: the target is the input k steps before the last one, so the "
            "layer must carry it through k steps. Less than the timesteps."
        ),
        "es": (
            "Solo eco: el objetivo es la entrada k pasos antes de la última, así que "
            "la capa debe llevarla durante k pasos. Menor que los pasos de tiempo."
        ),
    },
    "train.timesteps": {"en": "Timesteps", "es": "Pasos de tiempo"},
    "train.cell": {"en": "Cell", "es": "Celda"},
    "train.units": {"en": "Units", "es": "Unidades"},
    "train.batch": {
        "en": "Batch (sequences per step)",
        "es": "Lote (secuencias por paso)",
    },
    "train.optimizer": {"en": "Optimizer", "es": "Optimizador"},
    "train.optimizer.sgd": {
        "en": "plain gradient descent",
        "es": "descenso de gradiente simple",
    },
    "train.optimizer.adam": {
        "en": "Adam (keras.optimizers.Adam)",
        "es": "Adam (keras.optimizers.Adam de Keras)",
    },
    "train.learning_rate": {"en": "Learning rate η", "es": "Tasa de aprendizaje η"},
    "train.clip_norm": {
        "en": "Clip gradients to norm (0: off)",
        "es": "Recortar gradientes a la norma (0: sin recorte)",
    },
    "train.clip_norm_help": {
        "en": (
            "If the norm of all gradients together is above this, all of them are "
            "scaled down by the same factor before the update: same direction, "
            "bounded step. It keeps plain gradient descent from being thrown away "
            "by one exploding gradient."
        ),
        "es": (
            "Si la norma de todos los gradientes juntos supera este valor, todos se "
            "reducen por el mismo factor antes de actualizar: misma dirección, paso "
            "acotado. Evita que un solo gradiente que explota eche a perder el "
            "descenso de gradiente simple."
        ),
    },
    "train.steps": {"en": "Steps (updates)", "es": "Pasos (actualizaciones)"},
    "train.frame_every": {"en": "Draw every (steps)", "es": "Dibujar cada (pasos)"},
    "train.frame_every_help": {
        "en": (
            "The figures below are redrawn, and a frame (weights, h_t) is kept, "
            "every this many steps, and after the last step."
        ),
        "es": (
            "Las figuras se vuelven a dibujar, y se guarda un fotograma (pesos, "
            "h_t), cada tantos pasos, y tras el último paso."
        ),
    },
    "train.seed": {"en": "Seed", "es": "Semilla"},
    "train.error.delay": {
        "en": (
            "Echo delay k = {delay} needs longer sequences: k must be from 0 to "
            "{last} (timesteps − 1). Raise the timesteps or lower the delay."
        ),
        "es": (
            "El retardo del eco k = {delay} necesita secuencias más largas: k debe "
            "estar entre 0 y {last} (pasos de tiempo − 1). Sube los pasos de tiempo "
            "o baja el retardo."
        ),
    },
    "train.error.frame_every": {
        "en": (
            "Draw every {frame_every} steps is more than the {steps} steps of the "
            "run: choose from 1 to {steps}."
        ),
        "es": (
            "Dibujar cada {frame_every} pasos supera los {steps} pasos del "
            "entrenamiento: elige entre 1 y {steps}."
        ),
    },
    "train.error.work": {
        "en": (
            "Steps × batch × timesteps × units = {work}; at most {limit} are allowed "
            "so that a run stays within a minute. Use fewer steps, a smaller batch, "
            "shorter sequences or fewer units."
        ),
        "es": (
            "Pasos × lote × pasos de tiempo × unidades = {work}; se permiten como "
            "mucho {limit} para que un entrenamiento dure menos de un minuto. Usa "
            "menos pasos, un lote menor, secuencias más cortas o menos unidades."
        ),
    },
    # --- the run ----------------------------------------------------------------------
    "train.run": {"en": "Run", "es": "Entrenar"},
    "train.stop": {"en": "Stop", "es": "Detener"},
    "train.stop_note": {
        "en": (
            "Stop (or changing any setting) ends a run at once and keeps the steps "
            "it made."
        ),
        "es": (
            "Detener (o cambiar cualquier ajuste) termina el entrenamiento en el "
            "acto y conserva los pasos hechos."
        ),
    },
    "train.empty": {
        "en": "Choose the settings and press Run.",
        "es": "Elige la configuración y pulsa Entrenar.",
    },
    "train.status.running": {
        "en": "Training: step {done} of {steps}",
        "es": "Entrenando: paso {done} de {steps}",
    },
    "train.status.stopped": {
        "en": "Stopped after {done} of {steps} steps",
        "es": "Detenido tras {done} de {steps} pasos",
    },
    "train.status.finished": {
        "en": "Finished: {done} of {steps} steps",
        "es": "Terminado: {done} de {steps} pasos",
    },
    "train.metric.step": {"en": "Steps done", "es": "Pasos hechos"},
    "train.metric.loss": {
        "en": "Loss (mean of the last 20 steps)",
        "es": "Pérdida (media de los últimos 20 pasos)",
    },
    "train.metric.variance": {
        "en": "Variance of the target",
        "es": "Varianza del objetivo",
    },
    "train.curves": {
        "en": "Loss and gradient norms",
        "es": "Pérdida y normas del gradiente",
    },
    "train.watch": {
        "en": "One sequence, watched while the layer learns",
        "es": "Una secuencia, observada mientras la capa aprende",
    },
    "train.watch_note": {
        "en": (
            "The same sequence (never trained on) after every few steps: the input, "
            "the target and the prediction; h_t at every timestep; and one weight "
            "array (LSTM and GRU show their gate blocks)."
        ),
        "es": (
            "La misma secuencia (nunca usada para entrenar) cada pocos pasos: la "
            "entrada, el objetivo y la predicción; h_t en cada paso de tiempo; y una "
            "matriz de pesos (LSTM y GRU muestran sus bloques de puertas)."
        ),
    },
    "train.frame": {
        "en": "Frame: the model after step",
        "es": "Fotograma: el modelo tras el paso",
    },
    "train.show_weight": {"en": "Weight shown", "es": "Peso mostrado"},
    # --- the memory comparison -------------------------------------------------------
    "train.memory.title": {
        "en": "How far back can each cell remember?",
        "es": "¿Hasta dónde puede recordar cada celda?",
    },
    "train.memory.intro": {
        "en": (
            "SimpleRNN, LSTM and GRU trained on echo with the settings above, for "
            "several delays k, each then tested on sequences it never saw. A loss "
            "near 1 (the variance of the target) means the cell remembers nothing "
            "of the input k steps back; near 0, it does. SimpleRNN's gradients "
            "through many steps shrink at each step (tanh′ ≤ 1 times Wh), so it "
            "cannot learn what lies far back; LSTM's cell state carries them "
            "through its forget gate. The points are computed once per server, "
            "then shared."
        ),
        "es": (
            "SimpleRNN, LSTM y GRU entrenadas en eco con la configuración de arriba, "
            "para varios retardos k, y luego evaluadas en secuencias que nunca "
            "vieron. Una pérdida cerca de 1 (la varianza del objetivo) significa que "
            "la celda no recuerda nada de la entrada k pasos atrás; cerca de 0, que "
            "sí. Los gradientes de SimpleRNN a través de muchos pasos se reducen en "
            "cada paso (tanh′ ≤ 1 por Wh), así que no puede aprender lo que queda "
            "lejos; el estado de celda de LSTM los conserva gracias a su puerta de "
            "olvido. Los puntos se calculan una vez por servidor y se comparten."
        ),
    },
    "train.memory.settings": {
        "en": (
            "Delays {delays}: {runs} runs of {steps} steps. Each sequence has "
            "{lead} inputs before the one to echo, then k more, so only the delay "
            "changes. The first comparison with new settings takes a minute or "
            "two; then it is shared."
        ),
        "es": (
            "Retardos {delays}: {runs} entrenamientos de {steps} pasos. Cada "
            "secuencia tiene {lead} entradas antes de la que hay que repetir, y "
            "luego k más, así que solo cambia el retardo. La primera comparación "
            "con una configuración nueva tarda uno o dos minutos; después se "
            "comparte."
        ),
    },
    "train.memory.run": {
        "en": "Compare SimpleRNN, LSTM and GRU",
        "es": "Comparar SimpleRNN, LSTM y GRU",
    },
    "train.memory.progress": {
        "en": "Training run {done} of {total}",
        "es": "Entrenamiento {done} de {total}",
    },
    "train.memory.stale": {
        "en": "This comparison was made with earlier settings.",
        "es": "Esta comparación se hizo con una configuración anterior.",
    },
    "train.memory.fix_settings": {
        "en": "Fix the settings above to compare the cells.",
        "es": "Corrige la configuración de arriba para comparar las celdas.",
    },
    "train.memory.too_many": {
        "en": "The comparison trains at most {limit} steps per run: use fewer steps.",
        "es": (
            "La comparación entrena como mucho {limit} pasos por entrenamiento: usa "
            "menos pasos."
        ),
    },
    # --- the server's queue for heavy work (ui/heavy_work.py) ----------------------
    "train.queue.waiting": {
        "en": (
            "Waiting for the server: {ahead} runs are ahead of yours. The server "
            "trains at most {slots} at a time for the whole class, first come, first "
            "served; yours starts by itself."
        ),
        "es": (
            "Esperando al servidor: hay {ahead} entrenamientos por delante del tuyo. "
            "El servidor entrena como mucho {slots} a la vez para toda la clase, por "
            "orden de llegada; el tuyo empieza solo."
        ),
    },
    "train.queue.waiting_one": {
        "en": (
            "Waiting for the server: 1 run is ahead of yours. The server trains at "
            "most {slots} at a time for the whole class, first come, first served; "
            "yours starts by itself."
        ),
        "es": (
            "Esperando al servidor: hay 1 entrenamiento por delante del tuyo. El "
            "servidor entrena como mucho {slots} a la vez para toda la clase, por "
            "orden de llegada; el tuyo empieza solo."
        ),
    },
    "train.queue.own_previous": {
        "en": (
            "Your previous run is still stopping (it finishes the step it is on); "
            "this one starts right after it. One run at a time per session."
        ),
        "es": (
            "Tu entrenamiento anterior aún se está deteniendo (termina el paso en el "
            "que está); este empieza justo después. Un entrenamiento a la vez por "
            "sesión."
        ),
    },
    "train.queue.leave": {"en": "Leave the queue", "es": "Salir de la cola"},
    "train.queue.left": {
        "en": (
            "You left the queue ({ahead} runs were ahead of yours). Press the button "
            "again to queue again."
        ),
        "es": (
            "Has salido de la cola (había {ahead} entrenamientos por delante del "
            "tuyo). Pulsa el botón otra vez para volver a la cola."
        ),
    },
    "train.queue.left_one": {
        "en": (
            "You left the queue (1 run was ahead of yours). Press the button again "
            "to queue again."
        ),
        "es": (
            "Has salido de la cola (había 1 entrenamiento por delante del tuyo). "
            "Pulsa el botón otra vez para volver a la cola."
        ),
    },
    **FIGURE_TEXTS,
}

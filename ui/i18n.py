"""Every user-visible text of the translated pages, in English and Spanish.

- `MESSAGES`: message id -> {"en": text, "es": text}. Texts are `str.format` templates
  (literal braces doubled, as in LaTeX `h_{{t-1}}`); both languages of a message take
  the same fields. Ids are grouped by prefix: "lang." and "nav." (shared), "walk."
  (the walkthrough), "quiz." (the quiz page and `rnn_core.quiz`'s explanations);
  merged in: `ui.i18n_app.APP_MESSAGES` (the sidebar, Home, pages 1–4, permalinks)
  and `rnn_core.texts.TEXTS` ("core.": the teaching texts `rnn_core.explain` writes,
  which take a `language` argument since rnn_core never imports Streamlit).
- `translate(message_id, language, **fields)`: one text, without Streamlit state,
  as Markdown whose fields show as typed (text from a user is data: see
  `rnn_core.markup`); the result is a `Markup`, so it can be another text's field.
- `t(message_id, **fields)`: the same in the session's language,
  `st.session_state["cfg.language"]` ("en" when unset).
- `render(message)`: a `rnn_core.quiz.Message` (id and fields, possibly nested) in the
  session's language: how texts made by `rnn_core`, which never imports Streamlit,
  reach the user.
- `language_switch()`: the sidebar control that sets the language; `keep_language()`
  keeps the choice across pages that do not draw it.

An unknown id raises KeyError, so a missing text fails loudly in the tests instead of
showing a bare id to a user. To translate another page: add its texts here under a
prefix of its own and replace its literals with `t(...)`.
"""

from __future__ import annotations

from typing import Any, Protocol

import streamlit as st

from rnn_core.errors import CoreError, Grouped, Msg, set_message_language
from rnn_core.gradient_texts import GRAD_TEXTS
from rnn_core.markup import Markup, escape, fill
from rnn_core.texts import TEXTS as CORE_TEXTS
from ui.i18n_app import APP_MESSAGES
from ui.i18n_grad import GRAD_UI_MESSAGES
from ui.i18n_train import TRAIN_MESSAGES

LANGUAGE_KEY = "cfg.language"
# The last language seen, under a key no widget owns: Streamlit forgets a widget's
# value after a run that does not draw it (a page without the switch).
REMEMBERED_KEY = "i18n.language"
DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}


class MessageLike(Protocol):
    """What `render` accepts: `rnn_core.quiz.Message` (an id and its fields)."""

    id: str
    fields: Any


MESSAGES: dict[str, dict[str, str]] = {
    # --- shared ---------------------------------------------------------------------
    "lang.label": {"en": "Language · Idioma", "es": "Idioma · Language"},
    "nav.walkthrough": {"en": "Walkthrough", "es": "Recorrido guiado"},
    "nav.quiz": {"en": "Check yourself", "es": "Ponte a prueba"},
    # --- the walkthrough: frame and navigation --------------------------------------
    "walk.title": {
        "en": "Walkthrough: the notebook, step by step",
        "es": "Recorrido guiado: el cuaderno, paso a paso",
    },
    "walk.intro": {
        "en": (
            "The story of the original notebook, retold with live numbers: every "
            "value on this page is computed now, by the real Keras layer and by the "
            "formula in NumPy. The examples here are fixed; the sidebar settings of "
            "the other pages do not change them."
        ),
        "es": (
            "La historia del cuaderno original, contada de nuevo con números en vivo: "
            "cada valor de esta página se calcula ahora, con la capa real de Keras y "
            "con la fórmula en NumPy. Los ejemplos de esta página son fijos; la "
            "configuración de la barra lateral de las demás páginas no los cambia."
        ),
    },
    "walk.progress": {"en": "Step {step} of {total}", "es": "Paso {step} de {total}"},
    "walk.back": {"en": "← Back", "es": "← Atrás"},
    "walk.next": {"en": "Next →", "es": "Siguiente →"},
    "walk.sidebar.steps": {"en": "Walkthrough steps", "es": "Pasos del recorrido"},
    "walk.sidebar.go_to": {"en": "Go to step", "es": "Ir al paso"},
    "walk.sidebar.batch": {
        "en": "Batch item to write out (0 to {last})",
        "es": "Elemento del lote que se detalla (0 a {last})",
    },
    "walk.sidebar.batch_help": {
        "en": "Which of the 32 sequences the tables and equations show.",
        "es": "Cuál de las 32 secuencias muestran las tablas y las ecuaciones.",
    },
    # --- step titles ------------------------------------------------------------------
    "walk.input.title": {
        "en": "A batch of random sequences",
        "es": "Un lote de secuencias aleatorias",
    },
    "walk.layer.title": {
        "en": "The layer: SimpleRNN(4, activation=None)",
        "es": "La capa: SimpleRNN(4, activation=None)",
    },
    "walk.weights.title": {
        "en": "Its three weight arrays",
        "es": "Sus tres arreglos de pesos",
    },
    "walk.hand.title": {"en": "The formula, by hand", "es": "La fórmula, a mano"},
    "walk.agree.title": {
        "en": "Keras and the formula agree",
        "es": "Keras y la fórmula coinciden",
    },
    "walk.state.title": {
        "en": "return_state: the output is the state",
        "es": "return_state: la salida es el estado",
    },
    "walk.seq.title": {
        "en": "return_sequences: one state per timestep",
        "es": "return_sequences: un estado por paso de tiempo",
    },
    "walk.tanh.title": {"en": "The same with tanh", "es": "Lo mismo con tanh"},
    # --- step 1: the input ------------------------------------------------------------
    "walk.input.body": {
        "en": (
            "Everything starts with an input drawn uniformly from [0, 1), as "
            "`np.random.random([32, 1, 8])` does (with a fixed seed here, so the "
            "numbers stay put). A Keras recurrent layer always reads three axes, "
            "**(batch, timesteps, features)**: here 32 independent sequences, each "
            "one timestep long, with 8 numbers per timestep."
        ),
        "es": (
            "Todo comienza con una entrada tomada de forma uniforme en [0, 1), como "
            "hace `np.random.random([32, 1, 8])` (aquí con una semilla fija, para "
            "que los números no cambien). Una capa recurrente de Keras siempre lee "
            "tres ejes, **(lote, pasos de tiempo, características)**: aquí 32 "
            "secuencias independientes, cada una de un solo paso de tiempo, con 8 "
            "números por paso."
        ),
    },
    "walk.metric.batch": {"en": "batch", "es": "lote"},
    "walk.metric.timesteps": {"en": "timesteps", "es": "pasos de tiempo"},
    "walk.metric.features": {"en": "features", "es": "características"},
    "walk.input.item": {
        "en": "The only timestep of batch item {item}, `x[{item}, 0]`:",
        "es": "El único paso de tiempo del elemento {item} del lote, `x[{item}, 0]`:",
    },
    "walk.col.feature": {"en": "feature {feature}", "es": "característica {feature}"},
    # --- step 2: the layer ------------------------------------------------------------
    "walk.layer.body": {
        "en": (
            "Next, the layer: `SimpleRNN(4, activation=None)`. Its state $h_t$ has "
            "**4 units**, 4 numbers per sequence. `activation=None` means linear: "
            "nothing squashes the result, so the formula can be checked by hand. "
            "Calling the layer on `x` runs it over every timestep of every sequence."
        ),
        "es": (
            "Luego, la capa: `SimpleRNN(4, activation=None)`. Su estado $h_t$ tiene "
            "**4 unidades**, 4 números por secuencia. `activation=None` significa "
            "lineal: nada comprime el resultado, así que la fórmula se puede "
            "comprobar a mano. Al llamar a la capa sobre `x`, esta recorre cada paso "
            "de tiempo de cada secuencia."
        ),
    },
    "walk.layer.returns": {
        "en": (
            "Keras returns one array of shape **{shape}**: for each of the 32 "
            "sequences, the state after its last timestep (here the only one). The "
            "8 features are gone: the weights turn them into 4 units."
        ),
        "es": (
            "Keras devuelve un arreglo de forma **{shape}**: para cada una de las 32 "
            "secuencias, el estado después de su último paso de tiempo (aquí, el "
            "único). Las 8 características desaparecen: los pesos las convierten en "
            "4 unidades."
        ),
    },
    "walk.layer.item": {
        "en": "What Keras returned for batch item {item}:",
        "es": "Lo que devolvió Keras para el elemento {item} del lote:",
    },
    "walk.col.returned": {"en": "returned array", "es": "arreglo devuelto"},
    "walk.col.shape": {"en": "shape", "es": "forma"},
    # --- step 3: the weights ----------------------------------------------------------
    "walk.weights.body": {
        "en": (
            "The layer has learned nothing yet, but it already holds its weights, "
            "drawn by Keras' initializers: three arrays, in the order of "
            "`layer.weights`."
        ),
        "es": (
            "La capa todavía no ha aprendido nada, pero ya tiene sus pesos, "
            "generados por los inicializadores de Keras: tres arreglos, en el orden "
            "de `layer.weights`."
        ),
    },
    "walk.col.name": {"en": "name", "es": "nombre"},
    "walk.col.keras_name": {"en": "Keras name", "es": "nombre en Keras"},
    "walk.col.meaning": {"en": "what it does", "es": "qué hace"},
    "walk.weights.Wx": {
        "en": "input weights: multiply the input x_t",
        "es": "pesos de entrada: multiplican la entrada x_t",
    },
    "walk.weights.Wh": {
        "en": "recurrent weights: multiply the previous state h_(t-1)",
        "es": "pesos recurrentes: multiplican el estado anterior h_(t-1)",
    },
    "walk.weights.b": {
        "en": "bias: added at every step",
        "es": "sesgo: se suma en cada paso",
    },
    "walk.weights.rows": {
        "en": (
            "Keras stores the weights for **row vectors**: a step computes "
            "$x_t W_x$, the input row (1 × 8) times $W_x$ (8 × 4). So the rows of "
            "$W_x$ are input features and its columns are units; the rows of $W_h$ "
            "are the units of $h_{{t-1}}$."
        ),
        "es": (
            "Keras guarda los pesos para **vectores fila**: cada paso calcula "
            "$x_t W_x$, la fila de entrada (1 × 8) por $W_x$ (8 × 4). Por eso las "
            "filas de $W_x$ son características de entrada y sus columnas son "
            "unidades; las filas de $W_h$ son las unidades de $h_{{t-1}}$."
        ),
    },
    "walk.weights.fig.Wx": {
        "en": "Input weights W_x ({shape})",
        "es": "Pesos de entrada W_x ({shape})",
    },
    "walk.weights.fig.Wh": {
        "en": "Recurrent weights W_h ({shape})",
        "es": "Pesos recurrentes W_h ({shape})",
    },
    "walk.weights.fig.b": {"en": "Bias b ({shape})", "es": "Sesgo b ({shape})"},
    "walk.axis.feature": {"en": "feature j", "es": "característica j"},
    "walk.axis.from_unit": {"en": "unit j of h_(t-1)", "es": "unidad j de h_(t-1)"},
    "walk.axis.unit": {"en": "unit k", "es": "unidad k"},
    "walk.axis.value": {"en": "value", "es": "valor"},
    # --- step 4: by hand --------------------------------------------------------------
    "walk.hand.body": {
        "en": (
            "At every timestep t a SimpleRNN computes the new state from the input "
            "and the previous state:"
        ),
        "es": (
            "En cada paso de tiempo t, una SimpleRNN calcula el nuevo estado a partir "
            "de la entrada y del estado anterior:"
        ),
    },
    "walk.hand.convention": {
        "en": (
            "Row vectors, as Keras stores the weights: $x_t$ (1 × 8) times $W_x$ "
            "(8 × 4), $h_{{t-1}}$ (1 × 4) times $W_h$ (4 × 4). The state starts at "
            "zero, $h_0 = 0$, so at the first step $h_0 W_h$ adds nothing. With "
            "`activation=None`, linear(a) = a."
        ),
        "es": (
            "Vectores fila, como Keras guarda los pesos: $x_t$ (1 × 8) por $W_x$ "
            "(8 × 4), $h_{{t-1}}$ (1 × 4) por $W_h$ (4 × 4). El estado parte en "
            "cero, $h_0 = 0$, así que en el primer paso $h_0 W_h$ no aporta nada. "
            "Con `activation=None`, lineal(a) = a."
        ),
    },
    "walk.hand.item": {
        "en": (
            "The first step of batch item {item}, filled in with its numbers "
            "($x_1$ is `x[{item}, 0]`):"
        ),
        "es": (
            "El primer paso del elemento {item} del lote, con sus números "
            "($x_1$ es `x[{item}, 0]`):"
        ),
    },
    "walk.line.x": {"en": "the input", "es": "la entrada"},
    "walk.line.x_Wx": {"en": "input times $W_x$", "es": "entrada por $W_x$"},
    "walk.line.h_prev": {"en": "the initial state", "es": "el estado inicial"},
    "walk.line.h_Wh": {"en": "state times $W_h$", "es": "estado por $W_h$"},
    "walk.line.b": {"en": "the bias", "es": "el sesgo"},
    "walk.line.pre": {
        "en": "the sum (pre-activation)",
        "es": "la suma (preactivación)",
    },
    "walk.line.h": {
        "en": "after the activation (NumPy)",
        "es": "después de la activación (NumPy)",
    },
    "walk.line.keras": {"en": "what Keras returned", "es": "lo que devolvió Keras"},
    "walk.hand.one_unit": {
        "en": "One unit, term by term",
        "es": "Una unidad, término a término",
    },
    "walk.hand.unit": {"en": "Unit", "es": "Unidad"},
    # --- step 5: they agree -----------------------------------------------------------
    "walk.agree.body": {
        "en": (
            "The notebook's check: compute `np.dot(x, Wx) + np.dot(h0, Wh) + b` "
            "yourself and compare it with what the layer returned. Here is the same "
            "computation, on all 32 sequences at once:"
        ),
        "es": (
            "La comprobación del cuaderno: calcular uno mismo "
            "`np.dot(x, Wx) + np.dot(h0, Wh) + b` y compararlo con lo que devolvió "
            "la capa. Aquí está el mismo cálculo, sobre las 32 secuencias a la vez:"
        ),
    },
    "walk.metric.first_step_gap": {
        "en": "max |by hand − Keras|, first step",
        "es": "máx |a mano − Keras|, primer paso",
    },
    "walk.metric.first_step_gap_help": {
        "en": (
            "The largest absolute difference between the formula written out in "
            "NumPy and Keras' output at the first timestep, over every sequence and "
            "unit."
        ),
        "es": (
            "La mayor diferencia absoluta entre la fórmula escrita en NumPy y la "
            "salida de Keras en el primer paso de tiempo, sobre todas las secuencias "
            "y unidades."
        ),
    },
    "walk.metric.trace_gap": {
        "en": "max |NumPy − Keras|, every step",
        "es": "máx |NumPy − Keras|, todos los pasos",
    },
    "walk.metric.trace_gap_help": {
        "en": "The same comparison over every output and every state h_t of the run.",
        "es": (
            "La misma comparación sobre todas las salidas y todos los estados h_t "
            "de la ejecución."
        ),
    },
    "walk.agree.item": {
        "en": "Batch item {item}:",
        "es": "Elemento {item} del lote:",
    },
    "walk.col.source": {"en": "computed by", "es": "calculado por"},
    "walk.source.hand": {"en": "the formula (NumPy)", "es": "la fórmula (NumPy)"},
    "walk.source.keras": {"en": "Keras", "es": "Keras"},
    "walk.col.unit": {"en": "unit {unit}", "es": "unidad {unit}"},
    "walk.agree.rounding": {
        "en": (
            "The difference is not always exactly zero: both sides work in float32 "
            "and may add the terms in another order, so they can differ in the last "
            "digit (about 1e-7 for numbers of this size)."
        ),
        "es": (
            "La diferencia no siempre es exactamente cero: ambos lados trabajan en "
            "float32 y pueden sumar los términos en otro orden, así que pueden "
            "diferir en la última cifra (alrededor de 1e-7 para números de este "
            "tamaño)."
        ),
    },
    # --- step 6: return_state ---------------------------------------------------------
    "walk.state.body": {
        "en": (
            "With `return_state=True` the layer returns a list: the output, then its "
            "final state `state_h`. This is a new layer with the same weights (same "
            "seed) on the same input."
        ),
        "es": (
            "Con `return_state=True` la capa devuelve una lista: la salida y, "
            "después, su estado final `state_h`. Es una capa nueva con los mismos "
            "pesos (misma semilla) sobre la misma entrada."
        ),
    },
    "walk.state.equal": {
        "en": "Checked just now: `output == state_h` in every entry of the {shape} "
        "arrays, bit for bit.",
        "es": "Comprobado ahora mismo: `output == state_h` en cada entrada de los "
        "arreglos de forma {shape}, bit a bit.",
    },
    "walk.state.not_equal": {
        "en": "Unexpected: `output` and `state_h` differ.",
        "es": "Inesperado: `output` y `state_h` difieren.",
    },
    "walk.state.why": {
        "en": (
            "They are the same array because, without `return_sequences`, the output "
            "*is* the state after the last timestep. So why ask for the state? It "
            "becomes different from the output once `return_sequences=True` (next "
            "step), and an LSTM also has a cell state `state_c`, which the output "
            "never contains."
        ),
        "es": (
            "Son el mismo arreglo porque, sin `return_sequences`, la salida *es* el "
            "estado después del último paso de tiempo. Entonces, ¿para qué pedir el "
            "estado? Se distingue de la salida en cuanto `return_sequences=True` "
            "(siguiente paso), y una LSTM tiene además un estado de celda `state_c`, "
            "que la salida nunca contiene."
        ),
    },
    # --- step 7: return_sequences -----------------------------------------------------
    "walk.seq.body": {
        "en": (
            "`return_sequences=True` asks for the state of every timestep, not only "
            "the last one. The input now has 5 timesteps: shape (32, 5, 8)."
        ),
        "es": (
            "`return_sequences=True` pide el estado de cada paso de tiempo, no solo "
            "el del último. Ahora la entrada tiene 5 pasos de tiempo: forma "
            "(32, 5, 8)."
        ),
    },
    "walk.seq.returns": {
        "en": (
            "Keras returns shape **{shape}**: for each of the 32 sequences, 5 states "
            "of 4 units, $h_1$ to $h_5$."
        ),
        "es": (
            "Keras devuelve la forma **{shape}**: para cada una de las 32 "
            "secuencias, 5 estados de 4 unidades, de $h_1$ a $h_5$."
        ),
    },
    "walk.seq.item": {
        "en": "The states of batch item {item}, as Keras returned them:",
        "es": "Los estados del elemento {item} del lote, tal como los devolvió Keras:",
    },
    "walk.col.timestep": {"en": "state", "es": "estado"},
    "walk.seq.first_step": {
        "en": (
            "The first step by hand, as in the notebook: "
            "`np.dot(x[:, 0, :], Wx) + np.dot(h0, Wh) + b` gives `output[:, 0]`."
        ),
        "es": (
            "El primer paso a mano, como en el cuaderno: "
            "`np.dot(x[:, 0, :], Wx) + np.dot(h0, Wh) + b` da `output[:, 0]`."
        ),
    },
    "walk.seq.later": {
        "en": (
            "From the second step on, the previous state comes in through $W_h$: "
            "$h_2 = x_2 W_x + h_1 W_h + b$, and so on. The page *Step through time* "
            "writes out every step."
        ),
        "es": (
            "A partir del segundo paso, el estado anterior entra a través de $W_h$: "
            "$h_2 = x_2 W_x + h_1 W_h + b$, y así sucesivamente. La página *Paso a "
            "paso en el tiempo* detalla cada paso."
        ),
    },
    # --- step 8: tanh -----------------------------------------------------------------
    "walk.tanh.body": {
        "en": (
            "Finally, the same layer with Keras' default activation, **tanh**: "
            "`SimpleRNN(4, return_sequences=True)`, with the same weights and the "
            "same input. Now every state is squashed into (−1, 1): "
            "$h_t = \\tanh(x_t W_x + h_{{t-1}} W_h + b)$."
        ),
        "es": (
            "Por último, la misma capa con la activación por defecto de Keras, "
            "**tanh**: `SimpleRNN(4, return_sequences=True)`, con los mismos pesos y "
            "la misma entrada. Ahora cada estado queda comprimido en (−1, 1): "
            "$h_t = \\tanh(x_t W_x + h_{{t-1}} W_h + b)$."
        ),
    },
    "walk.tanh.first_step": {
        "en": (
            "The first step by hand: the same sum $a_1$ as without an activation, "
            "then tanh."
        ),
        "es": (
            "El primer paso a mano: la misma suma $a_1$ que sin activación y, "
            "después, tanh."
        ),
    },
    "walk.tanh.compare": {
        "en": (
            "The last state $h_5$ of batch item {item}, without and with tanh. tanh "
            "acts at every step and the squashed state feeds the next one, so the "
            "two runs drift apart step after step."
        ),
        "es": (
            "El último estado $h_5$ del elemento {item} del lote, sin y con tanh. "
            "tanh actúa en cada paso y el estado comprimido alimenta al siguiente, "
            "así que ambas ejecuciones se van separando paso a paso."
        ),
    },
    "walk.col.layer": {"en": "activation", "es": "activación"},
    "walk.tanh.next": {
        "en": (
            "That is the whole notebook. To go further, the other pages show any "
            "cell (LSTM, GRU), every flag and every step, and *Check yourself* asks "
            "you questions about them."
        ),
        "es": (
            "Ese es todo el cuaderno. Para seguir, las demás páginas muestran "
            "cualquier celda (LSTM, GRU), cada opción y cada paso, y *Ponte a "
            "prueba* te hace preguntas sobre ellas."
        ),
    },
    # --- the quiz page ----------------------------------------------------------------
    "quiz.title": {"en": "Check yourself", "es": "Ponte a prueba"},
    "quiz.intro": {
        "en": (
            "Questions about what a Keras recurrent layer returns. Your answer is "
            "checked against the real layer, run when you press Check, and the "
            "right answer is explained."
        ),
        "es": (
            "Preguntas sobre lo que devuelve una capa recurrente de Keras. Tu "
            "respuesta se compara con la capa real, que se ejecuta al pulsar "
            "Comprobar, y se explica la respuesta correcta."
        ),
    },
    "quiz.kind": {"en": "Kind of question", "es": "Tipo de pregunta"},
    "quiz.kind.any": {"en": "Any (in turn)", "es": "Cualquiera (por turnos)"},
    "quiz.kind.shapes": {
        "en": "The shapes Keras returns",
        "es": "Las formas que devuelve Keras",
    },
    "quiz.kind.equal": {
        "en": "Which arrays are equal",
        "es": "Qué arreglos son iguales",
    },
    "quiz.kind.unit": {
        "en": "One unit of h_1, by hand",
        "es": "Una unidad de h_1, a mano",
    },
    "quiz.score": {"en": "Score", "es": "Puntaje"},
    "quiz.score_help": {
        "en": (
            "Right answers / questions answered. Only the first check of each "
            "question counts."
        ),
        "es": (
            "Respuestas correctas / preguntas respondidas. Solo cuenta la primera "
            "comprobación de cada pregunta."
        ),
    },
    "quiz.heading": {
        "en": "Question {number}: {kind}",
        "es": "Pregunta {number}: {kind}",
    },
    "quiz.check": {"en": "Check", "es": "Comprobar"},
    "quiz.new": {"en": "New question", "es": "Nueva pregunta"},
    "quiz.running": {
        "en": "Running the Keras layer…",
        "es": "Ejecutando la capa de Keras…",
    },
    "quiz.right": {"en": "Right! {answer}", "es": "¡Correcto! {answer}"},
    "quiz.wrong": {"en": "Not quite. {answer}", "es": "No exactamente. {answer}"},
    "quiz.why": {"en": "**Why:**", "es": "**Por qué:**"},
    "quiz.shapes.prompt": {
        "en": (
            "What does `result` hold? Type the shape of every array the call "
            "returns, in Keras' order, each one in parentheses."
        ),
        "es": (
            "¿Qué contiene `result`? Escribe la forma de cada arreglo que devuelve la "
            "llamada, en el orden de Keras, cada una entre paréntesis."
        ),
    },
    "quiz.shapes.label": {
        "en": "Shapes, e.g. (2, 3), (2, 3)",
        "es": "Formas, p. ej. (2, 3), (2, 3)",
    },
    "quiz.shapes.unreadable": {
        "en": (
            "No shape could be read: write each one in parentheses with whole "
            "numbers, e.g. (2, 3), (2, 3)."
        ),
        "es": (
            "No se pudo leer ninguna forma: escribe cada una entre paréntesis, con "
            "números enteros, p. ej. (2, 3), (2, 3)."
        ),
    },
    "quiz.equal.prompt": {
        "en": (
            "This layer has `return_state=True`, so `result` is a list: `output`, "
            "then the states. Which of these equalities hold exactly, entry by "
            "entry, on the arrays it returns? Tick every one that holds (perhaps "
            "none)."
        ),
        "es": (
            "Esta capa tiene `return_state=True`, así que `result` es una lista: "
            "`output` y después los estados. ¿Cuáles de estas igualdades se cumplen "
            "exactamente, entrada por entrada, en los arreglos que devuelve? Marca "
            "todas las que se cumplan (puede que ninguna)."
        ),
    },
    "quiz.unit.prompt": {
        "en": (
            "The input holds one sequence of one timestep, $x_1$, with {features} "
            "features; the state starts at $h_0 = 0$; the activation is {act}. "
            "What value does Keras return for unit {unit} of $h_1$, that is "
            "`result[0, {unit}]`? (Units are counted from 0.)"
        ),
        "es": (
            "La entrada tiene una secuencia de un solo paso de tiempo, $x_1$, con "
            "{features} características; el estado parte en $h_0 = 0$; la "
            "activación es {act}. ¿Qué valor devuelve Keras para la unidad {unit} de "
            "$h_1$, es decir, `result[0, {unit}]`? (Las unidades se cuentan desde 0.)"
        ),
    },
    "quiz.act.linear": {
        "en": "linear (`activation=None`)",
        "es": "lineal (`activation=None`)",
    },
    "quiz.act.relu": {"en": "relu, $\\max(0, a)$", "es": "relu, $\\max(0, a)$"},
    "quiz.unit.label": {
        "en": "Your value for unit {unit} of h_1",
        "es": "Tu valor para la unidad {unit} de h_1",
    },
    "quiz.unit.empty": {
        "en": "Type a number first.",
        "es": "Primero escribe un número.",
    },
    # --- explanations made by rnn_core.quiz -------------------------------------------
    "quiz.answer.shapes": {
        "en": "Keras returned {shapes}.",
        "es": "Keras devolvió {shapes}.",
    },
    "quiz.answer.equal": {
        "en": "The equalities that hold: {statements}.",
        "es": "Las igualdades que se cumplen: {statements}.",
    },
    "quiz.answer.equal_none": {
        "en": "None of them holds.",
        "es": "No se cumple ninguna.",
    },
    "quiz.answer.unit": {
        "en": "Keras returned `result[0, {unit}]` = {value}.",
        "es": "Keras devolvió `result[0, {unit}]` = {value}.",
    },
    "quiz.shapes.returned": {
        "en": "The call returned {count} array(s): {arrays}.",
        "es": "La llamada devolvió {count} arreglo(s): {arrays}.",
    },
    "quiz.why.sequences_on": {
        "en": (
            "`return_sequences=True`: the output keeps every timestep, (batch, "
            "timesteps, width) = {shape}."
        ),
        "es": (
            "`return_sequences=True`: la salida conserva cada paso de tiempo, (lote, "
            "pasos de tiempo, ancho) = {shape}."
        ),
    },
    "quiz.why.sequences_off": {
        "en": (
            "`return_sequences=False`: the output is only the last timestep's "
            "state, (batch, width) = {shape}."
        ),
        "es": (
            "`return_sequences=False`: la salida es solo el estado del último paso "
            "de tiempo, (lote, ancho) = {shape}."
        ),
    },
    "quiz.why.width_units": {
        "en": "The width is the number of units, {units}.",
        "es": "El ancho es el número de unidades, {units}.",
    },
    "quiz.why.width_concat": {
        "en": (
            "`Bidirectional` with `merge_mode='concat'` puts both directions side "
            "by side: width 2 × {units} = {width}."
        ),
        "es": (
            "`Bidirectional` con `merge_mode='concat'` pone ambas direcciones una al "
            "lado de la otra: ancho 2 × {units} = {width}."
        ),
    },
    "quiz.why.width_merged": {
        "en": (
            "`Bidirectional` with `merge_mode='{mode}'` combines both directions "
            "entry by entry: width = units = {units}."
        ),
        "es": (
            "`Bidirectional` con `merge_mode='{mode}'` combina ambas direcciones "
            "entrada por entrada: ancho = unidades = {units}."
        ),
    },
    "quiz.why.width_none": {
        "en": (
            "`Bidirectional` with `merge_mode=None` returns the two directions as "
            "two separate outputs, each {units} wide."
        ),
        "es": (
            "`Bidirectional` con `merge_mode=None` devuelve las dos direcciones como "
            "dos salidas separadas, cada una de ancho {units}."
        ),
    },
    "quiz.why.state_on": {
        "en": (
            "`return_state=True`: after the output come the final states {names}, "
            "each (batch, units) = {shape}."
        ),
        "es": (
            "`return_state=True`: después de la salida vienen los estados finales "
            "{names}, cada uno (lote, unidades) = {shape}."
        ),
    },
    "quiz.why.state_lstm": {
        "en": (
            "An LSTM carries two states, so it returns both: `state_h` and the cell "
            "state `state_c`."
        ),
        "es": (
            "Una LSTM lleva dos estados, así que devuelve ambos: `state_h` y el "
            "estado de celda `state_c`."
        ),
    },
    "quiz.why.state_bidirectional": {
        "en": (
            "`Bidirectional` returns the states of each direction: the forward ones "
            "first, then the backward ones."
        ),
        "es": (
            "`Bidirectional` devuelve los estados de cada dirección: primero los de "
            "la dirección hacia adelante y luego los de la dirección hacia atrás."
        ),
    },
    "quiz.why.state_off": {
        "en": "`return_state=False`: no state is returned, only the output.",
        "es": "`return_state=False`: no se devuelve ningún estado, solo la salida.",
    },
    "quiz.why.backwards": {
        "en": "`go_backwards=True` changes the order in which the timesteps are read, "
        "not any shape.",
        "es": "`go_backwards=True` cambia el orden en que se leen los pasos de tiempo, "
        "pero no cambia ninguna forma.",
    },
    "quiz.why.features": {
        "en": (
            "The {features} input features never appear in the result: $W_x$ turns "
            "them into units."
        ),
        "es": (
            "Las {features} características de entrada nunca aparecen en el "
            "resultado: $W_x$ las convierte en unidades."
        ),
    },
    "quiz.eq.holds": {
        "en": "✓ `{statement}` holds: {reason}",
        "es": "✓ `{statement}` se cumple: {reason}",
    },
    "quiz.eq.fails": {
        "en": "✗ `{statement}` does not hold: {reason}",
        "es": "✗ `{statement}` no se cumple: {reason}",
    },
    "quiz.eq.why.cell_state": {
        "en": (
            "`state_c` is the LSTM's cell state c_t, while the output and `state_h` "
            "carry h_t = o_t ⊙ act(c_t), another array."
        ),
        "es": (
            "`state_c` es el estado de celda c_t de la LSTM, mientras que la salida y "
            "`state_h` llevan h_t = o_t ⊙ act(c_t), que es otro arreglo."
        ),
    },
    "quiz.eq.why.shape_mismatch": {
        "en": "the shapes differ, {left} against {right}.",
        "es": "las formas difieren, {left} frente a {right}.",
    },
    "quiz.eq.why.last_is_state": {
        "en": (
            "without `return_sequences` the output is the last step's state, which "
            "is the final state itself."
        ),
        "es": (
            "sin `return_sequences` la salida es el estado del último paso, que es "
            "el propio estado final."
        ),
    },
    "quiz.eq.why.seq_last_is_state": {
        "en": (
            "the last entry of the returned sequence is the final state (with "
            "`go_backwards` too: the sequence is kept in reading order)."
        ),
        "es": (
            "la última entrada de la secuencia devuelta es el estado final (también "
            "con `go_backwards`: la secuencia se guarda en orden de lectura)."
        ),
    },
    "quiz.eq.why.first_one_step": {
        "en": "with a single timestep the first step is also the last one.",
        "es": "con un solo paso de tiempo, el primer paso es también el último.",
    },
    "quiz.eq.why.first_not_last": {
        "en": (
            "`output[:, 0]` is the state after the first step read; the final state "
            "comes after all {timesteps} steps."
        ),
        "es": (
            "`output[:, 0]` es el estado tras el primer paso leído; el estado final "
            "llega después de los {timesteps} pasos."
        ),
    },
    "quiz.eq.why.live": {
        "en": "checked on the arrays Keras returned.",
        "es": "comprobado en los arreglos que devolvió Keras.",
    },
    "quiz.unit.why.zero_state": {
        "en": (
            "The state starts at zero, $h_0 = 0$, so $h_0 W_h$ adds nothing: $W_h$ "
            "plays no part in the first step."
        ),
        "es": (
            "El estado parte en cero, $h_0 = 0$, así que $h_0 W_h$ no aporta nada: "
            "$W_h$ no interviene en el primer paso."
        ),
    },
    "quiz.unit.why.column": {
        "en": (
            "Unit {unit} takes column {unit} of $W_x$ and entry {unit} of $b$ (row "
            "vectors: $x_1 W_x$)."
        ),
        "es": (
            "La unidad {unit} usa la columna {unit} de $W_x$ y la entrada {unit} de "
            "$b$ (vectores fila: $x_1 W_x$)."
        ),
    },
    "quiz.unit.why.linear": {
        "en": "The activation is linear (`activation=None`): $h_1$ is the sum itself.",
        "es": "La activación es lineal (`activation=None`): $h_1$ es la suma misma.",
    },
    "quiz.unit.why.relu": {
        "en": (
            "relu keeps positive values and turns negative ones into 0: "
            "relu({pre}) = {value}."
        ),
        "es": (
            "relu conserva los valores positivos y convierte los negativos en 0: "
            "relu({pre}) = {value}."
        ),
    },
}


def _merge(*catalogs: dict[str, dict[str, str]]) -> None:
    """Add the other modules' catalogs to MESSAGES; an id may not be defined twice."""
    for catalog in catalogs:
        twice = set(catalog) & set(MESSAGES)
        if twice:
            raise KeyError(f"message ids defined twice: {sorted(twice)}")
        MESSAGES.update(catalog)


_merge(APP_MESSAGES, CORE_TEXTS, TRAIN_MESSAGES)
_merge(GRAD_TEXTS, GRAD_UI_MESSAGES)  # the Gradients through time page


def _field(value: object, language: str) -> object:
    """A field as `fill` takes it: a message of rnn_core, or an error whose text is
    an already-rendered message, goes in as Markdown; anything else is data."""
    if isinstance(value, Msg | CoreError | Grouped):
        return Markup(value.text(language))
    if isinstance(value, BaseException) and len(value.args) == 1:
        (only,) = value.args
        return only if isinstance(only, Markup) else str(value)
    return value


def translate(message_id: str, language: str, **fields: object) -> Markup:
    """The text of `message_id` in `language`, as Markdown: the template's Markdown
    works and every field shows as typed (`rnn_core.markup.fill`), except a
    `Markup` one (an already-rendered message, e.g. from `t` or `render`).

    Raises:
        KeyError: an unknown message id or language.
    """
    template = MESSAGES[message_id][language]
    filled = {name: _field(value, language) for name, value in fields.items()}
    markdown = Rendered(fill(template, filled))
    markdown.plain = fill(
        template,
        {name: _plain_field(value, language) for name, value in fields.items()},
        markdown=False,
    )
    return markdown


class Rendered(Markup):
    """A message as Markdown (it is a `Markup`), with the same text for plain-text
    places (a code block, a file) in `plain`: see `plain_text`."""

    plain: str


def _plain_field(value: object, language: str) -> object:
    """A field for the plain-text version: nested messages as their plain text."""
    if isinstance(value, Msg | CoreError):
        return value.plain(language)
    if isinstance(value, Grouped):
        return value.text(language)
    return getattr(value, "plain", value)


def plain_text(text: str) -> str:
    """A text of `t`/`translate` as plain text, for places that show characters as
    they are (`st.code`, file contents); any other string as it is."""
    return getattr(text, "plain", str(text))


def language() -> str:
    """The session's language: st.session_state["cfg.language"], "en" by default.

    When a page without the switch made Streamlit forget "cfg.language", the last
    language seen is used (and remembered here on every call).
    """
    state = st.session_state
    chosen = state.get(LANGUAGE_KEY, state.get(REMEMBERED_KEY, DEFAULT_LANGUAGE))
    if chosen not in LANGUAGES:
        chosen = DEFAULT_LANGUAGE
    state[REMEMBERED_KEY] = chosen
    set_message_language(chosen)  # str() of rnn_core's errors, in this script thread
    return chosen


def keep_language(arrived: bool = False) -> None:
    """Give "cfg.language" a valid value before a run draws the switch.

    Written only when it has none or one that is not a language, or on the first
    run of a page (`arrived`: the switch is a new widget there; see
    `ui.settings.keep_settings`): writing the switch's own value back on every run
    would send it to the browser, over a newer choice.
    """
    chosen = language()
    if arrived or st.session_state.get(LANGUAGE_KEY) != chosen:
        st.session_state[LANGUAGE_KEY] = chosen


def t(message_id: str, **fields: object) -> Markup:
    """The text of `message_id` in the session's language."""
    return translate(message_id, language(), **fields)


def render(message: MessageLike, language_code: str | None = None) -> Markup:
    """A message made by `rnn_core` (id and fields; a field may itself be a message)."""
    code = language_code or language()
    fields = {
        name: render(value, code) if hasattr(value, "fields") else value
        for name, value in dict(message.fields).items()
    }
    return translate(message.id, code, **fields)


def error_text(error: BaseException) -> Markup:
    """An error as Markdown for `st.error`: a `CoreError` in the session's language,
    an error raised with an already-rendered text as is, any other error's text
    shown as typed (escaped whole: it may quote a user's input)."""
    if isinstance(error, CoreError):
        return Markup(error.text(language()))
    if len(error.args) == 1 and isinstance(error.args[0], Markup):
        return error.args[0]
    return escape(str(error))


def language_switch() -> str:
    """The sidebar's language control; returns the language chosen."""
    keep_language()
    st.sidebar.selectbox(
        MESSAGES["lang.label"][language()],
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_KEY,
        persist_state="session",  # kept on pages that do not draw it
    )
    return language()

"""Texts of the gradient figures and explanations, in English and Spanish.

`GRAD_TEXTS`: message id ("grad." prefix) -> {"en": text, "es": text}, `str.format`
templates whose two languages take the same fields (literal braces doubled, as in
Plotly's `%{{y}}`). `text(message_id, language, **fields)` fills one in. The app's
catalog (`ui.i18n.MESSAGES`) merges these texts, so its tests check them too.
"""

from __future__ import annotations

from rnn_core.markup import fill

LANGUAGES = ("en", "es")

GRAD_TEXTS: dict[str, dict[str, str]] = {
    # --- the norm of dL/dh_t over processing steps ------------------------------------
    "grad.fig.norms.title": {
        "en": "‖∂L/∂h_t‖ at each processing step: {layer}, loss on {loss}",
        "es": "‖∂L/∂h_t‖ en cada paso de procesamiento: {layer}, pérdida en {loss}",
    },
    "grad.loss.last": {"en": "the last output", "es": "la última salida"},
    "grad.loss.sequence": {"en": "every output", "es": "cada salida"},
    "grad.fig.norms.y": {
        "en": "‖∂L/∂h_t‖ (log scale)",
        "es": "‖∂L/∂h_t‖ (escala logarítmica)",
    },
    "grad.fig.residual.y": {
        "en": "max |manual − Keras| (log scale)",
        "es": "máx |manual − Keras| (escala logarítmica)",
    },
    "grad.fig.step.x": {"en": "processing step s", "es": "paso de procesamiento s"},
    "grad.fig.keras": {"en": "Keras (GradientTape)", "es": "Keras (con GradientTape)"},
    "grad.fig.manual": {"en": "manual BPTT (NumPy)", "es": "BPTT manual (NumPy)"},
    "grad.fig.residual": {
        "en": "max |manual − Keras| of ∂L/∂h_t at the step",
        "es": "máx |manual − Keras| de ∂L/∂h_t en el paso",
    },
    "grad.fig.direction.forward": {"en": "forward", "es": "hacia delante"},
    "grad.fig.direction.backward": {"en": "backward", "es": "hacia atrás"},
    "grad.hover.step": {"en": "step s", "es": "paso s"},
    "grad.hover.input": {"en": "input timestep t", "es": "paso de entrada t"},
    # --- heatmaps of dL/dW ------------------------------------------------------------
    "grad.fig.weights.title": {
        "en": "∂L/∂{which}{per_gate}: Keras (top) and manual − Keras (bottom), {layer}",
        "es": (
            "∂L/∂{which}{per_gate}: Keras (arriba) y manual − Keras (abajo), {layer}"
        ),
    },
    "grad.fig.per_gate": {"en": " per gate", "es": " por compuerta"},
    "grad.fig.residual_row": {
        "en": "{label}: manual − Keras (residual)",
        "es": "{label}: manual − Keras (residuo)",
    },
    "grad.axis.feature": {"en": "feature j", "es": "característica j"},
    "grad.axis.from_unit": {
        "en": "unit j (of h<sub>t-1</sub>)",
        "es": "unidad j (de h<sub>t-1</sub>)",
    },
    "grad.axis.unit": {"en": "unit k", "es": "unidad k"},
    "grad.axis.bias": {"en": "bias", "es": "sesgo"},
    "grad.axis.bias_row": {"en": "bias row", "es": "fila del sesgo"},
    "grad.colorbar.gradient": {"en": "gradient", "es": "gradiente"},
    "grad.colorbar.residual": {"en": "residual", "es": "residuo"},
    "grad.fig.strided": {
        "en": "summarised: every {rows}th row and every {cols}th column shown",
        "es": "resumida: se muestra 1 de cada {rows} filas y 1 de cada {cols} columnas",
    },
    "grad.hover.keras": {"en": "by Keras", "es": "con Keras"},
    "grad.hover.manual": {"en": "by hand (NumPy)", "es": "a mano (NumPy)"},
    # --- SimpleRNN vs LSTM vs GRU -----------------------------------------------------
    "grad.fig.compare.title": {
        "en": (
            "‖∂L/∂h_t‖ on the echo task (delay {delay}, {timesteps} steps, "
            "{units} units)"
        ),
        "es": (
            "‖∂L/∂h_t‖ en la tarea de eco (retardo {delay}, {timesteps} pasos, "
            "{units} unidades)"
        ),
    },
    "grad.fig.compare.panel": {
        "en": "{cell}: echoed step {ratio} × last",
        "es": "{cell}: paso repetido {ratio} × último",
    },
    "grad.fig.compare.marker": {
        "en": "echoed input (step {step})",
        "es": "entrada repetida (paso {step})",
    },
    # --- one-line explanations --------------------------------------------------------
    "grad.decay.vanish": {
        "en": (
            "Each step back multiplies ∂L/∂h by Wh^T (spectral radius ρ = {radius}) "
            "and by {derivative}: over {steps} steps about ρ^{steps} = {factor}, so "
            "the gradient vanishes on its way back."
        ),
        "es": (
            "Cada paso hacia atrás multiplica ∂L/∂h por Wh^T (radio espectral "
            "ρ = {radius}) y por {derivative}: en {steps} pasos, cerca de "
            "ρ^{steps} = {factor}, así que el gradiente se desvanece al volver."
        ),
    },
    "grad.decay.explode": {
        "en": (
            "Each step back multiplies ∂L/∂h by Wh^T (spectral radius ρ = {radius}) "
            "and by {derivative}: over {steps} steps up to ρ^{steps} = {factor}, so "
            "the gradient explodes unless the derivative (small where the activation "
            "saturates) holds it back."
        ),
        "es": (
            "Cada paso hacia atrás multiplica ∂L/∂h por Wh^T (radio espectral "
            "ρ = {radius}) y por {derivative}: en {steps} pasos, hasta "
            "ρ^{steps} = {factor}, así que el gradiente explota salvo que la derivada "
            "(pequeña donde la activación se satura) lo frene."
        ),
    },
    "grad.decay.keep": {
        "en": (
            "Each step back multiplies ∂L/∂h by Wh^T (spectral radius ρ = {radius}) "
            "and by {derivative}: ρ^{steps} = {factor} over {steps} steps, so the "
            "gradient keeps its size unless the derivative shrinks it."
        ),
        "es": (
            "Cada paso hacia atrás multiplica ∂L/∂h por Wh^T (radio espectral "
            "ρ = {radius}) y por {derivative}: ρ^{steps} = {factor} en {steps} "
            "pasos, así que el gradiente conserva su tamaño salvo que la derivada lo "
            "reduzca."
        ),
    },
    "grad.decay.linear": {
        "en": "the activation's derivative, 1 for a linear layer",
        "es": "la derivada de la activación, 1 en una capa lineal",
    },
    "grad.decay.derivative": {
        "en": "the derivative {name}'(a_t)",
        "es": "la derivada {name}'(a_t)",
    },
    "grad.decay.none": {
        "en": "The spectral radius is not finite (NaN or infinite weights).",
        "es": "El radio espectral no es finito (pesos NaN o infinitos).",
    },
    "grad.carry.simple_rnn": {
        "en": (
            "SimpleRNN: every step back multiplies the error by act'(a_t) and by "
            "Wh^T, about the same factor each step: a straight line down on the log "
            "axis. To carry it 20 steps that product would have to stay near 1 at "
            "every step, but a smaller ρ makes it vanish, a larger one explode, and "
            "tanh' < 1 wherever the state leaves 0. The longer the delay, the less "
            "error reaches the echoed input, so training cannot learn to keep it."
        ),
        "es": (
            "SimpleRNN: cada paso hacia atrás multiplica el error por act'(a_t) y por "
            "Wh^T, casi el mismo factor en cada paso: una recta que baja en el eje "
            "logarítmico. Para llevarlo 20 pasos ese producto tendría que quedarse "
            "cerca de 1 en cada paso, pero un ρ menor lo desvanece, uno mayor lo hace "
            "explotar, y tanh' < 1 en cuanto el estado se aleja de 0. Cuanto mayor el "
            "retardo, menos error llega a la entrada repetida, y el entrenamiento no "
            "logra aprender a guardarla."
        ),
    },
    "grad.carry.lstm": {
        "en": (
            "LSTM: the cell state passes the error back as ∂L/∂c_(t-1) = ∂L/∂c_t ⊙ "
            "f_t + …, multiplied only by the forget gate: no matrix, no tanh'. With "
            "f near 1 (a forget-gate bias of 3 gives f ≈ 0.95) the error still "
            "reaches the echoed input 20 steps back. Keras starts that bias at 1 "
            "(f ≈ 0.73, which vanishes too); training raises it when the task needs "
            "memory."
        ),
        "es": (
            "LSTM: el estado de celda devuelve el error como ∂L/∂c_(t-1) = ∂L/∂c_t ⊙ "
            "f_t + …, multiplicado solo por la compuerta de olvido: sin matriz ni "
            "tanh'. Con f cerca de 1 (un sesgo de olvido de 3 da f ≈ 0.95) el error "
            "aún llega a la entrada repetida 20 pasos atrás. Keras empieza ese sesgo "
            "en 1 (f ≈ 0.73, que también se desvanece); el entrenamiento lo sube "
            "cuando la tarea necesita memoria."
        ),
    },
    "grad.carry.gru": {
        "en": (
            "GRU: h_t = z_t ⊙ h_(t-1) + (1 − z_t) ⊙ h̃_t passes the error back "
            "multiplied by the update gate z_t; with z near 1 (a positive update-gate "
            "bias) it is carried many steps. Keras starts that bias at 0 (z ≈ 0.5), "
            "where it vanishes faster than SimpleRNN's."
        ),
        "es": (
            "GRU: h_t = z_t ⊙ h_(t-1) + (1 − z_t) ⊙ h̃_t devuelve el error "
            "multiplicado por la compuerta de actualización z_t; con z cerca de 1 (un "
            "sesgo de actualización positivo) se conserva muchos pasos. Keras empieza "
            "ese sesgo en 0 (z ≈ 0.5), donde se desvanece más rápido que en SimpleRNN."
        ),
    },
}


def text(message_id: str, language: str = "en", **fields: object) -> str:
    """The text of `message_id` in `language` ("en" or "es"), its fields filled in
    as plain text (figures and explanations; `rnn_core.markup.fill`).

    Raises:
        ValueError: another language. KeyError: an unknown id.
    """
    if language not in LANGUAGES:
        raise ValueError(
            f"Received an invalid value for `language`: expected one of "
            f"{', '.join(map(repr, LANGUAGES))}; got {language!r}."
        )
    return fill(GRAD_TEXTS[message_id][language], fields, markdown=False)

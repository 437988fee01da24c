"""The frozen description of one Keras recurrent layer, and what follows from it."""

from __future__ import annotations

from dataclasses import dataclass, fields

from rnn_core.errors import CoreError

CELLS: tuple[str, ...] = ("simple_rnn", "lstm", "gru")
CELL_CLASS_NAMES: dict[str, str] = {
    "simple_rnn": "SimpleRNN",
    "lstm": "LSTM",
    "gru": "GRU",
}
# How many stacked blocks the cell's kernels hold: SimpleRNN 1, LSTM 4 (i, f, c, o),
# GRU 3 (z, r, h), in Keras' own order.
GATES: dict[str, tuple[str, ...]] = {
    "simple_rnn": ("",),
    "lstm": ("i", "f", "c", "o"),
    "gru": ("z", "r", "h"),
}
MERGE_MODES: tuple[str | None, ...] = ("concat", "sum", "ave", "mul", None)

# Every activation of keras.activations that maps a (batch, units) tensor to one of the
# same shape without extra arguments. Left out: "glu" (halves the last axis, so the
# state would change size) and "threshold" (needs two arguments without defaults).
ACTIVATIONS: tuple[str, ...] = (
    "tanh",
    "linear",
    "relu",
    "sigmoid",
    "hard_sigmoid",
    "elu",
    "selu",
    "celu",
    "gelu",
    "softsign",
    "softplus",
    "swish",
    "silu",
    "hard_silu",
    "hard_swish",
    "mish",
    "exponential",
    "leaky_relu",
    "relu6",
    "log_sigmoid",
    "hard_tanh",
    "tanh_shrink",
    "hard_shrink",
    "soft_shrink",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "softmax",
    "log_softmax",
    "sparsemax",
)

MAX_UNITS = 256
# The LayerSpec fields that are True or False.
FLAGS: tuple[str, ...] = (
    "use_bias",
    "return_sequences",
    "return_state",
    "go_backwards",
    "unit_forget_bias",
    "reset_after",
    "bidirectional",
)

# Keras' own defaults of the arguments `LayerSpec.keras_code` may write.
_KERAS_DEFAULTS: dict[str, object] = {
    "activation": "tanh",
    "recurrent_activation": "sigmoid",
    "use_bias": True,
    "unit_forget_bias": True,
    "reset_after": True,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
}


def _python_literal(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _check_choice(field: str, value: object, allowed: tuple) -> None:
    # Only a str (or None) can be one of the names: an array would compare element by
    # element, and any other type is a mistake to report, not to coerce.
    if not (value is None or isinstance(value, str)) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise CoreError(
            "core.err.field_choice", field=field, allowed=shown, value=repr(value)
        )


def _check_flag(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise CoreError("core.err.field_flag", field=field, value=repr(value))


@dataclass(frozen=True)
class LayerSpec:
    """Everything needed to build one Keras recurrent layer (and its NumPy twin).

    Args:
        cell: "simple_rnn", "lstm" or "gru".
        units: size of the hidden state, 1 to `MAX_UNITS`.
        activation: name of a Keras activation (see `ACTIVATIONS`); None means linear,
            as in `SimpleRNN(4, activation=None)`.
        recurrent_activation: activation of the gates (LSTM and GRU only).
        use_bias: whether the layer has a bias vector.
        return_sequences: return h_t for every timestep instead of the last one only.
        return_state: also return the final state(s): `(output, *states)`.
        go_backwards: process the sequence from its last timestep to its first.
        unit_forget_bias: LSTM only: start the forget-gate bias at 1.
        reset_after: GRU only: apply the reset gate after the recurrent matmul
            (Keras 3 default, two bias rows) or before it (one bias row).
        bidirectional: wrap the layer in `keras.layers.Bidirectional`.
        merge_mode: how Bidirectional joins the two directions: "concat", "sum",
            "ave", "mul", or None for a pair of outputs.

    Example:
        >>> spec = LayerSpec(units=4, activation=None)  # the seed notebook's layer
        >>> spec.gate_count
        1
    """

    cell: str = "simple_rnn"
    units: int = 4
    activation: str | None = "tanh"
    recurrent_activation: str = "sigmoid"
    use_bias: bool = True
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    unit_forget_bias: bool = True
    reset_after: bool = True
    bidirectional: bool = False
    merge_mode: str | None = "concat"

    def __post_init__(self) -> None:
        _check_choice("cell", self.cell, CELLS)
        if (
            isinstance(self.units, bool)
            or not isinstance(self.units, int)
            or not 1 <= self.units <= MAX_UNITS
        ):
            raise CoreError(
                "core.err.field_units", most=MAX_UNITS, value=repr(self.units)
            )
        _check_choice("activation", self.activation, (*ACTIVATIONS, None))
        _check_choice("recurrent_activation", self.recurrent_activation, ACTIVATIONS)
        for flag in FLAGS:
            _check_flag(flag, getattr(self, flag))
        _check_choice("merge_mode", self.merge_mode, MERGE_MODES)
        if self.bidirectional and self.go_backwards:
            raise CoreError("core.err.backwards_bidirectional")

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The gate blocks of the concatenated kernels, in Keras' order."""
        return GATES[self.cell]

    @property
    def gate_count(self) -> int:
        """1 for SimpleRNN, 4 for LSTM, 3 for GRU."""
        return len(GATES[self.cell])

    @property
    def state_names(self) -> tuple[str, ...]:
        """The states the cell carries: ("h",) or ("h", "c") for LSTM."""
        return ("h", "c") if self.cell == "lstm" else ("h",)

    @property
    def directions(self) -> tuple[str, ...]:
        """("forward",), ("backward",) with go_backwards, or both when bidirectional."""
        if self.bidirectional:
            return ("forward", "backward")
        return ("backward",) if self.go_backwards else ("forward",)

    @property
    def activation_name(self) -> str:
        """The activation's Keras name; None is reported as "linear"."""
        return "linear" if self.activation is None else self.activation

    @property
    def keras_class_name(self) -> str:
        """SimpleRNN, LSTM or GRU."""
        return CELL_CLASS_NAMES[self.cell]

    def weight_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """Shapes of `layer.get_weights()` for inputs with `input_dim` features."""
        gated_units = self.units * self.gate_count
        shapes: list[tuple[int, ...]] = [
            (input_dim, gated_units),  # kernel, Wx
            (self.units, gated_units),  # recurrent_kernel, Wh
        ]
        if self.use_bias:
            if self.cell == "gru" and self.reset_after:
                shapes.append((2, gated_units))  # row 0 input bias, row 1 recurrent
            else:
                shapes.append((gated_units,))
        return shapes * (2 if self.bidirectional else 1)

    def keras_code(self) -> str:
        """The Keras expression that builds the layer, with only non-default arguments.

        Example:
            >>> LayerSpec(units=4, activation=None, return_sequences=True).keras_code()
            'keras.layers.SimpleRNN(4, activation=None, return_sequences=True)'
        """
        names = ["activation", "use_bias", "return_sequences", "return_state"]
        if self.cell == "lstm":
            names[1:1] = ["recurrent_activation", "unit_forget_bias"]
        elif self.cell == "gru":
            names[1:1] = ["recurrent_activation", "reset_after"]
        names.append("go_backwards")
        arguments = [str(self.units)] + [
            f"{name}={_python_literal(getattr(self, name))}"
            for name in names
            if getattr(self, name) != _KERAS_DEFAULTS[name]
        ]
        code = f"keras.layers.{self.keras_class_name}({', '.join(arguments)})"
        if not self.bidirectional:
            return code
        if self.merge_mode == "concat":  # Bidirectional's default
            return f"keras.layers.Bidirectional({code})"
        merge = _python_literal(self.merge_mode)
        return f"keras.layers.Bidirectional({code}, merge_mode={merge})"

    def replace(self, **changes: object) -> LayerSpec:
        """A copy with some fields changed (validated like a new spec)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return LayerSpec(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """The fields as a plain dict (JSON-ready)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

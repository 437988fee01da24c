"""One NumPy function per Keras cell: a single timestep, written out.

Row-vector convention, as Keras stores the weights: `x_t · Wx` with Wx of shape
(features, units·g). Every step returns the new states and the intermediates the app
shows (x_t·Wx, h_{t-1}·Wh, the pre-activations, each gate). x_t·Wx does not depend on
the state, so a caller may pass it precomputed for the whole sequence (`x_wx`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.activations import get_activation, is_elementwise
from rnn_core.spec import LayerSpec

StepParts = dict[str, np.ndarray]


def gate_blocks(stacked: np.ndarray, count: int) -> list[np.ndarray]:
    """Split the last axis into `count` equal gate blocks (views, unlike np.split)."""
    width = stacked.shape[-1] // count
    return [stacked[..., k * width : (k + 1) * width] for k in range(count)]


@dataclass(frozen=True)
class CellWeights:
    """The weights of one direction of a layer, as Keras stores them."""

    kernel: np.ndarray  # Wx, (features, units·g)
    recurrent_kernel: np.ndarray  # Wh, (units, units·g)
    bias: np.ndarray | None  # b, (units·g,) or (2, units·g) for GRU reset_after

    @property
    def input_bias(self) -> np.ndarray | None:
        """The bias added to x_t·Wx: (units·g,)."""
        if self.bias is None:
            return None
        return self.bias[0] if self.bias.ndim == 2 else self.bias

    @property
    def recurrent_bias(self) -> np.ndarray | None:
        """GRU reset_after only: the bias added to h_{t-1}·Wh, (units·g,)."""
        if self.bias is None or self.bias.ndim == 1:
            return None
        return self.bias[1]


def activate_gates(
    name: str | None, stacked: np.ndarray, count: int
) -> list[np.ndarray]:
    """The activation `name` applied to each of `count` gate blocks of `stacked`.

    Keras applies it gate by gate; for an elementwise activation that is the same as
    one call on the whole stacked array, which is what this does (fewer NumPy calls).
    """
    activation = get_activation(name)
    if is_elementwise(name):
        return gate_blocks(activation(stacked), count)
    return [activation(block) for block in gate_blocks(stacked, count)]


def simple_rnn_step(
    spec: LayerSpec,
    weights: CellWeights,
    x_t: np.ndarray,
    states: list[np.ndarray],
    x_wx: np.ndarray | None = None,
) -> tuple[list[np.ndarray], StepParts]:
    """h_t = act(x_t·Wx + b + h_{t-1}·Wh). `x_t` is (batch, features)."""
    (h_prev,) = states  # (batch, units)
    if x_wx is None:
        x_wx = x_t @ weights.kernel  # (batch, units)
    h_wh = h_prev @ weights.recurrent_kernel  # (batch, units)
    pre = x_wx if weights.bias is None else x_wx + weights.bias
    pre = pre + h_wh
    h = get_activation(spec.activation)(pre)
    return [h], {"x_Wx": x_wx, "h_Wh": h_wh, "pre": pre, "h": h}


def lstm_step(
    spec: LayerSpec,
    weights: CellWeights,
    x_t: np.ndarray,
    states: list[np.ndarray],
    x_wx: np.ndarray | None = None,
) -> tuple[list[np.ndarray], StepParts]:
    """One LSTM step, gates in Keras' order i, f, c, o.

    i, f, o = σ(pre_gate); c~ = act(pre_c); c_t = f ⊙ c_{t-1} + i ⊙ c~;
    h_t = o ⊙ act(c_t), with pre = x_t·Wx + h_{t-1}·Wh + b of shape (batch, 4·units).
    """
    h_prev, c_prev = states  # each (batch, units)
    activation = get_activation(spec.activation)
    if x_wx is None:
        x_wx = x_t @ weights.kernel  # (batch, 4·units)
    h_wh = h_prev @ weights.recurrent_kernel  # (batch, 4·units)
    pre = x_wx + h_wh
    if weights.bias is not None:
        pre = pre + weights.bias
    # σ on all four blocks at once; the c block's σ is unused (c~ takes `activation`).
    i, f, _, o = activate_gates(spec.recurrent_activation, pre, 4)
    c_tilde = activation(gate_blocks(pre, 4)[2])
    c = f * c_prev + i * c_tilde
    h = o * activation(c)
    parts = {
        "x_Wx": x_wx,
        "h_Wh": h_wh,
        "pre": pre,
        "i": i,
        "f": f,
        "c_tilde": c_tilde,
        "o": o,
        "c": c,
        "h": h,
    }
    return [h, c], parts


def gru_step(
    spec: LayerSpec,
    weights: CellWeights,
    x_t: np.ndarray,
    states: list[np.ndarray],
    x_wx: np.ndarray | None = None,
) -> tuple[list[np.ndarray], StepParts]:
    """One GRU step, gates in Keras' order z, r, h.

    z = σ(x·Wx_z + bx_z + h·Wh_z [+ bh_z]), r likewise;
    reset_after=True:  h~ = act(x·Wx_h + bx_h + r ⊙ (h·Wh_h + bh_h));
    reset_after=False: h~ = act(x·Wx_h + b_h + (r ⊙ h)·Wh_h);
    h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h~.
    """
    (h_prev,) = states  # (batch, units)
    zr = slice(0, 2 * spec.units)  # the z and r blocks, side by side
    candidate = slice(2 * spec.units, 3 * spec.units)  # the h block
    activation = get_activation(spec.activation)
    if x_wx is None:
        x_wx = x_t @ weights.kernel  # (batch, 3·units)
    input_part = x_wx if weights.input_bias is None else x_wx + weights.input_bias
    h_wh = h_prev @ weights.recurrent_kernel  # (batch, 3·units)
    inner = h_wh
    if weights.recurrent_bias is not None:  # reset_after only
        inner = inner + weights.recurrent_bias
    pre_zr = input_part[:, zr] + inner[:, zr]  # (batch, 2·units)
    pre_z, pre_r = gate_blocks(pre_zr, 2)
    z, r = activate_gates(spec.recurrent_activation, pre_zr, 2)
    if spec.reset_after:
        recurrent_h = r * inner[:, candidate]
    else:
        recurrent_h = (r * h_prev) @ weights.recurrent_kernel[:, candidate]
    pre_h = input_part[:, candidate] + recurrent_h
    h_tilde = activation(pre_h)
    h = z * h_prev + (1 - z) * h_tilde
    parts = {
        "x_Wx": x_wx,
        "h_Wh": h_wh,
        "pre_z": pre_z,
        "pre_r": pre_r,
        "pre_h": pre_h,
        "z": z,
        "r": r,
        "recurrent_h": recurrent_h,  # r ⊙ (h·Wh_h + bh_h), or (r ⊙ h)·Wh_h
        "h_tilde": h_tilde,
        "h": h,
    }
    return [h], parts


CELL_STEPS = {"simple_rnn": simple_rnn_step, "lstm": lstm_step, "gru": gru_step}

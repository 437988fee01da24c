"""`rnn_core.limits.check_trace_size`: one state array of a trace stays within
MAX_STATE_ELEMENTS (batch × timesteps × units × directions)."""

from __future__ import annotations

import pytest

from rnn_core import LayerSpec
from rnn_core.limits import MAX_STATE_ELEMENTS, check_trace_size


def test_the_limit_is_two_million_values():
    assert MAX_STATE_ELEMENTS == 2_000_000


def test_a_trace_at_the_limit_passes_and_one_more_value_fails():
    spec = LayerSpec(units=250)
    check_trace_size(spec, batch=16, timesteps=500)  # 16 × 500 × 250 = 2,000,000
    with pytest.raises(ValueError, match="units") as error:
        check_trace_size(spec.replace(units=251), batch=16, timesteps=500)
    message = str(error.value)
    assert "16 × 500 × 251 × 1 = 2,008,000" in message
    assert "2,000,000" in message


def test_bidirectional_counts_both_directions():
    one_way = LayerSpec(cell="lstm", units=200)
    check_trace_size(one_way, batch=20, timesteps=500)  # 2,000,000
    with pytest.raises(ValueError, match=r"× 2 = 4,000,000"):
        check_trace_size(one_way.replace(bidirectional=True), batch=20, timesteps=500)


def test_the_largest_allowed_layer_on_a_small_input_passes():
    check_trace_size(LayerSpec(units=256, bidirectional=True), 32, 100)


@pytest.mark.parametrize(
    ("batch", "timesteps", "field"),
    [(0, 5, "batch"), (2, -1, "timesteps"), (True, 5, "batch"), (2, 2.5, "timesteps")],
)
def test_bad_sizes_name_the_argument(batch, timesteps, field):
    with pytest.raises(ValueError, match=f"`{field}`"):
        check_trace_size(LayerSpec(), batch, timesteps)


def test_spec_must_be_a_layer_spec():
    with pytest.raises(ValueError, match="`spec`"):
        check_trace_size("simple_rnn", 1, 1)  # type: ignore[arg-type]

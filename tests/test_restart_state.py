"""What a new session does with a view whose input it does not have (ui.restart).

A page that reconnects after the server restarted, like a link opened anew, is a new
session with only its URL. The URL says where the view's input came from
(`source=upload&file=<name>`, `weights_file=<name>`, `source=table`): the page shows
the generator's input (or the seeded weights) meanwhile, asks for that file by its
name in the session's language, and keeps the marker in the URL until the user
chooses a file or another input. (The restart itself, with the browser's lost
uploader, is tests/test_restart.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_bursts_app import clicks
from tests.test_permalink import open_link  # a fresh session on a link
from ui import permalink
from ui.i18n import translate
from ui.settings import npy_bytes

NAME = "![x](http://127.0.0.1:9/x).csv"  # a name is data, quoted back as a field


# --- the link's parameters, without Streamlit running ---------------------------------


def test_a_link_carries_the_source_and_the_files_names():
    values = {
        "source": "upload",
        "upload.wanted": "mine.csv",
        "weights.wanted": "w.npz",
        "units": 3,
    }
    params = permalink.encode(values)
    assert params == {
        "units": "3",
        "source": "upload",
        "file": "mine.csv",
        "weights_file": "w.npz",
    }
    assert permalink.parse(params) == (values, [])


def test_a_file_name_too_long_or_empty_is_left_out():
    values, problems = permalink.parse({"file": "a" * 256, "weights_file": ""})
    assert values == {}
    assert [p.id for p in problems] == ["link.bad.text", "link.bad.text"]
    assert problems[0].fields["most"] == str(permalink.MAX_FILE_NAME)


# --- the app, through AppTest ---------------------------------------------------------


def layer_code(at: AppTest) -> str:
    (code,) = [c.value for c in at.main.code if "import keras" in c.value]
    return code


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


pytestmark = [pytest.mark.app, pytest.mark.keras]


def test_a_link_whose_input_was_a_file_asks_for_it_and_shows_the_generator():
    at = open_link(source="upload", file=NAME, cell="gru", timesteps="3")
    asked = translate("restart.upload.link", "en", name=NAME)
    assert translate("set.problem.input", "en", error=asked) in errors(at)
    assert translate("set.generator_meanwhile", "en") in [i.value for i in at.info]
    assert "(32, 3, 8)" in layer_code(at)  # the generator's input, the link's shape
    assert "keras.layers.GRU(" in layer_code(at)
    assert at.radio(key="cfg.source").value == "upload"
    # The URL keeps asking for the file (a second restart still knows its name).
    assert at.query_params["source"] == "upload"
    assert at.query_params["file"] == NAME
    at.run()
    assert translate("set.problem.input", "en", error=asked) in errors(at)

    # Choosing the file again: its input, no more message, its name in the URL.
    x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    at.session_state["upload.file"] = ("again.npy", npy_bytes(x))
    at.run()
    assert not errors(at), errors(at)
    assert "(1, 4, 3)" in layer_code(at)
    assert at.query_params["file"] == "again.npy"
    assert "upload.wanted" not in at.session_state


def test_choosing_the_generator_stops_asking_for_the_file():
    at = open_link(source="upload", file="mine.csv")
    assert errors(at)
    at.radio(key="cfg.source").set_value("generator").run()
    assert not errors(at), errors(at)
    assert "source" not in at.query_params
    assert "file" not in at.query_params
    at.radio(key="cfg.source").set_value("upload").run()
    assert errors(at) == [
        translate("set.problem.input", "en", error=translate("set.upload.none", "en"))
    ]


def test_the_message_is_in_the_sessions_language():
    at = open_link(source="upload", file="datos.csv", lang="es")
    asked = translate("restart.upload.link", "es", name="datos.csv")
    assert translate("set.problem.input", "es", error=asked) in errors(at)
    assert translate("set.generator_meanwhile", "es") in [i.value for i in at.info]


def test_a_link_whose_weights_were_a_file_asks_for_it_and_uses_the_seeded_ones():
    at = open_link(weights_file="w.npz", weights_seed="3")
    assert errors(at) == [translate("restart.weights.link", "en", name="w.npz")]
    assert at.query_params == {"weights_seed": "3", "weights_file": "w.npz"}
    assert "(32, 1, 8)" in layer_code(at)  # the view still computes
    # Drawing new weights is choosing the seeded ones: the request is dropped.
    clicks(at, "weights.draw", 1)  # a counting button (ui/clicks.py)
    assert not errors(at), errors(at)
    assert at.query_params == {"weights_seed": "4"}


def test_a_link_whose_input_was_a_typed_table_says_it_shows_the_example():
    at = open_link(source="table")
    assert translate("restart.table", "en") in errors(at)
    assert "(1, 5, 3)" in layer_code(at)  # the example table
    assert at.query_params == {"source": "table"}
    at.session_state["table.rows"] = [[1.0, 2.0, 3.0]]  # the user types a table
    at.run()
    assert not errors(at), errors(at)
    assert "(1, 1, 3)" in layer_code(at)


def test_a_link_without_a_file_name_shows_the_generator_and_asks_for_a_file():
    at = open_link("pages/2_Weights.py", source="upload")
    none = translate("set.upload.none", "en")
    assert errors(at) == [translate("set.problem.input", "en", error=none)]
    assert translate("set.generator_meanwhile", "en") in [i.value for i in at.info]
    assert at.main.markdown  # the page's body is drawn, on the generator's input

"""Permalinks: the view's settings in the URL's query parameters (ui.permalink).

- `parse` and `encode` without Streamlit running: good values are kept, bad ones are
  left out with a problem naming the parameter and what is allowed, random junk never
  raises and never yields a value a setting may not hold; encode → parse round-trips.
- The app through AppTest with `at.query_params`: a link sets the layer, the input
  and the page's numbers; bad parameters give a warning and the defaults; every run
  writes the non-default settings back into the URL; the link box shows the link.
- Page parameters (`walk`, `quiz`, `quiz_kind`): parsed and encoded like settings;
  a link opens that walkthrough step or that quiz question; only the page that owns
  them writes them into the URL and the link box.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from rnn_core import LayerSpec, quiz, trace
from rnn_core.inputs import generate
from ui import permalink
from ui.i18n import MESSAGES, translate
from ui.settings import DEFAULTS, check_value

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90


# --- parse and encode, without Streamlit running --------------------------------------


def test_parse_keeps_good_values_with_their_types():
    values, problems = permalink.parse(
        {
            "cell": "lstm",
            "units": "3",
            "activation": "tanh",
            "return_sequences": "1",
            "use_bias": "false",
            "timesteps": "5",
            "input_seed": "7",
            "step": "2",
            "lang": "es",
        }
    )
    assert problems == []
    assert values == {
        "cell": "lstm",
        "units": 3,
        "activation": "tanh",
        "return_sequences": True,
        "use_bias": False,
        "timesteps": 5,
        "input_seed": 7,
        "step": 2,
        "language": "es",
    }


@pytest.mark.parametrize(
    ("params", "message_id", "allowed"),
    [
        ({"cell": "transformer"}, "link.bad.choice", "simple_rnn, lstm, gru"),
        ({"units": "0"}, "link.bad.int", "1"),
        ({"units": "4.5"}, "link.bad.int", "256"),
        ({"batch": "lots"}, "link.bad.int", "256"),
        ({"return_state": "maybe"}, "link.bad.bool", ""),
        ({"lang": "fr"}, "link.bad.choice", "en, es"),
        ({"text": "x" * 501}, "link.bad.text", "500"),
        ({"colour": "red"}, "link.unknown", ""),
        # The source is in a link (a file's name too, never its content).
        ({"source": "camera"}, "link.bad.choice", "generator, upload, table"),
        ({"file": "x" * 256}, "link.bad.text", "255"),
    ],
)
def test_parse_reports_bad_values_and_leaves_them_out(params, message_id, allowed):
    values, problems = permalink.parse(params)
    assert values == {}
    [problem] = problems
    assert problem.id == message_id
    name = next(iter(params))
    shown = translate(problem.id, "en", **problem.fields)
    assert name in shown
    assert allowed in shown
    translate(problem.id, "es", **problem.fields)  # both languages format


def test_parse_drops_a_shape_over_the_input_limit():
    values, problems = permalink.parse(
        {"batch": "256", "timesteps": "500", "features": "128", "cell": "gru"}
    )
    assert values == {"cell": "gru"}
    assert [p.id for p in problems] == ["link.bad.size"]
    assert "200,000" in translate("link.bad.size", "en", **problems[0].fields)


def test_parse_takes_the_last_of_repeated_parameters_and_ignores_embed():
    values, problems = permalink.parse({"units": ["2", "9"], "embed": "true"})
    assert values == {"units": 9}
    assert problems == []


@given(
    st.dictionaries(
        st.sampled_from(
            [
                *DEFAULTS,
                *permalink.PAGE_PARAMS,
                *permalink.UPLOAD_PARAMS,
                *("lang", "embed", "page", ""),
            ]
        )
        | st.text(max_size=8),
        st.text(max_size=30) | st.lists(st.text(max_size=10), max_size=3),
        max_size=12,
    )
)
def test_parse_never_raises_and_keeps_only_allowed_values(params):
    values, problems = permalink.parse(params)
    for name, value in values.items():
        if name == "language":
            assert value in ("en", "es")
            continue
        if name in permalink.UPLOAD_KEYS:  # a file's name: any short text
            assert 0 < len(value) <= permalink.MAX_FILE_NAME
            continue
        if name in permalink.PAGE_KEYS:
            [param] = [p for p in permalink.PAGE_PARAMS.values() if p.key == name]
            assert param.holds(value)
            continue
        assert name in DEFAULTS
        assert name not in permalink.NOT_IN_LINKS
        assert check_value(name, value, DEFAULTS[name]) == (value, None)
    for problem in problems:
        assert problem.id in MESSAGES
        translate(problem.id, "en", **problem.fields)
        translate(problem.id, "es", **problem.fields)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "cell": st.sampled_from(["simple_rnn", "lstm", "gru"]),
            "units": st.integers(1, 256),
            "return_state": st.booleans(),
            "bidirectional": st.booleans(),
            "merge_mode": st.sampled_from(["concat", "sum", "ave", "mul", "None"]),
            "input_seed": st.integers(0, 2**32 - 1),
            "text": st.text(max_size=20),
            "batch": st.integers(1, 20),
            "step": st.integers(0, 499),
            "walk.step": st.integers(0, permalink.WALK_STEPS - 1),
            "quiz.seed": st.integers(0, permalink.MAX_QUIZ_SEED),
            "quiz.kind": st.sampled_from(["any", *quiz.KINDS]),
        },
    ),
    st.sampled_from(["en", "es"]),
)
def test_encode_then_parse_round_trips(values, language):
    params = permalink.encode(values, language)
    assert all(isinstance(v, str) for v in params.values())
    assert not any(values.get(n) == DEFAULTS.get(n) and n in params for n in values)
    parsed, problems = permalink.parse(params)
    assert problems == []
    page_defaults = {p.key: p.default for p in permalink.PAGE_PARAMS.values()}
    defaults = {**DEFAULTS, **page_defaults}
    expected = {n: v for n, v in values.items() if v != defaults[n]}
    if language != "en":
        expected["language"] = language
    assert parsed == expected


def test_the_default_view_has_an_empty_query():
    assert permalink.encode(dict(DEFAULTS), "en") == {}


def test_parse_reads_page_parameters_into_their_session_keys():
    values, problems = permalink.parse(
        {"walk": "4", "quiz": "123", "quiz_kind": "unit", "cell": "gru"}
    )
    assert problems == []
    # The URL counts walkthrough steps from 1, the page from 0.
    assert values == {
        "walk.step": 3,
        "quiz.seed": 123,
        "quiz.kind": "unit",
        "cell": "gru",
    }
    assert permalink.parse({"walk": "1"})[0] == {"walk.step": 0}
    assert permalink.parse({"walk": "8"})[0] == {"walk.step": 7}


@pytest.mark.parametrize(
    ("params", "message_id", "allowed"),
    [
        ({"walk": "0"}, "link.bad.int", "from 1 to 8"),
        ({"walk": "9"}, "link.bad.int", "from 1 to 8"),
        ({"walk": "two"}, "link.bad.int", "from 1 to 8"),
        ({"walk": "2.0"}, "link.bad.int", "from 1 to 8"),
        ({"quiz": "-1"}, "link.bad.int", "from 0 to 999999"),
        ({"quiz": "1000000"}, "link.bad.int", "from 0 to 999999"),
        ({"quiz_kind": "essay"}, "link.bad.choice", "any, shapes, equal, unit"),
        ({"quiz_number": "3"}, "link.unknown", ""),  # the number is per session
    ],
)
def test_parse_reports_bad_page_parameters(params, message_id, allowed):
    values, problems = permalink.parse(params)
    assert values == {}
    [problem] = problems
    assert problem.id == message_id
    shown = translate(problem.id, "en", **problem.fields)
    assert next(iter(params)) in shown
    assert allowed in shown
    translate(problem.id, "es", **problem.fields)


def test_encode_writes_page_values_leaving_out_defaults_and_bad_ones():
    assert permalink.encode({"walk.step": 3, "cell": "lstm"}) == {
        "cell": "lstm",
        "walk": "4",
    }
    assert permalink.encode({"walk.step": 0}) == {}  # the first step is the default
    assert permalink.encode({"quiz.seed": 0, "quiz.kind": "any"}) == {"quiz": "0"}
    assert permalink.encode({"quiz.seed": 5, "quiz.kind": "equal"}, "es") == {
        "quiz": "5",
        "quiz_kind": "equal",
        "lang": "es",
    }
    # Values a page parameter may not hold never reach a link.
    for bad in ({"walk.step": 8}, {"walk.step": -1}, {"walk.step": True}):
        assert permalink.encode(bad) == {}
    assert permalink.encode({"quiz.seed": "7", "quiz.kind": "essay"}) == {}


def test_claim_rejects_a_name_that_is_not_a_page_parameter():
    with pytest.raises(ValueError, match="step"):
        permalink.claim("step")


# --- the app, through AppTest ---------------------------------------------------------


def open_link(page: str = "app.py", **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.app
@pytest.mark.keras
def test_a_link_sets_the_layer_the_input_and_the_numbers():
    at = open_link(
        cell="lstm",
        units="3",
        activation="tanh",
        return_sequences="1",
        timesteps="4",
        input_seed="5",
        weights_seed="2",
    )
    assert not at.warning, [w.value for w in at.warning]
    code = at.main.code[0].value
    assert "keras.layers.LSTM(3, return_sequences=True)" in code
    assert "(32, 4, 8)" in code
    assert "seed 5" in code
    spec = LayerSpec(cell="lstm", units=3, activation="tanh", return_sequences=True)
    x = generate("uniform", 32, 4, 8, 5)
    expected = trace(spec, x, seed=2)
    assert at.metric[0].value == f"{expected.max_abs_residual:.1e}"
    assert at.session_state["cfg.cell"] == "lstm"
    assert at.session_state["cfg.input_seed"] == 5
    # The URL keeps exactly these (non-default) settings after the run.
    assert at.query_params == {
        "cell": "lstm",
        "units": "3",
        "activation": "tanh",
        "return_sequences": "1",
        "timesteps": "4",
        "input_seed": "5",
        "weights_seed": "2",
    }


@pytest.mark.app
@pytest.mark.keras
def test_bad_parameters_warn_and_fall_back_to_the_defaults():
    at = open_link(cell="transformer", units="-3", timesteps="3", colour="red")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 3, warnings
    assert any(
        "`cell='transformer'`" in w and "simple_rnn, lstm, gru" in w for w in warnings
    )
    assert any("`units='-3'`" in w and "from 1 to 256" in w for w in warnings)
    assert any("`'colour'` is not a setting" in w for w in warnings)
    code = at.main.code[0].value
    assert "keras.layers.SimpleRNN(4, activation=None)" in code  # the defaults
    assert "(32, 3, 8)" in code  # the good parameter is used
    assert at.query_params == {"timesteps": "3"}
    at.run()  # the notice shows once, on the run that opened the link
    assert not at.warning


@pytest.mark.app
@pytest.mark.keras
def test_a_link_to_the_step_page_shows_that_step():
    at = open_link(
        "pages/1_Step_through_time.py", timesteps="5", step="3", batch_index="2"
    )
    shown = "\n".join(m.value for m in at.markdown)
    assert "**Step 3** reads input timestep **3** of batch item **2**." in shown
    spec = LayerSpec(units=4, activation=None)
    expected = trace(spec, generate("uniform", 32, 5, 8, 0), seed=0)
    h3 = expected.keras_states["h"][2, 3]
    latex = "\n".join(item.value for item in at.latex)
    assert f"{h3[0]:.4g}" in latex
    at.slider(key="cfg.step").set_value(1).run()
    assert at.query_params["step"] == "1"  # the URL follows the slider
    # and so does the link box, drawn in the step's fragment on this page
    assert "step=1" in at.main.code[0].value
    assert not at.sidebar.code
    assert translate("link.in_page", "en") in [c.value for c in at.sidebar.caption]


@pytest.mark.app
@pytest.mark.keras
def test_a_link_in_spanish_and_the_link_box():
    at = open_link(lang="es", cell="gru")
    assert at.selectbox(key="cfg.language").value == "es"
    assert at.main.subheader[0].value == translate("home.layer", "es")
    link = at.sidebar.code[0].value
    assert link.endswith("?cell=gru&lang=es"), link
    assert translate("link.caption", "es") in [c.value for c in at.sidebar.caption]
    at.selectbox(key="cfg.language").set_value("en").run()
    assert at.query_params == {"cell": "gru"}
    assert at.sidebar.code[0].value.endswith("?cell=gru")


@pytest.mark.app
@pytest.mark.keras
def test_the_link_survives_a_page_change_and_says_what_it_cannot_carry():
    at = open_link(cell="gru", units="2")
    at.switch_page(str(ROOT / "pages" / "2_Weights.py")).run()
    assert not at.exception
    assert at.query_params == {"cell": "gru", "units": "2"}
    assert at.session_state["cfg.cell"] == "gru"
    at.radio(key="cfg.source").set_value("table").run()
    captions = [c.value for c in at.sidebar.caption]
    assert translate("link.no_table", "en") in captions


# --- page parameters in the app -------------------------------------------------------

WALK_PAGE = "pages/5_Walkthrough.py"
QUIZ_PAGE = "pages/6_Check_yourself.py"


@pytest.mark.app
@pytest.mark.keras
def test_a_link_opens_that_walkthrough_step_and_follows_it():
    at = open_link(WALK_PAGE, walk="4", cell="gru")
    assert not at.warning, [w.value for w in at.warning]
    assert at.main.header[0].value == translate("walk.hand.title", "en")
    assert at.session_state["walk.step"] == 3
    assert len(at.radio(key="walk.step").options) == permalink.WALK_STEPS
    assert at.query_params == {"cell": "gru", "walk": "4"}
    assert at.sidebar.code[0].value.endswith("?cell=gru&walk=4")
    at.button(key="walk.next").click().run()
    assert at.main.header[0].value == translate("walk.agree.title", "en")
    assert at.query_params == {"cell": "gru", "walk": "5"}
    assert at.sidebar.code[0].value.endswith("?cell=gru&walk=5")
    at.radio(key="walk.step").set_value(0).run()
    assert at.query_params == {"cell": "gru"}  # step 1 is the default: left out


@pytest.mark.app
@pytest.mark.keras
def test_a_bad_walk_parameter_warns_and_opens_the_first_step():
    at = open_link(WALK_PAGE, walk="12")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1, warnings
    assert "`walk='12'`" in warnings[0]
    assert "from 1 to 8" in warnings[0]
    assert at.main.header[0].value == translate("walk.input.title", "en")
    assert at.query_params == {}


@pytest.mark.app
@pytest.mark.keras
def test_a_quiz_link_opens_the_same_question():
    first = open_link(QUIZ_PAGE)  # a session that drew its own question
    seed = first.session_state["quiz.seed"]
    assert first.query_params == {"quiz": str(seed)}
    assert first.sidebar.code[0].value.endswith(f"?quiz={seed}")
    assert translate("link.quiz", "en") in [c.value for c in first.sidebar.caption]
    first.selectbox(key="quiz.kind").set_value("unit").run()
    assert first.query_params == {"quiz": str(seed), "quiz_kind": "unit"}
    link = first.sidebar.code[0].value
    assert link.endswith(f"?quiz={seed}&quiz_kind=unit"), link

    other = open_link(QUIZ_PAGE, quiz=str(seed), quiz_kind="unit")
    assert not other.warning, [w.value for w in other.warning]
    assert other.session_state["quiz.seed"] == seed
    assert other.subheader[0].value == first.subheader[0].value
    assert other.main.code[0].value == first.main.code[0].value
    assert [m.value for m in other.latex] == [m.value for m in first.latex]
    expected = quiz.question_code(quiz.make_question(seed, "unit"))
    assert other.main.code[0].value == expected
    other.button(key="quiz.new").click().run()
    assert other.query_params == {"quiz": str(seed + 1), "quiz_kind": "unit"}


@pytest.mark.app
@pytest.mark.keras
def test_only_the_owning_page_writes_its_parameters():
    at = open_link(walk="3", quiz="42", cell="lstm")  # opened on Home
    assert not at.warning, [w.value for w in at.warning]
    assert at.query_params == {"cell": "lstm"}  # Home owns neither
    at.switch_page(str(ROOT / WALK_PAGE)).run()
    assert not at.exception
    assert at.query_params == {"cell": "lstm", "walk": "3"}
    assert at.main.header[0].value == translate("walk.weights.title", "en")
    at.switch_page(str(ROOT / "pages" / "2_Weights.py")).run()
    assert not at.exception
    assert at.query_params == {"cell": "lstm"}
    link = at.sidebar.code[0].value
    assert link.endswith("?cell=lstm"), link  # no walk, no quiz
    at.switch_page(str(ROOT / QUIZ_PAGE)).run()
    assert not at.exception
    assert at.query_params == {"cell": "lstm", "quiz": "42"}

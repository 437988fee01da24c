"""Permalinks: the view's settings in the URL's query parameters.

A link such as `/Step_through_time?cell=lstm&units=3&timesteps=5&step=2&lang=es`
opens that exact view in a new session: the page is the URL's path (each page of
`st.navigation` has its own), the query holds every setting that differs from its
default (`ui.settings.DEFAULTS`) and the language.

Two pages also keep their own state in the link (`PAGE_PARAMS`): the Walkthrough's
step (`walk`, counted from 1 as the page shows it: `walk=4` is "Step 4 of 8") and the
Check-yourself question (`quiz`, its seed, and `quiz_kind` when the kind of question
is not "any"; the question's number in the session is not in the link). They are read
like the settings, but only the page that owns them writes them: that page calls
`claim(...)` just before `ui.settings.keep_settings`, so the Weights page's link
carries no walkthrough step.

- `parse(params)`: pure; query parameters (strings) -> (settings, problems). A value
  that is not allowed is left out (its default stays) and reported as a `Problem`
  (a message id of `ui.i18n` and its fields) naming the parameter and what is allowed.
- `encode(values, language)`: pure; the settings -> the query parameters of a link
  (non-default values only, so links stay short).
- `load()`: once per session, before any widget is drawn, puts the link's settings
  into `st.session_state`; returns the problems as translated texts.
- `claim(*names)`: this run's page owns these page parameters (see above).
- `write()`: after each run, the current settings back into `st.query_params`.
- `link_box()`: the sidebar's "link to this view" (a code block with a copy button).

Uploaded files and hand-typed tables cannot travel in a URL, but the link says what
the view's input was: `source=upload` (or `table`) and the uploaded files' names
(`UPLOAD_PARAMS`: `file` for the input, `weights_file` for an .npz of weights). A new
session opened from such a link, or a page reconnecting after the server restarted
(`ui.restart`), shows the generator's input meanwhile and asks for the file again,
naming it. The URL always holds the current view: after a restart it is what the new
session rebuilds the view from (its values win over the widget values the browser
sends, and the widgets are set to them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from rnn_core.limits import MAX_INPUT_ELEMENTS
from rnn_core.markup import Markup
from rnn_core.number_text import parse_whole_number
from rnn_core.quiz import KINDS as QUIZ_KINDS

LANGUAGE_PARAM = "lang"
LOADED_KEY = "permalink.loaded"  # set once the session has read its URL
NOTICES_KEY = "permalink.notices"  # the link's problems, until a page shows them
# Settings a link carries: every sidebar setting but the table's width and the play
# state. The input source is in it (`source=upload`), so that the view says what it
# cannot carry (see UPLOAD_PARAMS).
NOT_IN_LINKS = frozenset({"table_features", "playing"})
# Query name -> session key: the name of the uploaded file the view used, kept while
# it is missing (a new session), so the page can ask for that file again.
UPLOAD_PARAMS = {"file": "upload.wanted", "weights_file": "weights.wanted"}
UPLOAD_KEYS = frozenset(UPLOAD_PARAMS.values())
MAX_FILE_NAME = 255  # characters of an uploaded file's name a link may carry
# Query parameters Streamlit itself reads; never settings, never reported.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
TRUE = frozenset({"1", "true", "on", "yes"})
FALSE = frozenset({"0", "false", "off", "no"})
MAX_SHOWN = 40  # characters of a bad value quoted back to the user
CLAIM_KEY = "permalink.claim"  # page parameters claimed by the page, for one write()
OWNED_KEY = "permalink.owned"  # page parameters this run's page owns (after write())
WALK_STEPS = 8  # steps of the Walkthrough page (pages/5_Walkthrough.py)
MAX_QUIZ_SEED = 999_999  # questions of the Check-yourself page: seeds 0 to this
ANY_KIND = "any"  # the Check-yourself page's "any kind of question"


@dataclass(frozen=True)
class Problem:
    """Why one query parameter was not used: a message id of `ui.i18n` and fields."""

    id: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageParam:
    """A query parameter holding one page's own state (not a sidebar setting).

    Attributes:
        key: its `st.session_state` key.
        allowed: (lowest, highest) as written in the URL for a whole number, or the
            allowed texts.
        default: the value the page starts with (left out of links); None: none.
        shift: URL number = session value + shift (1: counted from 1 in the URL).
    """

    key: str
    allowed: tuple[int, int] | tuple[str, ...]
    default: Any = None
    shift: int = 0

    @property
    def is_number(self) -> bool:
        return isinstance(self.allowed[0], int)

    def holds(self, value: Any) -> bool:
        """Whether a session value is one this parameter may carry."""
        if self.is_number:
            low, high = self.allowed
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and low <= value + self.shift <= high
            )
        return isinstance(value, str) and value in self.allowed


# Query name -> the page state it carries, in the order links write them.
PAGE_PARAMS: dict[str, PageParam] = {
    "walk": PageParam("walk.step", (1, WALK_STEPS), default=0, shift=1),
    "quiz": PageParam("quiz.seed", (0, MAX_QUIZ_SEED)),
    "quiz_kind": PageParam("quiz.kind", (ANY_KIND, *QUIZ_KINDS), default=ANY_KIND),
}
PAGE_KEYS = frozenset(p.key for p in PAGE_PARAMS.values())


def _settings() -> Any:
    from ui import settings  # ui.settings imports this module: import on use

    return settings


def linked_names() -> tuple[str, ...]:
    """The settings a link carries, in the order of `ui.settings.DEFAULTS`."""
    return tuple(n for n in _settings().DEFAULTS if n not in NOT_IN_LINKS)


def _listed(allowed: Any) -> Markup:
    """The allowed values, the app's own names: Markdown as they are."""
    return Markup(", ".join(allowed))


def _quoted(value: str) -> str:
    return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")


def _parse_one(name: str, text: str) -> tuple[Any, Problem | None]:
    """One setting's value from its text, or the problem with it."""
    kind, allowed = _settings().RULES[name]
    shown = {"name": name, "value": _quoted(text)}
    if kind == "bool":
        word = text.strip().lower()
        if word in TRUE | FALSE:
            return word in TRUE, None
        return None, Problem("link.bad.bool", shown)
    if kind == "choice":
        if text in allowed:
            return text, None
        return None, Problem("link.bad.choice", {**shown, "allowed": _listed(allowed)})
    if kind == "text":
        if len(text) <= allowed:
            return text, None
        return None, Problem("link.bad.text", {**shown, "most": str(allowed)})
    low, high = allowed
    number = parse_whole_number(text)  # ASCII digits only, as on the command line
    if number is not None and low <= number <= high:
        return number, None
    return None, Problem("link.bad.int", {**shown, "low": str(low), "high": str(high)})


def _parse_page_param(name: str, text: str) -> tuple[Any, Problem | None]:
    """One page parameter's session value from its text, or the problem with it."""
    param = PAGE_PARAMS[name]
    shown = {"name": name, "value": _quoted(text)}
    if not param.is_number:
        if text in param.allowed:
            return text, None
        return None, Problem(
            "link.bad.choice", {**shown, "allowed": _listed(param.allowed)}
        )
    low, high = param.allowed
    number = parse_whole_number(text)
    if number is not None and low <= number <= high:
        return number - param.shift, None
    return None, Problem("link.bad.int", {**shown, "low": str(low), "high": str(high)})


def parse(
    params: Mapping[str, str | list[str]],
) -> tuple[dict[str, Any], list[Problem]]:
    """The settings a link sets, and the problems of its bad parameters.

    Args:
        params: query parameter -> its text (the last one counts when a parameter
            is repeated, as in `st.query_params`).

    Returns:
        (setting name -> checked value, plus "language" when the link sets one,
        plus a page parameter's session key -> its session value (e.g.
        "walk.step" -> 3 for `walk=4`), plus an uploaded file's name under its
        session key (`UPLOAD_PARAMS`); one `Problem` per parameter that was left
        out). Settings not in the link, or left out, keep their defaults.
    """
    from ui.i18n import LANGUAGES

    names = set(linked_names())
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in params.items():
        text = (raw[-1] if raw else None) if isinstance(raw, list) else raw
        if not isinstance(text, str) or name in STREAMLIT_PARAMS:
            continue
        if name == LANGUAGE_PARAM:
            if text in LANGUAGES:
                values["language"] = text
            else:
                problems.append(
                    Problem(
                        "link.bad.choice",
                        {
                            "name": name,
                            "value": _quoted(text),
                            "allowed": _listed(LANGUAGES),
                        },
                    )
                )
            continue
        if name in UPLOAD_PARAMS:
            if 0 < len(text) <= MAX_FILE_NAME:
                values[UPLOAD_PARAMS[name]] = text
            else:
                problems.append(
                    Problem(
                        "link.bad.text",
                        {
                            "name": name,
                            "value": _quoted(text),
                            "most": str(MAX_FILE_NAME),
                        },
                    )
                )
            continue
        if name in PAGE_PARAMS:
            value, problem = _parse_page_param(name, text)
            if problem is None:
                values[PAGE_PARAMS[name].key] = value
            else:
                problems.append(problem)
            continue
        if name not in names:
            problems.append(Problem("link.unknown", {"name": _quoted(name)}))
            continue
        value, problem = _parse_one(name, text)
        if problem is None:
            values[name] = value
        else:
            problems.append(problem)
    problems += _check_size(values)
    return values, problems


def _check_size(values: dict[str, Any]) -> list[Problem]:
    """Drop batch, timesteps and features when together they exceed the limit."""
    defaults = _settings().DEFAULTS
    shape = [values.get(n, defaults[n]) for n in ("batch", "timesteps", "features")]
    generator = values.get("generator", defaults["generator"])
    if generator == "one_hot_text":  # the text sets timesteps and features
        return []
    batch, timesteps, features = shape
    if batch * timesteps * features <= MAX_INPUT_ELEMENTS:
        return []
    for name in ("batch", "timesteps", "features"):
        values.pop(name, None)
    return [
        Problem(
            "link.bad.size",
            {
                "shape": f"{batch} × {timesteps} × {features}",
                "count": f"{batch * timesteps * features:,}",
                "most": f"{MAX_INPUT_ELEMENTS:,}",
            },
        )
    ]


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def encode(values: Mapping[str, Any], language: str = "en") -> dict[str, str]:
    """The query parameters of a link: the settings that differ from their defaults.

    Args:
        values: setting name -> value (missing names count as default), and page
            parameters by session key (e.g. "walk.step" -> 3 gives `walk=4`); a page
            value that is its default, or not one it may hold, is left out; and
            uploaded files' names by session key (e.g. "upload.wanted" gives
            `file=...`; None or "" is left out).
        language: the language of the view ("en", the default, is left out).
    """
    defaults = _settings().DEFAULTS
    params = {
        name: _text_of(values[name])
        for name in linked_names()
        if name in values and values[name] != defaults[name]
    }
    for name, param in PAGE_PARAMS.items():
        value = values.get(param.key)
        if value != param.default and param.holds(value):
            params[name] = _text_of(value + param.shift if param.is_number else value)
    for name, session_key in UPLOAD_PARAMS.items():
        file_name = values.get(session_key)
        if isinstance(file_name, str) and file_name:
            params[name] = file_name[:MAX_FILE_NAME]
    if language != "en":
        params[LANGUAGE_PARAM] = language
    return params


# --------------------------------------------------------------------------------------
# With Streamlit


def load() -> None:
    """Apply the URL's settings, once per session, before any widget is drawn.

    Called by `app.py` before the page titles are made (so they are in the link's
    language) and by `ui.settings.keep_settings` (pages run on their own, in tests).
    One translated notice per parameter left out waits in `NOTICES_KEY` for
    `notices()`.
    """
    import streamlit as st

    from ui import i18n

    state = st.session_state
    if state.get(LOADED_KEY):
        return
    state[LOADED_KEY] = True
    values, problems = parse(st.query_params.to_dict())
    settings = _settings()
    for name, value in values.items():
        if name == "language":
            state[i18n.LANGUAGE_KEY] = value
            state[i18n.REMEMBERED_KEY] = value
        elif name in PAGE_KEYS or name in UPLOAD_KEYS:
            state[name] = value
        else:
            state[settings.key(name)] = value
    if values.get("source") == "table":  # a table cannot be in a link: say so
        state["table.lost"] = True  # ui.restart.TABLE_LOST_KEY
    state[NOTICES_KEY] = [
        i18n.t("link.notice", problem=i18n.render(p)) for p in problems
    ]


def notices() -> list[str]:
    """The notices of the link this session opened with, once (for `st.warning`)."""
    import streamlit as st

    return list(st.session_state.pop(NOTICES_KEY, None) or [])


def claim(*names: str) -> None:
    """This run's page owns these page parameters (names of `PAGE_PARAMS`).

    Call it just before `ui.settings.keep_settings`: its `write()` takes the claim
    (for this run only), so the URL and the link box carry the page's state. Pages
    that do not claim write links without any page parameter.

    Raises:
        ValueError: a name that is not one of `PAGE_PARAMS`.
    """
    import streamlit as st

    unknown = [name for name in names if name not in PAGE_PARAMS]
    if unknown:
        raise ValueError(f"Not page parameters: {unknown}; known: {list(PAGE_PARAMS)}")
    st.session_state[CLAIM_KEY] = tuple(names)


def current() -> dict[str, str]:
    """The query parameters of the session's current view."""
    import streamlit as st

    from ui import i18n

    settings = _settings()
    state = st.session_state
    values = {name: state.get(settings.key(name)) for name in linked_names()}
    for name in state.get(OWNED_KEY, ()):
        values[PAGE_PARAMS[name].key] = state.get(PAGE_PARAMS[name].key)
    values.update(file_names())
    return encode({n: v for n, v in values.items() if v is not None}, i18n.language())


def file_names() -> dict[str, str]:
    """Session key -> name of each uploaded file the current view uses or wants.

    The input's file counts only while the source is an upload. A file the session
    holds (`upload.file`, `weights.file`: (name, bytes)) gives its name; else the
    name a link or the previous session asked for ("upload.wanted", ...).
    """
    import streamlit as st

    state = st.session_state
    names: dict[str, str] = {}
    for session_key, stored_key in (
        ("upload.wanted", "upload.file"),
        ("weights.wanted", "weights.file"),
    ):
        if session_key == "upload.wanted" and _settings().get("source") != "upload":
            continue
        stored = state.get(stored_key)
        name = stored[0] if isinstance(stored, tuple) else state.get(session_key)
        if isinstance(name, str) and name:
            names[session_key] = name
    return names


def write() -> None:
    """Put the current settings into the URL (only when they changed).

    It takes the `claim()` made since the last `write()` (for `link()` too); without
    one, the page owns no page parameter (pages that write twice in a run, as the
    sidebar's pages do, claim nothing).
    """
    import streamlit as st

    state = st.session_state
    state[OWNED_KEY] = tuple(state.pop(CLAIM_KEY, ()))
    params = current()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def link() -> str:
    """The link to this view: this page's URL and the settings' query."""
    import streamlit as st

    base = st.context.url or ""
    query = urlencode(current())
    return f"{base}?{query}" if query else base or "?"


def link_box(where: Any = None) -> None:
    """The copyable link to this view, and what it cannot carry.

    Args:
        where: the container to draw in; the sidebar by default. The Step page draws
            it inside its fragment, so the link follows the step without a full rerun.
    """
    import streamlit as st

    from ui.i18n import t

    settings = _settings()
    if where is None:
        where = st.sidebar
        where.header(t("link.header"))
    else:
        where.subheader(t("link.header"))
    where.code(link(), language=None, wrap_lines=True)
    where.caption(t("link.caption"))
    source = settings.get("source")
    if source != "generator":
        where.caption(t("link.no_upload" if source == "upload" else "link.no_table"))
    if st.session_state.get("weights.file") is not None:
        where.caption(t("link.no_weights"))

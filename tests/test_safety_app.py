"""Text from a user reaches the page as text, through every message path (AppTest).

Hostile links (values and names of query parameters, on the home and Train pages),
uploads (CSV and .npy names, a CSV cell, a weights .npz name, an .npz member name),
the one-hot text and a typed quiz answer each carry a corpus of payloads; every
Markdown text the run produced (bodies, labels, help) is parsed with a CommonMark
parser (tests/markdown_safety.py): no image, no link to the payloads' hosts, no HTML,
and in the messages quoting a payload no math, directive, emoji or bare link at all.
Each payload starts with a marker ("ZQ" and a letter), so the test also checks that
the message quoting it was shown.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.markdown_safety import PARSER, displayed, problems
from tests.test_app import TIMEOUT, open_page

pytestmark = [pytest.mark.app, pytest.mark.keras]

ROOT = Path(__file__).resolve().parent.parent
EVIL = "127.0.0.1:9"  # a loopback port nothing listens on
# Short enough that a link's 40-character quote keeps the whole attack.
PAYLOADS = [
    f"ZQa`![](http://{EVIL}/t.png)`",
    f"ZQb`**[Log in](http://{EVIL}/l)**`",
    "ZQc<img src=x onerror=alert(1)>",
    "ZQd$\\href{javascript:alert(1)}{x}$",
    "ZQe:red[x] :material/home: :smile:",
    "ZQf\u202e\u200b\u2066x\u2069",
    f"ZQg\n# h\n\n![](http://{EVIL}/n.png)",
    f"ZQh [c](http://{EVIL}/c) www.ev.il",
]
MARKERS = [payload[:3] for payload in PAYLOADS]
FIELDS = ("body", "label", "help", "placeholder")  # what Streamlit renders as Markdown


def markdown_texts(at: AppTest) -> list[str]:
    """Every Markdown text of the run: element bodies, widget labels and help."""
    texts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        for name in FIELDS:
            value = getattr(proto, name, None) if proto is not None else None
            if isinstance(value, str) and value:
                texts.append(value)
        for option in getattr(proto, "options", ()) or ():
            if isinstance(option, str):
                texts.append(option)
    return texts


def assert_safe(at: AppTest, markers: list[str]) -> None:
    """No active Markdown from the payloads, and each marker is quoted somewhere."""
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    for text in texts:
        for token in PARSER.parse(text):
            for child in [token, *(token.children or ())]:
                target = str(child.attrs.get("href", "")) + str(
                    child.attrs.get("src", "")
                )
                assert child.type != "image", text
                assert EVIL not in target, text
                assert "javascript:" not in target.lower(), text
                assert not child.type.startswith("html"), text
        if "ZQ" in displayed(text):
            assert problems(text) == [], text
    quoted = " ".join(displayed(text) for text in texts)
    missing = [marker for marker in markers if marker not in quoted]
    assert not missing, (missing, [t for t in texts if "ZQ" in t])


def open_link(page: Path, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(page), default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    return at


HOSTILE_LINK = {
    "units": PAYLOADS[0],
    "cell": PAYLOADS[1],
    "activation": PAYLOADS[2],
    "batch": PAYLOADS[3],
    "lang": PAYLOADS[4],
    "return_state": PAYLOADS[5],
    "quiz_kind": PAYLOADS[6],
    "text": PAYLOADS[7] + "x" * 600,  # too long: quoted back, cut
    **{payload: "1" for payload in PAYLOADS},  # unknown names
}


@pytest.mark.parametrize(
    "page", [ROOT / "app.py", ROOT / "pages" / "8_Train.py"], ids=["home", "train"]
)
def test_a_hostile_link_is_quoted_as_text(page):
    at = open_link(page, HOSTILE_LINK)
    assert len(at.warning) >= len(HOSTILE_LINK), [w.value for w in at.warning]
    assert_safe(at, MARKERS)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_hostile_upload_names_and_cells_are_quoted_as_text():
    at = open_page("home")
    at.radio(key="cfg.source").set_value("upload").run()
    for payload, marker in zip(PAYLOADS, MARKERS, strict=True):
        cell = payload[:18].replace("\n", " ")  # one CSV cell, quoted up to 20
        cases = [
            (f"{payload}.csv", b"1,2\n3\n"),  # a ragged CSV
            ("cells.csv", f"1,2\n3,{cell}\n".encode()),  # a cell quoted back
            (f"{payload}.npy", b"not an array"),
        ]
        for name, data in cases:
            at.session_state["upload.file"] = (name, data)
            at.run()
            assert at.error, name
            assert_safe(at, [marker])


def test_hostile_weights_file_and_member_names_are_quoted_as_text():
    at = open_page("home")
    for payload, marker in zip(PAYLOADS, MARKERS, strict=True):
        member = _zip({f"{payload}.npy": b"x", "arr_1.npy": b"x", "arr_2.npy": b"x"})
        for name, data in [(f"{payload}.npz", b"not a zip"), ("w.npz", member)]:
            at.session_state["weights.file"] = (name, data)
            at.run()
            assert at.error, name
            assert_safe(at, [marker])


def test_a_hostile_one_hot_text_is_text():
    at = open_page("home", generator="one_hot_text", text="ZQz" + "".join(PAYLOADS))
    assert_safe(at, [])  # the text sets the input; nothing renders it as Markdown
    at = open_page("step", generator="one_hot_text", text=PAYLOADS[0])
    assert_safe(at, [])


def test_a_hostile_typed_quiz_answer_is_text():
    at = AppTest.from_file(
        str(ROOT / "pages" / "6_Check_yourself.py"), default_timeout=TIMEOUT
    )
    at.session_state["quiz.seed"] = 1
    at.session_state["quiz.kind"] = "shapes"
    at.run()
    (box,) = [w for w in at.text_input if str(w.key).startswith("quiz.answer.")]
    for payload in PAYLOADS:
        box.input(payload)
        at.button(key="quiz.check").click().run()
        assert_safe(at, [])

"""One upload limit, in bytes, everywhere (issue 14).

- `.streamlit/config.toml`'s `server.maxUploadSize`, Streamlit's browser and server
  checks (read from Streamlit's own code: the minified frontend and the upload
  route) and the app's parsers agree on `MAX_UPLOAD_BYTES`.
- A file of exactly the limit is accepted, one byte more is refused with the app's
  message (the file, its size and the limit, in each language's digit grouping).
- In the app (AppTest, the real upload widget): a file over the limit, or one the
  browser refused (as ui/upload_guard.py records it), replaces the previous file's
  error, and the pages keep the last valid input and say so.
- The sidebar states the limit in bytes; an encrypted weights archive gets a
  sentence naming its member.

tests/test_browser_upload.py does the same in Chromium.
"""

from __future__ import annotations

import inspect
import io
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
import streamlit
from streamlit.testing.v1 import AppTest
from streamlit.web.server.starlette import starlette_routes

from rnn_core import LayerSpec
from rnn_core.errors import CoreError
from rnn_core.inputs import parse_csv, parse_npy, parse_weights_npz
from rnn_core.limits import MAX_UPLOAD_BYTES
from tests.markdown_safety import displayed
from tests.test_app import open_page
from tests.test_app_robustness import errors, layer_code
from ui.upload_guard import REFUSED

REPO = Path(__file__).resolve().parents[1]
STATIC = Path(streamlit.__file__).parent / "static" / "static" / "js"
LONGEST_NAME = "x" * 251 + ".csv"  # the longest file name most file systems allow


def exact_csv(size: int = MAX_UPLOAD_BYTES) -> bytes:
    """A valid CSV of exactly `size` bytes (>= 10,000): 500 rows of 0.5, padded with
    spaces (a cell is stripped), the last row taking the remainder."""
    row = b"0.5" + b" " * 9_996 + b"\n"  # 10,000 bytes
    rows = size // len(row)
    body = row * (rows - 1)
    return body + b"0.5" + b" " * (size - len(body) - 4) + b"\n"


def max_upload_mb() -> int:
    with open(REPO / ".streamlit" / "config.toml", "rb") as f:
        return tomllib.load(f)["server"]["maxUploadSize"]


def _js(pattern: str, glob: str) -> str:
    """The first match of `pattern` in Streamlit's minified frontend files `glob`."""
    for path in sorted(STATIC.glob(glob)):
        found = re.search(pattern, path.read_text(encoding="utf-8"))
        if found:
            return found.group(0)
    raise AssertionError(f"{pattern!r} not found in {glob}: Streamlit changed?")


def browser_limits(mb: int) -> dict[str, int]:
    """Streamlit's browser check in bytes, read from its frontend: FileUploader turns
    maxUploadSizeMb into bytes with a unit of 1024 on Windows (navigator.platform),
    1000 elsewhere, and the dropzone refuses a file when `file.size > maxSize`."""
    _js(r"maxUploadSizeMb;return \w+\(e,\w+\.Megabyte,\w+\.Byte\)", "FileUploader.*.js")
    _js(r"\w+=\w+\(\)\?1024:1e3", "utils.*.js")
    _js(r"\w+\(n\)&&e\.size>n", "utils.*.js")
    _js(r"return/\^Win/i\.test\(navigator\.platform\)", "utils.*.js")
    return {"other": mb * 1000**2, "windows": mb * 1024**2}


def server_limit(mb: int) -> int:
    """Streamlit's server check in bytes: the whole multipart request (Content-Length)
    and the file each at most maxUploadSize × 1024 × 1024 (its upload route)."""
    source = inspect.getsource(starlette_routes)
    assert 'config.get_option("server.maxUploadSize") * 1024 * 1024' in source
    assert "int(content_length) > max_size_bytes" in source
    return mb * 1024**2


def multipart_size(file_size: int, name: str) -> int:
    """The request body a browser sends for one file (boundary, headers, file)."""
    boundary = "----WebKitFormBoundary" + "x" * 16
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    return len(head.encode()) + file_size + len(f"\r\n--{boundary}--\r\n")


# --------------------------------------------------------------------------------------
# The limit agrees everywhere


def test_the_config_streamlit_and_the_parsers_agree_on_one_limit_in_bytes():
    mb = max_upload_mb()
    browser = browser_limits(mb)
    # The browser check refuses exactly what the app refuses (off Windows) ...
    assert browser["other"] == MAX_UPLOAD_BYTES == mb * 10**6
    # ... and on Windows lets more through, which the app then refuses itself.
    assert browser["windows"] > MAX_UPLOAD_BYTES
    # The server check never refuses a file the app accepts, even with a long name.
    assert multipart_size(MAX_UPLOAD_BYTES, LONGEST_NAME) <= server_limit(mb)


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_refused():
    data = exact_csv()
    assert len(data) == MAX_UPLOAD_BYTES
    assert parse_csv(data).shape == (1, 500, 1)
    with pytest.raises(CoreError) as refused:
        parse_csv(data + b" ")
    assert refused.value.text("en") == (
        "The CSV file is 5,000,001 bytes; at most 5,000,000 bytes are allowed."
    )
    assert refused.value.text("es") == (
        "El archivo CSV ocupa 5.000.001 bytes; se admiten como máximo 5.000.000 bytes."
    )
    with pytest.raises(ValueError, match="is 5,000,001 bytes; at most 5,000,000"):
        parse_npy(b"\x93NUMPY" + b"\0" * (MAX_UPLOAD_BYTES - 5))


# --------------------------------------------------------------------------------------
# In the app: a refused upload replaces the previous file's error


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="upload.widget").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def open_upload(language: str = "en") -> AppTest:
    at = open_page("home", cell="lstm", units=3, timesteps=4, language=language)
    at.radio(key="cfg.source").set_value("upload").run()
    return at


def test_after_a_bad_file_a_file_over_the_limit_replaces_its_error():
    at = open_upload()
    upload(at, "ragged.csv", b"1,2,3\n4,5\n")
    assert "ragged.csv" in errors(at)
    upload(at, "big.csv", exact_csv() + b" ")  # valid CSV, one byte too many
    message = errors(at)
    assert "ragged.csv" not in message, message  # the old error is gone
    assert "big.csv" in message, message
    assert "is 5,000,001 bytes; at most 5,000,000 bytes are allowed." in message
    # The pages keep computing with the last valid input, and say so.
    assert "(32, 4, 8)" in layer_code(at)
    assert any("last valid" in info.value for info in at.info)
    assert "upload.file" not in at.session_state  # nothing over the limit was kept


def test_a_file_the_browser_refused_replaces_the_error_in_spanish():
    at = open_upload("es")
    upload(at, "ragged.csv", b"1,2,3\n4,5\n")
    assert "ragged.csv" in errors(at)
    # What ui/upload_guard.py records when the browser reports a refused file (the
    # browser keeps the previous file as the widget's value).
    at.session_state["upload.file" + REFUSED] = ("grande.csv", 5_100_000)
    at.run()
    message = errors(at)
    assert "ragged.csv" not in message, message
    assert "grande.csv" in message, message
    assert "ocupa 5.100.000 bytes; se admiten como máximo 5.000.000 bytes." in message
    assert "(32, 4, 8)" in layer_code(at)
    assert any("última entrada válida" in info.value for info in at.info)
    # A file accepted next ends the refusal.
    upload(at, "exacto.csv", exact_csv())
    assert not at.error, errors(at)
    assert "(1, 500, 1)" in layer_code(at)


def test_the_sidebar_states_the_limit_in_bytes_in_both_languages():
    for language, stated, grouped in (
        ("en", "uploads ≤ 5,000,000 bytes (5 MB)", "At most 5,000,000 bytes"),
        ("es", "archivos ≤ 5.000.000 bytes (5 MB)", "Como mucho 5.000.000 bytes"),
    ):
        at = open_upload(language)
        captions = " ".join(c.value for c in at.sidebar.caption)
        assert stated in captions, captions
        help_text = at.file_uploader(key="upload.widget").proto.help
        assert grouped in help_text, help_text


# --------------------------------------------------------------------------------------
# An encrypted weights archive


def encrypted_npz(spec: LayerSpec, features: int) -> bytes:
    """An .npz of the layer's weights whose entries are marked encrypted (bit 0 of
    the general-purpose flags, in each local header and central directory entry)."""
    buffer = io.BytesIO()
    np.savez(buffer, *[np.zeros(shape) for shape in spec.weight_shapes(features)])
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= 1
            at = data.find(signature, at + 4)
    return bytes(data)


def test_an_encrypted_archive_gets_a_sentence_naming_its_member():
    spec = LayerSpec(cell="simple_rnn", units=4)
    with pytest.raises(CoreError) as refused:
        parse_weights_npz(encrypted_npz(spec, 3), spec, 3)
    english, spanish = refused.value.plain("en"), refused.value.plain("es")
    assert english == (
        "The weights file's arr_0 (kernel, Wx) cannot be read: its entry arr_0.npy "
        "in the .npz archive is encrypted. Save the weights with np.savez, without "
        "a password."
    )
    assert "arr_0.npy" in spanish
    assert "cifrada." in spanish
    for text in (english, spanish):
        assert "ZipInfo" not in text
        assert text.endswith(".")


def test_an_encrypted_archive_in_the_app_is_two_sentences():
    at = open_page("home", units=4, features=3, timesteps=2)
    at.file_uploader(key="weights.widget").set_value(
        ("locked.npz", encrypted_npz(LayerSpec(cell="simple_rnn", units=4), 3), "x")
    )
    at.run()
    message = displayed(errors(at))  # as the page shows the Markdown
    assert "locked.npz" in message, message
    assert "arr_0.npy" in message, message
    assert "without a password. Using the seeded weights instead." in message
    assert "ZipInfo" not in message

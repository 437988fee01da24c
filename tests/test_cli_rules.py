"""The command line's strict rules (issue 14): ASCII digits only, no silently ignored
option, and the documented exit statuses even when stdout or stderr is broken.

Bad calls run in-process with the Keras step replaced by one that fails the test's
expectation (exit 3): a call that should have been refused never loads TensorFlow.
The broken-stream cases run `python -m rnn_core` in a subprocess whose descriptor
1 or 2 is closed, /dev/full or a pipe nobody reads.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

from rnn_core import cli, inputs
from rnn_core.spec import LayerSpec
from tests.test_cli import ENV, REPO, error_lines

# --------------------------------------------------------------------------------------
# Helpers


def _no_keras() -> Callable:
    raise RuntimeError("reached Keras: the call was accepted")


def run_in_process(
    monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> tuple[int, str, str]:
    """main(argv) with TensorFlow out of reach: (status, stdout, stderr)."""
    monkeypatch.setattr(cli, "_load_trace", _no_keras)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def refused(monkeypatch: pytest.MonkeyPatch, argv: list[str], *names: str) -> str:
    """Assert main(argv) exits 2 with one stderr line naming `names`; the line."""
    code, out, err = run_in_process(monkeypatch, argv)
    assert code == 2, (argv, code, err)
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# --------------------------------------------------------------------------------------
# Digits: ASCII 0-9 only, the rule of the app's links


# The number 4 (0 for the options whose 4 would be out of range) in other scripts:
# Python's int() and float() read every one of these; links refuse them.
DIGIT_FOUR = {
    "arabic-indic": "\u0664",  # ٤
    "extended-arabic-indic": "\u06f4",  # ۴
    "devanagari": "\u096a",  # ४
    "bengali": "\u09ea",  # ৪
    "fullwidth": "\uff14",  # ４
    "mathematical-bold": "\U0001d7d2",  # 𝟒
}
DIGIT_ZERO = {
    "arabic-indic": "\u0660",
    "extended-arabic-indic": "\u06f0",
    "devanagari": "\u0966",
    "bengali": "\u09e6",
    "fullwidth": "\uff10",
    "mathematical-bold": "\U0001d7ce",
}
# Other spellings int() and float() accept: underscores and Unicode spaces.
NOT_PLAIN = {
    "underscore": "1_0",
    "no-break-space": "\u00a04",
    "ideographic-space": "4\u3000",
    "em-space": "\u20034",
    "ascii-and-arabic": "4\u0664",
}
# Every integer or number option, with the options its value needs to be used.
NUMERIC_OPTIONS = {
    "--units": (),
    "--batch": (),
    "--timesteps": (),
    "--features": (),
    "--input-seed": (),
    "--seed": (),
    "--batch-index": ("--show-states",),
    "--tolerance": (),
}


def _value(option: str, script: str) -> str:
    """A value of `option` that its int()/float() would accept, in `script`."""
    if option in ("--batch-index", "--tolerance"):  # 4 is out of range (batch 32: ok)
        return DIGIT_ZERO[script] if option == "--tolerance" else DIGIT_FOUR[script]
    return DIGIT_FOUR[script]


@pytest.mark.parametrize("script", DIGIT_FOUR)
@pytest.mark.parametrize("option", NUMERIC_OPTIONS)
def test_digits_of_other_scripts_exit_2(monkeypatch, option, script):
    value = _value(option, script)
    assert float(value) in (0.0, 4.0)  # what Python alone would have accepted
    argv = [*NUMERIC_OPTIONS[option], option, value]
    line = refused(monkeypatch, argv, option, "0-9", "got ")
    assert "U+" in line  # names the look-alike character, e.g. U+0664 ARABIC-INDIC


@pytest.mark.parametrize("spelling", NOT_PLAIN)
@pytest.mark.parametrize("option", NUMERIC_OPTIONS)
def test_underscores_and_unicode_spaces_exit_2(monkeypatch, option, spelling):
    value = NOT_PLAIN[spelling]
    if option == "--tolerance":
        value = value.replace("4", "0").replace("1_0", "0_0")
    float(value)  # Python alone accepts it
    refused(monkeypatch, [*NUMERIC_OPTIONS[option], option, value], option, "0-9")


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", 4), ("+4", 4), ("-3", -3), ("007", 7), (" 4", 4), ("4\n", 4), ("\t12 ", 12)],
)
def test_plain_ascii_whole_numbers_are_read(text, value):
    from rnn_core.number_text import parse_whole_number

    assert parse_whole_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0.0), ("1e-6", 1e-6), ("2.5E-7", 2.5e-7), (".5", 0.5), ("1.", 1.0)],
)
def test_plain_ascii_decimals_are_read(text, value):
    from rnn_core.number_text import parse_decimal

    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1e", "0x1", "1,5", ""])
def test_other_decimals_are_refused(text):
    from rnn_core.number_text import parse_decimal

    assert parse_decimal(text) is None


def test_the_command_line_and_links_read_numbers_alike():
    # One rule in rnn_core.number_text, used by both: ui.permalink may import it.
    from ui import permalink

    for text in ["4", " 4 ", "+4", "\u0664", "\uff14", "1_0", "\u00a04", "4.0"]:
        values, problems = permalink.parse({"units": text})
        try:
            parsed = cli.build_parser().parse_args(["--units", text]).units
        except cli.UsageError:
            parsed = None
        assert values.get("units") == parsed, text
        assert bool(problems) == (parsed is None), text


# --------------------------------------------------------------------------------------
# No option is silently ignored


def _x(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> np.ndarray | str:
    """The input a call generates, or its one-line error."""
    monkeypatch.setattr(cli, "_load_trace", _no_keras)
    try:
        return cli._prepare(cli.build_parser().parse_args(argv)).x
    except (cli.UsageError, ValueError) as e:
        return str(e)


# Each generator option with a value other than its default (batch 32, timesteps 5 or
# the text's length, features 8 or the text's distinct characters, seed 0, text
# "hello world").
INPUT_OPTIONS = {
    "--batch": "3",
    "--timesteps": "7",
    "--features": "9",
    "--input-seed": "5",
    "--text": "abcab",
}


# (generator, option, --batch of the call or None); --batch itself only once.
INPUT_CASES = [
    (generator, option, batch)
    for generator in inputs.GENERATORS
    for option in INPUT_OPTIONS
    for batch in ([None] if option == "--batch" else [None, "1", "2"])
]


@pytest.mark.parametrize(("generator", "option", "batch"), INPUT_CASES)
def test_every_input_option_is_honoured_or_refused(
    monkeypatch, generator, option, batch
):
    # For every generator, each option either changes the input or is an error that
    # names it: never accepted and then ignored.
    base = ["--input", generator] + ([] if batch is None else ["--batch", batch])
    before = _x(monkeypatch, base)
    assert isinstance(before, np.ndarray), before
    after = _x(monkeypatch, [*base, option, INPUT_OPTIONS[option]])
    if isinstance(after, str):
        assert option in after, after
        assert after.count("\n") == 0
    else:
        changed = after.shape != before.shape or not np.array_equal(after, before)
        assert changed, f"--input {generator} ignores {option}"


def test_one_hot_text_honours_timesteps_and_says_how(monkeypatch):
    # --timesteps is honoured: the text repeats (or is cut), and the report says so.
    x = _x(
        monkeypatch, ["--input", "one_hot_text", "--text", "abc", "--timesteps", "5"]
    )
    assert isinstance(x, np.ndarray)
    assert x.shape == (32, 5, 3)
    np.testing.assert_array_equal(x[0].argmax(axis=1), [0, 1, 2, 0, 1])  # a b c a b
    plan = cli._prepare(
        cli.build_parser().parse_args(
            ["--input", "one_hot_text", "--text", "abc", "--timesteps", "2"]
        )
    )
    assert plan.input_info["text_fit"].startswith("3 characters cut to 2 timesteps")


IGNORED_OPTIONS = [
    (["--input", "ramp", "--input-seed", "3"], ["--input-seed", "ramp"]),
    (["--input", "impulse", "--input-seed", "0"], ["--input-seed", "impulse"]),
    (
        ["--input", "one_hot_text", "--batch", "1", "--input-seed", "2"],
        ["--input-seed", "--batch 1"],
    ),
    (["--merge-mode", "concat"], ["--merge-mode", "--bidirectional"]),
    (
        ["--cell", "lstm", "--no-bias", "--no-unit-forget-bias"],
        ["--no-unit-forget-bias", "--no-bias"],
    ),
    (
        ["--cell", "lstm", "--no-unit-forget-bias", "--weights-file", "{weights}"],
        ["--no-unit-forget-bias", "--weights-file"],
    ),
    (["--cell", "simple_rnn", "--recurrent-activation", "sigmoid"], ["--recurrent"]),
    (["--cell", "gru", "--no-unit-forget-bias"], ["--no-unit-forget-bias", "lstm"]),
    (["--cell", "lstm", "--reset-before"], ["--reset-before", "gru"]),
    (["--batch-index", "0"], ["--batch-index", "--show-states"]),
    (["--input", "uniform", "--text", "abc"], ["--text", "one_hot_text"]),
    (["--seed", "1", "--weights-file", "{weights}"], ["--seed", "--weights-file"]),
    (["--input-file", "{x}", "--input-seed", "1"], ["--input-file", "--input-seed"]),
    (["--input-file", "{x}", "--timesteps", "3"], ["--input-file", "--timesteps"]),
]


@pytest.mark.parametrize(("argv", "names"), IGNORED_OPTIONS, ids=" ".join)
def test_an_option_that_would_be_ignored_exits_2_naming_it(
    monkeypatch, tmp_path, argv, names
):
    spec = LayerSpec(cell="lstm", units=4)
    weights = tmp_path / "w.npz"
    np.savez(weights, *[np.zeros(s, "f4") for s in spec.weight_shapes(8)])
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 3, 8), "f4"))
    argv = [a.format(weights=weights, x=x) for a in argv]
    refused(monkeypatch, argv, *names)


# --------------------------------------------------------------------------------------
# Broken stdout or stderr: the same exit statuses, no traceback


def _run_with(
    args: list[str], *, stdout: str = "pipe", stderr: str = "pipe"
) -> subprocess.CompletedProcess:
    """`python -m rnn_core args` with each stream "pipe", "closed", "full" (/dev/full)
    or "gone" (a pipe whose reader has already closed it)."""
    opened: list[int] = []
    to_close: list[int] = []

    def target(kind: str) -> int | None:
        if kind == "pipe":
            return subprocess.PIPE
        if kind == "full":
            fd = os.open("/dev/full", os.O_WRONLY)
            opened.append(fd)
            return fd
        if kind == "gone":
            read, write = os.pipe()
            os.close(read)
            opened.append(write)
            return write
        assert kind == "closed"
        return subprocess.DEVNULL  # then closed in the child, below

    if stdout == "closed":
        to_close.append(1)
    if stderr == "closed":
        to_close.append(2)

    def close_in_child() -> None:
        for fd in to_close:
            os.close(fd)

    try:
        return subprocess.run(
            [sys.executable, "-m", "rnn_core", *args],
            cwd=REPO,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=target(stdout),
            stderr=target(stderr),
            preexec_fn=close_in_child,  # after the redirections, in the child
            timeout=300,
            check=False,
        )
    finally:
        for fd in opened:
            os.close(fd)


BAD_ARGUMENTS = [
    ["--units", "\u0664"],
    ["--units", "x"],
    ["--frobnicate"],
    ["--input", "ramp", "--input-seed", "3"],
    ["--input-file", "/nonexistent/x.csv"],
]


@pytest.mark.parametrize("stderr", ["closed", "full", "gone"])
@pytest.mark.parametrize("args", BAD_ARGUMENTS, ids=" ".join)
def test_a_bad_argument_exits_2_when_stderr_cannot_be_written(args, stderr):
    result = _run_with(args, stderr=stderr)
    assert result.returncode == 2, result.returncode
    assert result.stdout == b""


@pytest.mark.parametrize("stdout", ["closed", "full", "gone"])
def test_a_bad_argument_exits_2_with_its_line_when_stdout_is_broken(stdout):
    result = _run_with(["--units", "\u0664"], stdout=stdout)
    assert result.returncode == 2
    (line,) = error_lines(result.stderr.decode())
    assert line.startswith("error: --units must be a whole number")


@pytest.mark.parametrize("stdout", ["closed", "full", "gone"])
def test_help_exits_0_when_stdout_cannot_be_written(stdout):
    result = _run_with(["--help"], stdout=stdout)
    assert result.returncode == 0
    assert result.stderr == b""  # no traceback, no "Exception ignored"


SMALL_RUN = ["--units", "2", "--batch", "1", "--timesteps", "2", "--features", "1"]


@pytest.mark.keras
def test_an_agreeing_run_exits_0_when_stdout_is_full_and_says_so():
    result = _run_with([*SMALL_RUN, "--json"], stdout="full")
    assert result.returncode == 0
    (line,) = error_lines(result.stderr.decode())
    assert line == "error: cannot write the report to stdout: No space left on device"


@pytest.mark.keras
def test_a_disagreeing_run_exits_1_when_both_streams_are_broken():
    result = _run_with([*SMALL_RUN, "--tolerance", "0"], stdout="gone", stderr="full")
    assert result.returncode == 1


@pytest.mark.keras
def test_an_agreeing_run_exits_0_with_its_report_when_stderr_is_closed():
    result = _run_with(SMALL_RUN, stderr="closed")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("Keras and the NumPy formulas agree")

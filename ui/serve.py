"""Start the app's server and import TensorFlow while it starts.

    python -m ui.serve [streamlit options]   # = streamlit run app.py [options]

`streamlit run` executes no code of the app until the first visitor connects, so that
visitor would wait for TensorFlow's import (seconds on 2 cores) on top of Streamlit's
own start. This launcher runs `streamlit run app.py` with the same options and, in a
background thread, imports TensorFlow and Keras and builds the default layer, so the
first page is ready about as soon as TensorFlow alone could have been imported.
It also sends unknown nested paths such as /a/b to a page (ui/unknown_paths.py).
`make run` and the container use it.

It also tells Streamlit, before the first session, that the app names its pages with
`st.navigation` (app.py). Streamlit otherwise guesses from the `pages/` folder: until
some session has run app.py, every page opened at its own URL (the first visitor of
the day on a link, or every page reconnecting after a restart) runs alone, as an old
style multipage app, with the file names in the navigation and without app.py.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from pathlib import Path

# Set before NumPy or TensorFlow load (both read them once): quiet TensorFlow, and
# small thread pools, as in the container. On 2 cores, OpenBLAS' and TensorFlow's own
# pools fight each other and every other session's rerun; one thread each keeps a
# large layer's NumPy trace at tens of milliseconds instead of seconds under load.
SERVER_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "2",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
for _name, _value in SERVER_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)  # what the caller set wins

APP = Path(__file__).resolve().parent.parent / "app.py"
LOGGER = logging.getLogger("rnn_stepper")


def preload_tensorflow() -> None:
    """Import TensorFlow and Keras, build and call the default layer, freeze the heap.

    Runs in a daemon thread: if the first page asks for Keras before this is done, its
    import simply waits for this one (Python's import lock), never imports twice.
    """
    try:
        import numpy as np

        from rnn_core import keras_backend
        from rnn_core.notebook import NOTEBOOK_CASES

        case = NOTEBOOK_CASES[0]
        weights = keras_backend.init_weights(case.spec, case.input_shape[2], 0)
        keras_backend.keras_run(case.spec, weights, np.zeros(case.input_shape, "f4"))
        gc.collect()
        gc.freeze()  # TensorFlow's objects stay out of every later collection
    except Exception:  # the app still works; it will import TensorFlow on first use
        LOGGER.exception("preloading TensorFlow failed")


def main(argv: list[str] | None = None) -> None:
    """Run `streamlit run app.py` with `argv` as its options, preloading TensorFlow."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli  # imported first: the two imports then share little

    from ui import unknown_paths

    PagesManager.uses_pages_directory = False  # app.py calls st.navigation
    unknown_paths.install()  # /a/b: a redirect to a page, not a blank page
    threading.Thread(
        target=preload_tensorflow, name="preload-tensorflow", daemon=True
    ).start()
    options = sys.argv[1:] if argv is None else argv
    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


if __name__ == "__main__":
    main()

"""The Streamlit side of RNN Stepper: sidebar controls, cached computation, layout.

`app.py` and the files in `pages/` stay thin: they call `ui.page.start()`, which draws
the shared sidebar and returns the current `View` (a frozen `LayerSpec`, the input and
what to show), ask `ui.compute` for the cached trace and figures, and lay them out.
All numbers come from `rnn_core`; nothing here computes.
"""

from __future__ import annotations

import os

# Quiet TensorFlow, before anything can import it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

"""`python -m rnn_core`: see `rnn_core.cli` and `python -m rnn_core --help`."""

import sys

from rnn_core.cli import main

sys.exit(main())

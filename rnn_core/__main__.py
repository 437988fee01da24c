"""`python -m rnn_core`: see `rnn_core.cli` and `python -m rnn_core --help`."""

import sys

from rnn_core.cli import main
from rnn_core.std_streams import guard_standard_streams

guard_standard_streams()  # `2>&-`: descriptor 2 goes to /dev/null, not to a file
sys.exit(main())

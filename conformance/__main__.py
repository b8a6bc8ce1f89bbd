"""`python -m conformance` is the `jss-conformance` command."""

import sys

from conformance.cli import main

sys.exit(main())

"""`python -m heupwijzer run|shell|purge|insights` (the same as the `heupwijzer` command)."""

import sys

from heupwijzer.cli import main

sys.exit(main())

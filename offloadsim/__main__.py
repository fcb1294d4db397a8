"""``python -m offloadsim``: the command line."""

from offloadsim.cli import main

raise SystemExit(main())

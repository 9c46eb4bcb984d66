"""``python -m fctest``: the same as the ``fctest`` command."""

from .cli import main

raise SystemExit(main())

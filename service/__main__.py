"""``python -m service``: the ``nysan`` command."""

from service.cli import main

raise SystemExit(main())

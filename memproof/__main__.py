"""``python -m memproof`` is the ``memproof`` command."""
from .cli import main

raise SystemExit(main())

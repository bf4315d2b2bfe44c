"""``python -m linace.study.paper``: see :func:`linace.study.paper.main`."""

import sys

from linace.study.paper import main

sys.exit(main())

"""``python -m linace.dft``: see :func:`linace.dft.main`."""

import sys

from linace.dft import main

sys.exit(main())

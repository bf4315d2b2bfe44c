"""``python -m linace.study.dft``: see :func:`linace.study.dft.main`."""

import sys

from linace.study.dft import main

sys.exit(main())

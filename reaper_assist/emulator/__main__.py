"""``python -m reaper_assist.emulator``: see :mod:`reaper_assist.emulator.process`."""

import sys

from reaper_assist.emulator.cli import main

sys.exit(main())

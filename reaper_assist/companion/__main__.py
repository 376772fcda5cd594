"""``python -m reaper_assist.companion --resource-path DIR``: what REAPER's action scripts start."""

import sys

from reaper_assist.companion.cli import main

sys.exit(main())

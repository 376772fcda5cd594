"""``python -m reaper_assist.companion --resource-path DIR``: what REAPER's action scripts start."""

import sys

from reaper_assist.commands.companion import main

sys.exit(main())

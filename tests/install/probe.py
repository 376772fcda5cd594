"""Read the emulator's last_run record and console from a separate process (reapy connects once per
process to one web port). Usage: probe.py WEB_PORT PREVIOUS_LAST_RUN_JSON TIMEOUT_S; waits until
last_run differs from PREVIOUS, prints {"last_run": ..., "console": ...} as JSON."""

import json
import sys
import time

from reaper_assist.emulator import control
from reaper_assist.host.reapy_host import ReapyHost

port, previous, timeout_s = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
host = ReapyHost(web_port=port)
deadline = time.monotonic() + timeout_s
while True:
    last = host.get_proj_ext("reaper_assist", "last_run") or ""
    if last != previous or time.monotonic() > deadline:
        break
    time.sleep(0.1)
print(json.dumps({"last_run": last, "console": host.call(control.console)}))

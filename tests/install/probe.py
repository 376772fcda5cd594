"""Read the emulator's last_run record (through reaper-assist's bridge, as the product does) and its
console (through the test driver: python-reapy's own server) from a separate process.
Usage: probe.py RESOURCE_PATH WEB_PORT PREVIOUS_LAST_RUN_JSON TIMEOUT_S; waits until last_run
differs from PREVIOUS, prints {"last_run": ..., "console": ...} as JSON."""

import json
import sys
import time

from reaper_assist.emulator.driver import ReapyDriver
from reaper_assist.host.reapy_host import ReapyHost

resource, port, previous, timeout_s = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
host = ReapyHost(resource)
deadline = time.monotonic() + timeout_s
while True:
    last = host.get_proj_ext("reaper_assist", "last_run") or ""
    if last != previous or time.monotonic() > deadline:
        break
    time.sleep(0.1)
print(json.dumps({"last_run": last, "console": ReapyDriver(port).console()}))

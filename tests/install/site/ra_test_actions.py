"""The test action: reads the selection through the host, writes a last_run record through it."""

import json
import os


def run(host, *, track_guids, selected, options, dry_run=False):
    flag = os.environ.get("RA_TEST_RAISE_FLAG")
    if flag and os.path.exists(flag):
        raise RuntimeError("the test action failed on purpose")
    state = host.read_state(selected_only=selected, with_items=False, with_fx=False)
    record = {"action": "gain-stage", "status": "ok", "message": "test double ran",
              "tracks": [{"guid": t.guid, "name": t.name} for t in state.tracks], "pid": os.getpid()}
    host.apply([{"op": "proj_ext", "section": "reaper_assist", "key": "last_run", "value": json.dumps(record)}],
               "reaper-assist: test action")
    return record

"""Test double for the end-to-end tests: in processes started with RA_TEST_ACTIONS=1 (the emulator
and the companion it starts), the registry entry "gain-stage" runs ra_test_actions.run instead of the
real action, so these tests exercise the REAPER side (script -> companion -> bridge) on their own."""

import os

if os.environ.get("RA_TEST_ACTIONS"):
    from reaper_assist.app import registry

    _info = registry.ACTIONS["gain-stage"]
    registry.ACTIONS["gain-stage"] = registry.ActionInfo(_info.name, _info.title, "ra_test_actions:run",
                                                         _info.command_id)

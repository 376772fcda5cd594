"""Fixtures of tests/plugins come from plugins_helpers.py (a unique module name: pytest puts every test
folder on sys.path, so two folders importing from "conftest" would collide)."""

from plugins_helpers import *  # noqa: F401,F403
from plugins_helpers import _no_reapy  # noqa: F401  (autouse; not exported by *)

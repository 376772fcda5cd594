"""Fixtures of tests/install come from install_helpers.py (a unique module name: pytest puts every test
folder on sys.path, so two folders importing from "conftest" would collide)."""

from install_helpers import *  # noqa: F401,F403

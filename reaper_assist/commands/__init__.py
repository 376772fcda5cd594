"""Subcommands of the reaper-assist CLI, one module each (add_arguments, run)."""

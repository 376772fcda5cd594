"""reaper-assist's bridge: python-reapy's wire protocol served from inside REAPER, hardened.

Runs in REAPER's embedded Python (started by the installed ``Scripts/__startup.py`` through
``actions/reaper_assist_start_bridge.py``), paced by REAPER's defer loop. Compared with reapy's own
server it binds 127.0.0.1, refuses callables outside ``reapy``/``reaper_assist``, requires the
per-install token for ``reaper_assist`` callables (the companion's control channel), limits message
sizes, isolates clients, survives bad input, and undoes the open undo block of a client that
vanishes. See docs/bridge.md. Importing this package imports neither reapy nor numpy.
"""

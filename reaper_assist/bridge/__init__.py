"""reaper-assist's bridge: the product's own operations served from inside REAPER.

Runs in REAPER's embedded Python (started by the installed ``Scripts/__startup.py`` through
``actions/reaper_assist_start_bridge.py``), paced by REAPER's defer loop. It listens only in the
user's private directory (:mod:`.endpoint`), serves a connection only after both sides proved the
per-install token (:mod:`.wire`), serves only the closed set of operations of :mod:`.ops`, bounds
what unauthenticated and authenticated connections may cost (:mod:`.server`), and reverts the
transaction of a client that vanishes. See docs/bridge.md. Imports nothing from the rest of
reaper_assist; importing this package imports neither reapy nor numpy.
"""

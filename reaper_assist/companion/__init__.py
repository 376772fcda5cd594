"""The companion process: takes "run ACTION on the selection" requests from REAPER's action scripts
over a loopback socket (per-install token), runs one job at a time through the bridge, and records
failures in the project's ExtState. Importing this package loads no numpy and no reapy.
"""

"""reaper-assist: the repetitive half of mixing, written back as REAPER's stock plugins."""

__version__ = "0.1.0"

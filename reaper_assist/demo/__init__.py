"""The demo session: a small multitrack song at deliberately wrong levels (README's main job)."""

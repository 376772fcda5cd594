"""reaper_assist.emulator"""

"""reaper_assist.plugins"""

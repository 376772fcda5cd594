"""reaper_assist.app"""

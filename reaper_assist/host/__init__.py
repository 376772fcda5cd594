"""reaper_assist.host"""

"""reaper_assist.analysis"""

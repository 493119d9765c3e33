"""Server-rendered dashboard pages: the barometer (`barometer.py`), region dashboards and the planner."""

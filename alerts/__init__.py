"""Incidents -> tickets for contractors (not built yet: no issue has asked for it so far)."""

"""`make bench`: requests/s of the API under gunicorn, against bare-Django baselines (DESIGN.md §9)."""

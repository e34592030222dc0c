"""English admin pages with 24-hour times and day-first dates, as Norwegian staff read them
(Django's `en` formats are American: "March 11, 2026, 10:17 a.m."). Only the admin formats dates
for display; the API writes its own (esmart/api/casing.py)."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

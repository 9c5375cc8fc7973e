# English dates on the pages: "Dec. 3" and "Dec. 3, 2026" (Django's en formats otherwise).
MONTH_DAY_FORMAT = "N j"

# Date formats the pages use by name (MONTH_DAY_FORMAT …), so that dates follow the active language; the rest
# come from Django's own zh_Hans formats. "12月3日", not Django's zero-padded "12月03日".
MONTH_DAY_FORMAT = "n月j日"

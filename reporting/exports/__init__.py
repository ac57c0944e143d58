"""The auditors' workbook (``workbook``, its sheets and styles) and its background jobs."""

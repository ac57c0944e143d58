"""Excel workbooks: what the site writes for people to fill in or read, and reads back."""

"""The pages and the API of what is derived: dashboard, bulletins, exports, progress API."""

"""The catalogue: form specs, the registry that finds them and picks a version by date, code lists,
and where the data lives."""

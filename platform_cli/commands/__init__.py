"""One module per command: typed functions that take collaborators and return result values."""

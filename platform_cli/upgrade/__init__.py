"""The upgrade engine: baseline branch, target version, merge, result, pull request, migrations."""

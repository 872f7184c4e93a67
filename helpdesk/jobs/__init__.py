"""The daemon's jobs, one module each."""

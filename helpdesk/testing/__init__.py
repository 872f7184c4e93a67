"""The servers that tests, benchmarks and the demo run on loopback."""

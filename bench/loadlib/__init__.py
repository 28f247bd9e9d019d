"""The load bench's parts (bench/load.py, docs/subsystems/load.md)."""

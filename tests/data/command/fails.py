#!/usr/bin/python3
# Test helper for test_command_adapter.cpp: reports a device problem on stderr and exits 3.
import sys

sys.stdin.read()
print("fails.py: opening the device", file=sys.stderr)
print("fails.py: device /dev/accel0 not found", file=sys.stderr)
sys.exit(3)

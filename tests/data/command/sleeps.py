#!/usr/bin/python3
# Test helper for test_command_adapter.cpp: never answers in time (the test's timeout is
# 0.5 s), so the adapter must kill it.
import time

time.sleep(10)

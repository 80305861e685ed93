#!/usr/bin/python3
# Test helper for test_command_adapter.cpp: answers something that is not JSON.
print("hello, not json")

#!/usr/bin/python3
# Test helper for test_command_adapter.cpp: a valid answer whose figures the test can
# predict from the request (median = 1 ms x batch, ops and kernel echoed), plus a
# stderr line that must not disturb the answer.
import json
import sys

request = json.load(sys.stdin)
batch = request["kernel"]["batch"]
median = 0.001 * batch
print("answers.py: measuring", request["kernel"]["topology"], file=sys.stderr)
json.dump({
    "protocol": request["protocol"],
    "kernel": request["kernel"],
    "platform": request["platform"],
    "ops": request["ops"],
    "kernel_path": "answers.py",
    "host": "test host",
    "compute": {"median_s": median, "min_s": 0.9 * median, "max_s": 1.2 * median,
                "q1_s": 0.95 * median, "q3_s": 1.05 * median, "runs": 7},
    "system": {"median_s": 2 * median, "runs": 7},
    "full_power_w": 4.5,
}, sys.stdout)
print()

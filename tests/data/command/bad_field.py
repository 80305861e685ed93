#!/usr/bin/python3
# Test helper for test_command_adapter.cpp: valid JSON, but a field of the wrong type or
# range. argv[1] picks the fault: "text" (median_s = "abc", the default) or "negative".
import json
import sys

json.load(sys.stdin)
fault = sys.argv[1] if len(sys.argv) > 1 else "text"
median = {"text": "abc", "negative": -0.5}[fault]
print(json.dumps({"compute": {"median_s": median, "runs": 5}}))

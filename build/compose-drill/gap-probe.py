#!/usr/bin/env python3
"""Restart-gap probe for build/compose-drill.sh: GETs URL through Caddy every INTERVAL seconds until
STOP_FILE exists (or MAX_SECONDS pass), one new TLS connection per request, and prints one JSON line:
requests, failed (anything but 200, or no answer), the slowest request (a request Caddy held while the
API was replaced) and the longest gap between two consecutive successful answers as a client saw it.

Usage: gap-probe.py URL CA_FILE STOP_FILE [INTERVAL] [MAX_SECONDS]"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

url, ca_file, stop_file = sys.argv[1], sys.argv[2], sys.argv[3]
interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
max_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 300.0
context = ssl.create_default_context(cafile=ca_file)

requests = failed = 0
slowest = 0.0
longest_gap = 0.0
last_ok = None
errors = {}
started = time.monotonic()
while not os.path.exists(stop_file) and time.monotonic() - started < max_seconds:
    sent = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60, context=context) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as error:  # connection reset/refused, timeout: the client saw no answer
        status = type(error).__name__
    done = time.monotonic()
    requests += 1
    slowest = max(slowest, done - sent)
    if status == 200:
        if last_ok is not None:
            longest_gap = max(longest_gap, done - last_ok)
        last_ok = done
    else:
        failed += 1
        errors[str(status)] = errors.get(str(status), 0) + 1
    time.sleep(max(0.0, interval - (time.monotonic() - sent)))

print(json.dumps({"requests": requests, "failed": failed, "errors": errors,
                  "slowest_request_s": round(slowest, 3), "longest_gap_s": round(longest_gap, 3),
                  "duration_s": round(time.monotonic() - started, 1)}))

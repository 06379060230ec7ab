#!/bin/sh
# Starts driver.py with a python3 that has the `requests` package: the one on PATH, else Debian's
# /usr/bin/python3 (apt-get install python3-requests).
here=$(dirname "$0")
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import requests' >/dev/null 2>&1; then
    # -B: no __pycache__ in the source tree; -u: every answer line leaves at once.
    exec "$py" -B -u "$here/driver.py"
  fi
done
echo "paper-python: no python3 with the requests package found (apt-get install python3-requests)" >&2
exit 1

#!/bin/sh
# Starts driver.py with a python3 that has Authlib and requests: the one on PATH, else Debian's
# /usr/bin/python3 (apt-get install python3-authlib python3-requests).
here=$(dirname "$0")
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import authlib, requests' >/dev/null 2>&1; then
    # -B: no __pycache__ in the source tree; -u: every answer line leaves at once.
    exec "$py" -B -u "$here/driver.py"
  fi
done
echo "authlib-python: no python3 with Authlib found (apt-get install python3-authlib)" >&2
exit 1

"""Driver for the paper's client (TARGETS.md section 4).

One JSON request per line on stdin, one JSON answer per line on stdout; stdout carries protocol lines
only, logging goes to stderr. Each protocol session is an independent ``LexofficeLoginClient``, as two
browsers would be. Ops the paper's class does not have (refresh, logout) answer ``unsupported``.

``api`` is driver code, not the paper's: the class stops at the token response, so the driver calls the
lexoffice API the way lexoffice documents it (``Authorization: Bearer``) with the token the class kept.

Configuration comes from the environment the manifest sets (see target.json).
"""

import json
import logging
import os
import sys
from urllib.parse import parse_qs, urlsplit

import requests

from client import LexofficeLoginClient

log = logging.getLogger("paper-python")


def new_client():
    return LexofficeLoginClient(
        client_id=os.environ["OAUTH_CLIENT_ID"],
        client_secret=os.environ.get("OAUTH_CLIENT_SECRET"),
        redirect_uri=os.environ["OAUTH_REDIRECT_URI"],
        authorization_endpoint=os.environ["OAUTH_AUTHORIZATION_ENDPOINT"],
        token_endpoint=os.environ["OAUTH_TOKEN_ENDPOINT"],
        scope=os.environ.get("OAUTH_SCOPES", "openid profile contact.read invoice.read"),
    )


def handle(request, sessions):
    op = request.get("op")
    session = request.get("session")
    if not isinstance(session, str):
        return {"ok": False, "error": "session must be a string"}
    client = sessions.setdefault(session, new_client())
    if op == "authorize":
        return {"ok": True, "url": client.get_login_url()}
    if op == "callback":
        url = request.get("url")
        if not isinstance(url, str):
            return {"ok": False, "error": "url must be a string"}
        query = parse_qs(urlsplit(url).query)
        code = query.get("code", [None])[0]
        state = query.get("state", [None])[0]
        try:
            client.handle_callback(code, state)
        except requests.HTTPError as exc:
            return {"ok": False, "error": "token endpoint answered %d" % exc.response.status_code}
        except (ValueError, requests.RequestException) as exc:
            return {"ok": False, "error": type(exc).__name__ + ": " + str(exc)}
        return {"ok": True}
    if op == "api":
        path = request.get("path", "/v1/profile")
        token = (client.token or {}).get("access_token")
        if not token:
            return {"ok": False, "error": "not signed in"}
        base = os.environ["LEXOFFICE_API_BASE_URL"].rstrip("/")
        try:
            response = requests.get(base + "/" + str(path).lstrip("/"), headers={"Authorization": "Bearer " + token}, timeout=10)
        except requests.RequestException as exc:
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": response.status_code == 200, "status": response.status_code}
    if op in ("refresh", "logout"):
        return {"ok": False, "error": "unsupported"}
    return {"ok": False, "error": "unsupported"}


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    sessions = {}
    log.info("driver ready")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError:
            log.warning("ignoring a line that is not JSON")
            continue
        if not isinstance(request, dict):
            log.warning("ignoring a request that is not an object")
            continue
        try:
            answer = handle(request, sessions)
        except Exception as exc:  # noqa: BLE001 - the driver must answer every request
            answer = {"ok": False, "error": "driver error: " + type(exc).__name__}
        answer = dict(answer, id=request.get("id"))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        log.info("op %s session %s: %s", request.get("op"), request.get("session"), "ok" if answer.get("ok") else "not ok")


if __name__ == "__main__":
    main()

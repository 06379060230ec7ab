"""An Authlib client behind the driver protocol (TARGETS.md section 4).

The client is Authlib's requests integration, ``OAuth2Session``, as its documentation shows
(https://docs.authlib.org/en/v1.2.0/client/oauth2.html): "OAuth2Session for Authorization Code",
with the state saved and a new session created with it for the callback as the page says a real
project does, "Add PKCE for Authorization Code" (``code_challenge_method='S256'``, a ``code_verifier`` from
``authlib.common.security.generate_token(48)``), and "Auto Update Token" (``token_endpoint`` and
``update_token`` so that an expired token is refreshed on the next request). Authlib creates
``state``, and ``fetch_token`` checks it against the state the callback's session was created with. Client authentication is Authlib's default, ``client_secret_basic``.

One ``OAuth2Session`` per protocol session (two sessions are two browsers). ``api`` calls the lexoffice
API through the session (``client.get``), which sends ``Authorization: Bearer``. ``logout`` forgets
the token; the documentation shows no revocation at sign-out. stdout carries protocol lines only,
logging goes to stderr.
"""

import json
import logging
import os
import sys

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

log = logging.getLogger("authlib-python")

TOKEN_ENDPOINT = os.environ["OAUTH_TOKEN_ENDPOINT"]


def new_session(**kwargs):
    """An OAuth2Session with this client's configuration ("Auto Update Token": refreshed when expired)."""

    def update_token(token, refresh_token=None, access_token=None):
        # The session keeps the new token itself; an application would also store it here.
        log.info("token refreshed")

    return OAuth2Session(
        os.environ["OAUTH_CLIENT_ID"],
        os.environ["OAUTH_CLIENT_SECRET"],
        scope=os.environ["OAUTH_SCOPES"],
        redirect_uri=os.environ["OAUTH_REDIRECT_URI"],
        code_challenge_method="S256",
        token_endpoint=TOKEN_ENDPOINT,
        update_token=update_token,
        **kwargs,
    )


class Login:
    """What one browser session keeps: the saved state and verifier, then the signed-in session."""

    def __init__(self):
        self.state = None
        self.code_verifier = None
        self.client = None


def handle(request, sessions):
    op = request.get("op")
    session = request.get("session")
    if not isinstance(session, str):
        return {"ok": False, "error": "session must be a string"}
    login = sessions.setdefault(session, Login())
    if op == "authorize":
        # "Add PKCE for Authorization Code": a fresh verifier, passed to create_authorization_url.
        login.code_verifier = generate_token(48)
        uri, login.state = new_session().create_authorization_url(
            os.environ["OAUTH_AUTHORIZATION_ENDPOINT"], code_verifier=login.code_verifier
        )
        # "in real project, you should save the state for later use".
        return {"ok": True, "url": uri}
    if op == "callback":
        url = request.get("url")
        if not isinstance(url, str):
            return {"ok": False, "error": "url must be a string"}
        # "In real project, this session can not be re-used [...] You need to create another session
        # yourself": OAuth2Session(..., state=state); fetch_token then verifies the state.
        client = new_session(state=login.state)
        try:
            client.fetch_token(TOKEN_ENDPOINT, authorization_response=url, code_verifier=login.code_verifier)
        except Exception as exc:  # noqa: BLE001 - every refusal is an answer, not a crash
            return {"ok": False, "error": type(exc).__name__}
        login.client = client
        return {"ok": True}
    client = login.client
    if op == "refresh":
        if client is None or not client.token.get("refresh_token"):
            return {"ok": False, "error": "not signed in"}
        try:
            client.refresh_token(TOKEN_ENDPOINT)
        except Exception as exc:  # noqa: BLE001
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": True}
    if op == "api":
        if client is None:
            return {"ok": False, "error": "not signed in"}
        base = os.environ["LEXOFFICE_API_BASE_URL"].rstrip("/")
        path = str(request.get("path", "/v1/profile")).lstrip("/")
        try:
            response = client.get(base + "/" + path, timeout=10)
        except Exception as exc:  # noqa: BLE001
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": response.status_code == 200, "status": response.status_code}
    if op == "logout":
        sessions.pop(session, None)
        return {"ok": True}
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

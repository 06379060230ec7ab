"""lexoffice.login reference client, as the lexoffice.login paper publishes it.

Authorization code flow with PKCE (S256): ``get_login_url()`` builds the authorization URL and
remembers ``state`` and the ``code_verifier`` on the instance; ``handle_callback()`` checks the state
and the code and exchanges the code with the verifier at the token endpoint.

This file is the audited subject and is kept as published: findings about it are documented in
README.md, not fixed here.
"""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import requests


class LexofficeLoginClient:
    def __init__(
        self,
        client_id,
        client_secret,
        redirect_uri,
        authorization_endpoint,
        token_endpoint,
        scope="openid profile contact.read invoice.read",
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.authorization_endpoint = authorization_endpoint
        self.token_endpoint = token_endpoint
        self.scope = scope
        self.state = None
        self.code_verifier = None
        self.token = None

    def get_login_url(self):
        self.state = secrets.token_urlsafe(16)
        self.code_verifier = secrets.token_urlsafe(32)
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        code_challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return self.authorization_endpoint + "?" + urlencode(params)

    def handle_callback(self, code, state):
        if state != self.state:
            raise ValueError("Invalid state")
        if not code:
            raise ValueError("Missing authorization code")
        response = requests.post(
            self.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": self.code_verifier,
            },
            auth=(self.client_id, self.client_secret),
        )
        response.raise_for_status()
        self.token = response.json()
        return self.token

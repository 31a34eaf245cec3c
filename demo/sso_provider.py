"""A small OpenID Connect provider for the demo and the tests, built on Authlib: `make demo`'s "Demo SSO".

    python -m demo.sso_provider --port 5056 --config var/demo-sso.json

It serves discovery, a JWKS with one RSA key generated at start, the authorization endpoint (which
approves the configured person at once: there is no login page), the token endpoint (authorization code
with PKCE, client_secret_basic or client_secret_post) and userinfo. The configuration is a JSON file read
again on every request, so a test can change the person's groups between two sign-ins:

    {"issuer": "http://127.0.0.1:5056", "client_id": "posture", "client_secret": "...",
     "redirect_uris": ["http://127.0.0.1:8000/oidc/callback/"],
     "person": {"sub": "...", "email": "...", "name": "...", "preferred_username": "...", "groups": [...]},
     "sign_with_unpublished_key": false}

With "sign_with_unpublished_key" true, ID tokens are signed with a second key that the JWKS does not hold
(under the published key's id): a relying party that checks signatures must refuse them. Tests can also make
the ID token lie about its issuer or audience ("id_token_issuer", "id_token_audience") or be born expired
("id_token_lifetime_seconds": -300); a careful relying party refuses each.
Plain http:// is accepted for loopback addresses only (Authlib's rule); this is no production provider.
"""

import argparse
import json
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonRequest
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

CODE_LIFETIME_SECONDS = 120
TOKEN_LIFETIME_SECONDS = 3600
ID_TOKEN_LIFETIME_SECONDS = 600
KEY_ID = "demo-sso-1"
SCOPES = ("openid", "email", "profile", "groups")
PERSON_CLAIMS = ("email", "name", "preferred_username", "groups")


def read_config(path):
    return json.loads(Path(path).read_text())


class Client(ClientMixin):
    """The one registered client (Posture), from the configuration file."""

    def __init__(self, config):
        self.client_id = config["client_id"]
        self.client_secret = config["client_secret"]
        self.redirect_uris = list(config["redirect_uris"])

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(item for item in (scope or "").split() if item in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris  # exact match, as OpenID Connect requires

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode:
    """An issued code: its client, redirect URI, scope, nonce and PKCE challenge (Authlib reads these names)."""

    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def is_expired(self):
        return time.time() > self.auth_time + CODE_LIFETIME_SECONDS


class Provider:
    """The provider's state: signing keys, issued codes and access tokens, and the configuration file."""

    def __init__(self, config_path):
        self.config_path = config_path
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.unpublished_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.codes = {}
        self.tokens = {}
        self.server = self.authorization_server()

    @property
    def config(self):
        return read_config(self.config_path)

    @property
    def issuer(self):
        return self.config["issuer"].rstrip("/")

    def signing_key(self):
        return self.unpublished_key if self.config.get("sign_with_unpublished_key") else self.key

    def person_claims(self, scope):
        person = self.config["person"]
        claims = {"sub": person["sub"]}
        claims.update({name: person[name] for name in PERSON_CLAIMS if name in person})
        return UserInfo(claims)

    def authorization_server(self):
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                config = provider.config
                return Client(config) if client_id == config["client_id"] else None

            def save_token(self, token, request):
                provider.tokens[token["access_token"]] = {
                    "scope": token["scope"],
                    "expires_at": time.time() + token["expires_in"],
                }

            def create_oauth2_request(self, request):
                return request

            def create_json_request(self, request):
                return JsonRequest(request.method, request.uri, request.headers)

            def handle_response(self, status, body, headers):
                return status, body, headers

            def send_signal(self, name, *args, **kwargs):
                pass

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                payload = request.payload.data
                provider.codes[code] = AuthorizationCode(
                    client_id=request.client.get_client_id(),
                    redirect_uri=payload.get("redirect_uri"),
                    scope=request.client.get_allowed_scope(payload.get("scope")),
                    nonce=payload.get("nonce"),
                    code_challenge=payload.get("code_challenge"),
                    code_challenge_method=payload.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id() and not found.is_expired():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                for code, value in list(provider.codes.items()):
                    if value is authorization_code:
                        del provider.codes[code]

            def authenticate_user(self, authorization_code):
                return provider.config["person"]

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.signing_key()

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": KEY_ID}

            def get_client_claims(self, client):
                config = provider.config
                now = int(time.time())
                lifetime = config.get("id_token_lifetime_seconds", ID_TOKEN_LIFETIME_SECONDS)
                return {
                    "iss": config.get("id_token_issuer", provider.issuer),
                    "aud": [config.get("id_token_audience", client.get_client_id())],
                    "iat": min(now, now + lifetime),
                    "exp": now + lifetime,
                }

            def generate_user_info(self, user, scope):
                return provider.person_claims(scope)

        server = Server(scopes_supported=list(SCOPES))
        tokens = BearerTokenGenerator(
            lambda **kwargs: secrets.token_urlsafe(32),
            expires_generator=lambda client, grant_type: TOKEN_LIFETIME_SECONDS,
        )
        server.register_token_generator("default", tokens)
        server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
        return server

    # --- endpoints -------------------------------------------------------------------------------------

    def discovery(self):
        issuer = self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", *PERSON_CLAIMS],
        }

    def jwks(self):
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, request):
        try:  # validates the client, redirect URI, scope, PKCE challenge and nonce
            grant = self.server.get_consent_grant(request)
        except OAuth2Error as error:
            return self.server.handle_error_response(request, error)
        return self.server.create_authorization_response(request, grant_user=self.config["person"], grant=grant)

    def token(self, request):
        return self.server.create_token_response(request)

    def userinfo(self, request):
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        token = self.tokens.get(access_token) if scheme.lower() == "bearer" else None
        if token is None or token["expires_at"] < time.time():
            return 401, {"error": "invalid_token"}, [("WWW-Authenticate", 'Bearer error="invalid_token"')]
        return 200, dict(self.person_claims(token["scope"])), []


class WsgiRequest(OAuth2Request):
    """Authlib's generic request, with the query and form it leaves to each web framework."""

    def __init__(self, method, uri, headers, args, form):
        super().__init__(method, uri, headers=headers)
        self._args, self._form = args, form
        self.payload = BasicOAuth2Payload({**args, **form})

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


def oauth2_request(environ, form):
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    query = environ.get("QUERY_STRING", "")
    uri = f"http://{host}{environ.get('PATH_INFO', '/')}" + (f"?{query}" if query else "")
    headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if "CONTENT_TYPE" in environ:
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return WsgiRequest(environ["REQUEST_METHOD"], uri, headers, dict(parse_qsl(query)), form)


def read_form(environ):
    if environ["REQUEST_METHOD"] != "POST":
        return {}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return dict(parse_qsl(environ["wsgi.input"].read(length).decode()))


def application(provider):
    routes = {
        "/.well-known/openid-configuration": lambda request: (200, provider.discovery(), []),
        "/jwks": lambda request: (200, provider.jwks(), []),
        "/authorize": provider.authorize,
        "/token": provider.token,
        "/userinfo": provider.userinfo,
    }

    def app(environ, start_response):
        route = routes.get(environ.get("PATH_INFO", ""))
        if route is None:
            status, body, headers = 404, {"error": "not_found"}, []
        else:
            status, body, headers = route(oauth2_request(environ, read_form(environ)))
        headers = list(headers)
        if isinstance(body, dict | list):
            body = json.dumps(body)
            headers = [(key, value) for key, value in headers if key.lower() != "content-type"]
            headers.append(("Content-Type", "application/json"))
        headers.append(("Cache-Control", "no-store"))
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
        start_response(f"{status} {reason.get(status, 'Error')}", headers)
        return [(body or "").encode()]

    return app


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        sys.stdout.write(f"{self.command} {self.path.split('?')[0]} {args[1] if len(args) > 1 else ''}\n")
        sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m demo.sso_provider", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--config", required=True, help="the JSON configuration file (read on every request)")
    args = parser.parse_args(argv)
    read_config(args.config)  # a broken file stops the provider now, with the error
    provider = Provider(args.config)
    with make_server(
        "127.0.0.1", args.port, application(provider), server_class=ThreadingServer, handler_class=QuietHandler
    ) as server:
        print(f"OpenID Connect provider on http://127.0.0.1:{args.port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()

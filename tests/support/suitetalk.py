"""A local SuiteTalk REST stand-in: `PUT/GET record/v1/<type>/eid:<id>` upserts and reads records
by external id, and answers 401 unless the token-based authentication (OAuth 1.0a, HMAC-SHA256)
verifies the way NetSuite does, with oauthlib's implementation. `faults` are replies given
before the real ones (a 503, a 400 with NetSuite's error body)."""

from __future__ import annotations

from typing import Any

from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from tests.support.servers import HttpServer, Reply, Request

SECRETS = {"consumer_secret": "cs-secret", "token_secret": "tk-secret"}


def suitetalk(
    http: HttpServer,
    records: dict[str, dict[str, Any]],
    record_type: str = "customer",
    faults: list[Reply] | None = None,
) -> None:
    """PUT/GET record/v1/<record_type>/eid:<id> into `records` (by external id): 401 unless the
    OAuth signature verifies; each PUT first takes the next of `faults`, if any."""

    def verified(req: Request) -> bool:
        header = req.headers.get("Authorization", "")
        params = dict(
            oauth_signature.collect_parameters(
                headers={"Authorization": header}, exclude_oauth_signature=False, with_realm=True
            )
        )
        if (
            params.get("oauth_signature_method") != "HMAC-SHA256"
            or params.get("realm") != "TSTDRV_123"
        ):
            return False
        uri = f"{http.url}{req.path}"
        normalized = oauth_signature.normalize_parameters(
            [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
        )
        base = oauth_signature.signature_base_string(
            req.method, oauth_signature.base_string_uri(uri), normalized
        )
        expected = oauth_signature.sign_hmac_sha256(
            base, SECRETS["consumer_secret"], SECRETS["token_secret"]
        )
        return bool(params["oauth_signature"] == expected)

    def handle(req: Request) -> Reply:
        if not verified(req):
            return Reply(
                401,
                {
                    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
                    "title": "Unauthorized",
                    "status": 401,
                    "o:errorDetails": [
                        {"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}
                    ],
                },
            )
        if req.method == "PUT" and faults:
            return faults.pop(0)
        external = req.path.rsplit("eid:", 1)[-1]
        if req.method == "GET":
            return (
                Reply(200, records[external])
                if external in records
                else Reply(404, {"title": "Not Found"})
            )
        record = records.setdefault(external, {"id": str(1000 + len(records))})
        record.update(req.json())
        return Reply(
            204,
            b"",
            {"Location": f"{http.url}/services/rest/record/v1/{record_type}/{record['id']}"},
        )

    http.route("PUT", f"/services/rest/record/v1/{record_type}/", handle)
    http.route("GET", f"/services/rest/record/v1/{record_type}/", handle)


def netsuite_settings(http: HttpServer) -> dict[str, str]:
    """The NetSuiteCredentials values (CSFLOWS_NETSUITE_<KEY>) for the local SuiteTalk server."""
    return {
        "ACCOUNT_ID": "tstdrv-123",
        "CONSUMER_KEY": "ck",
        "CONSUMER_SECRET": SECRETS["consumer_secret"],
        "TOKEN_ID": "tk",
        "TOKEN_SECRET": SECRETS["token_secret"],
        "BASE_URL": f"{http.url}/services/rest",
    }

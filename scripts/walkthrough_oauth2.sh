#!/usr/bin/env bash
# OAuth2 walkthrough against a running server (after `manage.py seed_demo`): what the Vue.js
# front end does — sign in, authorize with PKCE S256, exchange the code, call the API,
# refresh, revoke — with the demo public client. Checks every answer; exits 1 on the first
# surprise. Needs curl, jq and openssl.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8000}
CLIENT_ID=${CLIENT_ID:-stockyard-demo-frontend}
REDIRECT_URI=${REDIRECT_URI:-http://localhost:5173/oauth/callback}
JAR=$(mktemp); trap 'rm -f "$JAR"' EXIT

expect() {  # expect WHAT ACTUAL WANTED
  if [[ "$2" == "$3" ]]; then echo "  ok  $1: $2"; else echo "  FAIL $1: got $2, wanted $3"; exit 1; fi
}
status() {  # status TOKEN METHOD PATH [JSON]: HTTP status and problem code of an API call
  curl -s -o /tmp/oauth2-walkthrough.json -w '%{http_code}' -X "$2" "$BASE/api/v1$3" \
    -H "Authorization: Bearer $1" -H 'Content-Type: application/json' ${4:+-d "$4"}
  printf ' %s' "$(jq -r '.code // .username // "-"' /tmp/oauth2-walkthrough.json)"
}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

echo "== 1. sign in at /o/login/ as manager (a session cookie, as a browser would)"
curl -s -c "$JAR" -o /dev/null "$BASE/o/login/"
CSRF=$(awk '$6 == "csrftoken" {print $7}' "$JAR")
SIGNED=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' "$BASE/o/login/" \
  --data-urlencode "csrfmiddlewaretoken=$CSRF" -d username=manager -d password=manager-demo-pass-1)
expect "sign in redirects" "$SIGNED" 302

flow() {  # flow SCOPE [VERIFIER]: authorize with a fresh PKCE pair, exchange; the token JSON
  local scope=$1 verifier challenge location code
  verifier=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
  challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | b64url)
  location=$(curl -s -b "$JAR" -o /dev/null -w '%{redirect_url}' -G "$BASE/o/authorize/" \
    -d response_type=code -d "client_id=$CLIENT_ID" --data-urlencode "redirect_uri=$REDIRECT_URI" \
    --data-urlencode "scope=$scope" -d state=walkthrough \
    -d "code_challenge=$challenge" -d code_challenge_method=S256)
  code=$(sed -E 's/.*[?&]code=([^&]+).*/\1/' <<<"$location")
  curl -s "$BASE/o/token/" -d grant_type=authorization_code -d "code=$code" \
    --data-urlencode "redirect_uri=$REDIRECT_URI" -d "client_id=$CLIENT_ID" \
    -d "code_verifier=${2:-$verifier}"
}

echo "== 2. authorize + exchange with the verifier: a read/write token"
TOKENS=$(flow "read write")
ACCESS=$(jq -r .access_token <<<"$TOKENS"); REFRESH=$(jq -r .refresh_token <<<"$TOKENS")
expect "token type and scope" "$(jq -r '"\(.token_type) \(.scope)"' <<<"$TOKENS")" "Bearer read write"
expect "GET /auth/me/" "$(status "$ACCESS" GET /auth/me/)" "200 manager"
expect "POST /categories/" "$(status "$ACCESS" POST /categories/ "{\"name\":\"OAuth2 walkthrough $RANDOM\"}")" "201 -"

echo "== 3. a wrong code verifier is refused (an RFC 6749 error, not problem+json)"
expect "exchange" "$(flow read not-the-verifier-not-the-verifier-not-the-verifier | jq -r .error)" invalid_grant

echo "== 4. a read-only token may GET but not POST"
READ_ONLY=$(flow read | jq -r .access_token)
expect "GET /products/" "$(status "$READ_ONLY" GET /products/)" "200 -"
expect "POST /categories/" "$(status "$READ_ONLY" POST /categories/ '{"name":"nope"}')" "403 permission_denied"

echo "== 5. the refresh token rotates; the old one is then refused"
ROTATED=$(curl -s "$BASE/o/token/" -d grant_type=refresh_token -d "refresh_token=$REFRESH" -d "client_id=$CLIENT_ID")
ACCESS2=$(jq -r .access_token <<<"$ROTATED")
expect "new refresh token differs" "$([[ $(jq -r .refresh_token <<<"$ROTATED") != "$REFRESH" ]] && echo yes)" yes
expect "new access token works" "$(status "$ACCESS2" GET /auth/me/)" "200 manager"
expect "old access token" "$(status "$ACCESS" GET /auth/me/)" "401 not_authenticated"

echo "== 6. revoke the access token: 401 with an RFC 6750 challenge"
REVOKED=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/o/revoke_token/" -d "token=$ACCESS2" -d "client_id=$CLIENT_ID")
expect "revoke" "$REVOKED" 200
expect "revoked token" "$(status "$ACCESS2" GET /auth/me/)" "401 not_authenticated"
CHALLENGE=$(curl -s -o /dev/null -D - "$BASE/api/v1/auth/me/" -H "Authorization: Bearer $ACCESS2" \
  | tr -d '\r' | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p')
echo "  WWW-Authenticate: $CHALLENGE"

echo "== 7. JWTs still work beside OAuth2, unscoped"
JWT=$(curl -s -X POST "$BASE/api/v1/auth/token/" -H 'Content-Type: application/json' \
  -d '{"username":"manager","password":"manager-demo-pass-1"}' | jq -r .access)
expect "JWT GET /auth/me/" "$(status "$JWT" GET /auth/me/)" "200 manager"
expect "client_credentials grant" "$(curl -s "$BASE/o/token/" -d grant_type=client_credentials \
  -d "client_id=$CLIENT_ID" | jq -r .error)" unsupported_grant_type
echo "All OAuth2 checks passed."

// Drives panva's openid-client, a strict third-party OpenID Connect relying
// party, against fakeidp's Kontur site and fails on anything it refuses.
//
//   node check.mjs http://127.0.0.1:PORT/kontur
//
// Prints one "ok - ..." line per check; on the first failure prints
// "not ok - ..." with the reason to stderr and exits 1. Tokens, codes and
// secrets are never printed, not even inside error details.

import { createHash } from 'node:crypto';
import * as client from 'openid-client';

// Published test-only fixtures (README, "Seed credentials").
const CODE_CLIENT_ID = 'yourClientId';
const CODE_CLIENT_SECRET = 'yourClientSecret';
const REDIRECT_URI = 'http://www.example.com/';
const CODE_SCOPE = 'openid profile email extern.api offline_access';
const USERNAME = 'user@login.ru';
const PASSWORD = 'password';
const MEDI_CLIENT_ID = 'medi_test_client';
const MEDI_CLIENT_SECRET = 'b29d0d9e-872c-4ea5-a92a-71b3abdea091';
const MEDI_SCOPE = 'medi_api';

const HTTP_TIMEOUT_MS = 10_000;

class CheckFailure extends Error {}

function ok(line) {
  console.log(`ok - ${line}`);
}

function assert(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

// ---- error reporting without leaking secrets --------------------------------

const SECRET_KEYS = new Set([
  'access_token', 'refresh_token', 'id_token', 'code', 'code_verifier',
  'client_secret', 'password', 'assertion', 'client_assertion', 'authorization',
]);
const JWT_LIKE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const OPAQUE_LIKE = /^[A-Za-z0-9_-]{32,}$/;

function redact(value, depth = 0) {
  if (depth > 4) return '[…]';
  if (typeof value === 'string') {
    if (JWT_LIKE.test(value)) return '[jwt redacted]';
    if (OPAQUE_LIKE.test(value)) return '[redacted]';
    return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (typeof Response !== 'undefined' && value instanceof Response) {
    return `[HTTP ${value.status} response]`;
  }
  if (value instanceof URL) return redact(value.href, depth);
  if (value instanceof Error) return describe(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

// oauth4webapi puts the whole response body or claim set next to the name of
// the offending member: keep just that member.
function focus(cause) {
  if (cause && typeof cause === 'object') {
    const { claim, claims, attribute, body, ...rest } = cause;
    if (typeof claim === 'string' && claims && typeof claims === 'object') {
      return { ...rest, claim, actual: claims[claim] };
    }
    if (typeof attribute === 'string' && body && typeof body === 'object') {
      return { ...rest, attribute, actual: body[attribute] };
    }
  }
  return cause;
}

function describe(err) {
  if (!(err instanceof Error)) return String(redact(err));
  if (err instanceof CheckFailure) return err.message;
  const parts = [`${err.name}${err.code ? ` [${err.code}]` : ''}: ${err.message}`];
  if (err instanceof client.ResponseBodyError) {
    parts.push(`HTTP ${err.status}, error=${err.error}` +
      (err.error_description ? `, error_description=${JSON.stringify(err.error_description)}` : ''));
  } else if (err instanceof client.WWWAuthenticateChallengeError) {
    parts.push(`HTTP ${err.status}, WWW-Authenticate challenges: ${JSON.stringify(redact(err.cause))}`);
  } else if (err instanceof client.AuthorizationResponseError) {
    parts.push(`error=${err.error}` +
      (err.error_description ? `, error_description=${JSON.stringify(err.error_description)}` : ''));
  } else if (err.cause !== undefined) {
    parts.push(`cause: ${JSON.stringify(redact(focus(err.cause)))}`);
  }
  return parts.join('\n  ');
}

async function step(name, fn) {
  try {
    return await fn();
  } catch (err) {
    console.error(`not ok - ${name}\n  ${describe(err)}`);
    process.exit(1);
  }
}

// ---- a browser's view of the login page --------------------------------------

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi, (m, e) => {
    const lower = e.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? m;
  });
}

function attributes(tag) {
  const attrs = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  // Skip the element name itself.
  const body = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

// Reads the first form of the page the way a browser would submit it with the
// given values typed in and the given submit button pressed.
function readLoginForm(html, pageUrl) {
  const form = html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/i);
  assert(form, 'the login page has no <form>');
  const formAttrs = attributes(form[0].match(/<form\b[^>]*>/i)[0]);
  const method = (formAttrs.method || 'get').toLowerCase();
  // An empty or missing action submits to the document's own URL.
  const action = new URL(formAttrs.action || '', pageUrl);
  const fields = new URLSearchParams();
  const buttons = [];
  for (const tag of form[1].match(/<(input|button)\b[^>]*>/gi) ?? []) {
    const a = attributes(tag);
    const isButton = /^<button/i.test(tag);
    const type = (a.type || (isButton ? 'submit' : 'text')).toLowerCase();
    if (!a.name) continue;
    if (type === 'submit' || type === 'image' || type === 'button' || type === 'reset') {
      buttons.push({ name: a.name, value: a.value ?? '' });
      continue;
    }
    if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
    fields.append(a.name, a.value ?? '');
  }
  return { method, action, fields, buttons };
}

async function logInLikeABrowser(authorizationUrl) {
  const page = await fetch(authorizationUrl, {
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const html = await page.text();
  assert(page.status === 200,
    `GET authorization endpoint: expected the login page (200), got HTTP ${page.status}`);
  assert(/text\/html/i.test(page.headers.get('content-type') ?? ''),
    `GET authorization endpoint: expected text/html, got ${page.headers.get('content-type')}`);

  const { method, action, fields, buttons } = readLoginForm(html, authorizationUrl);
  assert(method === 'post', `login form method is ${method}, expected post`);
  assert(fields.has('username') && fields.has('password'), 'login form lacks a username or password field');
  assert(buttons.some((b) => b.name === 'button' && b.value === 'login'),
    'login form has no submit button name=button value=login');
  fields.set('username', USERNAME);
  fields.set('password', PASSWORD);
  fields.set('button', 'login');

  const res = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  assert(res.status === 302 || res.status === 303,
    `POST login form: expected a 302 redirect to the client, got HTTP ${res.status}`);
  const location = res.headers.get('location');
  assert(location, 'POST login form: redirect without a Location header');
  return new URL(location, action);
}

// ---- the checks --------------------------------------------------------------

const issuerArg = process.argv[2];
if (!issuerArg) {
  console.error('usage: node check.mjs <issuer URL, e.g. http://127.0.0.1:8080/kontur>');
  process.exit(2);
}
let issuer;
try {
  issuer = new URL(issuerArg);
} catch {
  console.error(`not a URL: ${issuerArg}`);
  process.exit(2);
}
// Plain HTTP is only acceptable because the fake runs on loopback.
if (issuer.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname)) {
  console.error(`refusing plain HTTP to a non-loopback host: ${issuer.host}`);
  process.exit(2);
}
const insecure = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};

// 1. Discovery.
const config = await step('discovery', async () => {
  const cfg = await client.discovery(
    issuer,
    CODE_CLIENT_ID,
    { id_token_signed_response_alg: 'RS256' },
    client.ClientSecretPost(CODE_CLIENT_SECRET),
    insecure,
  );
  const md = cfg.serverMetadata();
  assert(md.issuer === issuerArg, `issuer is ${md.issuer}, expected exactly ${issuerArg}`);
  assert(md.supportsPKCE('S256'), 'code_challenge_methods_supported does not list S256');
  for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
    assert(typeof md[k] === 'string', `discovery document lacks ${k}`);
  }
  // Verify ID Token signatures against the JWKS on every token response,
  // not only the TLS-protected channel openid-client trusts by default.
  client.enableNonRepudiationChecks(cfg);
  return cfg;
});
ok(`discovery: issuer ${config.serverMetadata().issuer} matches, S256 PKCE advertised`);

// 2. Authorization request and login.
const codeVerifier = client.randomPKCECodeVerifier();
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
const state = client.randomState();
const nonce = client.randomNonce();

const callbackUrl = await step('authorization request and login', async () => {
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: CODE_SCOPE,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const cb = await logInLikeABrowser(url);
  const expected = new URL(REDIRECT_URI);
  assert(cb.origin === expected.origin && cb.pathname === expected.pathname,
    `login redirected to ${cb.origin}${cb.pathname}, expected ${REDIRECT_URI}`);
  assert(!cb.searchParams.has('error'),
    `login redirected with error=${cb.searchParams.get('error')}` +
    ` (${cb.searchParams.get('error_description') ?? 'no description'})`);
  assert(cb.searchParams.get('code'), 'login redirect carries no code');
  return cb;
});
ok('authorization request (PKCE S256, state, nonce) and browser-style login: redirected with a code');

// 3. Code exchange with strict ID Token validation.
const tokens = await step('authorization code grant', async () => {
  const t = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  assert(typeof t.access_token === 'string' && t.access_token.length > 0, 'no access_token');
  assert(typeof t.refresh_token === 'string' && t.refresh_token.length > 0,
    'no refresh_token although offline_access was granted');
  const claims = t.claims();
  assert(claims && typeof claims.sub === 'string' && claims.sub.length > 0, 'ID Token has no sub');
  // openid-client leaves at_hash alone in the code flow; check it when present
  // (OIDC Core 3.1.3.8, 3.3.2.11): left half of SHA-256 of the access token.
  if (claims.at_hash !== undefined) {
    const digest = createHash('sha256').update(t.access_token, 'ascii').digest();
    const expected = digest.subarray(0, digest.length / 2).toString('base64url');
    assert(claims.at_hash === expected, 'ID Token at_hash does not match the access token');
  }
  return t;
});
const idClaims = tokens.claims();
ok('authorization code grant: ID Token valid (RS256 signature against the JWKS, iss, aud, exp/iat, nonce' +
  `${idClaims.at_hash !== undefined ? ', at_hash' : ''}), refresh token issued`);

// 4. UserInfo, bound to the ID Token's subject.
await step('userinfo', async () => {
  const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
  assert(info.email === USERNAME, `userinfo email is ${JSON.stringify(info.email)}, expected ${USERNAME}`);
});
ok('userinfo: sub matches the ID Token, email claim present');

// 5. Refresh.
await step('refresh token grant', async () => {
  const t = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert(typeof t.access_token === 'string' && t.access_token.length > 0, 'no access_token');
  assert(typeof t.refresh_token === 'string' && t.refresh_token.length > 0, 'no new refresh_token');
  assert(t.refresh_token !== tokens.refresh_token, 'refresh token was not rotated (same value returned)');
  const claims = t.claims();
  if (claims) {
    assert(claims.sub === idClaims.sub, 'refreshed ID Token has a different sub');
  }
});
ok('refresh token grant: new access token and a new refresh token issued');

// 6. Client credentials with HTTP Basic.
const metadata = config.serverMetadata();
function configFor(clientId, secret) {
  const cfg = new client.Configuration(metadata, clientId, {}, client.ClientSecretBasic(secret));
  if (issuer.protocol === 'http:') client.allowInsecureRequests(cfg);
  return cfg;
}

await step('client credentials grant', async () => {
  const t = await client.clientCredentialsGrant(configFor(MEDI_CLIENT_ID, MEDI_CLIENT_SECRET), { scope: MEDI_SCOPE });
  assert(typeof t.access_token === 'string' && t.access_token.length > 0, 'no access_token');
  assert(t.refresh_token === undefined, 'client_credentials must not issue a refresh token');
});
ok(`client credentials grant (client_secret_basic, scope ${MEDI_SCOPE}): access token issued`);

// 7. A wrong secret is refused.
await step('wrong client secret refused', async () => {
  let err;
  try {
    await client.clientCredentialsGrant(configFor(MEDI_CLIENT_ID, 'not-the-secret'), { scope: MEDI_SCOPE });
  } catch (e) {
    err = e;
  }
  assert(err !== undefined, 'a wrong client secret was accepted');
  if (!(err instanceof client.ResponseBodyError)) throw err;
  assert(err.error === 'invalid_client', `expected error=invalid_client, got error=${err.error}`);
  assert(err.status === 400, `expected HTTP 400 (as Kontur answers), got HTTP ${err.status}`);
});
ok('wrong client secret: refused with invalid_client (HTTP 400)');

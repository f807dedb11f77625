// An OpenID Connect provider for the federation tests: npm oidc-provider (panva, OpenID Certified), with only
// the glue a test needs around it. Started by tests/federation/conftest.py; configured by the JSON in the
// environment variable IDP_CONFIG:
//   clients:          oidc-provider client metadata (client_id, client_secret, redirect_uris, ...); each
//                     defaults to token_endpoint_auth_method client_secret_post, the only one Cognito uses
//   accounts:         {accountId: {email, email_verified, given_name, family_name, ...}}; password-less: an
//                     authorization request signs in the account its login_hint names, else default_account
//   default_account:  see above; else the environment's TEST_IDP_ACCOUNT
//   conform_id_token_claims: true (the library's default: scope claims only from userinfo) or false (in the
//                     ID token too)
//   apple:            {public_key, team_id, key_id, client_id, client_secret}: makes this a Sign in with Apple
//                     stand-in. A token request of client_id must carry as client_secret an ES256 JWT signed by
//                     the private key of public_key (PEM), with kid=key_id, iss=team_id, sub=client_id,
//                     aud=this issuer and exp at most six months after iat, as Apple requires; it is then passed
//                     on with the static client_secret the provider knows, and refused with 400 invalid_client
//                     otherwise.
// It listens on 127.0.0.1, on the port in IDP_PORT (0: any), and prints one JSON line {"issuer": ...} once
// it accepts requests.
// It exits when its standard input closes, so that it cannot outlive the test run that started it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import { importSPKI, jwtVerify } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.IDP_CONFIG ?? '{}');
const accounts = config.accounts ?? {};
const APPLE_MAX_LIFETIME = 15777000;

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    // No alg: the RSA key signs RS256 and PS256 ID tokens alike.
    { ...rsa, kid: `rsa-${randomBytes(4).toString('hex')}`, use: 'sig' },
    { ...ec, kid: `ec-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'ES256' },
  ];
}

async function findAccount(ctx, accountId) {
  const account = accounts[accountId];
  if (account === undefined) return undefined;
  return { accountId, claims: async () => ({ sub: accountId, ...account }) };
}

// Every scope asked for is granted at once: no consent page.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
  grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
  await grant.save();
  return grant;
}

function providerFor(issuer) {
  return new Provider(issuer, {
    clients: (config.clients ?? []).map((client) => ({
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...client,
    })),
    jwks: { keys: signingKeys() },
    findAccount,
    loadExistingGrant,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      name: ['name', 'firstName', 'lastName'],
    },
    scopes: ['openid', 'email', 'profile', 'name'],
    conformIdTokenClaims: config.conform_id_token_claims ?? true,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'HS256', 'PS256'] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // Errors as JSON, not the library's HTML page, so a test can read them.
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
}

// Password-less sign-in: the login prompt is answered with the account login_hint names.
async function finishInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  let result;
  if (details.prompt.name === 'login') {
    const fallback = config.default_account ?? process.env.TEST_IDP_ACCOUNT;
    result = { login: { accountId: details.params.login_hint || fallback } };
  } else {
    const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
    grant.addOIDCScope(details.params.scope ?? 'openid');
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

// Apple's client secret (developer.apple.com, "Creating a client secret"), checked as Apple checks it.
async function appleSecretRefusal(apple, issuer, secret) {
  try {
    const key = await importSPKI(apple.public_key, 'ES256');
    const { payload, protectedHeader } = await jwtVerify(secret ?? '', key, {
      algorithms: ['ES256'],
      issuer: apple.team_id,
      subject: apple.client_id,
      audience: issuer,
      requiredClaims: ['iat', 'exp'],
    });
    if (protectedHeader.kid !== apple.key_id) return 'kid is not the key id';
    if (payload.exp - payload.iat > APPLE_MAX_LIFETIME) return 'exp is more than six months after iat';
    return null;
  } catch (error) {
    return [error.code ?? error.message, error.claim].filter(Boolean).join(' ');
  }
}

async function checkAppleTokenRequest(apple, issuer, req, res) {
  const form = new URLSearchParams(await readBody(req));
  if (form.get('client_id') === apple.client_id) {
    const refusal = await appleSecretRefusal(apple, issuer, form.get('client_secret'));
    if (refusal !== null) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: refusal }));
      return false;
    }
    form.set('client_secret', apple.client_secret);
  }
  // The stream is read: oidc-provider takes the body from req.body instead.
  req.body = form.toString();
  return true;
}

const server = http.createServer();
server.listen(Number(process.env.IDP_PORT ?? 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = providerFor(issuer);
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const path = new URL(req.url, issuer).pathname;
      if (path.startsWith('/interaction/')) {
        await finishInteraction(provider, req, res);
        return;
      }
      if (config.apple && req.method === 'POST' && path === '/token') {
        if (!(await checkAppleTokenRequest(config.apple, issuer, req, res))) return;
      }
      callback(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

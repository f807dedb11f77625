// An OAuth 2.0 provider for the federation tests: npm oauth2-mock-server (axa-group), with only the glue a
// test needs around it, standing in for Login with Amazon or Facebook. Started by tests/federation/conftest.py;
// configured by the JSON in the environment variable IDP_CONFIG:
//   profile:    "amazon" (Login with Amazon's /user/profile: user_id, email, name, postal_code),
//               "facebook" (Graph API /me: id plus the fields asked for in ?fields= among email, name,
//               first_name, last_name) or "oidc" (sub, email, name)
//   user:       {id, email, name, postal_code, first_name, last_name}; id is also every token's sub
//   endpoints:  path overrides for oauth2-mock-server (authorize, token, userinfo, jwks, ...)
//   get_token_path: a path answering GET with the token request's parameters in the query, as Facebook's
//               token endpoint does; it is passed on to the mock's own (POST) token endpoint
//   token_claims: claims laid over every token's payload (e.g. {"aud": "someone-else"}): a provider whose
//               tokens a relying party must refuse
// The userinfo endpoint answers 401 to a request without a bearer token. Amazon and Facebook send no ID
// token, so none is returned for those profiles. It listens on 127.0.0.1, on the port in IDP_PORT (0: any),
// and prints one JSON line {"issuer": ...} once it accepts requests.
// It exits when its standard input closes, so that it cannot outlive the test run that started it.
import { OAuth2Server } from 'oauth2-mock-server';

const config = JSON.parse(process.env.IDP_CONFIG ?? '{}');
const profile = config.profile ?? 'oidc';
const user = { id: 'johndoe', email: 'john@example.test', name: 'John Doe', ...(config.user ?? {}) };
const FACEBOOK_FIELDS = ['email', 'name', 'first_name', 'last_name'];

function profileBody(req) {
  if (profile === 'amazon') {
    return { user_id: user.id, email: user.email, name: user.name, postal_code: user.postal_code };
  }
  if (profile === 'facebook') {
    const asked = (new URL(req.url, 'http://localhost').searchParams.get('fields') ?? '').split(',');
    const body = { id: user.id };
    for (const field of FACEBOOK_FIELDS) if (asked.includes(field)) body[field] = user[field];
    return body;
  }
  return { sub: user.id, email: user.email, name: user.name };
}

const server = new OAuth2Server(undefined, undefined, { endpoints: config.endpoints ?? {} });
await server.issuer.keys.generate('RS256');

server.service.on('beforeTokenSigning', (token) => {
  token.payload.sub = user.id;
  Object.assign(token.payload, config.token_claims ?? {});
});
server.service.on('beforeResponse', (response) => {
  if (profile !== 'oidc') delete response.body.id_token;
});
server.service.on('beforeUserinfo', (response, req) => {
  if (!(req.headers.authorization ?? '').startsWith('Bearer ')) {
    response.statusCode = 401;
    response.body = { error: 'invalid_token' };
    return;
  }
  response.body = profileBody(req);
});

if (config.get_token_path) {
  server.service.addRoute('GET', config.get_token_path, async (req, res) => {
    const tokenPath = config.endpoints?.token ?? '/token';
    const answer = await fetch(new URL(tokenPath, server.issuer.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(req.query).toString(),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
  });
}

await server.start(Number(process.env.IDP_PORT ?? 0), '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

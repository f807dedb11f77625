// A SAML 2.0 identity provider for the federation tests: npm samlify, with only the glue a test needs around
// it. Started by tests/federation/saml_idps.py; configured by the JSON in the environment variable IDP_CONFIG:
//   key_pem, cert_pem:  the IdP's signing key and certificate
//   users:              {nameID: {email, given_name, groups: [...]}}; the NameID (persistent) is the key
//   default_user:       who signs in when the request names nobody (&user= beside the SAML parameters)
//   sign_response:      SIGN_RESPONSE: the Response signed too (else only the assertion)
// Routes: GET /metadata; GET /sso (an AuthnRequest by HTTP-Redirect; its query signature, when it has one,
// checked with the SP's certificate: 400 when it fails) answers with a page that auto-posts the Response to
// the SP's ACS; GET /idp-init?user=&RelayState=&sp= the same without a request (no InResponseTo); GET /slo
// (a signed LogoutRequest) answers with a LogoutResponse auto-posted to the SP's SingleLogoutService;
// POST /sp-metadata (the body: an SP's metadata) trusts one more SP. samlify's schema validator is a no-op
// here: it only parses our requests, on a loopback test server.
// It listens on 127.0.0.1 on a free port, prints one JSON line {"issuer": <base URL>} once it accepts
// requests, and exits when its standard input closes, so that it cannot outlive the test run that started it.
import http from 'node:http';
import zlib from 'node:zlib';
import * as samlify from 'samlify';

const config = JSON.parse(process.env.IDP_CONFIG ?? '{}');
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const serviceProviders = new Map();

samlify.setSchemaValidator({ validate: async () => 'skipped' });

function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

function identityProvider(base, wantSigned) {
  return samlify.IdentityProvider({
    entityID: `${base}/metadata`,
    signingCert: config.cert_pem,
    privateKey: config.key_pem,
    singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }],
    singleLogoutService: [{ Binding: REDIRECT, Location: `${base}/slo` }],
    nameIDFormat: [PERSISTENT],
    requestSignatureAlgorithm: RSA_SHA256,
    wantAuthnRequestsSigned: wantSigned,
    wantLogoutRequestSigned: wantSigned,
  });
}

function serviceProvider(entityId) {
  const metadata = serviceProviders.get(entityId) ?? [...serviceProviders.values()][0];
  if (!metadata) throw new Error(`no service provider ${entityId}`);
  return samlify.ServiceProvider({
    metadata,
    wantAssertionsSigned: true,
    wantMessageSigned: Boolean(config.sign_response),
  });
}

function attributeStatement(user) {
  const attribute = (name, values) =>
    `<saml:Attribute Name="${name}" NameFormat="${BASIC}">` +
    values
      .map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`)
      .join('') +
    '</saml:Attribute>';
  const parts = Object.entries(user).map(([name, value]) => attribute(name, Array.isArray(value) ? value : [value]));
  return `<saml:AttributeStatement>${parts.join('')}</saml:AttributeStatement>`;
}

// The values samlify's own template takes, with an AuthnStatement and the user's attributes filled in.
function replacement(idp, sp, nameId, inResponseTo) {
  return (template) => {
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
    const id = idp.entitySetting.generateID();
    const acs = sp.entityMeta.getAssertionConsumerService('post');
    const values = {
      ID: id,
      AssertionID: idp.entitySetting.generateID(),
      Destination: acs,
      Audience: sp.entityMeta.getEntityID(),
      SubjectRecipient: acs,
      Issuer: idp.entityMeta.getEntityID(),
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: PERSISTENT,
      NameID: nameId,
      InResponseTo: inResponseTo ?? '',
      AuthnStatement: '',
      AttributeStatement: '',
    };
    let context = samlify.default.SamlLib.replaceTagsByValue(template, values);
    const authn =
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${values.AssertionID}">` +
      '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
    context = context.replace('</saml:Conditions>', `</saml:Conditions>${authn}${attributeStatement(config.users[nameId])}`);
    if (!inResponseTo) context = context.replaceAll(' InResponseTo=""', '');
    return { id, context };
  };
}

function form(action, fields) {
  const inputs = Object.entries(fields)
    .filter(([, v]) => v)
    .map(([k, v]) => `<input type="hidden" name="${escapeXml(k)}" value="${escapeXml(v)}"/>`)
    .join('');
  return `<html><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(action)}">${inputs}<input type="submit" value="Continue"/></form></body></html>`;
}

// The octets a Redirect-binding signature covers, as they arrived (saml-bindings §3.4.4.1).
function octetString(rawQuery) {
  const wanted = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg'];
  const parts = rawQuery.split('&').filter((p) => wanted.includes(p.split('=')[0]));
  parts.sort((a, b) => wanted.indexOf(a.split('=')[0]) - wanted.indexOf(b.split('=')[0]));
  return parts.join('&');
}

function issuerOf(samlRequest) {
  const xml = zlib.inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const match = xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]+)<\/(?:\w+:)?Issuer>/);
  return match ? match[1].trim() : undefined;
}

async function sso(base, url, rawQuery) {
  const query = Object.fromEntries(url.searchParams);
  const sp = serviceProvider(issuerOf(query.SAMLRequest));
  const idp = identityProvider(base, Boolean(query.Signature));
  const request = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: octetString(rawQuery) });
  const nameId = query.user || config.default_user;
  const response = await idp.createLoginResponse(sp, request, 'post', { email: nameId }, {
    relayState: query.RelayState,
    customTagReplacement: replacement(idp, sp, nameId, request.extract.request.id),
  });
  return form(response.entityEndpoint, { SAMLResponse: response.context, RelayState: query.RelayState });
}

async function idpInitiated(base, url) {
  const query = Object.fromEntries(url.searchParams);
  const sp = serviceProvider(query.sp);
  const idp = identityProvider(base, false);
  const nameId = query.user || config.default_user;
  const response = await idp.createLoginResponse(sp, {}, 'post', { email: nameId }, {
    relayState: query.RelayState,
    customTagReplacement: replacement(idp, sp, nameId, null),
  });
  return form(response.entityEndpoint, { SAMLResponse: response.context, RelayState: query.RelayState });
}

async function slo(base, url, rawQuery) {
  const query = Object.fromEntries(url.searchParams);
  const sp = serviceProvider(issuerOf(query.SAMLRequest));
  const idp = identityProvider(base, true);
  const request = await idp.parseLogoutRequest(sp, 'redirect', { query, octetString: octetString(rawQuery) });
  const response = await idp.createLogoutResponse(sp, request, 'post', query.RelayState);
  return form(response.entityEndpoint, { SAMLResponse: response.context, RelayState: query.RelayState });
}

const server = http.createServer(async (req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const url = new URL(req.url, base);
  const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  try {
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' });
      res.end(identityProvider(base, false).getMetadata());
      return;
    }
    if (url.pathname === '/sp-metadata' && req.method === 'POST') {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const document = Buffer.concat(chunks).toString('utf8');
      const entityId = document.match(/entityID="([^"]+)"/)[1];
      serviceProviders.set(entityId, document);
      res.writeHead(204);
      res.end();
      return;
    }
    const routes = { '/sso': sso, '/idp-init': idpInitiated, '/slo': slo };
    if (!routes[url.pathname]) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    const page = await routes[url.pathname](base, url, rawQuery);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  } catch (error) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(String(error?.message ?? error));
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ issuer: `http://127.0.0.1:${server.address().port}` }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

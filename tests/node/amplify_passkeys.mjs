// Passkeys through Amplify v6 (headless, in Node): sign in with a password, associateWebAuthnCredential,
// listWebAuthnCredentials, sign out, sign in with preferredChallenge WEB_AUTHN, deleteWebAuthnCredential, and
// sign in with the deleted passkey again. Node has no authenticator: navigator.credentials is a stand-in that
// passes Amplify's options on to the test, whose software authenticator answers in JSON (pause "create" →
// {credential: RegistrationResponseJSON}, pause "get" → {credential: AuthenticationResponseJSON}); the stand-in
// turns that JSON back into the PublicKeyCredential objects a browser hands Amplify, so Amplify's own
// serialisation is what reaches the server.
// stdin, first line: {endpoint, userPoolId, clientId, username, password}.
// stdout (last line): {ok, listed, passkeyClaims, afterDelete, calls} or {ok: false, code, message, calls}.
import { conversation, failure, recordCognitoCalls } from "./common.mjs";

const talk = conversation();

const toBuffer = (text) => {
  const bytes = Buffer.from(text, "base64url");
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const toText = (buffer) => Buffer.from(buffer).toString("base64url");

class PublicKeyCredential {
  constructor(json, response) {
    this.id = json.id;
    this.rawId = toBuffer(json.rawId);
    this.type = json.type;
    this.authenticatorAttachment = json.authenticatorAttachment ?? null;
    this.response = response;
    this.extensions = json.clientExtensionResults ?? {};
  }
  getClientExtensionResults() {
    return this.extensions;
  }
}
class AuthenticatorAttestationResponse {
  constructor(json) {
    this.clientDataJSON = toBuffer(json.clientDataJSON);
    this.attestationObject = toBuffer(json.attestationObject);
    this.json = json;
  }
  getTransports() {
    return this.json.transports ?? [];
  }
  getPublicKeyAlgorithm() {
    return this.json.publicKeyAlgorithm;
  }
  getAuthenticatorData() {
    return toBuffer(this.json.authenticatorData);
  }
  getPublicKey() {
    return null;
  }
}
class AuthenticatorAssertionResponse {
  constructor(json) {
    this.clientDataJSON = toBuffer(json.clientDataJSON);
    this.authenticatorData = toBuffer(json.authenticatorData);
    this.signature = toBuffer(json.signature);
    this.userHandle = json.userHandle ? toBuffer(json.userHandle) : null;
  }
}

// What a browser in a secure context offers; only what Amplify's passkey code reads.
const credentials = {
  async create({ publicKey }) {
    const options = {
      ...publicKey,
      challenge: toText(publicKey.challenge),
      user: { ...publicKey.user, id: toText(publicKey.user.id) },
      excludeCredentials: (publicKey.excludeCredentials ?? []).map((c) => ({ ...c, id: toText(c.id) })),
    };
    const { credential } = await talk.pause("create", { options });
    return new PublicKeyCredential(credential, new AuthenticatorAttestationResponse(credential.response));
  },
  async get({ publicKey }) {
    const options = {
      ...publicKey,
      challenge: toText(publicKey.challenge),
      allowCredentials: (publicKey.allowCredentials ?? []).map((c) => ({ ...c, id: toText(c.id) })),
    };
    const { credential } = await talk.pause("get", { options });
    return new PublicKeyCredential(credential, new AuthenticatorAssertionResponse(credential.response));
  },
};
const recorder = recordCognitoCalls();
const { Amplify } = await import("aws-amplify");
const auth = await import("aws-amplify/auth");
const { cognitoUserPoolsTokenProvider } = await import("aws-amplify/auth/cognito");
const { sharedInMemoryStorage } = await import("aws-amplify/utils");

// Amplify's passkey code asks, when it runs, for a browser window in a secure context; set up after the
// imports, so that Amplify's modules load as they do in Node.
Object.assign(globalThis, { PublicKeyCredential, AuthenticatorAttestationResponse, AuthenticatorAssertionResponse });
const listeners = { addEventListener() {}, removeEventListener() {} };
globalThis.window = { ...listeners, document: { ...listeners }, isSecureContext: true, PublicKeyCredential };
if (globalThis.navigator === undefined) {
  globalThis.navigator = {};
}
Object.defineProperty(globalThis.navigator, "credentials", { value: credentials, configurable: true });

async function main(request) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: request.userPoolId,
        userPoolClientId: request.clientId,
        userPoolEndpoint: request.endpoint,
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
  const withPassword = await auth.signIn({
    username: request.username,
    password: request.password,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD" },
  });
  if (!withPassword.isSignedIn) throw new Error(`password sign-in stopped at ${withPassword.nextStep.signInStep}`);
  await auth.associateWebAuthnCredential();
  const listed = (await auth.listWebAuthnCredentials()).credentials;
  await auth.signOut();
  const withPasskey = await auth.signIn({
    username: request.username,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" },
  });
  if (!withPasskey.isSignedIn) throw new Error(`passkey sign-in stopped at ${withPasskey.nextStep.signInStep}`);
  const passkeyClaims = (await auth.fetchAuthSession()).tokens.accessToken.payload;
  await auth.deleteWebAuthnCredential({ credentialId: listed[0].credentialId });
  const remaining = (await auth.listWebAuthnCredentials()).credentials;
  await auth.signOut();
  const afterDelete = await auth
    .signIn({ username: request.username, options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" } })
    .then((r) => ({ ok: true, step: r.nextStep.signInStep }), (error) => failure(error));
  return { ok: true, listed, remaining, passkeyClaims, afterDelete, calls: recorder.take() };
}

const request = await talk.next();
const answer = await main(request).catch((error) => ({ ...failure(error), calls: recorder.take() }));
process.stdout.write(`${JSON.stringify(answer)}\n`);
process.exit(0);

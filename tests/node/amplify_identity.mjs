// Amplify v6 (headless, in Node) against the server's identity pool: fetchAuthSession() as a guest, then after
// signIn, with Auth.Cognito.identityPoolEndpoint (and userPoolEndpoint) pointed at the server.
// stdin: {endpoint, userPoolId, clientId, identityPoolId, username, password}
// stdout (last line): {ok, guest: {identityId, credentials}, user: {identityId, credentials, sub}, calls} or
// {ok: false, code, message, calls}; calls: the identity pool operations Amplify made, in order.
import { failure, readRequest, reply } from "./common.mjs";

const calls = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, options = {}) => {
  const target = new Headers(options.headers).get("x-amz-target") ?? "";
  if (target.startsWith("AWSCognitoIdentityService.")) {
    const body = JSON.parse(options.body ?? "{}");
    calls.push({ operation: target.split(".").pop(), logins: Object.keys(body.Logins ?? {}) });
  }
  return realFetch(url, options);
};
const { Amplify } = await import("aws-amplify");
const { fetchAuthSession, signIn } = await import("aws-amplify/auth");
const { cognitoUserPoolsTokenProvider } = await import("aws-amplify/auth/cognito");
const { sharedInMemoryStorage } = await import("aws-amplify/utils");

function session(found) {
  const c = found.credentials;
  return {
    identityId: found.identityId,
    credentials: c && {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
      expiration: c.expiration?.toISOString(),
    },
  };
}

async function main(request) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: request.userPoolId,
        userPoolClientId: request.clientId,
        userPoolEndpoint: request.endpoint,
        identityPoolId: request.identityPoolId,
        identityPoolEndpoint: request.endpoint,
        allowGuestAccess: true,
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
  const guest = session(await fetchAuthSession());
  const result = await signIn({
    username: request.username,
    password: request.password,
    options: { authFlowType: "USER_PASSWORD_AUTH" },
  });
  if (!result.isSignedIn) {
    return { ok: false, code: "UnexpectedNextStep", message: result.nextStep.signInStep, calls };
  }
  const found = await fetchAuthSession();
  return { ok: true, guest, user: { ...session(found), sub: found.userSub }, calls };
}

const request = await readRequest();
reply(await main(request).catch((error) => ({ ...failure(error), calls })));

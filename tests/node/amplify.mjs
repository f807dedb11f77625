// Drives Amplify v6 (headless, in Node) against the server named by `endpoint`.
// stdin: {endpoint, userPoolId, clientId, username, password, flow, wrongPassword?}
// stdout (last line): {ok, refused, idToken, accessToken, attributes, refreshed, refreshedIdToken} or
// {ok: false, code, message}. With wrongPassword the driver first signs in with it: `refused` is its outcome.
//
// Amplify v6 refreshes with GetTokensFromRefreshToken (see @aws-amplify/auth refreshAuthTokens).
// Node has no localStorage, so tokens go to Amplify's in-memory key-value storage.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, fetchUserAttributes, signIn } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { sharedInMemoryStorage } from "aws-amplify/utils";
import { failure, readRequest, reply } from "./common.mjs";

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

  const attempt = (password) =>
    signIn({ username: request.username, password, options: { authFlowType: request.flow } });
  const refused = request.wrongPassword
    ? await attempt(request.wrongPassword).then((r) => ({ ok: r.isSignedIn, step: r.nextStep?.signInStep }), failure)
    : null;
  const result = await attempt(request.password);
  if (!result.isSignedIn) {
    return { ok: false, code: "UnexpectedNextStep", message: result.nextStep.signInStep };
  }
  const first = await fetchAuthSession();
  const attributes = await fetchUserAttributes();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  return {
    ok: true,
    refused,
    idToken: first.tokens.idToken.payload,
    accessToken: first.tokens.accessToken.payload,
    attributes,
    refreshed: refreshed.tokens?.idToken !== undefined && refreshed.tokens.idToken.toString() !== first.tokens.idToken.toString(),
    refreshedIdToken: refreshed.tokens?.idToken?.payload ?? null,
  };
}

const request = await readRequest();
reply(await main(request).catch(failure));

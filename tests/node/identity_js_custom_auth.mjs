// Drives a CUSTOM_AUTH sign-in with amazon-cognito-identity-js against the server named by `endpoint`:
// `initiateAuth` (custom challenges only) or, with `password`, `authenticateUser` under the CUSTOM_AUTH flow
// type (SRP_A first, then the custom challenges), answering each CUSTOM_CHALLENGE with
// `sendCustomChallengeAnswer` as the app would: the sum of a captcha, the nickname, the word shown.
// stdin: {endpoint, userPoolId, clientId, username, password?, clientMetadata?}
// stdout (last line): {ok, shown, idToken, accessToken} or {ok: false, code, message}.
import cognito from "amazon-cognito-identity-js";
import { claimsOf, failure, readRequest, reply } from "./common.mjs";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function solve(parameters) {
  if (parameters.type === "captcha") {
    const [a, b] = parameters.question.split(" + ").map(Number);
    return String(a + b);
  }
  if (parameters.type === "question") return "rex";
  return parameters.word;
}

function signIn(user, details, request) {
  return new Promise((resolve, reject) => {
    const shown = [];
    const callbacks = {
      onSuccess: (session) => resolve({ session, shown }),
      onFailure: reject,
      customChallenge(parameters) {
        shown.push(parameters.type);
        user.sendCustomChallengeAnswer(solve(parameters), callbacks, request.clientMetadata ?? {});
      },
    };
    if (request.password) user.authenticateUser(details, callbacks);
    else user.initiateAuth(details, callbacks);
  });
}

async function main(request) {
  const pool = new CognitoUserPool({
    UserPoolId: request.userPoolId,
    ClientId: request.clientId,
    endpoint: request.endpoint,
  });
  const user = new CognitoUser({ Username: request.username, Pool: pool });
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const details = new AuthenticationDetails({
    Username: request.username,
    Password: request.password,
    ClientMetadata: request.clientMetadata ?? {},
  });
  const { session, shown } = await signIn(user, details, request);
  return {
    ok: true,
    shown,
    idToken: claimsOf(session.getIdToken().getJwtToken()),
    accessToken: claimsOf(session.getAccessToken().getJwtToken()),
  };
}

const request = await readRequest();
reply(await main(request).catch(failure));

// Drives amazon-cognito-identity-js against the server named by `endpoint`.
// stdin: {endpoint, userPoolId, clientId, username, password, flow, wrongPassword?}
// stdout (last line): {ok, refused, idToken, accessToken, attributes, refreshed, refreshedIdToken} or
// {ok: false, code, message}. With wrongPassword the driver first signs in with it: `refused` is its outcome.
//
// The library's HTTP goes through isomorphic-unfetch, which keeps Node's global fetch when one exists
// (Node >= 18), so no polyfill is needed.
import cognito from "amazon-cognito-identity-js";
import { claimsOf, failure, readRequest, reply } from "./common.mjs";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function signIn(user, details) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => () => reject({ code: "UnexpectedChallenge", message: name });
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: unexpected("NEW_PASSWORD_REQUIRED"),
      mfaRequired: unexpected("SMS_MFA"),
      totpRequired: unexpected("SOFTWARE_TOKEN_MFA"),
      mfaSetup: unexpected("MFA_SETUP"),
      selectMFAType: unexpected("SELECT_MFA_TYPE"),
      customChallenge: unexpected("CUSTOM_CHALLENGE"),
    });
  });
}

function callback(fn) {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

async function main(request) {
  const pool = new CognitoUserPool({
    UserPoolId: request.userPoolId,
    ClientId: request.clientId,
    endpoint: request.endpoint,
  });
  const newUser = () => {
    const user = new CognitoUser({ Username: request.username, Pool: pool });
    user.setAuthenticationFlowType(request.flow);
    return user;
  };
  const details = (password) => new AuthenticationDetails({ Username: request.username, Password: password });

  const refused = request.wrongPassword
    ? await signIn(newUser(), details(request.wrongPassword)).then(() => ({ ok: true }), failure)
    : null;
  const user = newUser();
  const session = await signIn(user, details(request.password));
  const attributes = await callback((cb) => user.getUserAttributes(cb));
  const refreshed = await callback((cb) => user.refreshSession(session.getRefreshToken(), cb));
  return {
    ok: true,
    refused,
    idToken: claimsOf(session.getIdToken().getJwtToken()),
    accessToken: claimsOf(session.getAccessToken().getJwtToken()),
    attributes: Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()])),
    refreshed: refreshed.isValid(),
    refreshedIdToken: claimsOf(refreshed.getIdToken().getJwtToken()),
  };
}

const request = await readRequest();
reply(await main(request).catch(failure));

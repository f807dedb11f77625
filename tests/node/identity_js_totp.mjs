// One sign-in through amazon-cognito-identity-js with a second factor, the test supplying the codes.
// stdin, first line: {endpoint, userPoolId, clientId, username, password, flow}; then one line per pause.
// The library's callbacks decide what happens:
//   mfaSetup      user.associateSoftwareToken (with the challenge's Session); the driver pauses with
//                 {pause: "secret", secret} and the test answers {code}, which goes to
//                 user.verifySoftwareToken(code, "phone"): VerifySoftwareToken, then RespondToAuthChallenge
//                 MFA_SETUP
//   totpRequired  (SOFTWARE_TOKEN_MFA) and mfaRequired (SMS_MFA): the driver pauses with
//                 {pause: "code", challenge, parameters, refused} and the test answers {code}, which goes to
//                 user.sendMFACode(code, callbacks, challenge). A refused code (refused: {code, message}) pauses
//                 again for another, in the same sign-in, as an app asks the user to type it again.
// Once signed in the driver refreshes the session (REFRESH_TOKEN_AUTH, no second factor).
// stdout (last line): {ok, challenges, accessToken, idToken (claims), accessJwt, refreshed, calls} or
// {ok: false, code, message, calls}; `calls` lists the Cognito calls made (see recordCognitoCalls).
import { claimsOf, conversation, failure, recordCognitoCalls } from "./common.mjs";

// isomorphic-unfetch keeps the global fetch it finds at import: wrap it first.
const recorder = recordCognitoCalls();
const { default: cognito } = await import("amazon-cognito-identity-js");
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function signIn(talk, user, details, challenges) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => () => reject({ code: "UnexpectedChallenge", message: name });
    const askForCode = (challenge, parameters, refused = null) => {
      talk
        .pause("code", { challenge, parameters, refused })
        .then(({ code }) =>
          user.sendMFACode(
            code,
            {
              onSuccess: resolve,
              onFailure: (error) => askForCode(challenge, parameters, failure(error)),
            },
            challenge,
          ),
        )
        .catch(reject);
    };
    const secondFactor = (challenge, parameters) => {
      challenges.push({ challenge, parameters });
      askForCode(challenge, parameters);
    };
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      mfaRequired: secondFactor,
      totpRequired: secondFactor,
      mfaSetup: (challenge, parameters) => {
        challenges.push({ challenge, parameters });
        user.associateSoftwareToken({
          associateSecretCode: (secret) => {
            talk
              .pause("secret", { secret })
              .then(({ code }) => user.verifySoftwareToken(code, "phone", { onSuccess: resolve, onFailure: reject }))
              .catch(reject);
          },
          onFailure: reject,
        });
      },
      newPasswordRequired: unexpected("NEW_PASSWORD_REQUIRED"),
      selectMFAType: unexpected("SELECT_MFA_TYPE"),
      customChallenge: unexpected("CUSTOM_CHALLENGE"),
    });
  });
}

function callback(fn) {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

async function main(talk, request) {
  const pool = new CognitoUserPool({
    UserPoolId: request.userPoolId,
    ClientId: request.clientId,
    endpoint: request.endpoint,
  });
  const user = new CognitoUser({ Username: request.username, Pool: pool });
  user.setAuthenticationFlowType(request.flow);
  const details = new AuthenticationDetails({ Username: request.username, Password: request.password });
  const challenges = [];
  const session = await signIn(talk, user, details, challenges);
  const refreshed = await callback((cb) => user.refreshSession(session.getRefreshToken(), cb));
  return {
    ok: true,
    challenges,
    accessToken: claimsOf(session.getAccessToken().getJwtToken()),
    idToken: claimsOf(session.getIdToken().getJwtToken()),
    accessJwt: session.getAccessToken().getJwtToken(),
    refreshed: claimsOf(refreshed.getAccessToken().getJwtToken()),
    calls: recorder.take(),
  };
}

const talk = conversation();
const request = await talk.next();
const result = await main(talk, request).catch((error) => ({ ...failure(error), calls: recorder.take() }));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

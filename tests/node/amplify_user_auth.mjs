// One choice-based sign-in (USER_AUTH) through Amplify v6 (headless, in Node), the test supplying the codes.
// stdin, first line: {endpoint, userPoolId, clientId, username, password, preferred?, choice?}; then one line
// per pause. signIn({authFlowType: "USER_AUTH", preferredChallenge}) and then confirmSignIn for each step:
//   CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION  confirmSignIn({challengeResponse: choice})
//   CONFIRM_SIGN_IN_WITH_PASSWORD                 confirmSignIn({challengeResponse: password})
//   CONFIRM_SIGN_IN_WITH_EMAIL_CODE / _SMS_CODE   pause {pause: "code", step, destination}; the test answers
//                                                 {code}, which goes to confirmSignIn
// stdout (last line): {ok, steps, available, accessToken (claims), calls} or {ok: false, code, message, calls}.
import { conversation, failure, recordCognitoCalls } from "./common.mjs";

const recorder = recordCognitoCalls();
const { Amplify } = await import("aws-amplify");
const { confirmSignIn, fetchAuthSession, signIn } = await import("aws-amplify/auth");
const { cognitoUserPoolsTokenProvider } = await import("aws-amplify/auth/cognito");
const { sharedInMemoryStorage } = await import("aws-amplify/utils");

async function main(talk, request) {
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
  const steps = [];
  let available = null;
  let result = await signIn({
    username: request.username,
    options: { authFlowType: "USER_AUTH", preferredChallenge: request.preferred },
  });
  while (!result.isSignedIn) {
    const step = result.nextStep.signInStep;
    steps.push(step);
    let response;
    if (step === "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION") {
      available = result.nextStep.availableChallenges;
      response = request.choice;
    } else if (step === "CONFIRM_SIGN_IN_WITH_PASSWORD") {
      response = request.password;
    } else if (step === "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" || step === "CONFIRM_SIGN_IN_WITH_SMS_CODE") {
      const destination = result.nextStep.codeDeliveryDetails?.destination ?? null;
      response = (await talk.pause("code", { step, destination })).code;
    } else {
      return { ok: false, code: "UnexpectedNextStep", message: step, calls: recorder.take() };
    }
    result = await confirmSignIn({ challengeResponse: response });
  }
  const session = await fetchAuthSession();
  return { ok: true, steps, available, accessToken: session.tokens.accessToken.payload, calls: recorder.take() };
}

const talk = conversation();
const request = await talk.next();
const answer = await main(talk, request).catch((error) => ({ ...failure(error), calls: recorder.take() }));
process.stdout.write(`${JSON.stringify(answer)}\n`);
process.exit(0);

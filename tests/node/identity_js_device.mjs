// A remembered device through amazon-cognito-identity-js, in one process (one browser, so to speak).
// stdin, first line: {endpoint, userPoolId, clientId, username, password}; then one line per pause.
// stdout: a {pause: ...} line at each point the test checks the server, then (last line) the phases:
//   first      USER_SRP_AUTH; the library confirms the new device itself, the user remembers it
//   remembered a new CognitoUser signs in with USER_SRP_AUTH: PASSWORD_VERIFIER, then DEVICE_SRP_AUTH and
//              DEVICE_PASSWORD_VERIFIER; refreshSession sends the DEVICE_KEY
//   password   the same with USER_PASSWORD_AUTH (DEVICE_KEY already on InitiateAuth)
//   forgotten  after ForgetDevice, the device's old keys are put back in storage (a device that kept them):
//              USER_PASSWORD_AUTH, then USER_SRP_AUTH (whose PASSWORD_VERIFIER the library retries without
//              the DEVICE_KEY on "Device does not exist.", as it does against Cognito)
// Each phase lists the Cognito calls it made (see recordCognitoCalls).
import { claimsOf, conversation, failure, recordCognitoCalls } from "./common.mjs";

// isomorphic-unfetch keeps the global fetch it finds at import: wrap it first.
const recorder = recordCognitoCalls();
const { default: cognito } = await import("amazon-cognito-identity-js");
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

// The library's Storage, kept in a Map the driver can read and write.
class MapStorage {
  constructor() {
    this.items = new Map();
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  removeItem(key) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

const DEVICE_ITEMS = ["deviceKey", "randomPasswordKey", "deviceGroupKey"];

function signIn(user, details) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => () => reject({ code: "UnexpectedChallenge", message: name });
    user.authenticateUser(details, {
      onSuccess: (session, userConfirmationNecessary) => resolve({ session, userConfirmationNecessary }),
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

function outcome(fn) {
  return new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));
}

function callback(fn) {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

async function main(talk, request) {
  const storage = new MapStorage();
  const pool = new CognitoUserPool({
    UserPoolId: request.userPoolId,
    ClientId: request.clientId,
    endpoint: request.endpoint,
    Storage: storage,
  });
  const details = new AuthenticationDetails({ Username: request.username, Password: request.password });
  const newUser = (flow) => {
    const user = new CognitoUser({ Username: request.username, Pool: pool, Storage: storage });
    user.setAuthenticationFlowType(flow);
    return user;
  };
  // The user's device items in storage, under the internal username the library learnt at sign-in.
  const itemKey = (user, item) => `CognitoIdentityServiceProvider.${request.clientId}.${user.getUsername()}.${item}`;
  const deviceItems = (user) => Object.fromEntries(DEVICE_ITEMS.map((i) => [i, storage.getItem(itemKey(user, i))]));
  const phases = {};

  // 1. A new device: the library confirms it (ConfirmDevice) and the user chooses to remember it.
  const first = newUser("USER_SRP_AUTH");
  const signedIn = await signIn(first, details);
  const deviceKey = first.deviceKey;
  await outcome((cb) => first.setDeviceStatusRemembered(cb));
  phases.first = {
    userConfirmationNecessary: signedIn.userConfirmationNecessary ?? false,
    deviceKey,
    stored: deviceItems(first),
    accessToken: claimsOf(signedIn.session.getAccessToken().getJwtToken()),
    calls: recorder.take(),
  };
  await talk.pause("remembered", { deviceKey });
  first.signOut(); // local: tokens leave storage, the device's items stay

  // 2. The remembered device proves itself with DEVICE_SRP_AUTH; its refresh carries the DEVICE_KEY.
  const again = newUser("USER_SRP_AUTH");
  const remembered = await signIn(again, details);
  const refreshed = await callback((cb) => again.refreshSession(remembered.session.getRefreshToken(), cb));
  phases.remembered = {
    accessToken: claimsOf(remembered.session.getAccessToken().getJwtToken()),
    idToken: claimsOf(remembered.session.getIdToken().getJwtToken()),
    refreshedAccessToken: claimsOf(refreshed.getAccessToken().getJwtToken()),
    calls: recorder.take(),
  };
  again.signOut();

  // 3. Same with USER_PASSWORD_AUTH.
  const byPassword = newUser("USER_PASSWORD_AUTH");
  const passwordSession = await signIn(byPassword, details);
  phases.password = {
    accessToken: claimsOf(passwordSession.session.getAccessToken().getJwtToken()),
    calls: recorder.take(),
  };

  // 4. Forget the device; a copy of its items survives elsewhere and is put back.
  const kept = deviceItems(byPassword);
  await outcome((cb) => byPassword.forgetDevice(cb));
  const afterForget = deviceItems(byPassword);
  recorder.take();
  await talk.pause("forgotten", { deviceKey });
  byPassword.signOut();
  const restore = () => {
    for (const [item, value] of Object.entries(kept)) storage.setItem(itemKey(byPassword, item), value);
  };

  restore();
  const refusedPassword = await signIn(newUser("USER_PASSWORD_AUTH"), details).then(
    ({ session }) => ({ ok: true, accessToken: claimsOf(session.getAccessToken().getJwtToken()) }),
    failure,
  );
  const passwordCalls = recorder.take();

  restore();
  const srpUser = newUser("USER_SRP_AUTH");
  const retriedSrp = await signIn(srpUser, details).then(
    ({ session }) => ({ ok: true, accessToken: claimsOf(session.getAccessToken().getJwtToken()) }),
    failure,
  );
  phases.forgotten = {
    afterForget,
    password: { ...refusedPassword, calls: passwordCalls },
    srp: { ...retriedSrp, deviceKeyNow: srpUser.deviceKey ?? null, calls: recorder.take() },
  };
  return { ok: true, phases };
}

const talk = conversation();
const request = await talk.next();
const result = await main(talk, request).catch((error) => ({ ...failure(error), calls: recorder.take() }));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

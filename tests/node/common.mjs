// Shared helpers for the SDK driver scripts: read the JSON request on stdin, write one JSON line on stdout.
import { createInterface } from "node:readline";

export async function readRequest() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export function reply(result) {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

export function failure(error) {
  return {
    ok: false,
    code: error?.code ?? error?.name ?? "Error",
    message: error?.message ?? String(error),
  };
}

export function claimsOf(jwt) {
  const [, payload] = jwt.split(".");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

// A driver that talks with the test while it runs: the request is the first line on stdin; `pause(name, data)`
// writes {pause: name, ...data} as one line and waits for the test's next line (which it returns, parsed).
export function conversation() {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the test closed stdin");
    return JSON.parse(value);
  };
  return {
    next,
    async pause(name, data = {}) {
      process.stdout.write(`${JSON.stringify({ pause: name, ...data })}\n`);
      return next();
    },
  };
}

// Wrap globalThis.fetch so every Cognito call is recorded: operation, flow or challenge, the DEVICE_KEY it
// carried, its credential, and what came back (the next challenge, "tokens", or the error). Install before
// importing an SDK.
export function recordCognitoCalls() {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, options = {}) => {
    const headers = new Headers(options.headers);
    const target = headers.get("x-amz-target");
    if (!target) return realFetch(url, options);
    const body = JSON.parse(options.body ?? "{}");
    const params = body.AuthParameters ?? body.ChallengeResponses ?? {};
    const call = {
      operation: target.split(".").pop(),
      step: body.ChallengeName ?? body.AuthFlow ?? null,
      deviceKey: params.DEVICE_KEY ?? body.DeviceKey ?? null,
      // What authorized a call that needs more than the client id: an access token or a challenge's Session.
      credential: body.AccessToken ? "AccessToken" : body.Session ? "Session" : null,
    };
    const response = await realFetch(url, options);
    const data = await response.clone().json().catch(() => ({}));
    if (response.ok) {
      call.answer = data.ChallengeName ?? (data.AuthenticationResult ? "tokens" : null);
      call.newDeviceKey = data.AuthenticationResult?.NewDeviceMetadata?.DeviceKey ?? null;
    } else {
      call.error = { code: String(data.__type ?? "").split("#").pop(), message: data.message ?? data.Message };
    }
    calls.push(call);
    return response;
  };
  return {
    // The calls made since the previous take().
    take() {
      return calls.splice(0, calls.length);
    },
  };
}

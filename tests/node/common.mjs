// Shared helpers for the SDK driver scripts: read the JSON request on stdin, write one JSON line on stdout.

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

// The hosted pages' passkey ceremonies (W3C Web Authentication, navigator.credentials.create / get).
// A form marked data-passkey="create" or "get" holds the server's options (JSON, binary members base64url)
// in data-options; on submit the browser's authenticator answers, the credential goes into the form's hidden
// "credential" field as RegistrationResponseJSON / AuthenticationResponseJSON, and the form is sent.
(function () {
  "use strict";

  function toBuffer(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    let raw = "";
    new Uint8Array(buffer).forEach(function (b) { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) { return Object.assign({}, d, { id: toBuffer(d.id) }); });
  }

  function common(credential, response) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: response,
    };
  }

  async function create(options) {
    const publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      user: Object.assign({}, options.user, { id: toBuffer(options.user.id) }),
      excludeCredentials: descriptors(options.excludeCredentials),
    });
    const credential = await navigator.credentials.create({ publicKey: publicKey });
    const r = credential.response;
    return common(credential, {
      clientDataJSON: toText(r.clientDataJSON),
      attestationObject: toText(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : [],
    });
  }

  async function get(options) {
    const publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    });
    const credential = await navigator.credentials.get({ publicKey: publicKey });
    const r = credential.response;
    return common(credential, {
      clientDataJSON: toText(r.clientDataJSON),
      authenticatorData: toText(r.authenticatorData),
      signature: toText(r.signature),
      userHandle: r.userHandle ? toText(r.userHandle) : undefined,
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const failed = form.querySelector("[data-passkey-failed]");
      if (failed) failed.hidden = true;
      try {
        const options = JSON.parse(form.dataset.options);
        const credential = form.dataset.passkey === "create" ? await create(options) : await get(options);
        form.elements.credential.value = JSON.stringify(credential);
        form.submit(); // fires no submit event: no loop
      } catch (err) {
        if (failed) failed.hidden = false;
      }
    });
  });
})();

// How the portal talks to the back end: its configuration, the API, Cognito and the tokens.
// This is the part a production portal team would copy; the screens are in the other modules.

let configPromise = null;

/** The deployment's settings, from /config.json next to index.html (the local stack writes
 * it; a real deployment serves its own, see config.example.json):
 * {api_url, region, cognito_endpoint?, portal_client_id, care_app_client_id}. */
export function config() {
  if (!configPromise) {
    configPromise = fetch("/config.json", { cache: "no-store" }).then(async (res) => {
      if (!res.ok) throw new ApiError(res.status, { message: `config.json could not be read (HTTP ${res.status}).`, code: "portal_config_missing" });
      const cfg = await res.json();
      return {
        ...cfg,
        api_url: String(cfg.api_url).replace(/\/+$/, ""),
        cognito_endpoint: cfg.cognito_endpoint || `https://cognito-idp.${cfg.region}.amazonaws.com/`,
      };
    });
  }
  return configPromise;
}

/** An error as the API (or Cognito) worded it: `body` is its JSON, at least {message, code};
 * the API adds `errors: [{field, message}]` for bad input. */
export class ApiError extends Error {
  constructor(status, body, source = "API") {
    super(body.message);
    this.status = status;
    this.body = body;
    this.source = source;
  }
}

async function answer(res, source) {
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.ok) return data;
  if (data && typeof data === "object" && typeof data.message === "string") {
    // Cognito words its errors {__type, message}: the type is the code.
    const code = data.code || String(data.__type || "").split("#").pop() || `http_${res.status}`;
    throw new ApiError(res.status, { ...data, code }, source);
  }
  throw new ApiError(res.status, { message: text || res.statusText || `HTTP ${res.status}`, code: `http_${res.status}` }, source);
}

function unreachable(source, url, err) {
  return new ApiError(0, {
    message: `${source} at ${url} could not be reached (${err.message}). A network problem, or a CORS refusal: the API allows only the portal's origin.`,
    code: "network_error",
  }, source);
}

/** One API call: JSON in, JSON out, the ID token in Authorization. */
export async function api(path, { method = "GET", body, token, headers = {} } = {}) {
  const cfg = await config();
  const url = cfg.api_url + path;
  const sent = { ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (token) sent.Authorization = token;
  let res;
  try {
    res = await fetch(url, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw unreachable("The API", cfg.api_url, err);
  }
  return answer(res, "API");
}

/** A Cognito user-pool call, as the AWS SDK makes it (no SDK needed for these). */
export async function cognito(operation, payload) {
  const cfg = await config();
  let res;
  try {
    res = await fetch(cfg.cognito_endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(payload),
    });
  } catch (err) {
    throw unreachable("Cognito", cfg.cognito_endpoint, err);
  }
  return answer(res, "Cognito");
}

/** The app client of each app: the pre-authentication trigger tells them apart (R13). */
export async function clientId(app) {
  const cfg = await config();
  return app === "care_app" ? cfg.care_app_client_id : cfg.portal_client_id;
}

/** Sign in with username and password (USER_PASSWORD_AUTH). Answers Cognito's result:
 * {AuthenticationResult} or a challenge {ChallengeName, Session}. A refusal by the
 * pre-authentication trigger is an ApiError whose message is
 * "PreAuthentication failed with error <reason>." */
export async function initiateAuth(app, username, password) {
  return cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: await clientId(app),
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
}

/** The answer to a second-factor challenge (a code from an authenticator app). */
export async function respondToMfa(app, challenge, username, code) {
  return cognito("RespondToAuthChallenge", {
    ClientId: await clientId(app),
    ChallengeName: challenge.ChallengeName,
    Session: challenge.Session,
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
  });
}

/** Two-step sign-in (R30), step 1: Cognito gives the login a new TOTP secret (base32) for
 * the authenticator app. It needs the access token of the sign-in (the ID token is the API's). */
export async function associateSoftwareToken(accessToken) {
  const answer = await cognito("AssociateSoftwareToken", { AccessToken: accessToken });
  return answer.SecretCode;
}

/** Step 2: a code of the app proves it holds the secret (a wrong one is Cognito's
 * EnableSoftwareTokenMFAException or CodeMismatchException). Step 3 is the API's
 * POST /me/mfa, which makes it the login's second factor. */
export async function verifySoftwareToken(accessToken, code) {
  return cognito("VerifySoftwareToken", { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: "authenticator app" });
}

/** The address an authenticator app reads (from a QR code, or a link on the phone itself):
 * Google's Key Uri Format, which the common apps follow. */
export function otpauthUri(issuer, account, secret) {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

// Tokens live in sessionStorage (this tab only), one session per organization and app.
const key = (slug, app) => `portal-session:${slug}:${app}`;

export function saveSession(slug, app, result) {
  sessionStorage.setItem(key(slug, app), JSON.stringify({
    id_token: result.IdToken,
    access_token: result.AccessToken,
    expires_at: Date.now() + (result.ExpiresIn || 3600) * 1000,
  }));
}

export function session(slug, app) {
  try {
    const s = JSON.parse(sessionStorage.getItem(key(slug, app)) || "null");
    return s && s.expires_at > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function endSession(slug, app) {
  sessionStorage.removeItem(key(slug, app));
}

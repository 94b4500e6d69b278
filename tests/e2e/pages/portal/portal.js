// What a portal does in the browser, as plain fetch calls (no SDK): read the local stack's
// configuration, log in against the Cognito endpoint, call the API with the ID token.
// Each function answers {status, body} or, when the browser refuses to hand over the answer
// (CORS), {error}. The tests call them with page.evaluate.

async function answerOf(request) {
  try {
    const response = await request;
    const text = await response.text();
    let body = text;
    try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
    return { status: response.status, body };
  } catch (error) {
    return { error: String(error) };
  }
}

// GET /_local/config of the local stack: the Cognito endpoint and the app client ids.
function localConfig(api) {
  return answerOf(fetch(`${api}/_local/config`));
}

// Cognito InitiateAuth with USER_PASSWORD_AUTH, as the AWS SDKs send it.
function initiateAuth({ endpoint, clientId, username, password }) {
  return answerOf(fetch(endpoint + "/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  }));
}

// One API call; a JSON body, the ID token and an Idempotency-Key when given.
function callApi({ api, method, path, idToken, body, idempotencyKey }) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idToken) headers["Authorization"] = `Bearer ${idToken}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  return answerOf(fetch(api + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

// The whole portal journey: config, log in with the portal client, one authenticated call.
async function logInAndCall({ api, username, password, method, path, body, idempotencyKey }) {
  const config = await localConfig(api);
  if (config.error) return { step: "config", ...config };
  const login = await initiateAuth({
    endpoint: config.body.aws_endpoint,
    clientId: config.body.portal_client_id,
    username,
    password,
  });
  if (login.error || login.status !== 200) return { step: "login", ...login };
  const idToken = login.body.AuthenticationResult.IdToken;
  const answer = await callApi({ api, method, path, idToken, body, idempotencyKey });
  return { step: "api", ...answer };
}

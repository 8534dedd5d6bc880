// Talking to the server: JSON with the bearer token, a timeout, and failures told apart.

// No usable answer: assume nothing, keep all queued.
export class ApiFailure extends Error {
  constructor(kind, status = 0, body = null) {
    super(body?.message_en ?? `${kind}${status ? ` ${status}` : ""}`);
    this.name = "ApiFailure";
    this.kind = kind;
    this.status = status;
    this.body = body;
  }
}

export function createApi({
  getToken = () => null,
  fetchImpl = (...args) => globalThis.fetch(...args),
  isOnline = () => globalThis.navigator?.onLine !== false,
  base = "",
} = {}) {
  // Answers below 500 but 401 resolve; others throw ApiFailure.
  async function request(method, path, { json, body, headers = {}, timeout = 20_000 } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    const token = getToken();
    const sent = { ...headers };
    if (token) sent.authorization = `Bearer ${token}`;
    if (json !== undefined) {
      sent["content-type"] = "application/json";
      body = JSON.stringify(json);
    }
    let response;
    let text;
    try {
      response = await fetchImpl(base + path, {
        method,
        headers: sent,
        body,
        signal: controller.signal,
        cache: "no-store",
      });
      text = await response.text();
    } catch {
      throw new ApiFailure(controller.signal.aborted ? "timeout" : isOnline() ? "unreachable" : "offline");
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    if (text && (response.headers.get("content-type") ?? "").includes("json")) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (response.status >= 500) throw new ApiFailure("server", response.status, data);
    if (response.status === 401) throw new ApiFailure("auth", 401, data);
    return { status: response.status, data, text, headers: response.headers };
  }

  return {
    request,
    get: (path, options) => request("GET", path, options),
    post: (path, json, options) => request("POST", path, { ...options, json }),
  };
}

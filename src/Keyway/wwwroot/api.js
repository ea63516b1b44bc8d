// The admin API, the UI's only way to the server: same-origin JSON, authenticated by the session cookie.

/**
 * A refused call: the HTTP status, the server's {"detail"} and the field it names, if any. signedOut: the session ended
 * and the login form has taken the page, which says so itself.
 */
export class ApiError extends Error {
  constructor(status, detail, field, signedOut = false) {
    super(detail);
    this.status = status;
    this.field = field;
    this.signedOut = signedOut;
  }
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { detail: text };
  }
  if (!response.ok) {
    // A session that ended mid-use sends the person back to the login form (login and the start-up check answer 401 themselves).
    const signedOut = response.status === 401 && path !== '/admin/login' && path !== '/admin/session';
    if (signedOut) {
      window.dispatchEvent(new CustomEvent('keyway:signed-out'));
    }
    throw new ApiError(response.status, data.detail || `${response.status} ${response.statusText}`, data.field, signedOut);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** A query string from the non-empty values of an object. */
export function query(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;

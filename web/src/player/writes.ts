// State-changing requests from operator pages: the CSRF token the page carries and the server's error
// message, shared by the applications page and the masking-rules editor.
import { readError, UNREACHABLE } from "./apierror";

/** The CSRF token the page carries for cookie-authenticated writes. */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** The message of an error answer (`{"error": {"message", "field"}}`), or its status. */
export async function errorText(res: Response): Promise<string> {
  const e = await readError(res);
  return e.field ? `${e.message} (${e.field})` : e.message;
}

/** Send `body` as JSON with the CSRF token; the parsed answer, or an Error with the server's message. */
export async function sendJson<T>(method: "POST" | "PUT" | "PATCH", url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error(UNREACHABLE);
  }
  if (!res.ok) throw new Error(await errorText(res));
  return (await res.json()) as T;
}

/**
 * One write from a form: `button` is disabled and `status` says `pending` while `send` runs; its answer
 * goes to `done`, a failure's message (the server's, else `failed`) to `status`.
 */
export function submitFrom<T>(
  button: HTMLButtonElement,
  status: HTMLElement,
  texts: { pending: string; failed: string },
  send: () => Promise<T>,
  done: (answer: T) => void,
): void {
  button.disabled = true;
  status.textContent = texts.pending;
  send()
    .then(done)
    .catch((err: unknown) => {
      status.textContent = err instanceof Error ? err.message : texts.failed;
    })
    .finally(() => {
      button.disabled = false;
    });
}

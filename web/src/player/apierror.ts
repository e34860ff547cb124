// Reading the operator API's error answers (docs/contracts/operator-api.md), shared by the page's client
// (api.ts) and the events worker, which cannot hold an Error across postMessage: plain data only.

/** An API failure as data; status 0 is a network failure (the request may be retried). */
export interface ErrorInfo {
  status: number;
  message: string;
  code: string | null;
  /** The input field the answer names, if any (a 400 or 422 about one field). */
  field?: string;
}

export const UNREACHABLE = "The Reel server could not be reached.";
export const INCOMPLETE = "The server's answer was incomplete.";

/** The reason an error answer gives; 502–504 come from proxies in front of Reel and usually pass, so they
 * count as network failures. */
export async function readError(response: Response): Promise<ErrorInfo> {
  let message = `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  let code: string | null = null;
  let field: string | undefined;
  try {
    const body = (await response.json()) as { error?: { message?: unknown; code?: unknown; field?: unknown } };
    if (typeof body.error?.message === "string" && body.error.message) message = body.error.message;
    if (typeof body.error?.code === "string") code = body.error.code;
    if (typeof body.error?.field === "string" && body.error.field) field = body.error.field;
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the generic message.
  }
  const status = response.status >= 502 && response.status <= 504 ? 0 : response.status;
  return field === undefined ? { status, message, code } : { status, message, code, field };
}

// The API docs page (/api/docs): Swagger UI, served from Reel's own files (web/build.mjs copies it from
// npm into src/reel/_built/apidocs/), reading Reel's OpenAPI document. Nothing is fetched from elsewhere:
// the validator badge, which would call an outside service, is off.
declare global {
  interface Window {
    SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
  }
}

function start(): void {
  const root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: root.dataset.openapi ?? "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    // Operator routes take the UI's cookie (with the CSRF token) or a bearer token: "Try it out" sends
    // the cookie; API tokens go in "Authorize".
    withCredentials: true,
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();

export {};

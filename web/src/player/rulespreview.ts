// The rules editor's preview: a recent session of the application, one segment of it masked on the
// server with the draft rules (POST /api/v1/sessions/{id}/masking-preview, nothing saved), shown by the
// player's own Replay paused at a moment the admin picks. Admins only, as the endpoint is.
import type { eventWithTime } from "@rrweb/types";
import { UNREACHABLE } from "./apierror";
import { h } from "./dom";
import { formatClock, formatDateTime, formatDuration, shortUrl } from "./format";
import { Replay } from "./replay";
import { csrfToken, errorText } from "./writes";

interface PreviewAnswer {
  n: number;
  start: number;
  end: number;
  head: eventWithTime[];
  events: eventWithTime[];
}

interface SessionRow {
  id: string;
  start: number;
  duration_ms: number;
  first_url: string | null;
  user_id: string;
}

export interface RulesPreview {
  element: HTMLElement;
  /** Show the chosen session under this draft document (a valid one). */
  update(doc: Record<string, unknown>): void;
}

export function rulesPreview(appId: string, enabled: boolean): RulesPreview {
  const picker = h("select", { class: "preview-session", attrs: { id: "rules-preview-session", "aria-label": "Session to preview" } });
  const slider = h("input", { class: "preview-time", attrs: { id: "rules-preview-time", type: "range", min: "0", max: "0", step: "100", "aria-label": "Moment to preview" } });
  const clock = h("span", { class: "preview-clock muted", attrs: { id: "rules-preview-clock" } });
  const note = h("p", { class: "muted preview-note", attrs: { id: "rules-preview-note", role: "status" } });
  const frame = h("div", { class: "frame" });
  const stage = h("div", { class: "stage preview-stage", attrs: { id: "rules-preview" } }, frame);
  let doc: Record<string, unknown> | null = null;
  let replay: Replay | null = null;
  let answer: PreviewAnswer | null = null;
  let seq = 0;

  function showAt(): void {
    if (!replay || !answer) return;
    const at = answer.start + Number(slider.value);
    replay.pauseAt(at);
    clock.textContent = formatClock(at - answer.start);
  }

  async function render(): Promise<void> {
    const sessionId = picker.value;
    if (!doc || !sessionId) return;
    const mine = ++seq;
    stage.dataset.state = "loading";
    let res: Response;
    try {
      res = await fetch(`/api/v1/sessions/${encodeURIComponent(sessionId)}/masking-preview`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ rules: doc }),
      });
    } catch {
      note.textContent = UNREACHABLE;
      return;
    }
    if (mine !== seq) return;
    if (!res.ok) {
      note.textContent = await errorText(res);
      stage.dataset.state = "error";
      return;
    }
    const got = (await res.json()) as PreviewAnswer;
    if (mine !== seq) return;
    const keep = answer?.start === got.start ? Number(slider.value) : 0;
    answer = got;
    replay?.destroy();
    frame.replaceChildren();
    replay = new Replay(stage, frame, [...got.head, ...got.events], { speed: 1, skipInactive: false });
    slider.max = String(Math.max(0, got.end - got.start));
    slider.value = String(Math.min(keep, got.end - got.start));
    showAt();
    note.textContent = "The first part of the session under the draft rules: nothing is saved until you save.";
    stage.dataset.state = "ready";
    stage.dataset.renders = String(Number(stage.dataset.renders ?? "0") + 1);
  }

  async function loadSessions(): Promise<void> {
    const url = `/api/v1/sessions?app_id=${encodeURIComponent(appId)}&platform=web&limit=20&sort=-start`;
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) {
      note.textContent = await errorText(res);
      return;
    }
    const sessions = ((await res.json()) as { sessions: SessionRow[] }).sessions;
    if (sessions.length === 0) {
      note.textContent = "No web session of this application yet: record one to preview the rules on it.";
      picker.disabled = true;
      return;
    }
    picker.replaceChildren(
      ...sessions.map((s) =>
        h("option", {
          text: `${formatDateTime(s.start)} · ${formatDuration(s.duration_ms)} · ${s.user_id || "anonymous"} · ${shortUrl(s.first_url)}`,
          attrs: { value: s.id },
        }),
      ),
    );
    void render();
  }

  picker.addEventListener("change", () => {
    answer = null;
    void render();
  });
  slider.addEventListener("input", showAt);

  const element = h(
    "aside",
    { class: "rules-preview", attrs: { "aria-label": "Preview under the draft rules" } },
    h("h3", { text: "Preview" }),
    ...(enabled
      ? [picker, stage, h("div", { class: "preview-controls" }, slider, clock), note]
      : [h("p", { class: "muted", text: "Admins preview sessions under draft rules." })]),
  );
  if (enabled) void loadSessions();
  return {
    element,
    update(next) {
      doc = next;
      if (enabled) void render();
    },
  };
}

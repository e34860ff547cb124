// The masking-rules document (docs/contracts/masking-rules.md) as the editor shows it: one row per rule,
// the preset and consent apart. Pure: turns a document into rows and back, and says which row and input
// a server error's `field` (`rules[2].selector`) is about.

export type Preset = "mask_all" | "allow_list" | "mask_inputs";
export type RowKind = "mask" | "unmask" | "block" | "attribute" | "url" | "detector";
export const DETECTORS = ["email", "card", "phone", "iban"] as const;

/** What an admin edits in one row: the action, then the inputs that action has. */
export interface Row {
  kind: RowKind;
  /** mask, unmask, block: the CSS selector. */
  selector: string;
  /** attribute: names, comma-separated; url: query parameters, comma-separated. */
  names: string;
  /** url: the path segment pattern (empty: none). */
  pattern: string;
  /** detector: the detectors on. */
  detectors: string[];
}

export interface Draft {
  preset: Preset;
  consent: { required: boolean; honor_gpc: boolean };
  rows: Row[];
}

/** A stored version as the API answers it (GET …/masking-rules, …/versions/N). */
export interface RulesDoc {
  version: number;
  preset: Preset;
  consent: { required: boolean; honor_gpc: boolean };
  rules: Array<Record<string, unknown>>;
  updated_by?: string | null;
  updated_at?: number | null;
}

export const PRESETS: Array<{ id: Preset; title: string; text: string }> = [
  {
    id: "mask_all",
    title: "Mask everything",
    text: "The default. Every text, attribute of the default list and image is hidden; add unmask rows for what you want to see (navigation, product titles).",
  },
  {
    id: "allow_list",
    title: "Allow list",
    text: "Text is hidden except inside unmask rows, as with Mask everything, but images are kept.",
  },
  {
    id: "mask_inputs",
    title: "Mask inputs only",
    text: "Text and images are shown; only what people type (and passwords, always) is hidden. Add mask rows for parts of the page with personal data.",
  },
];

export const KINDS: Array<{ id: RowKind; label: string; help: string }> = [
  { id: "mask", label: "Mask", help: "Hide the text, inputs and default attributes of matching elements and everything inside them; wins over unmask." },
  { id: "unmask", label: "Unmask", help: "Show the text of matching elements (inputs stay masked)." },
  { id: "block", label: "Block", help: "Replace matching elements by an empty box of their size: nothing inside is recorded." },
  { id: "attribute", label: "Attributes", help: "Also mask these attributes everywhere (a trailing * is a prefix: data-*)." },
  { id: "url", label: "URL", help: "Mask these query parameters' values (* for all) and path segments matching a pattern." },
  { id: "detector", label: "Detectors", help: "Find and mask these in any shown text (without a Detectors row, all four are on)." },
];

export function emptyRow(kind: RowKind): Row {
  return { kind, selector: "", names: "", pattern: "", detectors: kind === "detector" ? [...DETECTORS] : [] };
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The rows of a stored document. */
export function draftOf(doc: RulesDoc): Draft {
  const rows = doc.rules.map((rule): Row => {
    const kind = String(rule.type) as RowKind;
    const row = emptyRow(kind);
    if (kind === "mask" || kind === "unmask" || kind === "block") row.selector = String(rule.selector ?? "");
    else if (kind === "attribute") row.names = strings(rule.names).join(", ");
    else if (kind === "url") {
      row.names = strings(rule.params).join(", ");
      row.pattern = typeof rule.path_segments === "string" ? rule.path_segments : "";
    } else if (kind === "detector") row.detectors = strings(rule.names);
    return row;
  });
  return { preset: doc.preset, consent: { ...doc.consent }, rows };
}

/** The document a draft stands for, as PUT …/masking-rules takes it. */
export function documentOf(draft: Draft): Record<string, unknown> {
  const rules = draft.rows.map((row): Record<string, unknown> => {
    switch (row.kind) {
      case "attribute":
        return { type: "attribute", names: list(row.names) };
      case "url": {
        const out: Record<string, unknown> = { type: "url", params: list(row.names) };
        if (row.pattern.trim()) out.path_segments = row.pattern.trim();
        return out;
      }
      case "detector":
        return { type: "detector", names: DETECTORS.filter((d) => row.detectors.includes(d)) };
      default:
        return { type: row.kind, selector: row.selector };
    }
  });
  return { preset: draft.preset, consent: { ...draft.consent }, rules };
}

/** Where a server error points: a row and its input, or a part of the form outside the rows. */
export type FieldRef =
  | { row: number; input: "selector" | "names" | "pattern" | "detectors" | "row" }
  | { row: null; input: "preset" | "consent" | "rules" | "document" };

/** The input a server error's `field` names (`rules[2].path_segments`, `rules[0].names[1]`, `preset`). */
export function fieldRef(field: string | null | undefined): FieldRef {
  if (!field) return { row: null, input: "document" };
  const m = /^rules\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (m) {
    const row = Number(m[1]);
    const key = m[2];
    if (key === "selector") return { row, input: "selector" };
    if (key === "path_segments") return { row, input: "pattern" };
    if (key === "params") return { row, input: "names" };
    if (key === "names") return { row, input: "names" };
    return { row, input: "row" };
  }
  if (field.startsWith("preset")) return { row: null, input: "preset" };
  if (field.startsWith("consent")) return { row: null, input: "consent" };
  if (field.startsWith("rules")) return { row: null, input: "rules" };
  return { row: null, input: "document" };
}

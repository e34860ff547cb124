// What capture needs of the application's rules once compiled (rules.ts compiles them; mask.ts and the
// recorder read them): a module of its own so that masking and compiling do not import each other.
/** What the recorder captures besides the page (the document's `capture` section). */
export interface Capture {
  /** Console levels reported (`log`, `info`, `warn`, `error`, `debug`). */
  readonly console: readonly string[];
  /** Whether failed and slow fetch/XMLHttpRequest requests are reported. */
  readonly network: boolean;
  /** A request taking at least this long is reported even when it succeeded. */
  readonly slowMs: number;
}

/** The compiled rules; `version` 0 is Reel's built-in defaults. */
export interface Policy {
  readonly version: number;
  readonly preset: number;
  readonly required: boolean;
  readonly honorGpc: boolean;
  /** rrweb's blockSelector ("" for none). */
  readonly block: string;
  /** Query parameters whose values are masked; null: all of them. */
  readonly params: ReadonlySet<string> | null;
  readonly segments: RegExp | null;
  readonly capture: Capture;
  /** Whether an `attribute` rule names this attribute (masked under every preset). */
  named(attr: string): boolean;
  /** Masks the detected substrings (e-mail, card, phone, IBAN) of shown text. */
  detect(text: string): string;
  /** Whether the content of `el` is shown (detectors still apply) rather than masked. */
  shown(el: Element | null): boolean;
  /** Text of an element: masked, or only detectors where it is shown (rrweb's maskTextFn). */
  text(text: string, el: Element | null): string;
  /** A CSS `content:` string: masked, or detectors only under mask_inputs. */
  cssText(text: string): string;
}

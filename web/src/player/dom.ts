// A tiny element builder. Text always goes in as text nodes, never as HTML, because every string the
// pages show (URLs, error messages) comes from recorded, untrusted data.

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** The element with this id, which the page template must provide. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`Reel: the page has no #${id}`);
  return node as T;
}

/**
 * Inserts `node` into `parent` before `before`. A node that stays in the document moves with `moveBefore`
 * where the browser has it: an iframe inside it keeps its document (an ordinary move reloads it empty, and
 * the player's first frame would be parsed, styled and laid out again).
 */
export function moveNode(parent: Node, node: Node, before: Node | null): void {
  const movable = parent as Node & { moveBefore?: (node: Node, child: Node | null) => void };
  if (typeof movable.moveBefore === "function" && parent.isConnected && node.isConnected) {
    try {
      movable.moveBefore(node, before);
      return;
    } catch {
      // not movable that way (another document, say): an ordinary insertion below
    }
  }
  parent.insertBefore(node, before);
}

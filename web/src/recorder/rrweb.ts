// rrweb's numbers the recorder reads (EventType, IncrementalSource and NodeType of @rrweb/types), named
// once. Plain numbers: importing rrweb's enums would bundle them a second time; `satisfies` makes tsc
// refuse any that drifts from rrweb's own.
import type { EventType, NodeType } from "@rrweb/types";

export const FULL_SNAPSHOT = 2 satisfies EventType.FullSnapshot;
export const INCREMENTAL = 3 satisfies EventType.IncrementalSnapshot;
export const META = 4 satisfies EventType.Meta;
export const CUSTOM = 5 satisfies EventType.Custom;

export const ELEMENT_NODE = 2 satisfies NodeType.Element;
export const TEXT_NODE = 3 satisfies NodeType.Text;

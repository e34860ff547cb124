// The P4 baseline: @rrweb/record alone, with its defaults (or `window.rrwebOptions` when a profile sets
// them), keeping its events in memory.
import { record } from "@rrweb/record";

window.rrwebEvents = [];
window.startRrweb = () => {
  window.stopRrweb = record({ ...window.rrwebOptions, emit: (e) => window.rrwebEvents.push(e) });
};

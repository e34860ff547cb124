// The P4 baseline: @rrweb/record alone, with its defaults, keeping its events in memory.
import { record } from "@rrweb/record";

window.rrwebEvents = [];
window.startRrweb = () => {
  window.stopRrweb = record({ emit: (e) => window.rrwebEvents.push(e) });
};

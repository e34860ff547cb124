// Bytes of a session's events stored as rrweb's packer stores them: pack() per event (deflate), counted
// as raw bytes (the packed string holds one byte per character). Reads the events API's JSON file.
import { readFileSync } from "node:fs";
import { pack } from "@rrweb/packer";

const events = JSON.parse(readFileSync(process.argv[2], "utf8")).events;
let packed = 0;
for (const event of events) packed += pack(event).length;
process.stdout.write(JSON.stringify({ events: events.length, packedBytes: packed }) + "\n");

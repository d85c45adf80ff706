// The room's socket, opened as soon as this small module is fetched: the page loads it `async`
// from its head, so it runs before the stylesheet and main.js are in, and the handshake, the
// server's entry check and `join` overlap the page's load. main.js's signaling adopts the socket
// and what it received meanwhile (signaling.js).
import { openEarly } from "./signaling.js";

const path = document.querySelector('meta[name="classmeet-room-socket"]')?.content;
if (path) openEarly(path);

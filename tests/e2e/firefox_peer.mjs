// One participant of a live room in Debian's firefox-esr, driven by puppeteer-core over WebDriver
// BiDi, for tests/e2e/test_room_firefox.py (the other participants are Playwright's Chromium).
//
//   node tests/e2e/firefox_peer.mjs <base url> <room path>
//   env: CLASSMEET_USERNAME, CLASSMEET_PASSWORD, CLASSMEET_FIREFOX (default /usr/bin/firefox-esr)
//
// It signs in through the real form, opens the room and prints {"event": "joined", ...}, then
// answers one JSON command per stdin line with one JSON line on stdout:
//   {"cmd": "stats"}   -> {"event": "stats", "peerId", "stats": {peerId: {state, frames}}, "errors"}
//   {"cmd": "reload"}  -> {"event": "joined", "peerId", ...} once the reloaded page joined again
//   {"cmd": "quit"}    -> closes Firefox and exits
// `errors` are the server's `error` frames this page received since it loaded. Failures are
// printed as {"event": "failed", "message"} and end the process with status 1.
import { createInterface } from "node:readline";

import puppeteer from "puppeteer-core";

const [baseUrl, roomPath] = process.argv.slice(2);
const username = process.env.CLASSMEET_USERNAME ?? "";
const password = process.env.CLASSMEET_PASSWORD ?? "";
const executablePath = process.env.CLASSMEET_FIREFOX || "/usr/bin/firefox-esr";
const TIMEOUT_MS = 30_000;

// A fresh profile (puppeteer makes one in the temp dir and removes it): fake camera and
// microphone without a prompt, WebRTC over loopback with plain host candidates (no mDNS names
// Chromium could not resolve), and nothing that reaches beyond this machine.
const PREFS = {
  "media.navigator.streams.fake": true,
  "media.navigator.permission.disabled": true,
  "media.autoplay.default": 0,
  "media.autoplay.blocking_policy": 0,
  "media.peerconnection.ice.loopback": true,
  "media.peerconnection.ice.obfuscate_host_addresses": false,
  "network.proxy.type": 0,
  "network.trr.mode": 5,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disableIPv6": true,
  "app.update.enabled": false,
  "app.update.auto": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.server": "",
  "datareporting.policy.dataSubmissionEnabled": false,
  "browser.ping-centre.telemetry": false,
  "browser.region.update.enabled": false,
  "browser.region.network.url": "",
  "browser.safebrowsing.update.enabled": false,
  "browser.safebrowsing.provider.google4.updateURL": "",
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "extensions.systemAddon.update.enabled": false,
  "extensions.blocklist.enabled": false,
  "services.settings.server": "http://127.0.0.1:9/",
  "browser.newtabpage.activity-stream.feeds.telemetry": false,
  "geo.provider.network.url": "",
  // No /favicon.ico requests (headless Chromium makes none either).
  "browser.chrome.site_icons": false,
  "browser.chrome.favicons": false,
};

// Runs in the page before its scripts, on every load: keep the server's `error` frames.
function recordServerErrors() {
  window.__classmeetErrors = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        try {
          const msg = JSON.parse(event.data);
          if (msg?.type === "error") window.__classmeetErrors.push(msg);
        } catch {
          // not JSON: the page ignores it too
        }
      });
    }
  };
}

// Per remote peer: connection state and video frames decoded.
async function roomStats() {
  const room = window.classmeetRoom;
  const stats = {};
  if (room) {
    for (const [peerId, pc] of room.connections()) {
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      });
      stats[peerId] = { state: pc.connectionState, frames };
    }
  }
  return { peerId: room?.peerId ?? null, stats, errors: window.__classmeetErrors ?? [] };
}

function print(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function joinedEvent(page) {
  await page.waitForSelector("#room[data-joined='true']", { timeout: TIMEOUT_MS });
  const peerId = await page.evaluate(() => window.classmeetRoom.peerId);
  print({ event: "joined", peerId, url: page.url() });
}

async function main() {
  const browser = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath,
    headless: true,
    extraPrefsFirefox: PREFS,
    // A release build honours `services.settings.server` only with this set.
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: "1" },
    timeout: TIMEOUT_MS,
  });
  let done = false;
  const quit = async (status) => {
    if (done) return;
    done = true;
    await browser.close().catch(() => {});
    process.exit(status);
  };
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.evaluateOnNewDocument(recordServerErrors);

    await page.goto(`${baseUrl}/auth/signin/`);
    await page.type("input[name=username]", username);
    await page.type("input[name=password]", password);
    await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
    if (page.url().includes("/auth/signin/")) throw new Error("sign-in failed");

    await page.goto(`${baseUrl}${roomPath}`, { waitUntil: "domcontentloaded" });
    await joinedEvent(page);

    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      const { cmd } = JSON.parse(line);
      if (cmd === "stats") {
        print({ event: "stats", ...(await page.evaluate(roomStats)) });
      } else if (cmd === "reload") {
        await page.reload({ waitUntil: "domcontentloaded" });
        await joinedEvent(page);
      } else if (cmd === "quit") {
        break;
      } else {
        throw new Error(`unknown command ${cmd}`);
      }
    }
    await quit(0);
  } catch (err) {
    print({ event: "failed", message: String(err?.stack ?? err) });
    await quit(1);
  }
}

main();

// The browsable API in a real browser, against the running quickstart: open /notes/
// anonymously (the login link is there), log in through the form, create a note through the
// HTML form and one through the raw JSON form, see both in the list, log out. Every step
// writes a screenshot to SCREENSHOTS; any Content-Security-Policy violation or script error
// fails the run.
//
//   BASE_URL=http://127.0.0.1:8040 DRF_USER=alice DRF_PASSWORD=… SCREENSHOTS=dir node browse.mjs
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const base = process.env.BASE_URL ?? "http://127.0.0.1:8040";
const username = process.env.DRF_USER ?? "alice";
const password = process.env.DRF_PASSWORD ?? "";
const shots = process.env.SCREENSHOTS ?? "screenshots";
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(shots, { recursive: true });

const problems = [];
let step = 0;

function check(condition, what) {
  if (!condition) throw new Error(`step ${step}: ${what}`);
}

async function shot(page, name) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} (${file})`);
}

async function responseText(page) {
  return (await page.locator("#response").innerText()).trim();
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  // A policy violation is logged as a console error; a 401 or 404 the page asked for is one
  // too ("Failed to load resource"), and those are answers under test, not problems.
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error" && !text.startsWith("Failed to load resource")) {
      problems.push(`console: ${text}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

  // 1. Anonymous: the page, the 401, the login link.
  let r = await page.goto(`${base}/notes/`);
  check(r.status() === 401, `GET /notes/ answered ${r.status()}`);
  check(r.headers()["content-security-policy"]?.includes("script-src 'self'"), "no CSP");
  check((await responseText(page)).includes("HTTP 401 Unauthorized"), "no 401 shown");
  check(await page.locator("#login").isVisible(), "no login link");
  await shot(page, "anonymous");

  // 2. The login form, back to /notes/.
  await page.locator("#login").click();
  await page.waitForURL(/\/api-auth\/login\//);
  await page.fill("#id_username", username);
  await page.fill("#id_password", password);
  await shot(page, "login-form");
  await Promise.all([page.waitForURL(`${base}/notes/`), page.click("#login-form button[type=submit]")]);
  check((await page.locator("#logged-in-user").innerText()) === username, "not logged in");
  check((await responseText(page)).includes("HTTP 200 OK"), "the list is not 200");
  await shot(page, "logged-in");

  // 3. A note through the HTML form (the browser's own POST).
  await page.fill("#post-title", "Written in the HTML form");
  await page.fill("#post-body", "sent as a form, with the CSRF token");
  await Promise.all([
    page.waitForLoadState("load"),
    page.click("#post-html-form button[type=submit]"),
  ]);
  await page.waitForSelector("text=HTTP 201 Created");
  check((await responseText(page)).includes("Written in the HTML form"), "the new note is not shown");
  await shot(page, "html-form-created");

  // 4. A note through the raw JSON form (sent by the page's script).
  await page.goto(`${base}/notes/`);
  await page.click("#post-panel details.tab:nth-of-type(2) summary");
  await page.selectOption("#post-media-type", "application/json");
  await page.fill("#post-content", JSON.stringify({ title: "Written as raw JSON", body: "sent by fetch" }, null, 4));
  await shot(page, "raw-form");
  await page.click("#post-raw-form button[type=submit]");
  await page.waitForSelector("text=HTTP 201 Created");
  check((await responseText(page)).includes("Written as raw JSON"), "the raw note is not shown");
  await shot(page, "raw-form-created");

  // 5. Both in the list.
  await page.goto(`${base}/notes/`);
  const list = await responseText(page);
  check(list.includes("Written in the HTML form") && list.includes("Written as raw JSON"), "the list lacks a note");
  await shot(page, "list");

  // 6. Log out: back to /notes/, anonymous again.
  await Promise.all([page.waitForURL(`${base}/notes/`), page.click("#logout")]);
  check(await page.locator("#login").isVisible(), "still logged in");
  check((await responseText(page)).includes("HTTP 401 Unauthorized"), "the list is still readable");
  await shot(page, "logged-out");
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`browser test passed: ${step} steps, screenshots in ${shots}`);

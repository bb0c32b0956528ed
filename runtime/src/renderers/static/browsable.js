// The browsable API's script, served from the binary at /static/drf/browsable.js.
//
// A plain HTML form can only GET or POST a form body. Forms marked `data-method` (PUT,
// PATCH, DELETE, OPTIONS, and every raw-data form) are sent here instead, with their method,
// the chosen media type and the CSRF token in `X-CSRFToken`, and the answer's page replaces
// this one, as DRF's ajax-form.js does.
"use strict";

function csrfToken(form) {
  const field = form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function bodyOf(form) {
  if (form.dataset.raw) {
    const type = form.elements.namedItem("_content_type").value;
    const content = form.elements.namedItem("_content").value;
    if (type === "multipart/form-data") {
      // The browser writes the boundary; the content is read as `key=value` lines.
      const data = new FormData();
      for (const line of content.split("\n")) {
        const at = line.indexOf("=");
        if (at > 0) data.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      return { body: data, type: null };
    }
    return { body: content, type: type };
  }
  const method = form.dataset.method;
  if (method === "DELETE" || method === "OPTIONS") return { body: null, type: null };
  const data = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (key !== "csrfmiddlewaretoken") data.append(key, value);
  }
  return { body: data.toString(), type: "application/x-www-form-urlencoded" };
}

async function send(form) {
  const headers = { "Accept": "text/html", "X-CSRFToken": csrfToken(form) };
  const { body, type } = bodyOf(form);
  if (type) headers["Content-Type"] = type;
  const response = await fetch(form.getAttribute("action") || window.location.href, {
    method: form.dataset.method,
    headers: headers,
    body: body,
    credentials: "same-origin",
  });
  const text = await response.text();
  const contentType = response.headers.get("Content-Type") || "";
  if (contentType.startsWith("text/html")) {
    document.open();
    document.write(text);
    document.close();
  } else {
    const out = document.getElementById("response-content");
    if (out) out.textContent = text;
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.method) return;
  event.preventDefault();
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  send(form).catch((error) => {
    const out = document.getElementById("response-content");
    if (out) out.textContent = "The request failed: " + error;
  });
});

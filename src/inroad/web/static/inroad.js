// Inroad's progressive enhancements. Every page works without this file; it only adds comfort.
"use strict";

/** The CSRF token of the current page (from <meta name="csrf-token">). */
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

/**
 * fetch() that sends the page's CSRF token as X-CSRF-Token and asks for JSON answers, so
 * state-changing calls from scripts pass the same check as forms.
 */
function csrfFetch(url, options) {
  const opts = Object.assign({ credentials: "same-origin" }, options || {});
  const headers = new Headers(opts.headers || {});
  headers.set("X-CSRF-Token", csrfToken());
  if (!headers.has("Accept")) headers.set("Accept", "application/json");
  opts.headers = headers;
  return fetch(url, opts);
}
window.csrfFetch = csrfFetch;

/** Characters as the server counts them: Unicode code points, not UTF-16 units. */
function codePoints(text) {
  return Array.from(text).length;
}

/**
 * A live "n / max" counter under every <textarea data-maxlength> or <input data-maxlength>;
 * it turns red past the limit (the server still enforces the limit).
 */
function attachCounter(field) {
  const max = parseInt(field.dataset.maxlength, 10);
  if (!max || field.dataset.counterAttached) return;
  field.dataset.counterAttached = "1";
  const counter = document.createElement("div");
  counter.className = "char-count";
  counter.setAttribute("aria-live", "polite");
  if (field.id) counter.id = field.id + "-count";
  field.insertAdjacentElement("afterend", counter);
  const update = function () {
    const used = codePoints(field.value);
    counter.textContent = used + " / " + max;
    const over = used > max;
    counter.classList.toggle("over", over);
    if (over) field.setAttribute("aria-invalid", "true");
    else if (field.getAttribute("aria-invalid") === "true" && field.dataset.counterMarked) field.removeAttribute("aria-invalid");
    if (over) field.dataset.counterMarked = "1";
  };
  field.addEventListener("input", update);
  update();
}

function enhance(root) {
  root.querySelectorAll("textarea[data-maxlength], input[data-maxlength]").forEach(attachCounter);
}

document.addEventListener("DOMContentLoaded", function () {
  enhance(document);
});
window.inroadEnhance = enhance;

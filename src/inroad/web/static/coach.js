// The message coach, live under every compose box (PRODUCT.md §5). A progressive enhancement:
// without this file every form still works, and the coach never blocks or delays a send.
//
// USAGE — give any <textarea> these attributes; base.html loads this file and coach.css:
//
//   <textarea name="text"
//             data-coach="dm"                  dm | inmail | invite_note   (required)
//             data-coach-to="jane-doe-4b2"     recipient's handle: shared context, first message
//             data-coach-conversation="123"    conversation id: "first message" from its history
//             data-coach-subject="#subject">   CSS selector of an InMail subject <input>
//   </textarea>
//
// A review panel appears under the box (after the live character counter, if any) as the member
// types, 300 ms after the last keystroke: warnings and suggestions in plain words, the length
// ("312 characters · InMails under 400 get more replies") and the shared-context phrases found
// in the data as buttons; a click inserts the phrase at the cursor. Changing data-coach,
// data-coach-to or data-coach-conversation later (e.g. when the recipient is picked) re-reviews.
// Optional, for pages that let the member switch channel or recipient: inputs in the same form
// with data-coach-control="channel" or data-coach-control="to" update those attributes.
//
// It calls POST /api/v1/coach/review with the page's session cookie and its CSRF token
// (csrfFetch from inroad.js, X-CSRF-Token). Phrases and messages are inserted as text, never
// as HTML.
"use strict";

(function () {
  if (window.inroadCoach) return; // loaded twice (base layout and a page): one instance is enough
  const DEBOUNCE_MS = 300;
  const ENDPOINT = "/api/v1/coach/review";

  function token() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(body, signal) {
    const headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (typeof window.csrfFetch === "function") {
      return window.csrfFetch(ENDPOINT, { method: "POST", headers: headers, body: JSON.stringify(body), signal: signal });
    }
    headers["X-CSRF-Token"] = token();
    return fetch(ENDPOINT, { method: "POST", headers: headers, body: JSON.stringify(body), signal: signal, credentials: "same-origin" });
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function number(n) {
    return n.toLocaleString("en-US");
  }

  /** "312 characters · InMails under 400 get more replies" — the length line per channel. */
  function lengthLine(channel, length) {
    const chars = length.chars;
    const count = number(chars) + (chars === 1 ? " character" : " characters");
    if (channel === "inmail") {
      if (chars <= 400) return count + " · InMails under 400 get more replies";
      if (chars <= 1200) return count + " · InMails under 400 get 22% more replies than average";
      return count + " · InMails over 1,200 get 11% fewer replies";
    }
    if (channel === "invite_note") return count + " of 300 · a short, specific note works best";
    return count + " · " + number(length.words) + (length.words === 1 ? " word" : " words");
  }

  /** Insert ``phrase`` at the cursor, spaced from its neighbours, closing the sentence when
   *  the text after it starts a new one. */
  function insertAtCursor(field, phrase) {
    const value = field.value;
    const start = field.selectionStart === null ? value.length : field.selectionStart;
    const end = field.selectionEnd === null ? start : field.selectionEnd;
    const before = value.slice(0, start);
    const after = value.slice(end);
    let text = phrase;
    // Mid-sentence ("Hi Bea, |") the phrase goes on in lower case: "Hi Bea, we both …".
    if (/^We/.test(text) && before.trim() && !/[.!?]\s*$/.test(before) && !/\n\s*$/.test(before)) {
      text = "w" + text.slice(1);
    }
    if (before && !/\s$/.test(before)) text = " " + text;
    // End the sentence when the phrase stands before a new one (or at the end of the text).
    if (!after.trim() || /^\n/.test(after)) text += ". ";
    else if (/^\s*[A-Z]/.test(after)) text += ".";
    if (after && !/^\s/.test(after)) text += " ";
    field.value = before + text + after;
    const caret = before.length + text.length;
    field.focus();
    field.setSelectionRange(caret, caret);
    // Counters, drafts and the coach itself listen for input.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(field) {
    if (field.dataset.coachAttached) return;
    field.dataset.coachAttached = "1";

    const panel = el("section", "coach-panel");
    panel.setAttribute("aria-label", "Message coach");
    panel.hidden = true;
    const status = el("div", "coach-status");
    status.setAttribute("aria-live", "polite");
    const issues = el("ul", "coach-issues");
    const chipsBox = el("div", "coach-context");
    const chipsTitle = el("p", "coach-context-title", "You have this in common — click to add it:");
    const chips = el("div", "coach-chips");
    chipsBox.append(chipsTitle, chips);
    const length = el("p", "coach-length");
    // The sender's own profile is advice about them, not this message: it comes last.
    const profile = el("ul", "coach-issues coach-profile");
    const title = el("p", "coach-title");
    title.append(el("span", "coach-badge", "Coach"), el("span", "coach-title-text", "Reviewing as you type"));
    panel.append(title, status, issues, chipsBox, length, profile);

    // After the live character counter (inroad.js) when there is one, so the counter stays
    // attached to the box it counts.
    let anchor = field;
    const next = field.nextElementSibling;
    if (next && next.classList.contains("char-count")) anchor = next;
    anchor.insertAdjacentElement("afterend", panel);
    const form = field.form;

    let timer = null;
    let inFlight = null;
    let sequence = 0;
    let lastKey = "";

    function subjectField() {
      const selector = field.dataset.coachSubject;
      if (!selector) return null;
      try { return document.querySelector(selector); } catch (e) { return null; }
    }

    function request() {
      const body = { channel: field.dataset.coach, text: field.value };
      if (field.dataset.coachTo) body.to = field.dataset.coachTo;
      if (field.dataset.coachConversation) body.conversation_id = field.dataset.coachConversation;
      const subject = subjectField();
      if (subject && subject.value && body.channel === "inmail") body.subject = subject.value;
      return body;
    }

    function render(doc, body) {
      const typed = body.text.trim().length > 0;
      issues.replaceChildren();
      profile.replaceChildren();
      // Before anything is typed only the shared context is worth showing.
      doc.issues.forEach(function (issue) {
        let kind = issue.severity === "warning" ? "is-warning" : "is-suggestion";
        if (issue.code === "profile_incomplete") kind += " is-profile";
        const item = el("li", "coach-issue " + kind);
        item.dataset.code = issue.code;
        item.append(el("span", "coach-issue-kind", issue.severity === "warning" ? "Heads up" : "Tip"));
        if (issue.code === "profile_incomplete") {
          // Long and about the sender, not the message: its first sentence, the rest on demand.
          const cut = issue.message.indexOf(". ");
          const more = el("details", "coach-issue-text");
          more.append(el("summary", "", cut > 0 ? issue.message.slice(0, cut + 1) : issue.message));
          if (cut > 0) more.append(el("span", "", issue.message.slice(cut + 2)));
          const link = el("a", "coach-issue-link", "Edit your profile");
          link.href = "/profile/edit";
          item.append(more, link);
        } else {
          item.append(el("span", "coach-issue-text", issue.message));
        }
        (issue.code === "profile_incomplete" ? profile : issues).append(item);
      });
      chips.replaceChildren();
      doc.shared_context.forEach(function (shared) {
        const chip = el("button", "coach-chip", shared.text);
        chip.type = "button";
        chip.dataset.kind = shared.kind;
        chip.title = "Add “" + (shared.insert || shared.text) + "” to your message";
        chip.addEventListener("click", function () { insertAtCursor(field, shared.insert || shared.text); });
        chips.append(chip);
      });
      chipsBox.hidden = doc.shared_context.length === 0;
      length.textContent = typed ? lengthLine(body.channel, doc.length) : "";
      length.hidden = !typed;
      const warnings = typed ? issues.querySelectorAll(".is-warning").length : 0;
      status.textContent = typed && issues.children.length === 0 ? "Looks good: clear, with a next step." : "";
      status.hidden = !status.textContent;
      issues.hidden = !typed || issues.children.length === 0;
      profile.hidden = !typed || profile.children.length === 0;
      panel.hidden = !typed && doc.shared_context.length === 0;
      panel.classList.toggle("has-warnings", warnings > 0);
    }

    async function review() {
      timer = null;
      const body = request();
      if (!body.channel) { panel.hidden = true; return; }
      const key = JSON.stringify(body);
      if (key === lastKey) return;
      lastKey = key;
      if (inFlight) inFlight.abort();
      const controller = typeof AbortController === "function" ? new AbortController() : null;
      inFlight = controller;
      const mine = ++sequence;
      panel.classList.add("is-busy");
      try {
        const response = await post(body, controller ? controller.signal : undefined);
        if (mine !== sequence) return;
        if (!response.ok) {
          // Advice is optional: a failed review must never get in the member's way.
          lastKey = "";
          panel.hidden = true;
          return;
        }
        render(await response.json(), body);
      } catch (e) {
        if (mine === sequence) { lastKey = ""; panel.hidden = true; }
      } finally {
        if (mine === sequence) { panel.classList.remove("is-busy"); inFlight = null; }
      }
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(review, DEBOUNCE_MS);
    }

    field.addEventListener("input", schedule);
    const subject = subjectField();
    if (subject) subject.addEventListener("input", schedule);
    // Pages change the recipient or channel by editing the attributes (messaging's picker does).
    new MutationObserver(schedule).observe(field, {
      attributes: true,
      attributeFilter: ["data-coach", "data-coach-to", "data-coach-conversation"],
    });
    if (form) {
      form.querySelectorAll("[data-coach-control]").forEach(function (control) {
        const update = function () {
          if (control.type === "radio" && !control.checked) return;
          const value = control.value.trim();
          if (control.dataset.coachControl === "channel" && value) field.dataset.coach = value;
          if (control.dataset.coachControl === "to") {
            if (value) field.dataset.coachTo = value;
            else delete field.dataset.coachTo;
          }
        };
        control.addEventListener(control.type === "radio" ? "change" : "input", update);
      });
      // Scripts that send without reloading clear the box without an input event.
      form.addEventListener("submit", function () { setTimeout(schedule, 600); });
    }
    if (field.value.trim() || field.dataset.coachTo) review();
  }

  function enhance(root) {
    root.querySelectorAll("textarea[data-coach]").forEach(attach);
  }

  window.inroadCoach = { enhance: enhance };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();

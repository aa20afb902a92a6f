// Messaging, live: the WebSocket /api/v1/events keeps the open conversation and the inbox current,
// and in-page actions (send, react, edit, unsend, mark read, attach) go through the REST API.
// Every page works without this file: the forms it intercepts post to /messaging/… as they are.
// User text is only ever set with textContent — never innerHTML — and only http(s) URLs become
// links, built as <a> elements.
"use strict";

(function () {
  const root = document.querySelector("[data-messaging]");
  if (!root) return;
  root.classList.add("js");

  const me = root.dataset.me;
  const openId = root.dataset.conversationId || null;
  const EMOJIS = ["👍", "❤️", "😂", "🎉", "👏", "😮"];
  // Images the server serves inline (messaging/uploads.py INLINE_TYPES); others are downloads.
  const INLINE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  const EDIT_WINDOW_MS = 60 * 60 * 1000;
  const TYPING_SHOW_MS = 6000;
  const TYPING_SEND_EVERY_MS = 2500;
  const GROUP_GAP_MS = 5 * 60 * 1000;
  const MAX_BACKOFF_MS = 30000;
  const CURSOR_KEY = "inroad.events.cursor." + me;
  const URL_RE = /https?:\/\/[^\s<>"']+/g;
  const TRAILING = /[.,;:!?)\]}'"]+$/;

  const list = root.querySelector("[data-msg-list]");
  const compose = root.querySelector("[data-compose]");
  const typingLine = root.querySelector("[data-typing]");
  const seenLine = root.querySelector("[data-seen]");

  // ---- helpers ------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // randomUUID needs a secure context; plain-HTTP installs get the same shape from getRandomValues.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /** Text with http(s) URLs as links, appended to `parent` as text nodes and <a> elements. */
  function appendLinkified(parent, text) {
    let last = 0;
    text.replace(URL_RE, function (match, offset) {
      const trail = (match.match(TRAILING) || [""])[0];
      const url = match.slice(0, match.length - trail.length);
      if (!url.match(/^https?:\/\/./)) return match;
      if (offset > last) parent.append(document.createTextNode(text.slice(last, offset)));
      const a = el("a", null, url);
      a.href = url;
      a.rel = "noopener nofollow ugc";
      a.target = "_blank";
      parent.append(a);
      last = offset + url.length;
      return match;
    });
    if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
  }

  function initials(name) {
    const words = (name || "").split(/\s+/).filter(function (w) { return /^[\p{L}\p{N}]/u.test(w); });
    if (!words.length) return "?";
    const picked = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
    return picked.map(function (w) { return Array.from(w)[0]; }).join("").toUpperCase();
  }

  function avatar(member) {
    if (member && member.photo_url) {
      const img = el("img", "avatar avatar-sm");
      img.src = member.photo_url;
      img.alt = member.name || "";
      img.loading = "lazy";
      return img;
    }
    const span = el("span", "avatar avatar-sm avatar-initials", initials(member ? member.name : ""));
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  function csrfInput() {
    const input = el("input");
    input.type = "hidden";
    input.name = "csrf_token";
    input.value = csrfToken();
    return input;
  }

  function timeLabel(date) {
    return date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function dayKey(date) {
    return date.getFullYear() + "-" + (date.getMonth() + 1) + "-" + date.getDate();
  }

  function dayLabel(date) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(date) === dayKey(today)) return "Today";
    if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
    const opts = { weekday: "short", month: "short", day: "numeric" };
    if (date.getFullYear() !== today.getFullYear()) opts.year = "numeric";
    return date.toLocaleDateString([], opts);
  }

  function rowTimeLabel(date) {
    const now = new Date();
    if (dayKey(date) === dayKey(now)) return timeLabel(date);
    if (now - date < 6 * 24 * 3600 * 1000) return date.toLocaleDateString([], { weekday: "short" });
    return date.toLocaleDateString([], { month: "short", day: "numeric" });
  }

  async function api(method, url, body) {
    const opts = { method: method };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.body = JSON.stringify(body);
      opts.headers = { "Content-Type": "application/json" };
    }
    const response = await csrfFetch(url, opts);
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const message = data && data.error ? data.error.message : "That did not work (" + response.status + "). Try again.";
      throw new Error(message);
    }
    return data;
  }

  function showStatus(message) {
    const status = compose && compose.querySelector("[data-compose-status]");
    if (status) status.textContent = message || "";
    else if (message) window.alert(message);
  }

  // ---- messages -----------------------------------------------------------------------------

  function reactionForm(conversationId, messageId, reaction) {
    const form = el("form", "reaction-form");
    form.method = "post";
    form.action = "/messaging/" + conversationId + "/messages/" + messageId + "/reactions/" + (reaction.mine ? "remove" : "add");
    form.append(csrfInput());
    const button = el("button", "reaction" + (reaction.mine ? " mine" : ""));
    button.type = "submit";
    button.name = "emoji";
    button.value = reaction.emoji;
    button.setAttribute("aria-pressed", reaction.mine ? "true" : "false");
    button.title = reaction.mine ? "Remove your reaction" : "React with " + reaction.emoji;
    button.append(document.createTextNode(reaction.emoji + " "), el("span", "reaction-count", String(reaction.count)));
    form.append(button);
    return form;
  }

  function renderReactions(li, reactions) {
    const box = li.querySelector(".msg-reactions");
    if (!box) return;
    box.replaceChildren();
    (reactions || []).forEach(function (r) {
      box.append(reactionForm(li.dataset.conversationId || openId, li.dataset.messageId, r));
    });
    box.hidden = !reactions || reactions.length === 0;
  }

  function currentReactions(li) {
    return Array.from(li.querySelectorAll(".msg-reactions .reaction")).map(function (b) {
      return { emoji: b.value, count: parseInt(b.querySelector(".reaction-count").textContent, 10) || 0, mine: b.classList.contains("mine") };
    });
  }

  function menu(message) {
    const details = el("details", "msg-menu");
    const summary = el("summary");
    summary.title = "Message actions";
    const dots = el("span", null, "⋯");
    dots.setAttribute("aria-hidden", "true");
    summary.append(dots, el("span", "visually-hidden", "Message actions"));
    const body = el("div", "msg-menu-body");
    const base = "/messaging/" + message.conversation_id + "/messages/" + message.id;
    const picker = el("form", "emoji-picker");
    picker.method = "post";
    picker.action = base + "/reactions/add";
    picker.append(csrfInput());
    EMOJIS.forEach(function (emoji) {
      const b = el("button", null, emoji);
      b.type = "submit";
      b.name = "emoji";
      b.value = emoji;
      b.title = "React with " + emoji;
      picker.append(b);
    });
    body.append(picker);
    const mine = message.sender && message.sender.handle === me;
    if (mine && Date.now() - Date.parse(message.created_at) < EDIT_WINDOW_MS) {
      const edit = el("form", "msg-edit-form");
      edit.method = "post";
      edit.action = base + "/edit";
      edit.append(csrfInput());
      const label = el("label", "visually-hidden", "Edit message");
      label.htmlFor = "edit-" + message.id;
      const area = el("textarea");
      area.id = "edit-" + message.id;
      area.name = "text";
      area.rows = 3;
      area.value = message.text || "";
      const save = el("button", "btn btn-small", "Save edit");
      save.type = "submit";
      edit.append(label, area, save);
      const unsend = el("form", "msg-unsend-form");
      unsend.method = "post";
      unsend.action = base + "/unsend";
      unsend.append(csrfInput());
      const ub = el("button", "btn btn-small btn-danger", "Unsend");
      ub.type = "submit";
      unsend.append(ub);
      body.append(edit, unsend);
    }
    details.append(summary, body);
    return details;
  }

  /** The <li> for a Message (API.md), the same markup as the _macros.html message macro. */
  function buildMessage(message) {
    const mine = message.sender && message.sender.handle === me;
    const li = el("li", "msg" + (mine ? " msg-mine" : "") + (message.deleted ? " msg-deleted" : ""));
    li.id = "m-" + message.id;
    li.dataset.messageId = message.id;
    li.dataset.sender = (message.sender && message.sender.handle) || "";
    li.dataset.createdAt = message.created_at;
    const av = el("span", "msg-avatar");
    av.append(avatar(message.sender));
    const content = el("div", "msg-content");
    const head = el("div", "msg-head");
    let sender;
    if (message.sender && message.sender.handle) {
      sender = el("a", "msg-sender", message.sender.name);
      sender.href = "/in/" + encodeURIComponent(message.sender.handle);
    } else {
      sender = el("span", "msg-sender", message.sender ? message.sender.name : "");
    }
    const time = el("time", "msg-time");
    time.dateTime = message.created_at;
    const edited = el("span", "msg-edited", "Edited");
    edited.hidden = !message.edited_at || message.deleted;
    head.append(sender, time, edited);
    content.append(head);
    if (message.subject) content.append(el("p", "msg-subject", message.subject));
    fillBody(content, message);
    const reactions = el("div", "msg-reactions");
    content.append(reactions);
    li.append(av, content);
    renderReactions(li, message.reactions);
    if (!message.deleted) li.append(menu(message));
    return li;
  }

  /** Text, tombstone and attachments of a message, placed after its head (and subject). */
  function fillBody(content, message) {
    content.querySelectorAll(".msg-text, .msg-tombstone, .msg-attachments").forEach(function (n) { n.remove(); });
    const anchor = content.querySelector(".msg-reactions");
    const parts = [];
    if (message.deleted) {
      parts.push(el("p", "msg-tombstone", "This message was deleted"));
    } else {
      if (message.text) {
        const text = el("div", "msg-text");
        appendLinkified(text, message.text);
        parts.push(text);
      }
      if (message.attachments && message.attachments.length) {
        const ul = el("ul", "msg-attachments");
        message.attachments.forEach(function (a) {
          const item = el("li");
          const url = "/messaging/files/" + encodeURIComponent(a.id);
          const link = el("a");
          link.href = url;
          link.target = "_blank";
          link.rel = "noopener";
          if (INLINE_TYPES.indexOf(a.content_type) >= 0) {
            const img = el("img", "msg-image");
            img.src = url;
            img.alt = a.name;
            img.loading = "lazy";
            link.append(img);
            item.append(link);
          } else {
            link.className = "msg-file";
            link.textContent = a.name;
            link.setAttribute("download", "");
            item.append(link, document.createTextNode(" "), el("span", "muted small", sizeLabel(a.size)));
          }
          ul.append(item);
        });
        parts.push(ul);
      }
    }
    parts.forEach(function (p) {
      if (anchor) content.insertBefore(p, anchor);
      else content.append(p);
    });
  }

  function sizeLabel(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  /** Local times, day separators and sender grouping for the whole list (cheap: one pass). */
  function relayout() {
    root.querySelectorAll(".conv-time").forEach(function (t) {
      t.textContent = rowTimeLabel(new Date(t.getAttribute("datetime")));
    });
    if (!list) return;
    list.querySelectorAll(".day-sep").forEach(function (n) { n.remove(); });
    let lastDay = null;
    let prev = null;
    list.querySelectorAll(".msg").forEach(function (li) {
      const date = new Date(li.dataset.createdAt);
      const time = li.querySelector(".msg-time");
      if (time) time.textContent = timeLabel(date);
      const key = dayKey(date);
      let continued = false;
      if (key !== lastDay) {
        const sep = el("li", "day-sep");
        sep.dataset.day = key;
        sep.append(el("span", null, dayLabel(date)));
        li.before(sep);
        lastDay = key;
      } else if (prev && prev.dataset.sender === li.dataset.sender && date - new Date(prev.dataset.createdAt) < GROUP_GAP_MS) {
        continued = true;
      }
      li.classList.toggle("msg-continued", continued);
      prev = li;
    });
    const none = list.querySelector(".msg-none");
    if (none && list.querySelector(".msg")) none.remove();
  }

  function nearBottom() {
    return !list || list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  }

  function scrollToEnd() {
    if (list) list.scrollTop = list.scrollHeight;
  }

  /** Insert or update a message in the open conversation; returns its <li>. */
  function upsertMessage(message) {
    if (!list || message.conversation_id !== openId) return null;
    const existing = document.getElementById("m-" + message.id);
    const fresh = buildMessage(message);
    if (existing) {
      existing.replaceWith(fresh);
    } else {
      const stick = nearBottom() || (message.sender && message.sender.handle === me);
      // Messages arrive in id order, but a replay after reconnect may interleave with sends.
      const later = Array.from(list.querySelectorAll(".msg")).find(function (li) {
        return Number(li.dataset.messageId) > Number(message.id);
      });
      if (later) later.before(fresh);
      else list.append(fresh);
      if (stick) requestAnimationFrame(scrollToEnd);
    }
    relayout();
    return fresh;
  }

  /** Turn a message into its tombstone in place (the message.deleted event does the same). */
  function tombstone(li) {
    li.classList.add("msg-deleted");
    const content = li.querySelector(".msg-content");
    fillBody(content, { deleted: true });
    renderReactions(li, []);
    const edited = li.querySelector(".msg-edited");
    if (edited) edited.hidden = true;
    const menuEl = li.querySelector(".msg-menu");
    if (menuEl) menuEl.remove();
  }

  // ---- the inbox list -------------------------------------------------------------------------

  function headerBadge(delta) {
    const link = document.querySelector('.main-nav a[href="/messaging"] .nav-icon');
    if (!link) return;
    let badge = link.querySelector(".nav-badge");
    const current = badge ? parseInt(badge.textContent, 10) || 0 : 0;
    const next = Math.max(0, current + delta);
    if (!next) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = el("span", "nav-badge");
      link.append(badge);
    }
    badge.replaceChildren(document.createTextNode(next > 99 ? "99+" : String(next)), el("span", "visually-hidden", " new"));
  }

  function setRowUnread(row, count) {
    const badge = row.querySelector(".unread-badge");
    const was = row.classList.contains("unread");
    row.classList.toggle("unread", count > 0);
    if (badge) {
      badge.hidden = count <= 0;
      badge.replaceChildren(document.createTextNode(String(count)), el("span", "visually-hidden", " unread"));
    }
    // The header counts unread conversations in Focused and Other, muted ones aside.
    if (row.hasAttribute("data-muted") || root.dataset.folder === "spam") return;
    if (was && count <= 0) headerBadge(-1);
    if (!was && count > 0) headerBadge(1);
  }

  function rowUnread(row) {
    const badge = row.querySelector(".unread-badge");
    return badge && !badge.hidden ? parseInt(badge.textContent, 10) || 0 : 0;
  }

  /** The inbox line for a conversation's latest message (messaging_pages.snippet mirrors it). */
  function snippet(message, kind) {
    let text;
    if (message.deleted) text = "This message was deleted";
    else {
      text = (message.text || "").replace(/\s+/g, " ").trim();
      if (!text && message.attachments && message.attachments.length) text = "Sent an attachment";
    }
    if (message.sender && message.sender.handle === me) return "You: " + text;
    if (kind === "group" && message.sender) return message.sender.name.split(" ")[0] + ": " + text;
    return text;
  }

  let refreshTimer = null;

  /** Re-read the conversation list (and the open pane's header) from the server's own HTML. */
  function refreshFromServer() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async function () {
      try {
        const response = await fetch(location.pathname + location.search, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (!response.ok) return;
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        [".conv-list", ".conv-header .conv-heading", ".conv-details-body"].forEach(function (selector) {
          const mine = root.querySelector(selector);
          const theirs = doc.querySelector(selector);
          if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
        });
        relayout();
      } catch (e) {
        /* the next event or reload will bring it */
      }
    }, 300);
  }

  function bumpRow(message, countUnread) {
    const convList = root.querySelector("[data-conv-list]");
    if (!convList) return;
    const row = convList.querySelector('[data-conversation-id="' + CSS.escape(message.conversation_id) + '"]');
    if (!row) {
      // A conversation this page has not listed (new, or in another folder): ask the server.
      refreshFromServer();
      return;
    }
    const snip = row.querySelector(".conv-snippet");
    if (snip) snip.textContent = snippet(message, row.dataset.kind);
    let time = row.querySelector(".conv-time");
    if (!time) {
      time = el("time", "conv-time");
      const top = row.querySelector(".conv-top");
      if (top) top.append(time);
    }
    time.setAttribute("datetime", message.created_at);
    time.textContent = rowTimeLabel(new Date(message.created_at));
    convList.prepend(row);
    if (countUnread) setRowUnread(row, rowUnread(row) + 1);
  }

  // ---- read receipts ------------------------------------------------------------------------

  let lastReadSent = null;

  function lastOtherMessageId() {
    if (!list) return null;
    const others = Array.from(list.querySelectorAll(".msg")).filter(function (li) { return li.dataset.sender !== me; });
    return others.length ? others[others.length - 1].dataset.messageId : null;
  }

  function markRead() {
    if (!openId || document.visibilityState !== "visible") return;
    const id = lastOtherMessageId();
    if (!id || id === lastReadSent) return;
    lastReadSent = id;
    api("POST", "/api/v1/conversations/" + openId + "/read", { message_id: id }).catch(function () { lastReadSent = null; });
  }

  function showSeen(messageId) {
    if (!seenLine || !list) return;
    const mineList = Array.from(list.querySelectorAll(".msg.msg-mine"));
    const lastMine = mineList.length ? mineList[mineList.length - 1] : null;
    const lastAny = Array.from(list.querySelectorAll(".msg")).pop();
    // "Seen" belongs under my latest message when it is the latest of all and was read.
    seenLine.hidden = !(lastMine && lastAny === lastMine && Number(messageId) >= Number(lastMine.dataset.messageId));
  }

  // ---- typing -------------------------------------------------------------------------------

  const typists = new Map();

  function renderTyping() {
    if (!typingLine) return;
    const names = Array.from(typists.keys());
    if (!names.length) {
      typingLine.hidden = true;
      typingLine.textContent = "";
      return;
    }
    typingLine.hidden = false;
    typingLine.textContent = names.length === 1 ? names[0] + " is typing…" : names.join(", ") + " are typing…";
  }

  function typingFrom(name) {
    if (!name) return;
    clearTimeout(typists.get(name));
    typists.set(name, setTimeout(function () { typists.delete(name); renderTyping(); }, TYPING_SHOW_MS));
    renderTyping();
  }

  function typingStopped(name) {
    if (!typists.has(name)) return;
    clearTimeout(typists.get(name));
    typists.delete(name);
    renderTyping();
  }

  // ---- events -------------------------------------------------------------------------------

  function onEvent(event) {
    const data = event.data || {};
    const message = data.message;
    switch (event.type) {
      case "message.created": {
        const mine = message.sender && message.sender.handle === me;
        const open = message.conversation_id === openId;
        if (open) {
          upsertMessage(message);
          typingStopped(message.sender ? message.sender.name : null);
          if (!mine) markRead();
          if (mine) showSeen(0);
        }
        bumpRow(message, !mine && !(open && document.visibilityState === "visible"));
        break;
      }
      case "message.edited":
      case "message.deleted":
        if (message.conversation_id === openId) upsertMessage(message);
        break;
      case "reaction.added":
      case "reaction.removed": {
        if (message && message.conversation_id === openId) {
          const li = document.getElementById("m-" + message.id);
          if (li) renderReactions(li, message.reactions);
        }
        break;
      }
      case "conversation.read": {
        // {conversation_id, message_id, handle} (+ unread_count in the reader's own copy)
        if (data.handle === me) {
          const row = root.querySelector('[data-conversation-id="' + CSS.escape(String(data.conversation_id)) + '"]');
          if (row) setRowUnread(row, data.unread_count || 0);
        } else if (String(data.conversation_id) === openId) {
          showSeen(data.message_id);
        }
        break;
      }
      case "typing": {
        // {conversation_id, member}: live only, never replayed
        const who = data.member;
        if (String(data.conversation_id) === openId && who && who.handle !== me) typingFrom(who.name);
        break;
      }
      case "conversation.updated":
        if (data.removed && String(data.conversation_id) === openId) {
          // This member left or was removed: the conversation is gone for them.
          location.assign("/messaging");
          return;
        }
        refreshFromServer();
        break;
      default:
        break;
    }
  }

  // ---- the WebSocket ------------------------------------------------------------------------

  let socket = null;
  let backoff = 1000;
  let reconnectTimer = null;
  let lastTypingSent = 0;

  function savedCursor() {
    try { return sessionStorage.getItem(CURSOR_KEY); } catch (e) { return null; }
  }

  function saveCursor(cursor) {
    if (cursor === null || cursor === undefined) return;
    const previous = savedCursor();
    if (previous !== null && Number(previous) >= Number(cursor)) return;
    try { sessionStorage.setItem(CURSOR_KEY, String(cursor)); } catch (e) { /* private mode */ }
  }

  // The page was rendered as of data-cursor: replaying from there fills any gap between the
  // render and the connection. Later reconnects resume from the last event seen.
  if (root.dataset.cursor) {
    try { sessionStorage.setItem(CURSOR_KEY, root.dataset.cursor); } catch (e) { /* private mode */ }
  }

  function connect() {
    const since = savedCursor();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = scheme + "//" + location.host + "/api/v1/events" + (since ? "?since=" + encodeURIComponent(since) : "");
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.addEventListener("open", function () {
      backoff = 1000;
      root.dataset.live = "on";
    });
    ws.addEventListener("message", function (frame) {
      let event;
      try { event = JSON.parse(frame.data); } catch (e) { return; }
      if (!event || typeof event.type !== "string") return;
      if (event.cursor !== null && event.cursor !== undefined) saveCursor(event.cursor);
      try { onEvent(event); } catch (e) { /* one bad event must not stop the stream */ }
    });
    ws.addEventListener("close", function (closing) {
      if (socket === ws) socket = null;
      root.dataset.live = "off";
      // 4401: this session was logged out (here or in another tab); reconnecting cannot work.
      if (closing.code === 4401) return;
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    const delay = Math.min(MAX_BACKOFF_MS, backoff) * (0.75 + Math.random() * 0.5);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  function sendTyping(e) {
    // Only real typing: clearing the box after a send fires "input" too.
    if (!e.target.value.trim()) return;
    if (!openId || !socket || socket.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
    lastTypingSent = now;
    socket.send(JSON.stringify({ type: "typing", conversation_id: openId }));
  }

  // ---- compose ------------------------------------------------------------------------------

  if (compose) {
    const area = compose.querySelector("textarea[name=text]");
    const fileInput = compose.querySelector("input[type=file]");
    const fileName = compose.querySelector("[data-attach-name]");
    const button = compose.querySelector("button[type=submit]");
    const clientField = compose.querySelector("input[name=client_id]");
    let sending = false;

    area.addEventListener("input", sendTyping);
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        compose.requestSubmit();
      }
    });
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        fileName.textContent = fileInput.files.length ? fileInput.files[0].name : "";
      });
    }

    compose.addEventListener("submit", async function (e) {
      e.preventDefault();
      if (sending) return;
      const text = area.value;
      const file = fileInput && fileInput.files.length ? fileInput.files[0] : null;
      if (!text.trim() && !file) return;
      sending = true;
      button.disabled = true;
      showStatus("");
      try {
        const body = { text: text, client_id: clientField.value };
        if (file) {
          const form = new FormData();
          form.append("file", file);
          const upload = await api("POST", "/api/v1/uploads", form);
          body.attachments = [upload.id];
        }
        const message = await api("POST", "/api/v1/conversations/" + openId + "/messages", body);
        // Only a send that succeeded gets a new client_id: a retry of a failed one reuses it,
        // so the server never stores it twice.
        clientField.value = uuid();
        area.value = "";
        area.dispatchEvent(new Event("input"));
        if (fileInput) {
          fileInput.value = "";
          fileName.textContent = "";
        }
        upsertMessage(message);
        bumpRow(message, false);
        showSeen(0);
        requestAnimationFrame(scrollToEnd);
      } catch (err) {
        showStatus(err.message);
      } finally {
        sending = false;
        button.disabled = false;
        area.focus();
      }
    });
  }

  // ---- message actions (delegated, so live messages get them too) ---------------------------

  if (list) {
    list.addEventListener("submit", async function (e) {
      const form = e.target;
      const li = form.closest(".msg");
      if (!li) return;
      e.preventDefault();
      const id = li.dataset.messageId;
      const details = form.closest("details");
      try {
        if (form.classList.contains("reaction-form") || form.classList.contains("emoji-picker")) {
          const emoji = e.submitter ? e.submitter.value : null;
          if (!emoji) return;
          const chip = currentReactions(li).find(function (r) { return r.emoji === emoji; });
          const url = "/api/v1/messages/" + id + "/reactions";
          if (chip && chip.mine) {
            await api("DELETE", url + "/" + encodeURIComponent(emoji));
            // The reaction.removed event may already have shown this: change only what is still mine.
            const next = currentReactions(li);
            const entry = next.find(function (r) { return r.emoji === emoji; });
            if (entry && entry.mine) {
              entry.count -= 1;
              entry.mine = false;
            }
            renderReactions(li, next.filter(function (r) { return r.count > 0; }));
          } else {
            // The answer is the Message as this member sees it: the counts to show.
            const message = await api("POST", url, { emoji: emoji });
            renderReactions(li, message.reactions);
          }
        } else if (form.classList.contains("msg-edit-form")) {
          const text = form.querySelector("textarea").value;
          upsertMessage(await api("PATCH", "/api/v1/messages/" + id, { text: text }));
        } else if (form.classList.contains("msg-unsend-form")) {
          if (!window.confirm("Unsend this message for everyone?")) return;
          await api("DELETE", "/api/v1/messages/" + id);
          tombstone(li);
        }
        if (details) details.open = false;
      } catch (err) {
        window.alert(err.message);
      }
    });
  }

  // A message menu near the bottom of the scrolling list would be cut off: open it upwards.
  if (list) {
    list.addEventListener("toggle", function (e) {
      const menuEl = e.target;
      if (!menuEl.matches || !menuEl.matches("details.msg-menu") || !menuEl.open) return;
      const body = menuEl.querySelector(".msg-menu-body");
      const box = list.getBoundingClientRect();
      const at = menuEl.getBoundingClientRect();
      const below = box.bottom - at.bottom;
      const above = at.top - box.top;
      menuEl.classList.toggle("up", below < body.offsetHeight + 36 && above > below);
      // Where neither way has room (a short list on a phone), scroll the list to show it all.
      body.scrollIntoView({ block: "nearest" });
    }, true);
  }

  // Close an open menu when clicking elsewhere (a <details> stays open by default).
  document.addEventListener("click", function (e) {
    root.querySelectorAll("details.msg-menu[open], details.conv-menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });

  // ---- the "new message" picker: search as you type, keep what is ticked --------------------

  const pickerSearch = root.querySelector("[data-picker-search]");
  if (pickerSearch) {
    const query = pickerSearch.querySelector("input[type=search]");
    const pickerList = root.querySelector("[data-picker-list]");
    const chooser = pickerList.closest("form");
    let searchTimer = null;
    let generation = 0;

    function ticked() {
      return Array.from(chooser.querySelectorAll("input[name=to]:checked")).map(function (i) { return i.value; });
    }

    function updateCoachTarget() {
      const area = chooser.querySelector("textarea[data-coach]");
      const handles = ticked();
      if (!area) return;
      if (handles.length === 1) area.dataset.coachTo = handles[0];
      else delete area.dataset.coachTo;
      const title = chooser.querySelector("[data-group-title]");
      if (title) title.hidden = handles.length < 2;
    }

    async function search() {
      const params = new URLSearchParams();
      ticked().forEach(function (h) { params.append("to", h); });
      if (query.value.trim()) params.set("q", query.value.trim());
      const mine = ++generation;
      try {
        const response = await fetch(pickerSearch.action + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (!response.ok || mine !== generation) return;
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = doc.querySelector("[data-picker-list]");
        const current = root.querySelector("[data-picker-list]");
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
      } catch (e) {
        /* keep the current list */
      }
    }

    pickerSearch.addEventListener("submit", function (e) {
      e.preventDefault();
      search();
    });
    query.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(search, 250);
    });
    chooser.addEventListener("change", updateCoachTarget);
    updateCoachTarget();
  }

  // ---- start ------------------------------------------------------------------------------

  relayout();
  if (list) {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.classList.contains("msg")) target.scrollIntoView({ block: "center" });
    else scrollToEnd();
  }
  // The server read the conversation when it rendered the page; later arrivals are read here.
  lastReadSent = lastOtherMessageId();
  document.addEventListener("visibilitychange", markRead);
  connect();
})();

// Tandem's real-time page: no framework, no build step. EventSource reconnects by itself
// (after the stream's "retry:") and sends Last-Event-ID, so a killed node costs nothing.
"use strict";
const room = new URLSearchParams(location.search).get("room") || "lobby";
document.getElementById("room-name").textContent = room;

function show(list, e) {
  const seen = list.dataset.seen ? JSON.parse(list.dataset.seen) : {};
  if (seen[e.id]) return; // resumed streams never repeat, but be safe
  seen[e.id] = true;
  list.dataset.seen = JSON.stringify(seen);
  const li = document.createElement("li");
  const what = e.type === "message" ? `${e.data.from}: ${e.data.text}` : `${e.type} ${JSON.stringify(e.data)}`;
  li.textContent = what;
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `#${e.id} published by ${e.node}, delivered by ${e.via}`;
  li.appendChild(meta);
  li.dataset.id = e.id;
  list.appendChild(li);
  list.scrollTop = list.scrollHeight;
}

function listen(channel, list, nodeEl, stateEl) {
  // after=0: start with what the channel still holds; reconnects resume from Last-Event-ID.
  const source = new EventSource("/api/events/stream?after=0&channel=" + encodeURIComponent(channel));
  source.addEventListener("hello", m => { nodeEl.textContent = JSON.parse(m.data).node; });
  source.onopen = () => { stateEl.textContent = "open"; };
  source.onerror = () => { stateEl.textContent = "reconnecting"; };
  source.onmessage = m => show(list, JSON.parse(m.data));
  for (const type of ["message", "counter", "attribute", "cart", "login", "logout", "invalidated"]) {
    source.addEventListener(type, m => show(list, JSON.parse(m.data)));
  }
  return source;
}

async function start() {
  // The session channel needs a session: make sure there is one before listening.
  await fetch("/api/session", { credentials: "same-origin" });
  listen("room:" + room, document.getElementById("room"),
    document.getElementById("room-node"), document.getElementById("room-state"));
  listen("session", document.getElementById("session"),
    document.getElementById("session-node"), document.getElementById("session-state"));
}

document.getElementById("post").addEventListener("submit", async ev => {
  ev.preventDefault();
  const input = document.getElementById("text");
  if (!input.value.trim()) return;
  const r = await fetch(`/api/rooms/${encodeURIComponent(room)}/messages`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: input.value }), credentials: "same-origin" });
  if (r.ok) input.value = "";
});
document.getElementById("count").addEventListener("submit", ev => {
  ev.preventDefault();
  fetch("/api/session/counter", { method: "POST", credentials: "same-origin" });
});
start();

// The lab dashboard, hand-written and dependency-free (labs run offline). Polls two read-only
// sources every second: /lab/api/cluster (any node answers for all, from the status board) and
// /lab/haproxy;csv (HAProxy's own stats, scoped to the tandem backend, no credentials).
'use strict';
(() => {
  const POLL_MS = 1000;        // live enough to watch a failover, cheap for the nodes
  const TIMEOUT_MS = 2500;     // a hung request must not stall the loop
  const MAX_REQUESTS = 60;     // "your requests" strip
  const MAX_EVENTS = 200;
  const requests = [];         // {node, status, ms, at}
  const localEvents = new Map(); // HAProxy state changes seen by this page, by key
  const hapLast = new Map();   // server -> last state word
  let serverEvents = [];

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  const colour = (node) => 'c' + ((parseInt(String(node).replace(/\D/g, ''), 10) || 0) % 9);
  const pad = (n, w) => String(n).padStart(w || 2, '0');
  const clock = (ms) => {
    const d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  };
  const span = (seconds) => {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm' + pad(seconds % 60) + 's';
    return Math.floor(seconds / 3600) + 'h' + pad(Math.floor(seconds / 60) % 60) + 'm';
  };

  async function get(url) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    try {
      return await fetch(url, { cache: 'no-store', signal: ctl.signal });
    } finally {
      clearTimeout(timer);
    }
  }

  // ------------------------------------------------------------------ nodes

  async function pollCluster() {
    const t0 = performance.now();
    let res;
    try {
      res = await get('/lab/api/cluster');
    } catch (e) {
      noteRequest('none', 0, performance.now() - t0);
      setConn('down', 'no answer from ' + location.host);
      return;
    }
    noteRequest(res.headers.get('X-Tandem-Node') || '?', res.status, performance.now() - t0);
    noteBalancer(res.headers.get('X-Tandem-Balancer'));
    if (!res.ok) {
      setConn('degraded', 'HTTP ' + res.status + ' from ' + location.host);
      return;
    }
    const report = await res.json();
    setConn('live', 'live');
    renderNodes(report);
    serverEvents = report.events || [];
  }

  function setConn(state, text) {
    const c = $('conn');
    c.dataset.state = state;
    c.textContent = text;
    $('updated').textContent = clock(Date.now());
  }

  function renderNodes(report) {
    $('served-by').textContent = report.servedBy;
    const note = $('board-note');
    note.hidden = !report.note;
    note.textContent = report.note || '';
    const body = el('tbody');
    for (const n of report.nodes) {
      const s = n.report;
      const tr = el('tr', 'status-' + n.status);
      tr.id = 'node-' + s.name;
      tr.dataset.status = n.status;
      tr.dataset.refused = s.refusedPerSecond === undefined ? '' : s.refusedPerSecond;
      const name = el('td');
      name.append(el('span', 'dot ' + colour(s.name)), s.name);
      tr.append(name);
      const st = el('td', 'state');
      st.append(el('b', null, { up: 'READY', down: 'DOWN', stopped: 'STOPPED' }[n.status] || 'NOT READY'));
      if (n.why) st.append(el('div', 'why', n.why));
      tr.append(st);
      const view = el('td');
      for (const m of s.members) view.append(el('span', 'member ' + colour(m), m));
      view.append(el('span', 'muted', ' (' + s.members.length + ')'));
      tr.append(view);
      const live = n.status === 'up' || n.status === 'not-ready';
      tr.append(el('td', 'num', s.sessions < 0 ? '–' : s.sessions));
      tr.append(el('td', 'num', live ? s.requestsPerSecond.toFixed(1) : '–'));
      tr.append(el('td', 'num', live && s.p99Millis ? s.p99Millis.toFixed(1) + ' ms' : '–'));
      tr.append(el('td', 'num' + (s.refusedPerSecond > 0 ? ' refusing' : ''),
          live && s.refusedPerSecond !== undefined ? s.refusedPerSecond.toFixed(1) : '–'));
      tr.append(el('td', 'muted', s.address.replace(/^http:\/\//, '')));
      tr.append(el('td', 'muted', live ? 'up ' + span((report.now - s.startedAt) / 1000)
          : 'last heard ' + span(n.ageMillis / 1000) + ' ago'));
      body.append(tr);
    }
    $('nodes').querySelector('tbody').replaceWith(body);
  }

  // Which balancer answered: in the Vagrant lab keepalived moves the VIP between lb1 and lb2, and
  // the answers then carry the other name. Seen by this page, so dated by this page's clock.
  let balancer = null;
  function noteBalancer(name) {
    $('balancer').textContent = name || 'no balancer (a node directly)';
    if (!name || name === balancer) return;
    if (balancer !== null) {
      const at = Date.now();
      localEvents.set('vip/' + at, { at: at, node: name, kind: 'vip-moved',
        text: 'VIP moved: now answered by ' + name + ' (was ' + balancer + ')', seenBy: 'this page' });
    }
    balancer = name;
  }

  // ------------------------------------------------------------------ HAProxy

  // HAProxy's CSV quotes a field only when it holds a comma or a quote.
  function csvLine(line) {
    const out = [];
    let cur = '', quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
    }
    out.push(cur);
    return out;
  }

  async function pollHaproxy() {
    const note = $('haproxy-note');
    let text;
    const fetchedAt = Date.now();
    try {
      const res = await get('/lab/haproxy;csv;norefresh');
      text = res.ok && (res.headers.get('Content-Type') || '').startsWith('text/plain') ? await res.text() : null;
    } catch (e) {
      text = null;
    }
    if (!text || !text.startsWith('# ')) {
      note.hidden = false;
      note.textContent = 'No HAProxy answer at /lab/haproxy: HAProxy answers it on the VIP only (this page is at '
          + location.host + ').';
      return;
    }
    note.hidden = true;
    const lines = text.trim().split('\n');
    const head = csvLine(lines[0].slice(2));
    const body = el('tbody');
    const rows = lines.slice(1).map((line) => {
      const cells = csvLine(line);
      const r = {};
      head.forEach((h, i) => { r[h] = cells[i]; });
      return r;
    });
    renderRefusals(rows);
    for (const r of rows) {
      if (r.pxname !== 'tandem' || r.svname === 'FRONTEND' || r.svname === 'BACKEND') continue;
      const word = (r.status || '?').split(' ')[0];
      const check = [r.check_status, r.check_code].filter(Boolean).join('/')
          + (r.check_duration ? ' in ' + r.check_duration + ' ms' : '');
      const reason = [r.check_desc, r.last_chk].filter(Boolean).join(': ');
      noteHaproxy(r.svname, word, r.status, reason, fetchedAt - 1000 * Number(r.lastchg || 0));
      const tr = el('tr', 'hap-' + word.toLowerCase());
      tr.id = 'hap-' + r.svname;
      tr.dataset.status = word;
      const name = el('td');
      name.append(el('span', 'dot ' + colour(r.svname)), r.svname);
      tr.append(name, el('td', 'state', r.status), el('td', 'num', r.weight));
      const chk = el('td', null, check || '–');
      if (reason) chk.append(el('div', 'why', reason));
      tr.append(chk, el('td', 'muted', span(Number(r.lastchg || 0))), el('td', 'num', r.scur),
          el('td', 'num' + (Number(r.qcur) > 0 ? ' refusing' : ''), r.qcur), el('td', 'num', r.stot));
      body.append(tr);
    }
    $('haproxy').querySelector('tbody').replaceWith(body);
  }

  // HAProxy's own answers, told apart by subtraction: the backend's 5xx beyond its servers' are
  // HAProxy's 503s (queue budget spent, or no node up); the frontend's 4xx beyond the backends'
  // are the edge's (429 rate limits, 403 blocked paths). Counted since HAProxy started.
  function renderRefusals(rows) {
    const n = (r, f) => Number((r && r[f]) || 0);
    const sum = (pred, f) => rows.filter(pred).reduce((a, r) => a + n(r, f), 0);
    const front = rows.find((r) => r.pxname === 'vip' && r.svname === 'FRONTEND');
    const back = rows.find((r) => r.pxname === 'tandem' && r.svname === 'BACKEND');
    const out = $('haproxy-refusals');
    if (!back) { out.textContent = ''; return; }
    const own5xx = n(back, 'hrsp_5xx') - sum((r) => r.pxname === 'tandem' && r.type === '2', 'hrsp_5xx');
    let text = 'Refused by HAProxy since it started: ' + own5xx + ' × 503 (queue budget spent or no node up)';
    if (front) {
      const edge4xx = n(front, 'hrsp_4xx') - sum((r) => r.svname === 'BACKEND', 'hrsp_4xx');
      text += ', ' + edge4xx + ' × 4xx at the edge (429 rate limits, 403 blocked paths)';
    }
    out.textContent = text + '.';
    out.dataset.own5xx = own5xx;
  }

  // A state change HAProxy reports becomes a timeline event, dated by HAProxy's own "lastchg".
  function noteHaproxy(server, word, status, reason, since) {
    const before = hapLast.get(server);
    hapLast.set(server, word);
    if (before === word) return;
    const key = 'hap/' + server + '/' + word + '/' + Math.round(since / 1000);
    const why = word === 'UP' || !reason ? '' : ' (' + reason + ')';
    const text = 'HAProxy: ' + server + (before === undefined ? ' is ' + status : ' ' + before + ' → ' + word) + why;
    localEvents.set(key, { at: since, node: server, kind: 'hap-' + word.toLowerCase(), text: text, seenBy: 'HAProxy' });
  }

  // ------------------------------------------------------------------ your requests, timeline

  function noteRequest(node, status, ms) {
    requests.push({ node: node, status: status, ms: ms, at: Date.now() });
    while (requests.length > MAX_REQUESTS) requests.shift();
    const strip = el('div');
    strip.id = 'requests';
    const counts = {};
    for (const r of requests) {
      const b = el('span', 'req ' + (r.status === 200 ? colour(r.node) : 'failed'), r.node);
      b.title = clock(r.at) + ' ' + r.node + ' HTTP ' + (r.status || 'none') + ' in ' + Math.round(r.ms) + ' ms';
      strip.append(b);
      counts[r.node] = (counts[r.node] || 0) + 1;
    }
    $('requests').replaceWith(strip);
    $('request-counts').textContent = 'last ' + requests.length + ': ' + Object.keys(counts).sort()
        .map((n) => n + ' ×' + counts[n]).join(', ');
  }

  function renderTimeline() {
    const all = serverEvents.concat(Array.from(localEvents.values()))
        .sort((a, b) => b.at - a.at).slice(0, MAX_EVENTS);
    const list = el('ol');
    list.id = 'timeline';
    for (const e of all) {
      const li = el('li', 'ev-' + e.kind);
      li.dataset.kind = e.kind;
      li.dataset.node = e.node;
      // HAProxy reports its last change in whole seconds: its events are shown to the second.
      const at = e.seenBy === 'HAProxy' ? '~' + clock(e.at).slice(0, 8) : clock(e.at);
      li.append(el('time', null, at), el('span', 'text', e.text),
          el('span', 'muted', e.seenBy === 'HAProxy' ? ' · HAProxy' : ' · seen by ' + e.seenBy));
      list.append(li);
    }
    $('timeline').replaceWith(list);
  }

  async function loop() {
    try {
      await Promise.all([pollCluster(), pollHaproxy()]);
      renderTimeline();
    } catch (e) {
      setConn('degraded', 'page error: ' + e);
    } finally {
      setTimeout(loop, POLL_MS);
    }
  }

  loop();
})();

// llmx review page. All data is read from the JSON block and drawn with textContent:
// nothing from an article ever becomes markup. Only the selected article's view is built.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("llmx-data").textContent);
  const ARTICLES = DATA.articles;
  const COLOURS = DATA.colours;
  const GOLD = DATA.scores !== null;
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function colour(type) { return COLOURS[type] || "#777"; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function chip(type, muted, label) {
    const c = el("span", muted ? "chip muted" : "chip", label || type);
    c.style.setProperty("--c", colour(type));
    return c;
  }
  function badge(kind, text, title) {
    const b = el("span", "badge " + kind, text);
    if (title) b.title = title;
    return b;
  }

  // Cheap per-article facts for the list, filters and badges; the search text is built on first search.
  const INFO = ARTICLES.map((a) => {
    const counts = {};
    for (const r of a.records) counts[r.type] = (counts[r.type] || 0) + 1;
    return {
      counts: counts,
      ungrounded: a.records.filter((r) => !r.grounded).length,
      matched: a.records.filter((r) => r.verdict === "matched").length,
      falses: a.records.filter((r) => r.verdict === "false").length,
      hay: null,
    };
  });
  function haystack(k) {
    const info = INFO[k];
    if (info.hay === null) {
      const a = ARTICLES[k];
      const parts = [a.id, a.source, a.title || "", a.model || "", a.text || ""];
      for (const r of a.records.concat(a.missed)) {
        parts.push(r.type);
        for (const pair of r.facts) parts.push(pair[1]);
      }
      info.hay = parts.join("\n").toLowerCase();
    }
    return info.hay;
  }

  let items = [];       // the list's <li>, one per article, built once
  let shown = [];       // indices of the articles that pass the filters
  let current = -1;     // the selected article
  let selected = null;  // the selected record's key: "r3" (a record) or "m1" (a missed gold event)

  function summary() {
    const records = ARTICLES.reduce((n, a) => n + a.records.length, 0);
    const withErrors = ARTICLES.filter((a) => a.errors.length).length;
    const withWarnings = ARTICLES.filter((a) => a.warnings.length).length;
    const ungrounded = INFO.reduce((n, i) => n + i.ungrounded, 0);
    $("summary").textContent = [plural(ARTICLES.length, "article"), plural(records, "record"), withErrors + " with errors",
      withWarnings + " with warnings", plural(ungrounded, "ungrounded record")].join(" · ");
    const legend = $("legend");
    for (const type of Object.keys(COLOURS)) legend.append(chip(type));
    if (GOLD) legend.append(chip("missed gold evidence", true));
  }

  function listItem(k) {
    const a = ARTICLES[k], info = INFO[k];
    const li = el("li");
    li.dataset.k = String(k);
    li.setAttribute("role", "option");
    const head = el("div", "item-head");
    head.append(el("span", "item-id", a.id));
    if (a.errors.length) head.append(badge("error", plural(a.errors.length, "error")));
    if (a.warnings.length) head.append(badge("warning", plural(a.warnings.length, "warning")));
    if (info.ungrounded) head.append(badge("ungrounded", info.ungrounded + " ungrounded"));
    if (GOLD) {
      if (info.matched) head.append(badge("matched", info.matched + " ✓", "records matching a gold event"));
      if (info.falses) head.append(badge("false", info.falses + " ✗", "records with no gold event"));
      if (a.missed.length) head.append(badge("missed", a.missed.length + " missed", "gold events not found"));
    }
    const sub = el("div", "item-sub", [a.title, a.source, a.model || "no model"].filter(Boolean).join(" · "));
    const types = el("div", "item-types");
    for (const type of Object.keys(info.counts)) types.append(chip(type, false, type + " " + info.counts[type]));
    li.append(head, sub, types);
    return li;
  }

  function buildList() {
    const list = $("list"), frag = document.createDocumentFragment();
    items = ARTICLES.map((_, k) => listItem(k));
    for (const li of items) frag.append(li);
    list.append(frag);
    list.addEventListener("click", (ev) => {  // one listener for the whole list, not one per article
      const li = ev.target.closest("li");
      if (li) select(Number(li.dataset.k));
    });
  }

  function applyFilters() {
    const q = $("search").value.trim().toLowerCase();
    const type = $("type-filter").value;
    const errors = $("f-errors").checked, warnings = $("f-warnings").checked, ungrounded = $("f-ungrounded").checked;
    const missed = GOLD && $("f-missed").checked;
    shown = [];
    ARTICLES.forEach((a, k) => {
      const ok = (!type || INFO[k].counts[type] || a.missed.some((m) => m.type === type)) &&
        (!errors || a.errors.length) && (!warnings || a.warnings.length) && (!ungrounded || INFO[k].ungrounded) &&
        (!missed || a.missed.length) && (!q || haystack(k).includes(q));
      items[k].hidden = !ok;
      if (ok) shown.push(k);
    });
    $("count").textContent = shown.length + " of " + plural(ARTICLES.length, "article");
    if (!shown.includes(current)) {
      if (shown.length) select(shown[0]);
      else { current = -1; $("view").replaceChildren(el("p", "meta", "No article matches.")); }
    }
  }

  function select(k) {
    if (current >= 0) {
      items[current].classList.remove("current");
      items[current].setAttribute("aria-selected", "false");
    }
    current = k;
    selected = null;
    items[k].classList.add("current");
    items[k].setAttribute("aria-selected", "true");
    items[k].scrollIntoView({ block: "nearest" });
    renderArticle(ARTICLES[k]);
    history.replaceState(null, "", "#" + encodeURIComponent(ARTICLES[k].id));
  }

  function move(step) {
    if (!shown.length) return;
    const at = shown.indexOf(current);
    const next = at < 0 ? 0 : Math.min(shown.length - 1, Math.max(0, at + step));
    select(shown[next]);
  }

  // ---------------------------------------------------------------- the article view

  function problems(a) {
    const ul = el("ul", "problems");
    for (const e of a.errors) ul.append(el("li", "error", "Error: " + e));
    for (const w of a.warnings) ul.append(el("li", "warning", "Warning: " + w));
    for (const n of a.notes) ul.append(el("li", "note", n));
    return ul;
  }

  // Split the text at every span boundary: each segment knows every record covering it,
  // so overlapping evidence of several records is drawn as stacked underlines, not lost.
  function textView(a) {
    if (a.text === null) return el("div", "text absent", "(text not available)");
    const spans = [];
    const collect = (list, prefix, gold) => list.forEach((r, i) => r.spans.forEach((s) => {
      if (s.start !== null && s.end > s.start) spans.push({ start: s.start, end: s.end, key: prefix + i, type: r.type, gold: gold });
    }));
    collect(a.records, "r", false);
    collect(a.missed, "m", true);
    const cuts = new Set([0, a.text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = Array.from(cuts).sort((x, y) => x - y);
    const box = el("div", "text");
    box.id = "text";
    for (let n = 0; n + 1 < points.length; n++) {
      const from = points[n], to = points[n + 1];
      const piece = a.text.slice(from, to);
      const over = spans.filter((s) => s.start <= from && s.end >= to);
      if (!over.length) { box.append(document.createTextNode(piece)); continue; }
      const real = over.filter((s) => !s.gold);
      const mark = el("mark", real.length ? "hl" : "hl gold", piece);
      mark.dataset.keys = Array.from(new Set(over.map((s) => s.key))).join(" ");
      if (over.length > 1) mark.classList.add("overlap");
      if (real.length && real.length < over.length) mark.classList.add("with-gold");  // missed gold evidence here too
      mark.style.setProperty("--c", real.length ? colour(real[0].type) : "#999");
      // one 3px underline per record, a 1px white gap between them: two records of one type show as two lines
      mark.style.boxShadow = real.map((s, i) => "inset 0 -" + (4 * i + 3) + "px 0 0 " + colour(s.type) + ", inset 0 -" + (4 * i + 4) + "px 0 0 #fff").join(", ");
      mark.title = over.map((s) => (s.gold ? "missed gold " : "") + s.type).join(" + ");
      mark.addEventListener("click", () => {
        const keys = mark.dataset.keys.split(" ");
        const at = keys.indexOf(selected);  // clicking again steps through the records sharing this text
        selectRecord(keys[(at + 1) % keys.length], "card");
      });
      box.append(mark);
    }
    return box;
  }

  const VERDICTS = { matched: ["matched", "✓ matches a gold event"], false: ["false", "✗ no gold event"], missed: ["missed", "missed by the run"] };

  function card(r, key) {
    const c = el("article", "card" + (r.verdict === "missed" ? " missed" : "") + (r.grounded ? "" : " ungrounded"));
    c.id = "card-" + key;
    c.dataset.key = key;
    c.tabIndex = 0;
    c.style.setProperty("--c", colour(r.type));
    const head = el("header");
    head.append(chip(r.type, r.verdict === "missed"));
    if (r.verdict) head.append(badge(VERDICTS[r.verdict][0], VERDICTS[r.verdict][1]));
    if (!r.grounded && r.verdict !== "missed") head.append(badge("ungrounded", "ungrounded: evidence not found in the text"));
    c.append(head);
    if (r.facts.length) {
      const table = el("table", "facts");
      for (const pair of r.facts) {
        const tr = el("tr");
        tr.append(el("th", null, pair[0]), el("td", null, pair[1]));
        table.append(tr);
      }
      c.append(table);
    }
    const quotes = el("ol", "quotes");
    for (const s of r.spans) {
      const li = el("li", null, "“" + s.text + "”");
      li.append(s.start === null ? el("span", "where lost", "not found in the text")
        : el("span", "where", s.start + "–" + s.end + (s.match && s.match !== "exact" ? " " + s.match : "")));
      quotes.append(li);
    }
    c.append(quotes);
    c.addEventListener("click", () => selectRecord(key, "text"));
    c.addEventListener("keydown", (ev) => { if (ev.key === "Enter") selectRecord(key, "text"); });
    return c;
  }

  function section(title, cards, flagged) {
    const s = el("section", "records");
    s.append(el("h3", flagged ? "flagged" : null, title));
    for (const c of cards) s.append(c);
    return s;
  }

  function renderArticle(a) {
    const view = $("view");
    const head = el("div");
    head.append(el("h2", null, a.id));
    head.append(el("p", "meta", [a.title, a.source, a.model || "no model"].filter(Boolean).join(" · ")));
    const left = el("div"), right = el("div");
    left.append(textView(a));
    const grounded = [], loose = [];
    a.records.forEach((r, i) => (r.grounded ? grounded : loose).push(card(r, "r" + i)));
    right.append(section("Records (" + grounded.length + ")", grounded, false));
    if (!a.records.length) right.append(el("p", "meta", a.errors.length ? "No records: the article failed." : "No events found in this article."));
    if (loose.length) right.append(section("Ungrounded records (" + loose.length + "): evidence not found in the text", loose, true));
    if (a.missed.length) right.append(section("Missed gold events (" + a.missed.length + ")", a.missed.map((r, i) => card(r, "m" + i)), false));
    const columns = el("div", "columns");
    columns.append(left, right);
    view.replaceChildren(head, problems(a), columns);
    view.scrollTop = 0;
  }

  // Select one record: its spans and card light up; scroll the other side to it.
  function selectRecord(key, scrollTo) {
    selected = key;
    const view = $("view");
    view.querySelectorAll(".sel").forEach((n) => n.classList.remove("sel"));
    const marks = Array.from(view.querySelectorAll("mark.hl")).filter((m) => m.dataset.keys.split(" ").includes(key));
    for (const m of marks) m.classList.add("sel");
    const c = $("card-" + key);
    if (c) c.classList.add("sel");
    if (scrollTo === "text" && marks.length) marks[0].scrollIntoView({ block: "center" });
    if (scrollTo === "card" && c) c.scrollIntoView({ block: "nearest" });
  }

  // ---------------------------------------------------------------- wiring

  document.addEventListener("keydown", (ev) => {
    const t = ev.target || {};
    const typing = (t.tagName === "INPUT" && t.type !== "checkbox") || t.tagName === "SELECT" || t.tagName === "TEXTAREA";
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "j" || ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    if (ev.key === "k" || ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
  });
  $("search").addEventListener("input", applyFilters);
  for (const id of ["type-filter", "f-errors", "f-warnings", "f-ungrounded", "f-missed"]) {
    if ($(id)) $(id).addEventListener("change", applyFilters);
  }

  let wanted = "";  // the linked article: read before the first selection rewrites the hash
  try { wanted = decodeURIComponent(location.hash.slice(1)); } catch (e) { wanted = ""; }
  summary();
  buildList();
  applyFilters();
  const start = ARTICLES.findIndex((a) => a.id === wanted);
  if (start >= 0 && start !== current) select(start);
  document.body.dataset.ready = "1";
  performance.mark("llmx-ready");  // bench/report.py: when the list and the first article are drawn
})();

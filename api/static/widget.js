/* medcode chat widget. Embed with one tag:
 *   <script src="http://HOST/widget.js" data-api="http://HOST"></script>
 * Optional: data-target="element-id" renders inline instead of a floating button;
 * data-api-key="KEY" when the server requires keys.
 * Everything from the server is rendered with textContent: no answer or passage can inject
 * HTML or script. No CDN, no external fonts. */
(function () {
  "use strict";
  var me = document.currentScript;
  var api = (me && me.getAttribute("data-api")) || "";
  var key = me && me.getAttribute("data-api-key");
  var targetId = me && me.getAttribute("data-target");

  var CSS = [
    ".mc{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;background:#fff;border:1px solid #c9d1d9;border-radius:10px;display:flex;flex-direction:column;height:640px;max-height:90vh;overflow:hidden}",
    ".mc-float{position:fixed;right:20px;bottom:80px;width:420px;z-index:2147483000;box-shadow:0 8px 30px rgba(0,0,0,.2)}",
    ".mc-open{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#12355b;color:#fff;border:0;border-radius:24px;padding:12px 18px;font:600 15px system-ui,sans-serif;cursor:pointer}",
    ".mc-log{flex:1;overflow:auto;padding:12px}",
    ".mc-head{font-size:12px;padding:6px 12px;border-bottom:1px solid #e1e4e8;color:#57606a}",
    ".mc-head.mc-stale{color:#8a4b00;background:#fff8e5}",
    ".mc-build{font-size:12px;padding:6px 12px;border-bottom:1px solid #e1e4e8;color:#0b4f8a;background:#eef6ff}",
    ".mc-build progress{width:100%;height:6px;display:block;margin-top:4px}",
    ".mc-msg{margin:0 0 12px;padding:10px 12px;border-radius:8px;white-space:normal}",
    ".mc-user{background:#e8f0fb}.mc-bot{background:#f6f8fa;border:1px solid #e1e4e8}",
    ".mc-bot p{margin:0 0 6px}.mc-bot ul{margin:4px 0 6px 18px;padding:0}.mc-bot blockquote{margin:4px 0;padding-left:10px;border-left:3px solid #9ab}",
    ".mc-cite{font:600 12px system-ui,sans-serif;color:#0b57d0;background:#e8f0fe;border:1px solid #aac4f5;border-radius:4px;padding:0 4px;margin:0 1px;cursor:pointer}",
    ".mc-cite:focus,.mc button:focus,.mc input:focus,.mc textarea:focus{outline:3px solid #f0a500;outline-offset:1px}",
    ".mc-warn{color:#8a4b00;font-size:13px;margin-top:6px}",
    ".mc-form,.mc-lookup{display:flex;gap:6px;padding:8px;border-top:1px solid #e1e4e8}",
    ".mc textarea{flex:1;resize:none;height:44px;font:inherit;padding:6px;border:1px solid #c9d1d9;border-radius:6px}",
    ".mc input{flex:1;font:inherit;padding:6px;border:1px solid #c9d1d9;border-radius:6px}",
    ".mc input.mc-date{flex:0 0 auto;width:9.5em}",
    ".mc button.mc-go{background:#12355b;color:#fff;border:0;border-radius:6px;padding:0 14px;font:600 14px system-ui,sans-serif;cursor:pointer}",
    ".mc-panel{border-top:2px solid #12355b;max-height:45%;overflow:auto;padding:10px 12px;background:#fffdf5}",
    ".mc-panel h2{font-size:15px;margin:0 0 4px}.mc-meta{font-size:13px;color:#57606a;margin-bottom:6px}",
    ".mc-panel pre{white-space:pre-wrap;font:14px/1.45 system-ui,sans-serif;margin:0}",
    ".mc-close{float:right;background:none;border:1px solid #c9d1d9;border-radius:4px;cursor:pointer}",
    ".mc-checkform{display:grid;grid-template-columns:1fr 1fr 1fr;gap:6px;padding:8px;border-top:1px solid #e1e4e8;background:#f6f8fa}",
    ".mc-checkform textarea,.mc-checkform input{height:auto;min-width:0}.mc-checkform .mc-wide{grid-column:1/4}.mc-checkform button.mc-go{padding:6px 14px}",
    ".mc select{font:inherit;padding:4px;border:1px solid #c9d1d9;border-radius:6px}",
    "button.mc-toggle{background:#fff;color:#12355b;border:1px solid #12355b;border-radius:6px;padding:0 10px;font:600 14px system-ui,sans-serif;cursor:pointer}",
    ".mc-noteform{display:flex;flex-wrap:wrap;gap:6px;padding:8px;border-top:1px solid #e1e4e8;background:#f6f8fa}",
    ".mc-noteform textarea{flex:1 1 100%;height:120px;resize:vertical}",
    ".mc-note{white-space:pre-wrap;font:14px/1.6 system-ui,sans-serif;background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px;margin:6px 0}",
    ".mc-note mark{border-radius:3px;padding:0 1px;color:inherit;cursor:help}",
    ".mc-a-present{background:#d7f5dd;border-bottom:2px solid #1a7f37}",
    ".mc-a-negated{background:#ffe1e1;text-decoration:line-through;border-bottom:2px solid #cf222e}",
    ".mc-a-uncertain{background:#fff1c2;border-bottom:2px dotted #9a6700}",
    ".mc-a-historical{background:#eaeef2;border-bottom:2px dashed #57606a}",
    ".mc-a-family{background:#efe3ff;border-bottom:2px double #8250df}",
    ".mc-legend{font-size:12px;color:#57606a}.mc-legend mark{margin-right:6px}",
    ".mc [hidden]{display:none!important}",
    ".mc-sr{position:absolute;left:-9999px}"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function headers(json) {
    var h = {};
    if (json) h["Content-Type"] = "application/json";
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  function build(root, floating) {
    var box = el("section", "mc" + (floating ? " mc-float" : ""));
    box.setAttribute("aria-label", "medcode coding assistant");
    var head = el("div", "mc-head", "");
    head.setAttribute("role", "status");
    var building = el("div", "mc-build", "");  // the index being built: how far, and what it lacks
    building.setAttribute("role", "status");
    building.hidden = true;
    var log = el("div", "mc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var panel = el("div", "mc-panel");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "cited passage");
    var form = el("form", "mc-form");
    var label = el("label", "mc-sr", "Coding question");
    var ask = el("textarea");
    ask.id = "mc-question-" + Math.random().toString(36).slice(2);
    label.htmlFor = ask.id;
    ask.placeholder = "Ask a coding question, e.g. type 2 diabetes with hyperglycemia";
    var send = el("button", "mc-go", "Ask");
    send.type = "submit";
    form.append(label, ask, send);
    var lookup = el("form", "mc-lookup");
    var codeLabel = el("label", "mc-sr", "Look up a code");
    var code = el("input");
    code.id = ask.id + "-code";
    codeLabel.htmlFor = code.id;
    code.placeholder = "Look up a code: E11.9, 0DTJ4ZZ, G0008";
    var dayLabel = el("label", "mc-sr", "Date of service (codes are checked in the edition in effect then)");
    var day = el("input", "mc-date");
    day.type = "date";
    day.id = ask.id + "-date";
    day.title = "Date of service: codes are checked in the edition in effect then";
    dayLabel.htmlFor = day.id;
    var go = el("button", "mc-go", "Look up");
    go.type = "submit";
    var toggle = el("button", "mc-toggle mc-check-toggle", "Check codes");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    var noteToggle = el("button", "mc-toggle mc-note-toggle", "Code a note");
    noteToggle.type = "button";
    noteToggle.setAttribute("aria-expanded", "false");
    lookup.append(codeLabel, code, dayLabel, day, go, toggle, noteToggle);
    var checker = checkForm();
    var noter = noteForm();
    box.append(head, building, log, panel, form, lookup, checker.form, noter.form);
    function opens(button, shown, focus) {
      button.addEventListener("click", function () {
        shown.hidden = !shown.hidden;
        button.setAttribute("aria-expanded", shown.hidden ? "false" : "true");
        if (!shown.hidden) focus.focus();
      });
    }
    opens(toggle, checker.form, checker.diagnoses);
    opens(noteToggle, noter.form, noter.note);
    root.appendChild(box);
    showCurrency();

    var history = [];
    ask.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) { panel.hidden = true; ask.focus(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = ask.value.trim();
      if (!text) return;
      ask.value = "";
      log.appendChild(el("div", "mc-msg mc-user", text));
      history.push({ role: "user", content: text });
      chat(text);
    });
    lookup.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = code.value.trim();
      if (value) lookupCode(value);
    });

    function chat() {
      var bubble = el("div", "mc-msg mc-bot");
      bubble.setAttribute("aria-busy", "true");
      log.appendChild(bubble);
      var raw = "", citations = [];
      send.disabled = true;
      var body = { messages: history.slice(-12), stream: true };
      if (day.value) body.date_of_service = day.value;
      fetch(api + "/v1/chat", { method: "POST", headers: headers(true), body: JSON.stringify(body) })
        .then(function (res) {
          if (!res.ok) return res.json().then(function (j) { throw new Error(j.message || res.status); });
          return readEvents(res, function (kind, data) {
            if (kind === "citations") citations = data;
            else if (kind === "delta") { raw += data.text; render(bubble, raw, citations, []); }
            else if (kind === "done") {
              render(bubble, data.answer, data.citations, data.warnings);
              history.push({ role: "assistant", content: data.answer });
            } else if (kind === "error") render(bubble, "Error: " + data.message, [], []);
            log.scrollTop = log.scrollHeight;
          });
        })
        .catch(function (err) { render(bubble, "Error: " + err.message, [], []); })
        .finally(function () { bubble.removeAttribute("aria-busy"); send.disabled = false; });
    }

    function readEvents(res, onEvent) {
      var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (part) {
          if (part.done) return;
          buffer += decoder.decode(part.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) {
            var kind = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) kind = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (data) onEvent(kind, JSON.parse(data));
          });
          return pump();
        });
      }
      return pump();
    }

    function render(bubble, markdown, citations, warnings) {
      bubble.textContent = "";
      var list = null;
      markdown.split("\n").forEach(function (line) {
        if (!line.trim()) { list = null; return; }
        var block;
        if (/^- /.test(line)) {
          if (!list) { list = el("ul"); bubble.appendChild(list); }
          block = el("li"); list.appendChild(block); line = line.slice(2);
        } else if (/^> /.test(line)) {
          list = null; block = el("blockquote"); bubble.appendChild(block); line = line.slice(2);
        } else { list = null; block = el("p"); bubble.appendChild(block); }
        inline(block, line, citations);
      });
      (warnings || []).forEach(function (w) { bubble.appendChild(el("div", "mc-warn", "⚠ " + w)); });
    }

    function inline(block, text, citations) {
      var pattern = /(\*\*[^*]+\*\*|_[^_]+_|\[\d{1,3}\])/g, last = 0, m;
      while ((m = pattern.exec(text))) {
        if (m.index > last) block.appendChild(document.createTextNode(text.slice(last, m.index)));
        var token = m[0];
        if (token[0] === "[") block.appendChild(marker(token, citations));
        else if (token[0] === "_") block.appendChild(el("em", null, token.slice(1, -1)));
        else block.appendChild(el("strong", null, token.slice(2, -2)));
        last = m.index + token.length;
      }
      if (last < text.length) block.appendChild(document.createTextNode(text.slice(last)));
    }

    function marker(token, citations) {
      var n = parseInt(token.slice(1, -1), 10);
      var cite = (citations || []).filter(function (c) { return c.n === n; })[0];
      if (!cite) return document.createTextNode(token);
      var button = el("button", "mc-cite", String(n));
      button.type = "button";
      button.setAttribute("aria-label", "Open source " + n + ": " + cite.source + " " + (cite.title || ""));
      button.addEventListener("click", function () { openPassage(cite.passage_id); });
      return button;
    }

    function showPanel(title, meta, body) {
      panel.textContent = "";
      var close = el("button", "mc-close", "Close");
      close.type = "button";
      close.addEventListener("click", function () { panel.hidden = true; ask.focus(); });
      panel.append(close, el("h2", null, title), el("div", "mc-meta", meta), el("pre", null, body));
      panel.hidden = false;
      panel.tabIndex = -1;
      panel.focus();
    }

    function openPassage(id) {
      fetch(api + "/v1/passages/" + encodeURIComponent(id), { headers: headers(false) })
        .then(function (res) { return res.json(); })
        .then(function (p) {
          if (p.error) { showPanel("Passage not found", "", p.message); return; }
          var meta = [p.source, p.version, p.section ? "section " + p.section : "",
                      p.page ? "page " + p.page : "", p.trail || ""].filter(Boolean).join(" · ");
          showPanel(p.title || p.source, meta, p.text);
        });
    }

    function showBuild(build) {
      building.hidden = !build;
      if (!build) return;
      building.textContent = build.message;
      if (build.phase === "vectors" && build.vectors_total) {
        var bar = el("progress");
        bar.max = build.vectors_total;
        bar.value = build.vectors_stored;
        bar.setAttribute("aria-label", "vectors stored");
        building.appendChild(bar);
      }
      if (build.running) setTimeout(showCurrency, 3000);  // until it is done
    }

    function showCurrency() {
      fetch(api + "/readyz", { headers: headers(false) })
        .then(function (res) { return res.json(); })
        .then(function (ready) {
          showBuild(ready.build);
          var found = ready.currency || [];
          var names = { icd10cm: "ICD-10-CM", icd10pcs: "ICD-10-PCS", hcpcs: "HCPCS" };
          head.textContent = found.map(function (c) {
            return (names[c.system] || c.system) + " " + c.in_effect + " in effect" +
              (c.current ? "" : " ⚠ loaded: " + (c.loaded || "none"));
          }).join(" · ");
          head.title = found.filter(function (c) { return !c.current; })
            .map(function (c) { return c.message; }).join("\n");
          if (found.some(function (c) { return !c.current; })) head.className = "mc-head mc-stale";
        })
        .catch(function () { head.textContent = ""; });
    }

    function field(form, tag, labelText, cls) {
      var node = el(tag, cls);
      node.id = ask.id + "-" + labelText.replace(/\W+/g, "-").toLowerCase();
      var lab = el("label", "mc-sr", labelText);
      lab.htmlFor = node.id;
      form.append(lab, node);
      return node;
    }

    function checkForm() {
      var f = el("form", "mc-checkform");
      f.hidden = true;
      f.setAttribute("aria-label", "Check an encounter's codes");
      var setting = field(f, "select", "Setting");
      ["inpatient", "outpatient", "professional"].forEach(function (v) { setting.appendChild(el("option", null, v)); });
      var age = field(f, "input", "Age");
      age.type = "number"; age.min = "0"; age.max = "124"; age.placeholder = "Age"; age.value = "50";
      var sex = field(f, "select", "Sex");
      ["unknown", "female", "male"].forEach(function (v) { sex.appendChild(el("option", null, v)); });
      var diagnoses = field(f, "textarea", "Diagnoses, principal or first-listed first", "mc-wide");
      diagnoses.placeholder = "Diagnoses, principal first: I21.4, J96.01";
      var procedures = field(f, "input", "Procedures", "mc-wide");
      procedures.placeholder = "Procedures: 02703ZZ, G0008-25*2 (code-modifier*units)";
      var run = el("button", "mc-go mc-wide", "Check");
      run.type = "submit";
      f.appendChild(run);
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        var codes = split(diagnoses.value);
        if (!codes.length) { diagnoses.focus(); return; }
        var body = {
          date_of_service: day.value || new Date().toISOString().slice(0, 10),
          setting: setting.value,
          patient: { age: parseInt(age.value || "0", 10), sex: sex.value },
          diagnoses: codes.map(function (c) { return { code: c }; }),
          procedures: split(procedures.value).map(procedure)
        };
        checkEncounter(body);
      });
      return { form: f, diagnoses: diagnoses };
    }

    function split(text) {
      return text.split(/[\s,;]+/).filter(Boolean);
    }

    function procedure(token) {
      var units = 1, star = token.indexOf("*");
      if (star > 0) { units = parseInt(token.slice(star + 1), 10) || 0; token = token.slice(0, star); }
      var parts = token.split("-");
      return { code: parts[0], units: units, modifiers: parts.slice(1) };
    }

    function checkEncounter(body) {
      var bubble = el("div", "mc-msg mc-bot");
      bubble.setAttribute("aria-busy", "true");
      log.appendChild(el("div", "mc-msg mc-user", "Check " + body.setting + " " + body.date_of_service + ": " +
        body.diagnoses.map(function (d) { return d.code; }).join(", ") +
        (body.procedures.length ? " | " + body.procedures.map(function (p) { return p.code; }).join(", ") : "")));
      log.appendChild(bubble);
      fetch(api + "/v1/check", { method: "POST", headers: headers(true), body: JSON.stringify(body) })
        .then(function (res) { return res.json(); })
        .then(function (r) {
          if (r.error) { render(bubble, "Error: " + r.message, [], []); return; }
          render(bubble, reportText(r), r.citations, []);
        })
        .catch(function (err) { render(bubble, "Error: " + err.message, [], []); })
        .finally(function () { bubble.removeAttribute("aria-busy"); log.scrollTop = log.scrollHeight; });
    }

    function reportText(r) {
      var marks = { error: "✖ error", warning: "⚠ warning", info: "· info" };
      var cites = function (list) { return list.map(function (c) { return "[" + c.n + "]"; }).join(""); };
      var lines = ["**Checked " + r.setting + " encounter, " + r.date_of_service + "**"];
      if (!r.findings.length) lines.push("- No findings.");
      r.findings.forEach(function (f) {
        lines.push("- " + marks[f.severity] + " " + f.rule + ": " + f.message + " " + cites(f.citations));
      });
      if (r.drg) {
        lines.push("", "**MS-DRG " + r.drg.drg + "** " + (r.drg.title || "") + " (MDC " + r.drg.mdc + ", grouper " + r.drg.grouper +
          (r.drg.weight != null ? ", weight " + r.drg.weight : "") + ") " + cites(r.drg.citations));
        r.drg.drivers.forEach(function (d) { lines.push("- " + d.code + ": " + d.why); });
      }
      if (r.hcc) {
        var mapped = r.hcc.entries.filter(function (e) { return e.hcc; });
        lines.push("", "**" + r.hcc.model + ", payment year " + r.hcc.payment_year + "**");
        mapped.forEach(function (e) { lines.push("- " + e.code + " " + e.hcc + " " + (e.label || "") + " " + cites(e.citations)); });
        if (!mapped.length) lines.push("- No diagnosis maps to an HCC.");
      }
      lines.push("", "_Editions: " + Object.keys(r.editions).map(function (k) { return k + " " + r.editions[k]; }).join("; ") + "_");
      return lines.join("\n");
    }

    function noteForm() {
      var f = el("form", "mc-noteform");
      f.hidden = true;
      f.setAttribute("aria-label", "Code a clinical note");
      var note = field(f, "textarea", "Clinical note");
      note.placeholder = "Paste a note: Assessment: type 2 diabetes mellitus with stage 3a chronic kidney disease. No pneumonia.";
      note.maxLength = 20000;
      var setting = field(f, "select", "Note setting");
      ["outpatient", "inpatient"].forEach(function (v) { setting.appendChild(el("option", null, v)); });
      var run = el("button", "mc-go", "Code the note");
      run.type = "submit";
      f.appendChild(run);
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!note.value.trim()) { note.focus(); return; }
        codeNote({
          note: note.value, setting: setting.value,
          date_of_service: day.value || new Date().toISOString().slice(0, 10)
        }, run);
      });
      return { form: f, note: note };
    }

    function codeNote(body, run) {
      var bubble = el("div", "mc-msg mc-bot");
      bubble.setAttribute("aria-busy", "true");
      log.appendChild(el("div", "mc-msg mc-user", "Code a " + body.setting + " note of " + body.note.length +
        " characters, " + body.date_of_service));
      log.appendChild(bubble);
      run.disabled = true;
      fetch(api + "/v1/code-note", { method: "POST", headers: headers(true), body: JSON.stringify(body) })
        .then(function (res) { return res.json(); })
        .then(function (r) {
          if (r.error) { render(bubble, "Error: " + r.message, [], []); return; }
          showCoded(bubble, body.note, r);
        })
        .catch(function (err) { render(bubble, "Error: " + err.message, [], []); })
        .finally(function () { bubble.removeAttribute("aria-busy"); run.disabled = false; log.scrollTop = log.scrollHeight; });
    }

    // the note with each span the answer names marked by its assertion, then the codes beside
    // their words, then what was not coded and why; all text goes in with textContent
    function showCoded(bubble, note, r) {
      var spans = [];
      r.codes.forEach(function (c) {
        c.evidence.forEach(function (e) {
          spans.push({ start: e.start, end: e.end, assertion: c.assertion, label: c.code + " " + c.title + " (" + c.assertion + ")" });
        });
      });
      r.not_coded.forEach(function (n) {
        spans.push({ start: n.start, end: n.end, assertion: n.assertion, label: "not coded: " + n.why });
      });
      spans.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
      var text = el("div", "mc-note"), at = 0;
      text.setAttribute("aria-label", "the note, with the words each code rests on marked");
      spans.forEach(function (s) {
        if (s.start < at || s.end > note.length) return;  // overlapping or outside: left unmarked
        if (s.start > at) text.appendChild(document.createTextNode(note.slice(at, s.start)));
        var mark = el("mark", "mc-a-" + s.assertion, note.slice(s.start, s.end));
        mark.title = s.label;
        mark.setAttribute("aria-label", note.slice(s.start, s.end) + ": " + s.label);
        text.appendChild(mark);
        at = s.end;
      });
      if (at < note.length) text.appendChild(document.createTextNode(note.slice(at)));
      var legend = el("div", "mc-legend");
      ["present", "negated", "uncertain", "historical", "family"].forEach(function (a) {
        legend.appendChild(el("mark", "mc-a-" + a, a));
      });
      var lines = ["**" + r.codes.length + " code" + (r.codes.length === 1 ? "" : "s") + " suggested (" + r.mode + ")**"];
      r.codes.forEach(function (c, i) {
        var cites = c.citations.map(function (x) { return "[" + x.n + "]"; }).join("");
        lines.push("- " + (i === 0 ? "**" + c.code + "** " : c.code + " ") + c.title + " — " + c.assertion +
          ", confidence " + c.confidence + " " + cites + ": _" + c.evidence.map(function (e) { return e.text; }).join("; ") +
          "_ · " + c.reason);
      });
      if (r.not_coded.length) {
        lines.push("", "**Not coded**");
        r.not_coded.forEach(function (n) { lines.push("- " + n.text + ": " + n.why); });
      }
      if (r.findings.length) {
        lines.push("", "**Check**");
        r.findings.forEach(function (f) { lines.push("- " + f.severity + " " + f.rule + ": " + f.message); });
      }
      lines.push("", "_Editions: " + Object.keys(r.editions).map(function (k) { return k + " " + r.editions[k]; }).join("; ") + "_");
      var citations = [];
      r.codes.forEach(function (c) { c.citations.forEach(function (x) { citations.push(x); }); });
      var listing = el("div");
      render(listing, lines.join("\n"), citations, r.warnings);
      bubble.textContent = "";
      bubble.append(legend, text, listing);
    }

    function lookupCode(value) {
      var query = day.value ? "?date_of_service=" + encodeURIComponent(day.value) : "";
      fetch(api + "/v1/codes/" + encodeURIComponent(value) + query, { headers: headers(false) })
        .then(function (res) { return res.json(); })
        .then(function (c) {
          if (c.error) { showPanel("Not a code: " + value, "", c.message); return; }
          var lines = [c.title || "(title not loaded)", (c.billable ? "Billable" : "Not billable (" + c.level + ")")];
          if (c.on_date) {
            var mark = c.on_date.valid === false ? "⚠ Not valid" : c.on_date.valid ? "Valid" : "Not checked";
            lines.unshift(mark + " on " + c.on_date.date_of_service + " (" + c.on_date.edition + "): " + c.on_date.message);
          }
          c.parents.forEach(function (p) { lines.push("Parent: " + p[0] + " " + p[1]); });
          c.children.slice(0, 30).forEach(function (p) { lines.push("Child: " + p[0] + " " + p[1]); });
          c.notes.forEach(function (n) { lines.push(n[1] + " (" + n[0] + "): " + n[2]); });
          showPanel(c.code, c.system + " " + c.version, lines.join("\n"));
        });
    }
  }

  function start() {
    var style = el("style", null, CSS);
    document.head.appendChild(style);
    var target = targetId && document.getElementById(targetId);
    if (target) { build(target, false); return; }
    var holder = el("div");
    document.body.appendChild(holder);
    var open = el("button", "mc-open", "Coding help");
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    document.body.appendChild(open);
    var built = false;
    open.addEventListener("click", function () {
      if (!built) { build(holder, true); built = true; }
      holder.hidden = !holder.hidden && built && open.getAttribute("aria-expanded") === "true";
      open.setAttribute("aria-expanded", holder.hidden ? "false" : "true");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

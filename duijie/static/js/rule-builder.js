/* The structured editor of a policy's eligibility rule.
 *
 * Bureau staff build the rule from rows — what is compared (a fact), how (in words: 不低于, at least), and a
 * value — inside groups (all of, any of, none of, not all of), nested as deep as they need. The rows are
 * written into the form's text field as rule data, so the form posts exactly what the text editor would, and
 * the server remains the only judge: every change is checked by the validation API, and each error it names
 * by path (e.g. `all[2].value`) is shown beside the row and the field it belongs to. Without JavaScript the
 * text field is the editor, as before. A rule the rows cannot show (text that does not parse yet) leaves the
 * text as the author's until it parses. */
(function () {
  "use strict";
  var form = document.querySelector(".policy-form");
  var holder = document.getElementById("rule-builder");
  var dataTag = document.getElementById("rule-builder-data");
  if (!form || !holder || !dataTag || !window.fetch || !window.JSON) return;
  var cfg = JSON.parse(dataTag.textContent);
  var W = cfg.words;
  var textarea = form.querySelector("textarea[name=rule]");
  var textBox = document.getElementById("rule-text");
  var textErrors = form.querySelector(".rule-errors");
  var live = form.querySelector(".rule-live");
  var vocab = {};
  cfg.vocab.forEach(function (s) { vocab[s.key] = s; });
  var LIST_OPS = {"in": true, "intersects": true};
  var MODES = ["all", "any", "none", "notall"];
  var root = null;
  var owners = [];
  var timer = null;
  var serial = 0;

  // ------------------------------------------------------------------ the model

  function group(mode, items) { return {kind: "group", mode: mode, items: items || []}; }

  function condition(key, op, value) { return {kind: "cond", key: key || "", op: op || "", value: value}; }

  function fromData(d) {
    if (!d || typeof d !== "object" || Array.isArray(d)) return null;
    var items;
    if (Array.isArray(d.all) || Array.isArray(d.any)) {
      items = (d.all || d.any).map(fromData);
      if (items.indexOf(null) >= 0) return null;
      return group(d.all ? "all" : "any", items);
    }
    if ("not" in d) {
      var inner = d.not;
      if (inner && (Array.isArray(inner.all) || Array.isArray(inner.any))) {
        var g = fromData(inner);
        if (!g) return null;
        g.mode = inner.all ? "notall" : "none";
        return g;
      }
      var one = fromData(inner);
      return one ? group("none", [one]) : null;
    }
    if ("fact" in d) {
      var key = d.fn ? d.fact + "|" + d.fn : String(d.fact);
      var value = d.value;
      if (value === undefined || value === null) value = "";
      if (typeof value === "number") value = String(value);
      return condition(key, d.op ? String(d.op) : "", value);
    }
    return null;
  }

  function join(prefix, part) { return prefix ? prefix + "." + part : part; }

  // Write the tree as rule data, noting on each node the paths the server will use for it.
  function toData(node, prefix) {
    if (node.kind === "cond") {
      node.paths = [prefix];
      var s = vocab[node.key];
      var parts = node.key.split("|");
      var out = {fact: parts[0]};
      if (parts[1]) out.fn = parts[1];
      out.op = node.op;
      if (s && s.type === "bool") out.value = true;
      else if (LIST_OPS[node.op]) out.value = Array.isArray(node.value) ? node.value : (node.value ? [node.value] : []);
      else out.value = Array.isArray(node.value) ? (node.value[0] || "") : node.value;
      return out;
    }
    var key = node.mode === "all" || node.mode === "notall" ? "all" : "any";
    var negated = node.mode === "none" || node.mode === "notall";
    var base = prefix;
    node.paths = [prefix];
    if (negated) {
      base = join(prefix, "not");
      node.paths.push(base);
      if (node.items.length === 1) return {not: toData(node.items[0], base)};
    }
    var list = join(base, key);
    node.paths.push(list);
    var items = node.items.map(function (item, i) { return toData(item, list + "[" + i + "]"); });
    var body = {};
    body[key] = items;
    return negated ? {not: body} : body;
  }

  // ------------------------------------------------------------------ drawing

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "className") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function option(value, label, selected) {
    var o = el("option", {value: value, text: label});
    if (selected) o.selected = true;
    return o;
  }

  function button(text, cls, onClick, testid) {
    var b = el("button", {type: "button", className: cls, text: text});
    if (testid) b.setAttribute("data-testid", testid);
    b.addEventListener("click", onClick);
    return b;
  }

  function draw() {
    owners = [];
    holder.textContent = "";
    holder.appendChild(drawGroup(root, null));
    toData(root, "");  // note each node's paths, for the errors
  }

  function drawGroup(node, parent) {
    var mode = el("select", {"aria-label": W.group_mode, "data-testid": "rb-mode"});
    MODES.forEach(function (m) { mode.appendChild(option(m, W["mode_" + m], node.mode === m)); });
    mode.addEventListener("change", function () { node.mode = mode.value; changed(); });
    var errors = el("span", {className: "rb-errors", role: "alert"});
    var head = el("div", {className: "rb-head"}, [mode]);
    if (parent) {
      head.appendChild(button(W.remove_group, "rb-remove link-button", function () {
        parent.items.splice(parent.items.indexOf(node), 1);
        draw();
        changed();
      }, "rb-remove-group"));
    }
    var list = el("ol", {className: "rb-items"});
    node.items.forEach(function (item) {
      list.appendChild(el("li", {}, [item.kind === "cond" ? drawCondition(item, node) : drawGroup(item, node)]));
    });
    if (!node.items.length) list.appendChild(el("li", {className: "meta rb-empty", text: W.empty_group}));
    var add = el("div", {className: "rb-add"}, [
      button("+ " + W.add_condition, "secondary small", function () {
        node.items.push(condition("", "", ""));
        draw();
        changed();
        var rows = holder.querySelectorAll(".rb-cond select.rb-fact");
        if (rows.length) rows[rows.length - 1].focus();
      }, "rb-add-condition"),
      button("+ " + W.add_group, "secondary small", function () {
        node.items.push(group(node.mode === "any" || node.mode === "none" ? "all" : "any", [condition("", "", "")]));
        draw();
        changed();
      }, "rb-add-group")
    ]);
    var box = el("div", {className: "rb-group" + (parent ? " rb-nested" : ""), role: "group",
      "data-testid": parent ? "rb-group" : "rb-root"}, [head, list, add, errors]);
    owners.push({node: node, errors: errors, box: box, fields: {}});
    return box;
  }

  function drawCondition(node, parent) {
    var s = vocab[node.key];
    var fact = el("select", {className: "rb-fact", "aria-label": W.fact, "data-testid": "rb-fact"});
    fact.appendChild(option("", W.choose, !node.key));
    if (node.key && !s) fact.appendChild(option(node.key, node.key + W.unknown, true));
    cfg.vocab.forEach(function (v) { fact.appendChild(option(v.key, v.label, v.key === node.key)); });
    fact.addEventListener("change", function () {
      node.key = fact.value;
      var next = vocab[node.key];
      var ops = next ? next.ops.map(function (o) { return o.op; }) : [];
      if (ops.indexOf(node.op) < 0) node.op = ops[0] || "";
      node.value = next && LIST_OPS[node.op] ? [] : "";
      draw();
      changed();
      focusRow(node);
    });
    var op = el("select", {className: "rb-op", "aria-label": W.op, "data-testid": "rb-op"});
    var known = false;
    (s ? s.ops : []).forEach(function (o) {
      known = known || o.op === node.op;
      op.appendChild(option(o.op, o.label, o.op === node.op));
    });
    if (node.op && !known) op.appendChild(option(node.op, node.op, true));
    if (!s) op.disabled = true;
    op.addEventListener("change", function () {
      var wasList = !!LIST_OPS[node.op];
      node.op = op.value;
      if (wasList && !LIST_OPS[node.op]) node.value = Array.isArray(node.value) ? (node.value[0] || "") : node.value;
      if (!wasList && LIST_OPS[node.op]) node.value = node.value ? [node.value] : [];
      draw();
      changed();
    });
    var value = drawValue(node, s);
    var errors = el("span", {className: "rb-errors", role: "alert"});
    var remove = button(W.remove, "rb-remove link-button", function () {
      parent.items.splice(parent.items.indexOf(node), 1);
      draw();
      changed();
    }, "rb-remove");
    remove.setAttribute("aria-label", W.remove_condition);
    var row = el("div", {className: "rb-cond", "data-testid": "rb-cond"}, [
      el("div", {className: "rb-fields"}, [fact, op, value, remove]), errors
    ]);
    owners.push({node: node, errors: errors, box: row, fields: {fact: fact, fn: fact, op: op, value: value}});
    return row;
  }

  function drawValue(node, s) {
    if (!s || s.type === "bool") return el("span", {className: "rb-value rb-none"});
    if (s.choices.length) {
      if (LIST_OPS[node.op]) {
        var chosen = Array.isArray(node.value) ? node.value : [node.value];
        var set = el("fieldset", {className: "rb-value rb-choices", "data-testid": "rb-value"}, [
          el("legend", {className: "sr-only", text: W.value})
        ]);
        s.choices.forEach(function (c) {
          var box = el("input", {type: "checkbox", value: c.value});
          box.checked = chosen.indexOf(c.value) >= 0;
          box.addEventListener("change", function () {
            node.value = Array.prototype.filter.call(set.querySelectorAll("input:checked"), function () { return true; })
              .map(function (b) { return b.value; });
            changed();
          });
          set.appendChild(el("label", {className: "check"}, [box, document.createTextNode(c.label)]));
        });
        return set;
      }
      var pick = el("select", {className: "rb-value", "aria-label": W.value, "data-testid": "rb-value"});
      pick.appendChild(option("", W.choose, !node.value));
      var listed = false;
      s.choices.forEach(function (c) {
        listed = listed || c.value === node.value;
        pick.appendChild(option(c.value, c.label, c.value === node.value));
      });
      if (node.value && !listed) pick.appendChild(option(String(node.value), node.value + W.unknown, true));
      pick.addEventListener("change", function () { node.value = pick.value; changed(); });
      return pick;
    }
    var input = el("input", {
      type: s.type === "date" ? "date" : "text",
      className: "rb-value",
      "aria-label": W.value,
      "data-testid": "rb-value",
      placeholder: s.hint || ""
    });
    if (s.type === "int") input.setAttribute("inputmode", "numeric");
    input.value = Array.isArray(node.value) ? (node.value[0] || "") : String(node.value);
    input.addEventListener("input", function () { node.value = input.value; changed(); });
    var wrap = el("span", {className: "rb-value-wrap"}, [input]);
    wrap.rbField = input;  // what an error on the value marks
    // 5000万元 carries its unit in Chinese; in English the figure is in yuan, which the unit says.
    if (s.unit && !(s.type === "money" && cfg.lang === "zh")) wrap.appendChild(el("span", {className: "meta unit", text: s.unit}));
    return wrap;
  }

  function focusRow(node) {
    owners.forEach(function (o) {
      if (o.node === node && o.fields.op && !o.fields.op.disabled) o.fields.op.focus();
    });
  }

  // ------------------------------------------------------------------ checking

  function changed() {
    textarea.value = JSON.stringify(toData(root, ""), null, 2);
    schedule(JSON.stringify(toData(root, "")), false);
  }

  function schedule(text, fromText) {
    clearTimeout(timer);
    timer = setTimeout(function () { check(text, fromText); }, 350);
  }

  function check(text, fromText) {
    var mine = ++serial;
    fetch(form.dataset.validateUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({rule: text}),
      credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (mine !== serial) return;  // a later change is being checked
      if (fromText) {
        var rebuilt = result.ok && result.rule_form ? fromData(result.rule_form) : null;
        if (rebuilt) {
          root = rebuilt.kind === "group" ? rebuilt : group("all", [rebuilt]);
          holder.classList.remove("rb-stale");
          draw();
        } else if (textarea.value.trim()) {
          holder.classList.add("rb-stale");
          if (textBox) textBox.open = true;
        }
      }
      show(result.errors || []);
      live.textContent = result.rule_text && result.rule_text.zh
        ? W.in_words + ": " + (cfg.lang === "zh" ? result.rule_text.zh : result.rule_text.en) : "";
    }).catch(function () {});
  }

  // The message without the path the text editor needs ("all[2].value: ..."): beside its row it is plain.
  function plain(error, path) {
    var m = error.message || "";
    var lead = (path || "rule") + ": ";
    return m.indexOf(lead) === 0 ? m.slice(lead.length) : m;
  }

  function owner(path) {
    var best = null;
    var bestLen = -1;
    owners.forEach(function (o) {
      (o.node.paths || []).forEach(function (p) {
        var hit = path === p || p === "" || path.indexOf(p + ".") === 0 || path.indexOf(p + "[") === 0;
        if (hit && p.length > bestLen) { best = {o: o, p: p}; bestLen = p.length; }
      });
    });
    return best;
  }

  function mark(field, bad) {
    var target = field.rbField || field;
    target.classList.toggle("rb-bad", bad);
    if (target.setAttribute) target.setAttribute("aria-invalid", bad ? "true" : "false");
  }

  function show(errors) {
    textErrors.textContent = "";
    owners.forEach(function (o) {
      o.errors.textContent = "";
      o.box.classList.remove("rb-has-error");
      Object.keys(o.fields).forEach(function (k) { mark(o.fields[k], false); });
    });
    var count = 0;
    errors.forEach(function (e) {
      var field = e.field || "";
      if (field !== "rule" && field.indexOf("rule.") !== 0) return;
      count += 1;
      textErrors.appendChild(el("span", {className: "field-error", text: e.message}));
      var path = field === "rule" ? "" : field.slice(5);
      var hit = owner(path);
      if (!hit) return;
      var o = hit.o;
      var rest = path.slice(hit.p.length).replace(/^\./, "");
      var part = rest.split(/[.[]/)[0];
      var text = plain(e, path);
      if (o.node.kind === "cond" && part === "fact" && !o.node.key) text = W.choose_fact;
      o.errors.appendChild(el("span", {className: "field-error", text: text}));
      o.box.classList.add("rb-has-error");
      if (o.fields[part]) mark(o.fields[part], true);
    });
    textarea.closest("label").classList.toggle("has-error", count > 0);
  }

  // ------------------------------------------------------------------ start

  var start = cfg.rule ? fromData(cfg.rule) : null;
  if (start) {
    root = start.kind === "group" ? start : group("all", [start]);
  } else if (!textarea.value.trim()) {
    root = group("all", [condition("", "", "")]);
  } else {
    root = group("all", []);
    holder.classList.add("rb-stale");
  }
  holder.hidden = false;
  if (textBox) textBox.open = !start && !!textarea.value.trim();
  draw();
  show(cfg.errors || []);
  textarea.addEventListener("input", function () { schedule(textarea.value, true); });
  if (textarea.value.trim() && !live.textContent) check(textarea.value, !start);
})();

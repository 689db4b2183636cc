// kexuan's page behaviour: the score chart, and the rich-text editor with
// live 字数 (counted by the server, with the same rules as the score).
(function () {
  "use strict";

  // The menu folds behind a button on a phone (app.css); without this
  // script it stays open.
  document.documentElement.classList.add("js");
  var toggle = document.getElementById("menu-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  var chartEl = document.getElementById("chart");
  if (chartEl && window.echarts) {
    var data = JSON.parse(chartEl.getAttribute("data-chart"));
    var chart = window.echarts.init(chartEl);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["总分", "任务得分", "加分", "扣分"] },
      grid: { left: 40, right: 20, bottom: 40, top: 40 },
      xAxis: { type: "category", data: data.names },
      yAxis: { type: "value" },
      series: [
        { name: "总分", type: "bar", data: data.totals, label: { show: true, position: "top" } },
        { name: "任务得分", type: "bar", data: data.tasks },
        { name: "加分", type: "bar", data: data.bonus },
        { name: "扣分", type: "bar", data: data.deductions }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    // Printed, the chart is drawn to the page's width (A4 less margins).
    window.addEventListener("beforeprint", function () { chart.resize({ width: 680 }); });
    window.addEventListener("afterprint", function () { chart.resize(); });
  }

  var textarea = document.getElementById("body-input");
  var editorEl = document.getElementById("editor");
  var quill = null;
  if (textarea && editorEl && window.Quill) {
    editorEl.hidden = false;
    textarea.hidden = true;
    quill = new window.Quill(editorEl, {
      theme: "snow",
      modules: { toolbar: [[{ header: [2, 3, false] }], ["bold", "italic", "underline"], [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["link", "clean"]] }
    });
    if (textarea.value) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value); // the server's sanitised copy
    }
    // The toolbar's controls, named for screen readers (Quill leaves its
    // pickers and buttons without names).
    var names = { "ql-header": "标题级别", "ql-align": "对齐", "ql-bold": "加粗", "ql-italic": "斜体", "ql-underline": "下划线",
      "ql-list": "列表", "ql-link": "链接", "ql-clean": "清除格式" };
    Array.prototype.forEach.call(document.querySelectorAll(".ql-toolbar .ql-picker, .ql-toolbar button"), function (el) {
      for (var cls in names) {
        if (el.classList.contains(cls)) {
          var target = el.querySelector(".ql-picker-label") || el;
          var name = names[cls] + (el.value ? "：" + (el.value === "ordered" ? "编号" : el.value === "bullet" ? "项目符号" : el.value) : "");
          target.setAttribute("aria-label", name);
          target.setAttribute("title", name);
        }
      }
    });
    var sync = function () {
      textarea.value = quill.getText().trim() === "" ? "" : quill.root.innerHTML;
      if (window.htmx) { window.htmx.trigger("#wordcount", "recount"); }
    };
    quill.on("text-change", sync);
    document.getElementById("piece-form").addEventListener("submit", sync);
  } else if (textarea && window.htmx) {
    textarea.addEventListener("input", function () { window.htmx.trigger("#wordcount", "recount"); });
  }

  // Nothing typed is lost: the piece form is kept in this browser as it is
  // written (per user and piece), offered back when the page is opened again,
  // and before it is sent the session is checked — an expired sign-in says
  // so and keeps the text instead of losing it on the way to the login page.
  var form = document.getElementById("piece-form");
  if (form && window.localStorage && window.JSON) {
    var key = form.getAttribute("data-draft-key");
    var status = document.getElementById("autosave-status");
    var read = function () {
      var v = { title: form.elements.title.value, body: textarea ? textarea.value : "", themes: [], channels: [], major: form.elements.major.checked };
      form.querySelectorAll("input[name=themes]:checked").forEach(function (el) { v.themes.push(el.value); });
      form.querySelectorAll("input[name=channels]:checked").forEach(function (el) { v.channels.push(el.value); });
      return v;
    };
    var same = function (a, b) { return JSON.stringify([a.title, a.body, a.themes, a.channels, a.major]) === JSON.stringify([b.title, b.body, b.themes, b.channels, b.major]); };
    var initial = read();
    var timer = null;
    var save = function () {
      if (quill) { textarea.value = quill.getText().trim() === "" ? "" : quill.root.innerHTML; }
      var v = read();
      if (same(v, initial)) { return; }
      v.at = new Date().toISOString();
      try {
        window.localStorage.setItem(key, JSON.stringify(v));
        if (status) { status.textContent = "已自动保存在本机 " + new Date().toLocaleTimeString("zh-CN"); }
      } catch (e) { /* storage full or off: the form still works */ }
    };
    var later = function () { window.clearTimeout(timer); timer = window.setTimeout(save, 800); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (quill) { quill.on("text-change", later); }

    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && !same(saved, initial)) {
      var box = document.getElementById("draft-restore");
      document.getElementById("draft-restore-at").textContent = new Date(saved.at).toLocaleString("zh-CN");
      document.getElementById("draft-restore-title").textContent = saved.title || "（无标题）";
      box.hidden = false;
      document.getElementById("draft-restore-yes").addEventListener("click", function () {
        form.elements.title.value = saved.title;
        if (quill) { quill.setContents([]); quill.clipboard.dangerouslyPasteHTML(saved.body || ""); } else if (textarea) { textarea.value = saved.body; }
        form.querySelectorAll("input[name=themes]").forEach(function (el) { el.checked = saved.themes.indexOf(el.value) >= 0; });
        form.querySelectorAll("input[name=channels]").forEach(function (el) { el.checked = saved.channels.indexOf(el.value) >= 0; });
        form.elements.major.checked = !!saved.major;
        box.hidden = true;
        if (window.htmx) { window.htmx.trigger("#wordcount", "recount"); }
      });
      document.getElementById("draft-restore-no").addEventListener("click", function () {
        window.localStorage.removeItem(key);
        box.hidden = true;
      });
    }

    var checked = false;
    form.addEventListener("submit", function (ev) {
      if (checked) { return; }
      ev.preventDefault();
      save();
      var base = document.body.dataset.base || ""; // the path the site is served under
      fetch(base + "/api/v1/me", { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (res) {
        if (res.status === 401) {
          var note = document.getElementById("session-expired");
          document.getElementById("session-login").href = base + "/login?next=" + encodeURIComponent(window.location.pathname.slice(base.length));
          note.hidden = false;
          note.scrollIntoView();
          return;
        }
        checked = true;
        window.localStorage.removeItem(key); // the server has it now; a refused form comes back filled
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }, function () {
        if (status) { status.textContent = "无法连接服务器，内容已保存在本机，请稍后再试"; }
      });
    });
  }

  // The quality gate as one types: after a pause the title and text are
  // checked by the server (POST /api/v1/checks) and the findings listed
  // under the editor; a click applies a suggestion where it points.
  var checksBox = document.getElementById("checks");
  if (form && checksBox && window.fetch && window.JSON) {
    var checkBase = document.body.dataset.base || "";
    var list = document.getElementById("checks-list");
    var summary = document.getElementById("checks-summary");
    var titleInput = form.elements.title;
    var checkTimer = null;
    var lastAsked = "";
    var isSpace = function (ch) { return /\s/.test(ch); };
    // The server's offsets count in its plain text (lines trimmed, blank
    // lines dropped); the characters other than spaces are the same in the
    // editor's text, so a place maps by how many of them come before it.
    var editorIndex = function (plain, at) {
      var n = 0, i;
      for (i = 0; i < at && i < plain.length; i++) { if (!isSpace(plain[i])) { n++; } }
      var text = quill ? quill.getText() : textarea.value;
      for (i = 0; i < text.length && n > 0; i++) { if (!isSpace(text[i])) { n--; } }
      while (i < text.length && isSpace(text[i])) { i++; }
      return i;
    };
    // A finding is applied only where the text still reads as it did when
    // it was found (else the text is checked again); the list is cleared at
    // once, so that no button of the old text stays to be clicked.
    var apply = function (c, chars) {
      var was = chars.slice(c.at, c.at + c.length).join("");
      var titleLen = chars.indexOf("\n");
      if (c.at < titleLen) {
        var t = Array.from(titleInput.value.trim());
        if (t.slice(c.at, c.at + c.length).join("") === was) {
          t.splice(c.at, c.length, c.suggestion);
          titleInput.value = t.join("");
        }
      } else {
        var from = editorIndex(chars.slice(titleLen + 1), c.at - titleLen - 1);
        var text = quill ? quill.getText() : textarea.value;
        if (text.slice(from, from + c.length) === was) {
          if (quill) {
            quill.deleteText(from, c.length, "user");
            if (c.suggestion) { quill.insertText(from, c.suggestion, "user"); }
          } else {
            textarea.value = text.slice(0, from) + c.suggestion + text.slice(from + c.length);
          }
        }
      }
      list.textContent = "";
      summary.textContent = "检查中……";
      ask(true);
    };
    var show = function (answer) {
      var chars = Array.from(answer.text || "");
      list.textContent = "";
      var errors = 0;
      answer.checks.forEach(function (c) {
        if (c.severity === "error") { errors++; }
        var li = document.createElement("li");
        li.className = "check-" + c.severity;
        li.setAttribute("data-kind", c.kind);
        li.appendChild(document.createTextNode(c.message + " "));
        if (c.fix) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "secondary small";
          b.textContent = c.suggestion ? "改为“" + c.suggestion + "”" : "删去";
          b.addEventListener("click", function () { apply(c, chars); });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
      (answer.similar || []).forEach(function (sp) {
        var li = document.createElement("li");
        li.className = "check-warning";
        li.setAttribute("data-kind", "similar");
        li.textContent = "与已报送的" + (sp.title ? "《" + sp.title + "》" : "一篇稿件") + "相似（" + Math.round(sp.similarity * 100) + "%）：请确认不是重复报送";
        list.appendChild(li);
      });
      var n = answer.checks.length + (answer.similar || []).length;
      summary.textContent = n === 0 ? "检查：没有发现问题" :
        "检查：" + n + " 处提示" + (errors ? "，其中 " + errors + " 处须改正后才能报送" : "");
      checksBox.hidden = false;
    };
    var ask = function (now) {
      window.clearTimeout(checkTimer);
      checkTimer = window.setTimeout(function () {
        if (quill) { textarea.value = quill.getText().trim() === "" ? "" : quill.root.innerHTML; }
        var channels = [];
        form.querySelectorAll("input[name=channels]:checked").forEach(function (el) { channels.push(el.value); });
        var q = { title: titleInput.value, body: textarea.value, channels: channels, piece_id: Number(checksBox.getAttribute("data-piece") || 0) };
        var key = JSON.stringify(q);
        if (key === lastAsked || (!q.title.trim() && !q.body.trim())) { return; }
        lastAsked = key;
        fetch(checkBase + "/api/v1/checks", { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json" }, body: key
        }).then(function (res) { return res.ok ? res.json() : null; }).then(function (a) { if (a && key === lastAsked) { show(a); } }, function () {});
      }, now ? 0 : 700);
    };
    titleInput.addEventListener("input", function () { ask(false); });
    form.addEventListener("change", function () { ask(false); });
    if (quill) { quill.on("text-change", function () { ask(false); }); } else if (textarea) { textarea.addEventListener("input", function () { ask(false); }); }
    ask(true);
  }

  // A select that sends its form when changed (the month switcher): no
  // inline handler, which the Content-Security-Policy refuses.
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (sel) {
    sel.addEventListener("change", function () { if (sel.form) { sel.form.submit(); } });
  });

  // 返回上一页 on an error page: back where the user came from, or home.
  Array.prototype.forEach.call(document.querySelectorAll("a[data-back]"), function (a) {
    a.addEventListener("click", function (ev) {
      if (window.history.length > 1 && document.referrer) {
        ev.preventDefault();
        window.history.back();
      }
    });
  });
})();

// kexuan's page behaviour: the score chart, and the rich-text editor with
// live 字数 (counted by the server, with the same rules as the score).
(function () {
  "use strict";

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
  }

  var textarea = document.getElementById("body-input");
  var editorEl = document.getElementById("editor");
  if (textarea && editorEl && window.Quill) {
    editorEl.hidden = false;
    textarea.hidden = true;
    var quill = new window.Quill(editorEl, {
      theme: "snow",
      modules: { toolbar: [[{ header: [2, 3, false] }], ["bold", "italic", "underline"], [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["link", "clean"]] }
    });
    if (textarea.value) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value); // the server's sanitised copy
    }
    var sync = function () {
      textarea.value = quill.getText().trim() === "" ? "" : quill.root.innerHTML;
      if (window.htmx) { window.htmx.trigger("#wordcount", "recount"); }
    };
    quill.on("text-change", sync);
    document.getElementById("piece-form").addEventListener("submit", sync);
  } else if (textarea && window.htmx) {
    textarea.addEventListener("input", function () { window.htmx.trigger("#wordcount", "recount"); });
  }
})();

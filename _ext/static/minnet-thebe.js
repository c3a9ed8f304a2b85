/**
 * Live code for the book (see _ext/minnet_thebe.py).
 *
 * When the reader presses "Live Code", before Thebe looks for code cells:
 * - the hidden code of every remove-input cell (a setup cell: imports, seeds), kept inert in
 *   <script type="text/x-minnet-thebe-cell">, becomes a code cell that Thebe picks up;
 *   it stays out of sight (minnet-thebe.css) and runs first, once the kernel is ready;
 * - every code cell gets an output area (thebe 0.9 matches cells and output areas by order);
 * - thebe's stylesheet is added (thebe 0.9 ships it apart from its script).
 * Nothing here runs, and nothing is fetched, until the button is pressed.
 */
(function () {
  "use strict";

  var prepared = false;

  function materializeHiddenCells() {
    document.querySelectorAll('script[type="text/x-minnet-thebe-cell"]').forEach(function (el) {
      var cell = el.closest(".cell");
      var pre = document.createElement("pre");
      pre.textContent = JSON.parse(el.textContent);
      el.replaceWith(pre);
      if (cell) cell.classList.add("minnet-thebe-init");
    });
  }

  // thebe 0.9 pairs the k-th code cell with the k-th output placeholder of the page, so a
  // cell without outputs would shift every later cell's output to another cell: give every
  // code cell an (empty) output placeholder.
  function addMissingOutputAreas() {
    var selector = typeof thebe_selector !== "undefined" ? thebe_selector : ".thebe,.cell";
    var output = typeof thebe_selector_output !== "undefined" ? thebe_selector_output : ".output, .cell_output";
    document.querySelectorAll(selector).forEach(function (cell) {
      if (!cell.querySelector("pre") || cell.querySelector(output)) return;
      var area = document.createElement("div");
      area.className = "cell_output docutils container";
      cell.appendChild(area);
    });
  }

  function addThebeStylesheet() {
    if (typeof MINNET_THEBE_CSS_URL === "undefined" || !MINNET_THEBE_CSS_URL) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = MINNET_THEBE_CSS_URL;
    document.head.appendChild(link);
  }

  function runInitCellsWhenReady() {
    var done = false;
    function runThem() {
      if (done) return;
      // thebe 0.9 attaches the session to the page's cells after "ready": wait for it
      var thebe = window.thebe;
      if (thebe && thebe.notebook && !thebe.session) {
        setTimeout(runThem, 100);
        return;
      }
      done = true;
      document.querySelectorAll(".minnet-thebe-init").forEach(function (cell) {
        var button = cell.querySelector(".thebe-run-button, .thebelab-run-button");
        if (button) button.click();
      });
    }
    var wait = setInterval(function () {
      if (typeof window.thebelab === "undefined" || !window.thebelab.on) return;
      clearInterval(wait);
      window.thebelab.on("status", function (evt, data) {
        if (data && data.status === "ready") runThem();
      });
    }, 50);
  }

  function prepare() {
    if (prepared) return;
    prepared = true;
    materializeHiddenCells();
    addMissingOutputAreas();
    addThebeStylesheet();
    runInitCellsWhenReady();
  }

  // sphinx-thebe's initThebe (loaded async) is what the theme's button calls: wrap it.
  function wrap() {
    if (typeof window.initThebe !== "function" || window.initThebe.minnetWrapped) return false;
    var original = window.initThebe;
    window.initThebe = function () {
      prepare();
      return original.apply(this, arguments);
    };
    window.initThebe.minnetWrapped = true;
    return true;
  }

  if (!wrap()) {
    window.addEventListener("load", wrap);
  }
})();

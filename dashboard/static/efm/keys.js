// Presentation view: ← → PageUp PageDown step through the brief and Escape leaves it, by
// pressing the navigation bar's buttons (presenter clickers send PageDown and PageUp).
// This file runs in a zero-height component frame; it installs `install` once into the page
// itself, so that the listener outlives that frame.
function install() {
  const KEYS = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev",
                Escape: "exit"};
  const MAP = 'iframe[title="streamlit_folium.st_folium"]';
  // In a frame, 100vh is the frame's height: the map fills its frame, whatever height the
  // page gives that frame (the whole screen in the presentation view).
  const FILL = "html, body { margin: 0; overflow: hidden; } " +
               "#map_div { height: 100vh !important; width: 100% !important; }";

  function onKey(e) {
    const what = KEYS[e.key];
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName) ||
                   e.target.isContentEditable;
    if (!what || typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const button = document.querySelector(".st-key-nav_" + what + " button");
    if (button && !button.disabled) {
      e.preventDefault();
      e.stopPropagation();  // in the map: the slide changes, the map does not pan
      button.click();
    }
  }

  // The map's frame is same-origin and takes the focus when it is clicked or dragged: listen
  // in it too (capturing, before Leaflet's own key handling), and make the map fill it.
  function attach(frame) {
    let doc;
    try { doc = frame.contentDocument; } catch (err) { return; }
    if (!doc || doc.ef_keys || doc.readyState === "loading" ||
        doc.location.href === "about:blank") return;
    doc.ef_keys = true;
    doc.addEventListener("keydown", onKey, true);
    const style = doc.createElement("style");
    style.textContent = FILL;
    doc.head.appendChild(style);
    frame.contentWindow.dispatchEvent(new Event("resize"));  // Leaflet re-measures the map
  }

  // Streamlit replaces the map's frame (a new slide, a new theme): attach to each new one.
  function scan() {
    for (const frame of document.querySelectorAll(MAP)) {
      attach(frame);
      if (!frame.ef_load) {
        frame.ef_load = true;
        frame.addEventListener("load", () => attach(frame));
      }
    }
  }

  document.addEventListener("keydown", onKey);
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  scan();
}

const page = window.parent.document;
if (!page.getElementById("ef-keys")) {
  const s = page.createElement("script");
  s.id = "ef-keys";
  s.textContent = `(${install.toString()})();`;
  page.head.appendChild(s);
}

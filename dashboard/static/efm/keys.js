// Presentation view: arrow keys / PageUp / PageDown step through the brief and Escape
// leaves it, by pressing the navigation bar's buttons. Runs in a zero-height component
// iframe and installs the listener once into the page itself.
const doc = window.parent.document;
if (!doc.getElementById("ef-keys")) {
  const s = doc.createElement("script");
  s.id = "ef-keys";
  s.textContent = `document.addEventListener("keydown", (e) => {
    const keys = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev",
                  Escape: "exit"};
    const what = keys[e.key];
    if (!what || ["INPUT", "TEXTAREA"].includes(e.target.tagName)) return;
    const button = document.querySelector(".st-key-nav_" + what + " button");
    if (button && !button.disabled) { e.preventDefault(); button.click(); }
  });`;
  doc.head.appendChild(s);
}

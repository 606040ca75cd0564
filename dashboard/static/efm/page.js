// The main view's keyboard habits, installed once into the page itself (this script runs
// in a zero-height component frame): Enter in a typed date applies it, as it does in every
// other field. Streamlit's date input applies a typed date when the user presses the
// pointer outside it, so Enter does just that (a focus change alone does not apply it).
const doc = window.parent.document;
if (!doc.getElementById("ef-page-keys")) {
  const s = doc.createElement("script");
  s.id = "ef-page-keys";
  s.textContent = `document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const field = e.target.closest && e.target.closest('[data-testid="stDateInputField"]');
    if (!field) return;
    e.preventDefault();
    for (const kind of ["pointerdown", "mousedown"]) {
      document.body.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
    }
    e.target.blur();
  }, true);`;
  doc.head.appendChild(s);
}

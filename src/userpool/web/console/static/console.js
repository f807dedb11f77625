// Copy buttons for ids, URLs and the one-time client secret. The console works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// "Add a row" under a table of form rows (the attribute mapping): a copy of its last row, emptied. Without
// this file the form offers a few empty rows, and more after each save.
document.querySelectorAll("[data-add-row]").forEach((button) => { button.hidden = false; });
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const body = document.getElementById(button.dataset.addRow);
  const last = body && body.lastElementChild;
  if (!last) return;
  const row = last.cloneNode(true);
  const number = body.children.length + 1;
  row.querySelectorAll("input, select").forEach((input) => {
    input.value = "";
    input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\d+$/, String(number)));
  });
  body.appendChild(row);
  row.querySelector("select").focus();
});

// Sorting and filtering for the site's tables. Each column header holds a button: click
// it (or press Enter or Space on it) to sort by that column, numbers numerically and text
// alphabetically; again to reverse. The header's aria-sort says the order, for screen
// readers as well. Type in a filter box to keep only the rows containing that text.
// Plain JavaScript, no library, no network.
"use strict";

function cellValue(row, index) {
  const cell = row.cells[index];
  const text = cell ? (cell.dataset.sort ?? cell.textContent).trim() : "";
  const number = Number(text.replace(/[%,]/g, "").replace(/^[<≤]/, "").replace(/\u2212/g, "-"));
  return { text: text, number: text !== "" && Number.isFinite(number) ? number : null };
}

function sortTable(table, index, header) {
  const body = table.tBodies[0];
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  const rows = Array.from(body.rows);
  const numeric = rows.every((r) => cellValue(r, index).number !== null || cellValue(r, index).text === "");
  rows.sort((a, b) => {
    const x = cellValue(a, index);
    const y = cellValue(b, index);
    const order = numeric ? (x.number ?? -Infinity) - (y.number ?? -Infinity)
                          : x.text.localeCompare(y.text, undefined, { numeric: true });
    return ascending ? order : -order;
  });
  rows.forEach((r) => body.appendChild(r));
  table.querySelectorAll("thead th").forEach((th) => th.setAttribute("aria-sort", "none"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
}

document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("thead th").forEach((header, index) => {
    const button = header.querySelector("button.sort");
    if (button) {
      button.addEventListener("click", () => sortTable(table, index, header));
    }
  });
});

document.querySelectorAll("input.filter").forEach((input) => {
  const table = document.getElementById(input.dataset.table);
  const count = document.querySelector(`[data-count="${input.dataset.table}"]`);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    let shown = 0;
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const keep = needle === "" || row.textContent.toLowerCase().includes(needle);
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    count.textContent = `${shown} of ${table.tBodies[0].rows.length} rows`;
  });
});

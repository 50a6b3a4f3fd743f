// Sorting and filtering for the site's tables: click a column header to sort (numbers
// numerically, text alphabetically; click again to reverse), type in a filter box to
// keep only the rows containing that text. Plain JavaScript, no library, no network.
"use strict";

function cellValue(row, index) {
  const text = row.cells[index] ? row.cells[index].textContent.trim() : "";
  const number = Number(text.replace(/[%,]/g, ""));
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
  table.querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
}

document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("thead th").forEach((header, index) => {
    header.addEventListener("click", () => sortTable(table, index, header));
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

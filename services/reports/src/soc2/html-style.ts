/**
 * The printable SOC 2 page's stylesheet. Words never break in the middle: ordinary cells wrap at
 * spaces only; identifiers and digests (class "id") are the one place a line may break anywhere.
 * Printed, each control starts a page, table headers repeat and rows are not split.
 */
export const HTML_STYLE = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:100em;padding:0 1.5em;color:#1c2430}
h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.2em;border-bottom:2px solid #c5ccd6;padding-bottom:.2em;margin-top:2em}h3{font-size:1em;margin:1.4em 0 .4em}
.count{color:#566173;font-weight:normal}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #d5dbe3;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:normal;word-break:normal;hyphens:none}
thead th{background:#eef1f5;font-size:.85em;white-space:nowrap}
tbody th{background:#f6f7f9;font-weight:600;width:22em}
td.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere;min-width:8em}
time{white-space:nowrap}
table.rules{width:auto;min-width:24em}table.rules.inner{margin:0;min-width:0}table.rules.inner td{border:0;border-bottom:1px solid #e5e9ef;padding:.1em .4em}
table.summary{width:auto}
.none{color:#8a94a3}.note{color:#444;font-size:.9em}.ok{color:#16703a;font-weight:bold}.bad{color:#b3261e;font-weight:bold}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{margin:0;max-width:none;padding:0;font-size:9pt;color:#000}
  h2{break-before:page}h2.first{break-before:avoid}h2,h3{break-after:avoid}
  thead{display:table-header-group}tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  th,td{border-color:#999}thead th{background:#eee;-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

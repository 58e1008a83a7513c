// The document page's link to "Import annotations" (claims.extensions), for those who may
// import: placed in the document's header, after the help on annotating.
const config = JSON.parse(document.getElementById("interchange-import-config").textContent);

if (config.importUrl) {
  const help = document.getElementById("annotate-help");
  const line = document.createElement("p");
  line.className = "help";
  const link = document.createElement("a");
  link.href = config.importUrl;
  link.textContent = "Import annotations (W3C or Hypothesis)";
  line.append(link);
  help?.after(line);
}

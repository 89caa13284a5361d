#!/usr/bin/env bash
# Renders a Kiln HTML report in headless Chromium and checks every chart as drawn: the tick
# labels of each axis are distinct, and no legend entry covers a plotted point or line.
# usage: scripts/report/check_report.sh RUN/report.html   (needs Debian's chromium)
set -euo pipefail
report=${1:?usage: check_report.sh REPORT.html}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check_report: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$report" "$work/report.html"
cat >> "$work/report.html" <<'JS'
<script>
(() => {
  const problems = []; let charts = 0;
  document.querySelectorAll("svg").forEach((svg, n) => {
    charts++;
    for (const axis of ["tick-x", "tick-y"]) {
      const labels = [...svg.querySelectorAll("text." + axis)].map(t => t.textContent);
      const seen = new Set(labels);
      if (seen.size !== labels.length) problems.push(`chart ${n}: ${axis} labels repeat: ${labels.join(" ")}`);
    }
    const boxes = [...svg.querySelectorAll(".legend")].map(e => e.getBBox());
    const inside = (b, x, y, r) => x >= b.x - r && x <= b.x + b.width + r && y >= b.y - r && y <= b.y + b.height + r;
    const points = [];
    svg.querySelectorAll("polyline.series").forEach(l => {
      const ps = [...l.points].map(p => [p.x, p.y]);
      // Sample each segment finely enough to meet any legend box of a few pixels.
      for (let i = 0; i + 1 < ps.length; i++)
        for (let k = 0; k <= 20; k++) points.push([ps[i][0] + (ps[i + 1][0] - ps[i][0]) * k / 20, ps[i][1] + (ps[i + 1][1] - ps[i][1]) * k / 20, 0]);
      if (ps.length === 1) points.push([ps[0][0], ps[0][1], 0]);
    });
    svg.querySelectorAll("circle.point").forEach(c => points.push([c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value]));
    for (const b of boxes) for (const [x, y, r] of points)
      if (inside(b, x, y, r)) { problems.push(`chart ${n}: legend at ${b.x.toFixed(0)},${b.y.toFixed(0)} covers data at ${x.toFixed(0)},${y.toFixed(0)}`); break; }
  });
  const out = document.createElement("pre"); out.id = "report-check";
  out.textContent = JSON.stringify({charts, problems}); document.body.appendChild(out);
})();
</script>
JS
"$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom "file://$work/report.html" 2>/dev/null \
  | sed -n 's:.*<pre id="report-check">\(.*\)</pre>.*:\1:p' > "$work/result.json"
python3 - "$work/result.json" "$report" <<'PY'
import html, json, sys
text = open(sys.argv[1]).read().strip()
if not text: sys.exit(f"check_report: {sys.argv[2]}: the browser produced no result")
result = json.loads(html.unescape(text))
for p in result["problems"]: print(p)
print(f"{sys.argv[2]}: {result['charts']} charts, {len(result['problems'])} problems")
sys.exit(1 if result["problems"] else 0)
PY

// The demo page on `/`: shows /sse arriving live in a browser.
export const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Isle streaming demo</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; } pre { background: #f4f4f4; padding: 1rem; }</style>
<h1>Server-sent events from an Isle worker</h1>
<p>Ten <code>tick</code> events, one every 500 ms, from <code>/sse</code>. Also try <a href="/stream">/stream</a>.</p>
<pre id="log"></pre>
<script>
  const log = document.getElementById('log');
  const source = new EventSource('/sse?count=10&interval=500');
  source.addEventListener('tick', (e) => { log.textContent += e.lastEventId + ' ' + e.data + '\\n'; });
  source.addEventListener('done', () => { log.textContent += 'done\\n'; source.close(); });
</script>
</html>
`;

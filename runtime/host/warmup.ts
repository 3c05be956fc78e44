// Run once in a throwaway context while the startup snapshot is made, so the snapshot keeps the
// compiled bytecode of the hot paths (measured: first dispatch ~850 µs → ~500 µs). It must not call
// the host (there is none yet) and must leave nothing behind: V8 discards this context.
export const WARMUP_SCRIPT = `
(function () {
  try {
    if (typeof Headers === 'function') {
      const h = new Headers({ 'content-type': 'text/plain' });
      h.get('content-type');
    }
    if (typeof URL === 'function') new URL('https://example.com/a?b=c#d').searchParams.get('b');
    if (typeof Response === 'function') new Response('hello', { status: 200, headers: { 'x-a': 'b' } });
    if (typeof TextEncoder === 'function') new TextDecoder().decode(new TextEncoder().encode('warm'));
  } catch (e) {}
})();
`;

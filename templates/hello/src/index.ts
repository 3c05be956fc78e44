// A module worker: Isle calls fetch() for every request, each in a fresh isolate.
export interface Env {
  /** From isle.json "vars" (or .dev.vars, or `worker dev --var GREETING=Hi`). */
  GREETING?: string;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get('name') ?? 'world';
    return new Response(`${env.GREETING ?? 'Hello'}, ${name}!\n`, {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },
} satisfies ExportedHandler<Env>;

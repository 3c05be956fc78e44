// Clean stop on Ctrl-C / SIGTERM (and when the launcher that spawned us disappears): run the
// cleanup once, then exit. A second signal exits at once.
export function onShutdown(cleanup: () => Promise<void>): Promise<never> {
  return new Promise<never>(() => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      const code = signal === 'SIGINT' ? 130 : 0;
      const force = setTimeout(() => process.exit(code), 10_000);
      force.unref();
      cleanup().then(
        () => process.exit(code),
        (e) => {
          console.error(`worker: error while stopping: ${(e as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => stop('SIGHUP'));
    // Started by cli/bin/worker.js with an IPC channel: if the launcher dies, so do we.
    if (process.channel) {
      process.channel.unref();
      process.on('disconnect', () => stop('SIGTERM'));
    }
  });
}

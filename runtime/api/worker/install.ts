// Being filled in: tenant dispatch (fetch / scheduled / waitUntil) for the foundation issue.
export function install(): void {}

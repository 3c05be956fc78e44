// Installs this area's globals. Being filled in; see the issue that owns this area.
export function install(): void {}

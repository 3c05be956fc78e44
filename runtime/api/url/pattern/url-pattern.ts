// Placeholder until the URL Pattern implementation lands (same commit series).
export class URLPattern {}

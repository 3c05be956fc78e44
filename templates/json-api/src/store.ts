// Tasks in a Map. IMPORTANT: Isle runs every request in a fresh isolate, so this Map is created
// (and seeded) for each request and is gone when the request ends. Writes are validated, applied and
// echoed back, but the next request starts from the seed again. For data that lasts, implement the
// same interface over an external store reached with fetch() (a database's HTTP API, a KV
// service, …) and construct that instead in src/index.ts.
import type { Task, TaskInput } from './schema';

export interface TaskStore {
  list(): Promise<Task[]>;
  get(id: number): Promise<Task | undefined>;
  create(input: TaskInput): Promise<Task>;
  replace(id: number, input: TaskInput): Promise<Task | undefined>;
  update(id: number, patch: Partial<TaskInput>): Promise<Task | undefined>;
  delete(id: number): Promise<boolean>;
}

const SEED: TaskInput[] = [
  { title: 'Read the Isle README', done: true, tags: ['docs'] },
  { title: 'Write a worker', done: false, tags: ['code'], due: '2026-12-01' },
  { title: 'Deploy it with worker deploy', done: false, tags: ['ops'] },
];

export class MemoryStore implements TaskStore {
  #tasks = new Map<number, Task>();
  #nextId = 1;

  constructor(seed: TaskInput[] = SEED, now = '2026-01-01T00:00:00.000Z') {
    for (const input of seed) this.#insert(input, now);
  }

  #insert(input: TaskInput, now: string): Task {
    const task: Task = { id: this.#nextId++, ...input, createdAt: now, updatedAt: now };
    this.#tasks.set(task.id, task);
    return task;
  }

  async list() {
    return [...this.#tasks.values()];
  }

  async get(id: number) {
    return this.#tasks.get(id);
  }

  async create(input: TaskInput) {
    return this.#insert(input, new Date().toISOString());
  }

  async replace(id: number, input: TaskInput) {
    const old = this.#tasks.get(id);
    if (!old) return undefined;
    const task: Task = { id, ...input, createdAt: old.createdAt, updatedAt: new Date().toISOString() };
    this.#tasks.set(id, task);
    return task;
  }

  async update(id: number, patch: Partial<TaskInput>) {
    const old = this.#tasks.get(id);
    if (!old) return undefined;
    const task: Task = { ...old, ...patch, id, updatedAt: new Date().toISOString() };
    this.#tasks.set(id, task);
    return task;
  }

  async delete(id: number) {
    return this.#tasks.delete(id);
  }
}
